"""Annex A Lists 1-11 on a small hand-built authority, every expected row worked out by hand in the
comments; the data-quality check on the same authority; the workbook read back with openpyxl; and
the command run on the demo authority.

Reference date D = Thursday 15 October 2026. "The six months before" D runs from 16 April 2026 to
15 October 2026 inclusive (the day after the same date six months earlier: 15 April is out, 16 April
in); "the last 12 months" from 16 October 2025. Teams: T1 "Team North" and T2 "Team South" in
service S1; workers W1 "Ann Lee" (T1) and W2 "Bo Chan" (T2).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from annex_a.lists import annex_a_lists
from annex_a.quality import data_quality, source_gaps
from annex_a.spec import LISTS
from annex_a.workbook import workbook_bytes
from tests.conftest import ROOT
from tests.source_fixtures import _frame

D = pd.Timestamp("2026-10-15")
SAMPLE = ROOT.parent / "shared" / "external" / "annex-a" / "Annex_A_2024_Jan.xlsx"


def authority() -> dict[str, pd.DataFrame]:
    t: dict[str, pd.DataFrame] = {}
    people = [  # id, sex, ethnicity, dob
        ("C1", "M", "WBRI", "2015-03-14"),   # 11 on D
        ("C2", "F", "AIND", "2012-10-15"),   # 14 on D (birthday on D); disabled
        ("C3", "U", "XXXX", "2020-01-01"),   # 6; ethnicity code that is not a DfE code
        ("C4", "F", "MWBC", "2009-05-01"),   # 17; in care, UASC since 1 Nov 2025, eligible care leaver
        ("C5", "M", "BAFR", "2007-01-20"),   # 19; care leaver, formerly UASC
        ("C6", "M", "WBRI", None),           # no date of birth
        ("C7", "F", "WBRI", "2018-06-30"),   # 8; adopted 1 Dec 2025
        ("C8", "M", "WIRI", "2010-12-01"),   # 15; second period of care, no CIN episode
        ("C9", "F", "WBRI", "2016-02-29"),   # 10 (leap-day birthday); CIN plan
        ("C10", "M", "WBRI", "2011-11-11"),  # 14; CIN services without a plan
        ("C12", "M", "WBRI", "2009-09-09"),  # 17; left care 30 Jun 2026
        ("C13", "F", "WBRI", "2016-01-01"),  # 10; short breaks only
        ("C15", "M", "WBRI", "2012-12-12"),  # 13; ceases care after D
        ("C16", "F", "WBRI", "2000-01-01"),  # 26: too old for List 9
        ("C17", "F", "WBRI", "2011-01-01"),  # 15: too young for List 9
        ("C18", "M", "WBRI", "2022-02-02"),  # 4; adoption decision reversed
        ("C19", "F", "WBRI", "2020-05-05"),  # adopted before the 12 months
        ("C20", "F", "WBRI", "2023-03-03"),  # 3; adoption decision, not yet placed
        ("C21", "M", "WBRI", "2019-09-19"),  # SGO, never an adoption case
        ("C22", "M", "WBRI", "2018-08-18"),  # adoption decision then an SGO
        ("C23", "F", "WBRI", "2026-12-25"),  # unborn: expected date recorded as the date of birth
    ]
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": p, "pers_forename": "X", "pers_surname": "Y", "pers_sex": s, "pers_gender": s,
         "pers_ethnicity": e, "pers_dob": dob} for p, s, e, dob in people])
    t["ssd_disability"] = _frame("ssd_disability", [
        {"disa_table_id": "D1", "disa_person_id": "C2", "disa_disability_code": "LD"},
        {"disa_table_id": "D2", "disa_person_id": "C1", "disa_disability_code": "NONE"},  # not a disability
    ])
    t["ssd_immigration_status"] = _frame("ssd_immigration_status", [
        {"immi_immigration_status_id": "I1", "immi_person_id": "C4", "immi_immigration_status": "UASC",
         "immi_immigration_status_start_date": "2025-11-01"},
        {"immi_immigration_status_id": "I2", "immi_person_id": "C5", "immi_immigration_status": "UASC",
         "immi_immigration_status_start_date": "2022-01-01", "immi_immigration_status_end_date": "2025-01-19"},
    ])
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Children's Services"},
        {"dept_team_id": "T1", "dept_team_name": "Team North", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "Team South", "dept_team_parent_id": "S1"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_professional_name": "Ann Lee", "prof_professional_department": "T1"},
        {"prof_professional_id": "W2", "prof_professional_name": "Bo Chan", "prof_professional_department": "T2"},
    ])
    t["ssd_involvements"] = _frame("ssd_involvements", [
        {"invo_involvements_id": f"V{i}", "invo_person_id": p, "invo_professional_id": w, "invo_professional_team": tm,
         "invo_involvement_start_date": a, "invo_involvement_end_date": b}
        for i, (p, w, tm, a, b) in enumerate([
            ("C1", "W1", "T1", "2026-01-01", None), ("C2", "W2", "T2", "2025-01-01", None),
            ("C4", "W2", "T2", "2020-01-01", None), ("C5", "W1", "T1", "2024-01-01", None),
            ("C9", "W1", "T1", "2026-02-01", None), ("C10", "W1", "T1", "2026-06-01", None),
            ("C12", "W2", "T2", "2025-02-01", "2026-06-30"), ("C15", "W2", "T2", "2025-12-20", None)])])
    # List 1: contacts.
    t["ssd_contacts"] = _frame("ssd_contacts", [
        {"cont_contact_id": k, "cont_person_id": p, "cont_contact_date": d, "cont_contact_source_code": s,
         "cont_contact_source_desc": desc}
        for k, p, d, s, desc in [
            ("K1", "C1", "2026-04-15", "6", None),       # exactly six months before D: out
            ("K2", "C1", "2026-04-16", "6", None),       # first day of the six months: in
            ("K3", "C2", "2026-10-15", "2A", None),      # on D: in
            ("K4", "C3", "2026-10-16", "6", None),       # after D: out
            ("K5", "C3", "2026-07-01", "ZZ", None),      # not a source code: in, flagged
            ("K6", "C6", "2026-09-01", None, "Police"),  # the description only: mapped
            ("K7", "C2", "2026-10-15", "2A", None),      # the same as K3: a possible duplicate
            ("K8", "C23", "2026-09-15", "3B", None),     # before the expected birth: allowed
        ]])
    # List 2: early help.
    t["ssd_early_help_episodes"] = _frame("ssd_early_help_episodes", [
        {"earl_episode_id": e, "earl_person_id": p, "earl_episode_start_date": a, "earl_episode_end_date": b,
         "earl_episode_organisation": org}
        for e, p, a, b, org in [
            ("E1", "C1", "2026-05-01", "2026-06-30", "Family hub"),   # started in the six months
            ("E2", "C2", "2025-01-01", None, "School"),                 # open on D
            ("E3", "C3", "2025-12-01", "2026-05-01", "Family hub"),   # started before, ended inside: out
            ("E4", "C4", "2026-09-01", "2026-10-20", None),           # ends after D: completion blank
            ("E5", "C1", "2026-03-01", "2026-10-15", "Family hub"),   # ends on D: not open, started before: out
        ]])
    # Lists 3 and 6: referrals (CIN episodes).
    t["ssd_cin_episodes"] = _frame("ssd_cin_episodes", [
        {"cine_referral_id": r, "cine_person_id": p, "cine_referral_date": d, "cine_referral_source_code": s,
         "cine_referral_nfa": nfa, "cine_close_date": close, "cine_close_reason": reason,
         "cine_cin_primary_need_code": need, "cine_referral_team": tm, "cine_referral_worker_id": w}
        for r, p, d, s, nfa, close, reason, need, tm, w in [
            ("R0", "C1", "2025-05-10", "6", "N", "2025-06-01", "RC8", "N1", "T1", "W1"),
            ("R1", "C1", "2025-11-01", "6", "N", "2025-12-15", "RC8", "N1", "T1", "W1"),
            ("R2", "C1", "2026-05-10", "3A", "N", None, None, "N1", "T1", "W1"),
            ("R3", "C2", "2026-10-15", "1A", "Y", "2026-10-15", "RC8", "N1", None, None),
            ("R4", "C4", "2024-03-01", "6", "N", None, None, "N5", "T2", "W2"),
            ("R5", "C5", "2023-01-01", "6", "N", None, None, "N1", "T1", "W1"),
            ("R6", "C2", "2025-11-20", "2A", "N", "2026-05-01", "RC7", "N4", "T2", "W2"),
            ("R7", "C6", "2026-07-15", "9", "N", None, None, None, None, None),
            ("R8", "C3", "2026-03-01", "8", "N", None, None, "N2", None, None),
            ("R9", "C9", "2026-02-01", "2A", "N", None, None, "N3", "T1", "W1"),
            ("R10", "C10", "2026-06-01", "5D", "N", None, None, "N4", "T1", "W1"),
            ("R12", "C12", "2025-01-15", "6", "N", "2026-06-30", "RC7", "N1", "T2", "W2"),
            ("R15", "C15", "2025-12-20", "6", "N", None, None, "N1", "T2", "W2"),
        ]])
    # List 4: assessments.
    t["ssd_cin_assessments"] = _frame("ssd_cin_assessments", [
        {"cina_assessment_id": a, "cina_person_id": p, "cina_assessment_start_date": s, "cina_assessment_auth_date": au,
         "cina_assessment_child_seen": seen, "cina_assessment_outcome_nfa": nfa, "cina_assessment_team": tm,
         "cina_assessment_worker_id": w}
        for a, p, s, au, seen, nfa, tm, w in [
            ("A1", "C1", "2026-05-11", "2026-06-20", "Y", "N", "T1", "W1"),
            ("A2", "C2", "2026-03-01", "2026-04-15", "Y", "N", "T2", "W2"),   # authorised the day before: out
            ("A3", "C3", "2026-02-01", "2026-04-16", "N", "Y", None, None),   # authorised on the first day: in
            ("A4", "C4", "2026-10-01", None, None, None, "T2", "W2"),          # open
            ("A5", "C6", "2026-09-10", "2026-10-20", "Y", "N", None, None),    # authorised after D: open on D
            ("A6", "C1", "2026-10-16", None, None, None, "T1", "W1"),          # starts after D: out
            ("A7", "C2", "2026-06-01", "2026-05-20", "Y", "N", "T2", "W2"),   # authorised before it started
            ("A10", "C10", "2026-06-02", "2026-07-15", "Y", "N", "T1", "W1"),
        ]])
    # List 5: section 47 enquiries and conferences.
    t["ssd_s47_enquiry"] = _frame("ssd_s47_enquiry", [
        {"s47e_s47_enquiry_id": s, "s47e_person_id": p, "s47e_s47_start_date": a, "s47e_s47_end_date": b,
         "s47e_s47_outcome_json": out, "s47e_s47_completed_by_team": tm, "s47e_s47_completed_by_worker_id": w}
        for s, p, a, b, out, tm, w in [
            ("S0", "C1", "2025-05-12", "2025-05-20", '["NFA"]', "T1", "W1"),
            ("S1", "C1", "2026-05-12", "2026-05-25", '["ICPC"]', "T1", "W1"),
            ("S2", "C2", "2026-03-01", "2026-04-20", '["NFA"]', "T2", "W2"),
            ("S3", "C9", "2026-09-20", None, None, None, None),
            ("S4", "C4", "2026-01-01", "2026-04-15", '["NFA"]', "T2", "W2"),
            ("S5", "C4", "2026-10-01", "2026-10-10", '["ICPC"]', "T2", "W2"),
        ]])
    t["ssd_initial_cp_conference"] = _frame("ssd_initial_cp_conference", [
        {"icpc_icpc_id": i, "icpc_s47_enquiry_id": s, "icpc_person_id": p, "icpc_icpc_date": d,
         "icpc_icpc_outcome_cp_flag": flag}
        for i, s, p, d, flag in [
            ("I0", None, "C1", "2025-06-01", "Y"),    # a transfer-in conference, no enquiry
            ("I1", "S1", "C1", "2026-06-01", "Y"),
            ("I5", "S5", "C4", "2026-10-20", "N"),    # after D
        ]])
    # List 7: child protection plans, visits, reviews, protection orders.
    t["ssd_cp_plans"] = _frame("ssd_cp_plans", [
        {"cppl_cp_plan_id": c, "cppl_person_id": p, "cppl_cp_plan_start_date": a, "cppl_cp_plan_end_date": b,
         "cppl_cp_plan_initial_category": i, "cppl_cp_plan_latest_category": lt, "cppl_cp_plan_ola": ola}
        for c, p, a, b, i, lt, ola in [
            ("P0", "C1", "2024-01-01", "2024-06-01", "NEG", "NEG", "N"),
            ("P1", "C1", "2026-06-01", None, "NEG", "EMO", "N"),
            ("P2", "C2", "2025-12-01", "2026-04-16", "PHY", "PHY", "N"),   # ended on the first day: in
            ("P3", "C3", "2025-01-01", "2026-04-15", "NEG", "NEG", "N"),   # ended the day before: out
            ("P4", "C4", "2026-02-01", None, "NEG", "NEG", "Y"),           # another authority's plan
            ("P5", "C6", "2026-08-01", None, "XYZ", "NEG", "N"),
        ]])
    t["ssd_cp_visits"] = _frame("ssd_cp_visits", [
        {"cppv_cp_visit_id": v, "cppv_person_id": "C1", "cppv_cp_plan_id": "P1", "cppv_cp_visit_date": d,
         "cppv_cp_visit_seen": "Y", "cppv_cp_visit_seen_alone": alone}
        for v, d, alone in [("CV1", "2026-06-10", "Y"), ("CV2", "2026-10-14", "N"), ("CV3", "2026-10-16", "Y")]])
    t["ssd_cp_reviews"] = _frame("ssd_cp_reviews", [
        {"cppr_cp_review_id": "CR1", "cppr_person_id": "C1", "cppr_cp_plan_id": "P1", "cppr_cp_review_date": "2026-08-20"}])
    t["ssd_cin_visits"] = _frame("ssd_cin_visits", [
        {"cinv_cin_visit_id": v, "cinv_person_id": p, "cinv_cin_visit_date": d, "cinv_cin_visit_seen": seen}
        for v, p, d, seen in [("IV1", "C1", "2026-10-15", "N"),   # child not seen: not "last seen"
                              ("IV2", "C2", "2026-02-01", "Y"), ("IV3", "C9", "2026-09-30", "Y")]])
    t["ssd_cin_plans"] = _frame("ssd_cin_plans", [
        {"cinp_cin_plan_id": "CP9", "cinp_person_id": "C9", "cinp_referral_id": "R9",
         "cinp_cin_plan_start_date": "2026-03-01"}])
    t["ssd_legal_status"] = _frame("ssd_legal_status", [
        {"lega_legal_status_id": f"L{i}", "lega_person_id": p, "lega_legal_status": s,
         "lega_legal_status_start_date": a, "lega_legal_status_end_date": b}
        for i, (p, s, a, b) in enumerate([
            ("C1", "L2", "2026-05-30", "2026-06-01"),      # an EPO inside the six months
            ("C4", "C1", "2024-03-15", "2024-06-01"), ("C4", "C2", "2024-06-01", None),
            ("C8", "V2", "2025-01-01", "2025-11-01"), ("C8", "V2", "2026-09-01", None),
            ("C12", "C1", "2025-02-01", "2026-06-30"),
            ("C13", "V3", "2026-08-01", None),
            ("C15", "C1", "2026-01-01", "2026-10-20"),
            ("C5", "C2", "2022-01-01", "2025-01-19"), ("C7", "E1", "2023-09-01", "2025-12-01"),
        ])])
    # List 8: children in care.
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": e, "clae_person_id": p, "clae_cla_episode_start_date": a,
         "clae_cla_episode_ceased_date": b, "clae_cla_episode_ceased_reason": r, "clae_cla_primary_need_code": n,
         "clae_cla_id": cla, "clae_cla_episode_start_reason": "S", "clae_cla_last_iro_contact_date": iro}
        for e, p, a, b, r, n, cla, iro in [
            ("CE1", "C4", "2024-03-15", None, None, "N5", "CLA4", "2026-09-15"),
            ("CE0", "C8", "2025-01-01", "2025-11-01", "E4A", "N1", "CLA8A", None),
            ("CE2", "C8", "2026-09-01", None, None, "N1", "CLA8B", None),
            ("CE3", "C12", "2025-02-01", "2026-06-30", "E4A", "N1", "CLA12", None),
            ("CE4", "C13", "2026-08-01", None, None, "N2", "CLA13", None),
            ("CE5", "C15", "2026-01-01", "2026-10-20", "E13", "N1", "CLA15", None),
            ("CE6", "C5", "2022-01-01", "2025-01-19", "E5", "N8", "CLA5", None),
            ("CE7", "C7", "2023-09-01", "2025-12-01", "E11", "N1", "CLA7", None),
        ]])
    t["ssd_cla_placement"] = _frame("ssd_cla_placement", [
        {"clap_cla_placement_id": pl, "clap_person_id": p, "clap_cla_placement_start_date": a,
         "clap_cla_placement_end_date": b, "clap_cla_placement_type": ty, "clap_cla_placement_provider": pr,
         "clap_cla_placement_postcode": pc, "clap_cla_placement_urn": urn}
        for pl, p, a, b, ty, pr, pc, urn in [
            ("PL1", "C4", "2024-03-15", "2025-12-01", "U4", "PR1", "DM1 1AA", "SC111111"),
            ("PL2", "C4", "2025-12-01", None, "U6", "PR4", "ls12ab", None),
            ("PL3", "C8", "2026-09-01", None, "K2", "PR4", None, "SC222222"),
            ("PL4", "C12", "2025-02-01", "2026-06-30", "U1", "PR1", "DM3 3CC", None),
            ("PL5", "C15", "2026-01-01", "2026-10-20", "U6", "PR1", "DM2 2BB", None),
            ("PL6", "C13", "2026-08-01", None, "U6", "PR1", "DM4 4DD", None),
        ]])
    t["ssd_cla_reviews"] = _frame("ssd_cla_reviews", [
        {"clar_cla_review_id": r, "clar_cla_id": "CLA4", "clar_cla_review_date": d, "clar_cla_review_cancelled": c}
        for r, d, c in [("LR1", "2026-04-01", "N"), ("LR2", "2026-09-30", "N"), ("LR3", "2026-10-10", "Y")]])
    t["ssd_cla_visits"] = _frame("ssd_cla_visits", [
        {"clav_cla_visit_id": v, "clav_person_id": p, "clav_cla_visit_date": d, "clav_cla_visit_seen": "Y"}
        for v, p, d in [("LV1", "C4", "2026-10-01"), ("LV2", "C15", "2026-10-05")]])
    t["ssd_cla_care_plan"] = _frame("ssd_cla_care_plan", [
        {"lacp_table_id": "CPL1", "lacp_person_id": "C4", "lacp_cla_care_plan_start_date": "2024-04-01",
         "lacp_cla_care_plan_json": '["Long-term fostering"]'},
        {"lacp_table_id": "CPL2", "lacp_person_id": "C4", "lacp_cla_care_plan_start_date": "2026-10-20",
         "lacp_cla_care_plan_json": '["Adoption"]'},   # after D
    ])
    t["ssd_cla_health"] = _frame("ssd_cla_health", [
        {"clah_health_check_id": h, "clah_person_id": p, "clah_health_check_type": ty, "clah_health_check_date": d,
         "clah_health_check_status": st}
        for h, p, ty, d, st in [
            ("H1", "C4", "Health Assessment", "2026-03-01", "Completed"),
            ("H2", "C4", "Health Assessment", "2026-09-01", "Refused"),     # did not happen
            ("H3", "C4", "Dental Check", "2025-11-11", "Completed"),
            ("H4", "C8", "Health Assessment", "2009-01-01", "Completed"),   # before C8 was born
        ]])
    t["ssd_missing"] = _frame("ssd_missing", [
        {"miss_table_id": m, "miss_person_id": "C4", "miss_missing_episode_start_date": d,
         "miss_missing_episode_type": ty, "miss_missing_rhi_offered": o, "miss_missing_rhi_accepted": a}
        for m, d, ty, o, a in [("M1", "2026-01-10", "Missing", "Y", "N"), ("M2", "2025-09-01", "Missing", "Y", "Y"),
                               ("M3", "2026-05-05", "Absent", None, None)]])
    # List 9: care leavers.
    t["ssd_care_leavers"] = _frame("ssd_care_leavers", [
        {"clea_table_id": c, "clea_person_id": p, "clea_care_leaver_eligibility": el, "clea_care_leaver_in_touch": it,
         "clea_care_leaver_latest_contact": lc, "clea_care_leaver_accommodation": ac,
         "clea_care_leaver_accom_suitable": su, "clea_care_leaver_activity": act, "clea_pathway_plan_review_date": pp,
         "clea_care_leaver_personal_advisor": pa}
        for c, p, el, it, lc, ac, su, act, pp, pa in [
            ("CL1", "C5", "Former relevant", "YES", "2026-09-01", "U1", "Suitable", "F2", "2026-07-01", "W1"),
            ("CL2", "C4", "Eligible", "YES", "2026-10-16", None, None, "0", None, "Jo Bloggs"),
            ("CL3", "C16", "Former relevant", "YES", "2026-09-01", "U", "Suitable", "F2", None, None),
            ("CL4", "C17", "Eligible", "YES", "2026-09-01", None, None, None, None, None),
        ]])
    # List 10: adoption.
    t["ssd_permanence"] = _frame("ssd_permanence", [
        {"perm_table_id": k, "perm_person_id": p, "perm_cla_id": cla, "perm_adm_decision_date": adm,
         "perm_placement_order_date": po, "perm_matched_date": m, "perm_placed_for_adoption_date": pl,
         "perm_permanence_order_date": od, "perm_permanence_order_type": ot, "perm_decision_reversed_date": rv,
         "perm_decision_reversed_reason": rr}
        for k, p, cla, adm, po, m, pl, od, ot, rv, rr in [
            ("PE1", "C7", "CLA7", "2024-05-01", "2024-08-01", "2025-01-10", "2025-02-01", "2025-12-01",
             "Adoption order", None, None),
            ("PE2", "C18", None, "2026-01-10", None, None, None, None, None, "2026-07-01", "RD3"),
            ("PE3", "C19", None, "2025-03-01", None, None, None, "2025-09-01", "Adoption order", None, None),
            ("PE4", "C20", None, "2026-02-01", None, None, None, None, None, None, None),
            ("PE5", "C21", None, None, None, None, None, "2026-05-01", "Special guardianship order", None, None),
            ("PE6", "C22", None, "2025-06-01", None, None, None, "2026-03-01", "Special guardianship order", None, None),
        ]])
    return t


@pytest.fixture(scope="module")
def lists():
    return annex_a_lists(authority(), D)


def plain(value):
    """A cell as a test compares it: dates as dd/mm/yyyy, blanks as None, numbers as int."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (pd.Timestamp, datetime)):
        return pd.Timestamp(value).strftime("%d/%m/%Y")
    if hasattr(value, "item"):
        value = value.item()
    return value


def rows(frame: pd.DataFrame, child: str) -> list[dict]:
    return [{k: plain(v) for k, v in r.items()} for r in frame[frame["Child Unique ID"] == child].to_dict("records")]


def row(frame: pd.DataFrame, child: str) -> dict:
    found = rows(frame, child)
    assert len(found) == 1, (child, found)
    return found[0]


# ---- the layout ---------------------------------------------------------------------------------

COMMON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
DIS = "Does the Child have a Disability"
EXPECTED_HEADERS = {  # domain.md section 1.3, the 2023+ layout
    "List 1": [*COMMON, "Date of Contact", "Contact Source"],
    "List 2": [*COMMON, "Assessment start date", "Assessment completion date", "Organisation completing assessment"],
    "List 3": [*COMMON, "Date of referral", "Referral Source", "Referral NFA?", "Number of Referrals in Last 12 Months",
               "Allocated Team", "Allocated Worker"],
    "List 4": [*COMMON, DIS, "Continuous Assessment Start Date", "Child Seen During Continuous Assessment",
               "Continuous Assessment Date of Authorisation",
               "Was the child assessed as requiring LA children's social care support?", "Allocated Team",
               "Allocated Worker"],
    "List 5": [*COMMON, DIS, "Strategy discussion initiating Section 47 Enquiry Start Date",
               "Was an Initial Child Protection Conference deemed unnecessary?",
               "Date of Initial Child Protection Conference",
               "Did the Initial Child Protection Conference Result in a Child Protection Plan",
               "Number of Section 47 Enquiries in the last 12 months", "Number of ICPCs in the last 12 months",
               "Allocated Team", "Allocated Worker"],
    "List 6": [*COMMON, DIS, "CIN Start Date", "Primary Need Code", "Date Child Was Last Seen", "CIN Closure Date",
               "Reason for Closure", "Case Status", "Allocated Team", "Allocated Worker"],
    "List 7": [*COMMON, DIS, "Child Protection Plan Start Date", "Initial Category of Abuse", "Latest Category of Abuse",
               "Date of the Last Statutory Visit", "Was the Child Seen Alone?", "Date of latest review conference",
               "Child Protection Plan End Date",
               "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)",
               "Number of Previous Child Protection Plans", "Allocated Team", "Allocated Worker"],
    "List 8": [*COMMON, "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", DIS,
               "Date Started to be Looked After", "Child's Category of Need",
               "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)",
               "Start date of current legal status", "Child's Legal Status", "Date of Latest Statutory Review",
               "Date of Last Social Work Visit", "What is the permanence plan for this child?",
               "Date of Last IRO Visit / Contact to the Child", "Date of Last Health Assessment",
               "Date of Last Dental Check", "Number of Placements in the Last 12 months",
               "Date Ceased to be Looked After", "Reason Ceased to be Looked After",
               "Start Date of Most Recent Placement", "Placement Type", "Placement Provider", "Placement postcode",
               "URN of Placement", "Placement Location", "LA of Placement",
               "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months",
               "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months",
               "Was the child offered a Return Interview after their last missing episode (Y/N)?",
               "Did the child accept a Return Interview after their last missing episode (Y/N)?",
               "Allocated Team", "Allocated Worker"],
    "List 9": [*COMMON, "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)", DIS,
               "Allocated Team", "Allocated Worker", "Allocated Personal Advisor", "Eligibility Category",
               "Latest Pathway Plan Review Date", "LA in Touch", "Latest Date of Contact", "Type of Accommodation",
               "Suitability of Accommodation", "Activity Status"],
    "List 10": ["Child Unique ID", "Family identifier", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)",
                DIS, "Date the Child Entered Care", "Date of Decision that Child Should be Placed for Adoption",
                "Date of Placement Order", "Date of Matching Child and Prospective Adopters",
                "Date Placed for Adoption", "Date of Adoption Order",
                "Date of Decision that Child Should No Longer be Placed for Adoption",
                "Reason Why Child No Longer Placed for Adoption",
                "Date the child was placed for fostering in FFA or concurrent planning placement"],
    "List 11": ["Individual adopter identifier", "Family identifier", "Gender", "Ethnicity", "Disability",
                "Is the (prospective) adopter fostering for adoption?", "Date enquiry received", "Date Stage 1 started",
                "Date Stage 1 ended", "Date Stage 2 started", "Date Stage 2 ended", "Date application submitted",
                "Date application approved", "Date adopter matched with child(ren)",
                "Date child/children placed with adopter(s)", "No. of children placed", "Date of Adoption Order",
                "Date of leaving adoption process", "Reason for leaving adoption process"],
}


def test_every_list_has_the_ofsted_headers_in_order(lists):
    assert list(lists) == [f"List {i}" for i in range(1, 12)]
    for name, headers in EXPECTED_HEADERS.items():
        assert list(lists[name].columns) == headers, name
    assert len(EXPECTED_HEADERS["List 8"]) == 34


def _normalised(header: str) -> str:
    """The sample workbook's spellings aside: its common age column is just "Age", List 3 says
    "Date of Referral", and List 8's UASC header has a doubled closing bracket."""
    h = " ".join(str(header).replace("))", ")").split()).lower()
    return "age of child (years)" if h == "age" else h


@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared sample workbook is not beside the checkout")
def test_headers_are_the_sample_workbooks_apart_from_its_spellings(lists):
    sample = openpyxl.load_workbook(SAMPLE, read_only=True)
    assert sample.sheetnames == list(lists)
    for name in sample.sheetnames:
        theirs = [_normalised(c.value) for c in next(sample[name].iter_rows(min_row=1, max_row=1)) if c.value]
        assert [_normalised(h) for h in lists[name].columns] == theirs, name


def test_row_counts(lists):
    # List 1: K2 K3 K5 K6 K7 K8 (K1 is the day before the six months, K4 after D).
    # List 2: E1 (started inside), E2 (open), E4 (open on D); not E3 (ended inside, started before) nor
    #         E5 (ended on D, so not open, and started before).
    # List 3: R2 R3 R7 R10, the referrals dated 16 Apr-15 Oct 2026.
    # List 4: A1 A3 A5 A7 A10 and the open A4; not A2 (authorised 15 Apr) nor A6 (starts after D).
    # List 5: S1, S2 (ended inside), S3 (open), S5; not S0, S4 (ended before 16 Apr).
    # List 6: one row per child: C1 C2 C3 C4 C6 C9 C10 C12 C15; not C2's NFA referral R3 (C2 is there
    #         through R6), nor C5 (a care leaver not looked after in the six months).
    # List 7: C1 (P1), C2 (P2 ended 16 Apr), C6 (P5); not P3 (ended 15 Apr) nor P4 (another LA's).
    # List 8: C4 C8 C12 C15 (C12 left care inside the six months); not C13 (short breaks), C5/C7 (left before).
    # List 9: C4 (eligible, 17) and C5 (former relevant, 19); not C16 (26) nor C17 (15).
    # List 10: C7 (adopted 1 Dec 2025), C18 (decision reversed), C20 (decision, not yet adopted).
    expected = {"List 1": 6, "List 2": 3, "List 3": 4, "List 4": 6, "List 5": 4, "List 6": 9, "List 7": 3,
                "List 8": 4, "List 9": 2, "List 10": 3, "List 11": 0}
    assert {name: len(frame) for name, frame in lists.items()} == expected


# ---- each list --------------------------------------------------------------------------------------

def test_list_1_contacts_and_the_six_month_boundary(lists):
    l1 = lists["List 1"]
    assert [plain(v) for v in l1["Date of Contact"]] == ["16/04/2026", "01/07/2026", "01/09/2026", "15/09/2026",
                                                          "15/10/2026", "15/10/2026"]
    assert "15/04/2026" not in [plain(v) for v in l1["Date of Contact"]]   # exactly six months before: out
    assert row(l1, "C1") == {"Child Unique ID": "C1", "Gender": "a) Male", "Ethnicity": "a) WBRI",
                             "Date of Birth": "14/03/2015", "Age of Child (Years)": 11,
                             "Date of Contact": "16/04/2026", "Contact Source": "q) 6: Police"}
    assert [r["Contact Source"] for r in rows(l1, "C2")] == ["e) 2A: Schools", "e) 2A: Schools"]
    assert rows(l1, "C2")[0]["Age of Child (Years)"] == 14   # 14th birthday on D
    c3 = row(l1, "C3")
    assert (c3["Gender"], c3["Ethnicity"], c3["Contact Source"]) == ("c) Not stated/recorded", "XXXX", "ZZ")
    assert row(l1, "C6")["Contact Source"] == "q) 6: Police"            # from the description
    assert (row(l1, "C6")["Date of Birth"], row(l1, "C6")["Age of Child (Years)"]) == (None, None)
    assert row(l1, "C23")["Age of Child (Years)"] is None              # not born yet on D
    assert row(l1, "C23")["Contact Source"] == "h) 3B: Health services"


def test_list_2_early_help(lists):
    l2 = lists["List 2"]
    assert list(l2["Child Unique ID"]) == ["C2", "C1", "C4"]
    assert row(l2, "C1")["Assessment completion date"] == "30/06/2026"
    assert row(l2, "C2")["Assessment completion date"] is None
    assert row(l2, "C4")["Assessment completion date"] is None   # ends 20 Oct, after D
    assert row(l2, "C4")["Organisation completing assessment"] is None


def test_list_3_referrals_with_earlier_referrals_counted(lists):
    l3 = lists["List 3"]
    assert list(l3["Child Unique ID"]) == ["C1", "C10", "C6", "C2"]
    # R2 (10 May 2026): R0 (10 May 2025, the same date a year before: counted) and R1 -> 2.
    assert row(l3, "C1") == {**row(l3, "C1"), "Date of referral": "10/05/2026", "Referral Source": "g) 3A: Health services",
                             "Referral NFA?": "b) No", "Number of Referrals in Last 12 Months": 2,
                             "Allocated Team": "Team North", "Allocated Worker": "Ann Lee"}
    # R3 records no team or worker: C2's allocation on the referral date (W2, Team South). Earlier:
    # R6 (20 Nov 2025) is within the 12 months before 15 Oct 2026 -> 1.
    assert (row(l3, "C2")["Referral NFA?"], row(l3, "C2")["Allocated Team"], row(l3, "C2")["Allocated Worker"],
            row(l3, "C2")["Number of Referrals in Last 12 Months"]) == ("a) Yes", "Team South", "Bo Chan", 1)
    assert row(l3, "C10")["Referral Source"] == "p1) 5D: LA services"
    assert (row(l3, "C6")["Referral Source"], row(l3, "C6")["Allocated Worker"]) == ("t) 9: Anonymous", None)


def test_list_4_assessments(lists):
    l4 = lists["List 4"]
    assert list(l4["Child Unique ID"]) == ["C3", "C1", "C2", "C10", "C6", "C4"]
    assert row(l4, "C1") == {**row(l4, "C1"), "Does the Child have a Disability": "b) No",
                             "Continuous Assessment Start Date": "11/05/2026",
                             "Child Seen During Continuous Assessment": "a) Yes",
                             "Continuous Assessment Date of Authorisation": "20/06/2026",
                             "Was the child assessed as requiring LA children's social care support?": "a) Yes"}
    # A3: authorised on the first day of the six months, NFA -> not requiring support; child not seen.
    c3 = row(l4, "C3")
    assert (c3["Continuous Assessment Date of Authorisation"], c3["Child Seen During Continuous Assessment"],
            c3["Was the child assessed as requiring LA children's social care support?"]) == ("16/04/2026", "b) No", "b) No")
    assert row(l4, "C2")["Does the Child have a Disability"] == "a) Yes"
    # A5 was authorised after D: on D it was open, so no authorisation and no outcome yet.
    c6 = row(l4, "C6")
    assert (c6["Continuous Assessment Date of Authorisation"],
            c6["Was the child assessed as requiring LA children's social care support?"]) == (None, None)


def test_list_5_section_47_enquiries_and_conferences(lists):
    l5 = lists["List 5"]
    assert list(l5["Child Unique ID"]) == ["C2", "C1", "C9", "C4"]
    c1 = row(l5, "C1")
    # S1 -> ICPC I1 on 1 Jun 2026, plan made. Earlier: S0 (12 May 2025, a year to the day) and I0.
    assert (c1["Was an Initial Child Protection Conference deemed unnecessary?"],
            c1["Date of Initial Child Protection Conference"],
            c1["Did the Initial Child Protection Conference Result in a Child Protection Plan"],
            c1["Number of Section 47 Enquiries in the last 12 months"], c1["Number of ICPCs in the last 12 months"],
            c1["Allocated Worker"]) == ("b) No", "01/06/2026", "a) Yes", 1, 1, "Ann Lee")
    c2 = row(l5, "C2")   # ended (NFA) without a conference
    assert (c2["Was an Initial Child Protection Conference deemed unnecessary?"],
            c2["Date of Initial Child Protection Conference"], c2["Number of Section 47 Enquiries in the last 12 months"]) \
        == ("a) Yes", None, 0)
    c9 = row(l5, "C9")   # still open: no decision yet; no team recorded: C9's allocation on the start date
    assert (c9["Was an Initial Child Protection Conference deemed unnecessary?"], c9["Allocated Team"],
            c9["Allocated Worker"]) == (None, "Team North", "Ann Lee")
    c4 = row(l5, "C4")   # S5 decided on a conference held after D; S4 (Jan 2026) is an earlier enquiry
    assert (c4["Was an Initial Child Protection Conference deemed unnecessary?"],
            c4["Date of Initial Child Protection Conference"],
            c4["Did the Initial Child Protection Conference Result in a Child Protection Plan"],
            c4["Number of Section 47 Enquiries in the last 12 months"]) == ("b) No", None, None, 1)


def test_list_6_children_in_need(lists):
    l6 = lists["List 6"]
    assert list(l6["Child Unique ID"]) == ["C4", "C12", "C2", "C15", "C9", "C3", "C1", "C10", "C6"]
    c1 = row(l6, "C1")
    # Latest seen: the CP visit of 14 Oct (the CIN visit on D did not see the child).
    assert (c1["CIN Start Date"], c1["Primary Need Code"], c1["Date Child Was Last Seen"], c1["Case Status"],
            c1["Allocated Worker"]) == ("10/05/2026", "N1 - Abuse or neglect", "14/10/2026", "b) Child Protection plan",
                                        "Ann Lee")
    c2 = row(l6, "C2")   # R6, closed inside the six months; allocation on the closure date
    assert (c2["CIN Closure Date"], c2["Reason for Closure"], c2["Case Status"], c2["Date Child Was Last Seen"],
            c2["Allocated Team"]) == ("01/05/2026", "RC7 - Services ceased for any other reason, including child no "
                                      "longer in need", "e) Closed episode", "01/02/2026", "Team South")
    assert row(l6, "C4")["Case Status"] == "a) Looked after child"
    assert row(l6, "C15")["Case Status"] == "a) Looked after child"     # ceases 20 Oct, after D
    assert row(l6, "C9")["Case Status"] == "c) Child in need plan"
    assert row(l6, "C10")["Case Status"] == "c) Child in need plan"     # A10 found support needed, no plan
    assert row(l6, "C3")["Case Status"] is None                         # open after an NFA assessment: drift
    assert row(l6, "C12")["Case Status"] == "e) Closed episode"
    assert row(l6, "C6")["Primary Need Code"] is None


def test_list_6_an_open_section_47_enquiry_is_an_open_assessment():
    tables = authority()
    tables["ssd_s47_enquiry"] = pd.concat([tables["ssd_s47_enquiry"], _frame("ssd_s47_enquiry", [
        {"s47e_s47_enquiry_id": "S9", "s47e_person_id": "C3", "s47e_s47_start_date": "2026-10-14"}])])
    assert row(annex_a_lists(tables, D)["List 6"], "C3")["Case Status"] == "d) Open assessment"


def test_list_7_child_protection(lists):
    l7 = lists["List 7"]
    assert list(l7["Child Unique ID"]) == ["C2", "C1", "C6"]
    c1 = row(l7, "C1")
    assert c1 == {**c1, "Child Protection Plan Start Date": "01/06/2026", "Initial Category of Abuse": "a) Neglect",
                  "Latest Category of Abuse": "d) Emotional abuse", "Date of the Last Statutory Visit": "14/10/2026",
                  "Was the Child Seen Alone?": "b) No", "Date of latest review conference": "20/08/2026",
                  "Child Protection Plan End Date": None,
                  "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)": "a) Yes",
                  "Number of Previous Child Protection Plans": 1, "Allocated Team": "Team North"}
    c2 = row(l7, "C2")
    assert (c2["Child Protection Plan End Date"], c2["Date of the Last Statutory Visit"], c2["Was the Child Seen Alone?"],
            c2["Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)"],
            c2["Allocated Worker"]) == ("16/04/2026", None, None, "b) No", "Bo Chan")
    assert row(l7, "C6")["Initial Category of Abuse"] == "XYZ"


def test_list_8_children_in_care(lists):
    l8 = lists["List 8"]
    assert list(l8["Child Unique ID"]) == ["C4", "C12", "C15", "C8"]
    c4 = row(l8, "C4")
    assert c4 == {**c4,
                  "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)": "a) Yes",
                  "Date Started to be Looked After": "15/03/2024", "Child's Category of Need": "N5 - Family dysfunction",
                  "Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)": "b) No",
                  "Start date of current legal status": "01/06/2024", "Child's Legal Status": "C2: FCO",
                  "Date of Latest Statutory Review": "30/09/2026",   # the cancelled 10 Oct review is not one
                  "Date of Last Social Work Visit": "01/10/2026",
                  "What is the permanence plan for this child?": "f) Long-term fostering",   # not the 20 Oct plan
                  "Date of Last IRO Visit / Contact to the Child": "15/09/2026",
                  "Date of Last Health Assessment": "01/03/2026",    # the refused one in September did not happen
                  "Date of Last Dental Check": "11/11/2025",
                  "Number of Placements in the Last 12 months": 2,   # PL1 ran to 1 Dec 2025, then PL2
                  "Date Ceased to be Looked After": None, "Reason Ceased to be Looked After": None,
                  "Start Date of Most Recent Placement": "01/12/2025",
                  "Placement Type": "f) U6: Foster placement - not FFA",
                  "Placement Provider": "e) PR4 - Private provision", "Placement postcode": "LS1 2AB",
                  "URN of Placement": None, "Placement Location": None, "LA of Placement": None,
                  "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months": 1,
                  "Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months": 1,
                  "Was the child offered a Return Interview after their last missing episode (Y/N)?": "a) Yes",
                  "Did the child accept a Return Interview after their last missing episode (Y/N)?": "b) No",
                  "Allocated Team": "Team South", "Allocated Worker": "Bo Chan"}
    c8 = row(l8, "C8")   # back in care 1 Sep 2026 after a period that ended 1 Nov 2025 (within 12 months)
    assert (c8["Date Started to be Looked After"],
            c8["Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)"],
            c8["Child's Legal Status"], c8["Placement Type"], c8["URN of Placement"],
            c8["Number of Placements in the Last 12 months"], c8["Allocated Worker"]) == (
        "01/09/2026", "a) Yes", "V2: Single period under S20", "p) K2: Children's Homes", "SC222222", 1, None)
    c12 = row(l8, "C12")  # left care inside the six months: legal status in force the day before
    assert (c12["Date Ceased to be Looked After"], c12["Reason Ceased to be Looked After"], c12["Child's Legal Status"],
            c12["Start date of current legal status"], c12["Placement Type"], c12["Allocated Worker"]) == (
        "30/06/2026", "e) E4A: Returned home to live with parents or relatives - part of planning", "C1: ICO",
        "01/02/2025", "a) U1: Foster placement - relatives - long term", "Bo Chan")
    assert row(l8, "C15")["Date Ceased to be Looked After"] is None       # ceases after D


def test_list_9_care_leavers(lists):
    l9 = lists["List 9"]
    assert list(l9["Child Unique ID"]) == ["C4", "C5"]
    c5 = row(l9, "C5")
    assert c5 == {**c5, "Age of Child (Years)": 19,
                  "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)": "a) Yes",
                  "Allocated Team": "Team North", "Allocated Worker": "Ann Lee", "Allocated Personal Advisor": "Ann Lee",
                  "Eligibility Category": "b) Former relevant child", "Latest Pathway Plan Review Date": "01/07/2026",
                  "LA in Touch": "a) Yes", "Latest Date of Contact": "01/09/2026",
                  "Type of Accommodation": "U: Independent living", "Suitability of Accommodation": "a) Suitable",
                  "Activity Status": "F2: Full time in education other than higher"}
    c4 = row(l9, "C4")
    assert (c4["Eligibility Category"], c4["Latest Date of Contact"], c4["Activity Status"],
            c4["Allocated Personal Advisor"]) == ("d) Eligible child", None, "0", "Jo Bloggs")


def test_list_10_adoption(lists):
    l10 = lists["List 10"]
    assert list(l10["Child Unique ID"]) == ["C7", "C18", "C20"]
    c7 = row(l10, "C7")
    assert (c7["Date the Child Entered Care"], c7["Date of Placement Order"], c7["Date Placed for Adoption"],
            c7["Date of Adoption Order"], c7["Family identifier"]) == ("01/09/2023", "01/08/2024", "01/02/2025",
                                                                        "01/12/2025", None)
    c18 = row(l10, "C18")
    assert (c18["Date of Decision that Child Should No Longer be Placed for Adoption"],
            c18["Reason Why Child No Longer Placed for Adoption"]) == ("01/07/2026",
                                                                        "RD3 - Prospective adopters could not be found")
    assert row(l10, "C20")["Date of Adoption Order"] is None


def test_list_11_adopters_has_its_headers_only(lists):
    assert lists["List 11"].empty and list(lists["List 11"].columns) == EXPECTED_HEADERS["List 11"]


def test_an_earlier_reference_date_sees_the_lists_as_they_stood(lists):
    # On 29 Jun 2026 C12 had not yet left care, C1's last CP visit was 10 Jun (seen alone), and the
    # contacts run from 30 Dec 2025 (29 Jun 2026 less six months is 29 Dec 2025: out).
    earlier = annex_a_lists(authority(), pd.Timestamp("2026-06-29"))
    c12 = row(earlier["List 8"], "C12")
    assert (c12["Date Ceased to be Looked After"], c12["Reason Ceased to be Looked After"]) == (None, None)
    c1 = row(earlier["List 7"], "C1")
    assert (c1["Date of the Last Statutory Visit"], c1["Was the Child Seen Alone?"],
            c1["Date of latest review conference"]) == ("10/06/2026", "a) Yes", None)
    assert [plain(v) for v in earlier["List 1"]["Date of Contact"]] == ["15/04/2026", "16/04/2026"]


def test_results_do_not_depend_on_the_order_of_source_rows(lists):
    shuffled = {k: v.sample(frac=1, random_state=7).reset_index(drop=True) for k, v in authority().items()}
    again = annex_a_lists(shuffled, D)
    for name in lists:
        pd.testing.assert_frame_equal(again[name], lists[name], check_dtype=False)


@pytest.mark.parametrize("missing", sorted(authority()))
def test_every_list_still_builds_without_any_one_source_table(missing):
    tables = {k: v for k, v in authority().items() if k != missing}
    built = annex_a_lists(tables, D)
    assert [list(f.columns) for f in built.values()] == list(EXPECTED_HEADERS.values())
    data_quality(built, tables, D)
    empty = {k: v.iloc[0:0] for k, v in tables.items()}
    assert all(f.empty for f in annex_a_lists(empty, D).values())


# ---- data quality ---------------------------------------------------------------------------------

def test_data_quality_finds_exactly_the_planted_problems(lists):
    issues = data_quality(lists, authority(), D)
    found = {(i.list_name, i.check): sorted(i.rows["Child Unique ID"]) for i in issues}
    assert found == {
        ("List 1", "Blank mandatory field: Date of Birth"): ["C6"],
        ("List 1", "Invalid code: Ethnicity"): ["C3"],
        ("List 1", "Invalid code: Contact Source"): ["C3"],
        ("List 1", "Date after the reference date"): ["C23"],          # date of birth 25/12/2026
        ("List 1", "Possible duplicate: same child, date and source twice"): ["C2", "C2"],
        ("List 2", "Blank mandatory field: Organisation completing assessment"): ["C4"],
        ("List 3", "Blank mandatory field: Date of Birth"): ["C6"],
        ("List 4", "Blank mandatory field: Date of Birth"): ["C6"],
        ("List 4", "Invalid code: Ethnicity"): ["C3"],
        ("List 4", "End date before start date"): ["C2"],              # A7 authorised before it started
        ("List 6", "Blank mandatory field: Date of Birth"): ["C6"],
        ("List 6", "Blank mandatory field: Primary Need Code"): ["C6"],
        ("List 6", "Blank mandatory field: Case Status (open episode with no plan, assessment or care)"): ["C3"],
        ("List 6", "Invalid code: Ethnicity"): ["C3"],
        ("List 6", "Open case with no allocated worker"): ["C3", "C6"],
        ("List 6", "Open case with no visit recorded"): ["C10", "C6"],
        ("List 7", "Blank mandatory field: Date of Birth"): ["C6"],
        ("List 7", "Invalid code: Initial Category of Abuse"): ["C6"],
        ("List 7", "Open case with no allocated worker"): ["C6"],
        ("List 7", "Open case with no visit recorded"): ["C6"],
        ("List 8", "Date before the child's date of birth"): ["C8"],   # health assessment in 2009
        ("List 8", "Open case with no allocated worker"): ["C8"],
        ("List 8", "Open case with no visit recorded"): ["C8"],
        ("List 8", "Child on List 8 (in care) but not on List 6 (children in need)"): ["C8"],
        ("List 9", "Invalid code: Activity Status"): ["C4"],
    }
    by_title = {(i.list_name, i.check): i for i in issues}
    dup = by_title[("List 1", "Possible duplicate: same child, date and source twice")]
    assert dup.count == 2 and list(dup.rows["Sheet row"]) == [6, 7]   # rows 6 and 7 of the sheet
    late = by_title[("List 1", "Date after the reference date")]
    assert late.rows["Problem"].iloc[0] == "After 15/10/2026: Date of Birth 25/12/2026"
    early = by_title[("List 8", "Date before the child's date of birth")]
    assert early.rows["Problem"].iloc[0] == "Born 01/12/2010: Date of Last Health Assessment 01/01/2009"


def test_cross_list_checks_fire_when_the_lists_disagree(lists):
    # Take C1 off List 6 and List 7: C1's conference made a plan (List 5), C1 is CP on List 6...
    broken = dict(lists)
    broken["List 7"] = lists["List 7"][lists["List 7"]["Child Unique ID"] != "C1"]
    found = {(i.list_name, i.check): sorted(i.rows["Child Unique ID"]) for i in data_quality(broken, authority(), D)}
    assert found[("List 6", "Case status is child protection plan but the child is not on List 7")] == ["C1"]
    assert found[("List 5", "ICPC resulted in a plan but the child is not on List 7")] == ["C1"]
    broken["List 6"] = lists["List 6"][lists["List 6"]["Child Unique ID"] != "C2"]
    found = {(i.list_name, i.check): sorted(i.rows["Child Unique ID"]) for i in data_quality(broken, authority(), D)}
    assert found[("List 7", "Child on List 7 (child protection) but not on List 6 (children in need)")] == ["C2"]


def test_a_child_missing_from_ssd_person_is_reported(lists):
    tables = authority()
    tables["ssd_person"] = tables["ssd_person"][tables["ssd_person"]["pers_person_id"] != "C9"]
    found = {(i.list_name, i.check): sorted(i.rows["Child Unique ID"])
             for i in data_quality(annex_a_lists(tables, D), tables, D)}
    assert found[("List 6", "Child not found in ssd_person")] == ["C9"]


def test_what_the_source_cannot_provide_is_said_not_flagged():
    gaps = source_gaps(authority())
    assert any("List 11" in g and "adopter" in g for g in gaps)
    assert any("Placement Location, LA of Placement" in g for g in gaps)
    tables = authority()
    del tables["ssd_early_help_episodes"]
    assert any(g.startswith("List 2 (Early help) is empty") for g in source_gaps(tables))
    assert annex_a_lists(tables, D)["List 2"].empty


# ---- the workbook ---------------------------------------------------------------------------------

def test_workbook_read_back_with_openpyxl(lists, tmp_path):
    path = tmp_path / "annex-a.xlsx"
    path.write_bytes(workbook_bytes(lists, notes=["test"]))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [f"List {i}" for i in range(1, 12)]
    for name, headers in EXPECTED_HEADERS.items():
        ws = wb[name]
        assert [c.value for c in ws[1]] == headers, name
        assert ws.max_row == 1 + len(lists[name]), name
        assert ws["A1"].font.name == "Calibri" and ws["A1"].font.sz == 11 and not ws["A1"].font.b
    ws = wb["List 1"]
    first = [c.value for c in ws[2]]
    assert first == ["C1", "a) Male", "a) WBRI", datetime(2015, 3, 14), 11, datetime(2026, 4, 16), "q) 6: Police"]
    assert ws["D2"].is_date and ws["D2"].number_format == "dd/mm/yyyy"
    assert ws["F2"].is_date and ws["F2"].number_format == "dd/mm/yyyy"
    assert isinstance(ws["E2"].value, int) and ws["A2"].data_type == "s"
    assert ws.cell(row=4, column=4).value is None          # C6: no date of birth, an empty cell
    l8 = wb["List 8"]
    header = [c.value for c in l8[1]]
    c4 = [c.value for c in l8[2]]
    assert c4[header.index("Date Ceased to be Looked After")] is None
    assert c4[header.index("Number of Placements in the Last 12 months")] == 2
    assert l8.cell(row=2, column=header.index("Date of Latest Statutory Review") + 1).is_date
    assert "Data quality" not in wb.sheetnames
    for name in wb.sheetnames:   # every width set, none silly
        widths = [wb[name].column_dimensions[openpyxl.utils.get_column_letter(i)].width
                  for i in range(1, len(EXPECTED_HEADERS[name]) + 1)]
        assert all(8 <= w <= 47 for w in widths), (name, widths)


def test_workbook_with_the_data_quality_sheet(lists, tmp_path):
    issues = data_quality(lists, authority(), D)
    path = tmp_path / "annex-a-dq.xlsx"
    path.write_bytes(workbook_bytes(lists, issues=issues))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-1] == "Data quality"
    ws = wb["Data quality"]
    assert [c.value for c in ws[1]] == ["List", "Check", "Sheet row", "Child Unique ID", "Problem"]
    assert ws.max_row - 1 == sum(i.count for i in issues)
    assert [c.value for c in ws[2]][:4] == ["List 1", "Blank mandatory field: Date of Birth", 4, "C6"]


# ---- the command on the demo authority ------------------------------------------------------------

def test_command_writes_the_workbook_for_the_demo_authority(demo_portal, tmp_path):
    from data_access.cache import load_current
    from data_access.config import load_config

    out = tmp_path / "annex-a-demo.xlsx"
    done = subprocess.run([sys.executable, "-m", "annex_a", "--date", "2026-10-31", "--out", str(out),
                           "--config", str(demo_portal), "--with-quality-sheet", "--strict"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 4), done.stderr
    assert "Annex A for Test Borough, reference date 31/10/2026" in done.stdout
    assert f"Wrote {out}" in done.stdout
    cache = load_current(load_config(demo_portal).cache_folder)
    expected = annex_a_lists(cache.tables, pd.Timestamp("2026-10-31"))
    issues = data_quality(expected, cache.tables, pd.Timestamp("2026-10-31"))
    assert done.returncode == (4 if issues else 0)   # --strict: problems found -> 4
    for issue in issues:
        assert f"{issue.count:>6,}  {issue.check}" in done.stdout
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == [*LISTS, "Data quality"]
    for name in LISTS:
        ws = wb[name]
        got = list(ws.iter_rows(values_only=True))
        assert list(got[0]) == EXPECTED_HEADERS[name]
        assert len(got) - 1 == len(expected[name]), name
        assert f"{name:<8} {LISTS[name].title:<32} {len(expected[name]):>7,} rows" in done.stdout
    for name in ("List 1", "List 3", "List 6", "List 7", "List 8", "List 9"):
        assert len(expected[name]) > 0, name   # the demo authority fills the main lists
    # Dates are dates on every sheet.
    l6 = list(wb["List 6"].iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert isinstance(l6[EXPECTED_HEADERS["List 6"].index("CIN Start Date")], datetime)


def test_command_exits_0_when_written_unless_strict(demo_portal, tmp_path):
    out = tmp_path / "plain.xlsx"
    done = subprocess.run([sys.executable, "-m", "annex_a", "--out", str(out), "--config", str(demo_portal)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "reference date 31/10/2026 (data as at 31/10/2026)" in done.stdout   # --date defaults to as-at
    assert openpyxl.load_workbook(out, read_only=True).sheetnames == list(LISTS)   # no Data quality sheet


def test_command_refuses_a_bad_date(demo_portal, tmp_path):
    done = subprocess.run([sys.executable, "-m", "annex_a", "--date", "31/10/2026", "--out", str(tmp_path / "x.xlsx"),
                           "--config", str(demo_portal)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "YYYY-MM-DD" in done.stderr
    assert not (tmp_path / "x.xlsx").exists()


# ---- the latest event in a window (Lists 6-8: last visit, review, plan) ----------------------------

def _latest_fixture():
    ts = pd.Timestamp
    rows = pd.DataFrame({
        "person_id": ["A", "B", "C", "D", "A"],
        "lo": [ts("2024-01-10"), ts("2024-01-01"), ts("2024-01-01"), pd.NaT, ts("2024-02-02")],
        "hi": [ts("2024-02-29"), ts("2024-03-01"), pd.NaT, ts("2024-03-01"), ts("2024-02-10")],
    })
    events = pd.DataFrame({
        "person_id": ["A", "A", "A", "A", "D", "A"],
        "date": [ts("2024-01-05"), ts("2024-02-01"), ts("2024-02-01"), ts("2024-03-01"), ts("2024-02-15"),
                 ts("2024-02-29")],
        "what": ["before the window", "first of two that day", "second of two that day", "after the window",
                 "D's only", "on the last day (leap day)"],
    })
    return rows, events


def test_latest_between_worked_by_hand():
    from annex_a.lists import _latest_between

    rows, events = _latest_fixture()
    got = _latest_between(rows, events, "lo", "hi", ["date", "what"])
    # A, 10 Jan-29 Feb 2024: 29 Feb is inside (both ends included); 1 Mar is after it.
    assert got.loc[0, "what"] == "on the last day (leap day)"
    # B has no events, C has no upper date, D has no lower date (with a lower bound asked): none.
    assert got.loc[1:3, "what"].isna().all() and got.loc[1:3, "date"].isna().all()
    # A again, 2-10 Feb: nothing in it (1 Feb is before, 29 Feb after).
    assert pd.isna(got.loc[4, "what"])
    # Without a lower bound: D's event counts; A's 2-10 Feb row takes the later of the two on 1 Feb.
    open_ended = _latest_between(rows, events, None, "hi", ["what"])
    assert open_ended["what"].tolist()[3:] == ["D's only", "second of two that day"]
    assert pd.isna(open_ended.loc[1, "what"]) and pd.isna(open_ended.loc[2, "what"])
    # No events at all: every row empty, one row per input row.
    none = _latest_between(rows, events.iloc[0:0], "lo", "hi", ["date", "what"])
    assert len(none) == 5 and none["date"].isna().all() and none["what"].isna().all()
