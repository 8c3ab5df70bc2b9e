"""metrics.chronology on a hand-built record of a few people, every expected value worked out by
hand in the comments: the chronology's events and their order (newest first; on one day, ends
before starts and the journey's order), what is and is not an event, identity, status on several
dates (a plan ending on the day is not open that day), allocation history, key relationships with
and without the related people in scope, assessments, plans, placements, legal status and what is
due next (working days, due soon, overdue).

People:
- 7001 Tamsin Quarrendon, born 20/05/2016: contact -> referral -> S47 -> ICPC -> CP plan -> in care.
- 7002 Jory Pellow, born 11/02/2019: early help -> contact -> referral -> assessment -> CIN plan.
- 7003 Tamsin Pellow, born 15/01/2010: UASC; same family group as 7001 and 7002; no events.
- 7004 Kerensa Pellow, born 03/08/1999: 7002's mother (ssd_mother).
"""

from __future__ import annotations

import pandas as pd
import pytest

from data_access.schema import TABLES
from data_access.scope import Scope, apply_scope
from metrics import chronology as ch
from metrics.settings import MetricSettings
from tests.source_fixtures import _frame

T = pd.Timestamp
AS_AT = T("2026-04-30")
ANSWER = "Mum's new partner has a history of violence towards children."


def build() -> dict[str, pd.DataFrame]:
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    rows["ssd_person"] = [
        {"pers_person_id": "7001", "pers_forename": "Tamsin", "pers_surname": "Quarrendon", "pers_sex": "F",
         "pers_ethnicity": "WBRI", "pers_dob": "2016-05-20", "pers_legacy_id": "LEG7001",
         "pers_common_child_id": "9434765919"},
        {"pers_person_id": "7002", "pers_forename": "Jory", "pers_surname": "Pellow", "pers_sex": "M",
         "pers_ethnicity": "MWBC", "pers_dob": "2019-02-11"},
        {"pers_person_id": "7003", "pers_forename": "Tamsin", "pers_surname": "Pellow", "pers_sex": "F",
         "pers_ethnicity": "BAFR", "pers_dob": "2010-01-15"},
        {"pers_person_id": "7004", "pers_forename": "Kerensa", "pers_surname": "Pellow", "pers_sex": "F",
         "pers_ethnicity": "WBRI", "pers_dob": "1999-08-03", "pers_is_mother": "Y"},
    ]
    rows["ssd_family"] = [{"fami_table_id": f"F{i}", "fami_family_id": "FAM1", "fami_person_id": p}
                          for i, p in enumerate(["7001", "7002", "7003"])]
    rows["ssd_mother"] = [{"moth_table_id": "MO1", "moth_person_id": "7004", "moth_childs_person_id": "7002",
                           "moth_childs_dob": "2019-02-11"}]
    rows["ssd_disability"] = [{"disa_table_id": "D1", "disa_person_id": "7001", "disa_disability_code": "LD"}]
    rows["ssd_immigration_status"] = [{"immi_immigration_status_id": "IM1", "immi_person_id": "7003",
                                       "immi_immigration_status": "UASC",
                                       "immi_immigration_status_start_date": "2025-06-01"}]
    rows["ssd_department"] = [
        {"dept_team_id": "S1", "dept_team_name": "Children's Services"},
        {"dept_team_id": "T1", "dept_team_name": "Front Door Team", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "Safeguarding Team", "dept_team_parent_id": "S1"},
    ]
    rows["ssd_professionals"] = [
        {"prof_professional_id": "W1", "prof_professional_name": "Asha Patel", "prof_professional_department": "T1"},
        {"prof_professional_id": "W2", "prof_professional_name": "Ben Carter", "prof_professional_department": "T2"},
    ]
    # ---- 7001 ----
    rows["ssd_contacts"] = [
        {"cont_contact_id": "CT1", "cont_person_id": "7001", "cont_contact_date": "2025-03-03",
         "cont_contact_source_code": "2A", "cont_contact_source_desc": "Schools",
         "cont_contact_outcome_json": '["Referral to children\'s social care"]'},
        {"cont_contact_id": "CT2", "cont_person_id": "7002", "cont_contact_date": "2025-07-01",
         "cont_contact_source_code": "6"},
    ]
    rows["ext_contact_decisions"] = [{"cond_contact_id": "CT1", "cond_decision_date": "2025-03-04"}]
    rows["ssd_cin_episodes"] = [
        {"cine_referral_id": "R1", "cine_person_id": "7001", "cine_referral_date": "2025-03-04",
         "cine_cin_primary_need_code": "N1", "cine_referral_source_code": "2A", "cine_referral_source_desc": "Schools",
         "cine_referral_outcome_json": '["Child and family assessment"]', "cine_referral_nfa": "N",
         "cine_referral_team": "T1", "cine_referral_worker_id": "W1"},
        {"cine_referral_id": "R2", "cine_person_id": "7002", "cine_referral_date": "2025-07-02",
         "cine_cin_primary_need_code": "N4", "cine_referral_source_code": "6", "cine_referral_nfa": "N",
         "cine_referral_team": "T1", "cine_referral_worker_id": "W1"},
    ]
    rows["ssd_cin_assessments"] = [
        {"cina_assessment_id": "A1", "cina_person_id": "7001", "cina_referral_id": "R1",
         "cina_assessment_start_date": "2025-03-05", "cina_assessment_auth_date": "2025-04-15",
         "cina_assessment_child_seen": "Y", "cina_assessment_outcome_json": '["CP plan"]',
         "cina_assessment_outcome_nfa": "N", "cina_assessment_team": "T1", "cina_assessment_worker_id": "W1"},
        {"cina_assessment_id": "A2", "cina_person_id": "7002", "cina_referral_id": "R2",
         "cina_assessment_start_date": "2025-07-03", "cina_assessment_auth_date": "2025-08-19",
         "cina_assessment_child_seen": "Y", "cina_assessment_outcome_json": '["CIN plan"]',
         "cina_assessment_team": "T1", "cina_assessment_worker_id": "W1"},
        {"cina_assessment_id": "A3", "cina_person_id": "7002", "cina_referral_id": "R2",
         "cina_assessment_start_date": "2026-04-20", "cina_assessment_child_seen": "N",
         "cina_assessment_team": "T2", "cina_assessment_worker_id": "W2"},
    ]
    rows["ssd_assessment_factors"] = [{"cinf_table_id": "AF1", "cinf_assessment_id": "A1",
                                       "cinf_assessment_factors_json": '["3A", "4B"]'}]
    rows["ext_assessment_answers"] = [
        {"cinq_id": "Q1", "cinq_assessment_id": "A1", "cinq_question": "What are we worried about?", "cinq_answer": ANSWER},
        {"cinq_id": "Q2", "cinq_assessment_id": "A1", "cinq_question": "What is working well?", "cinq_answer": "School."},
        {"cinq_id": "Q3", "cinq_assessment_id": "A2", "cinq_question": "What needs to happen?", "cinq_answer": "Support."},
    ]
    rows["ssd_s47_enquiry"] = [{"s47e_s47_enquiry_id": "S1", "s47e_referral_id": "R1", "s47e_person_id": "7001",
                                "s47e_s47_start_date": "2025-03-04", "s47e_s47_end_date": "2025-03-10",
                                "s47e_s47_nfa": "N", "s47e_s47_outcome_json": '["ICPC"]'}]
    rows["ssd_initial_cp_conference"] = [{"icpc_icpc_id": "I1", "icpc_s47_enquiry_id": "S1", "icpc_person_id": "7001",
                                          "icpc_referral_id": "R1", "icpc_icpc_target_date": "2025-03-25",
                                          "icpc_icpc_date": "2025-03-24", "icpc_icpc_outcome_cp_flag": "Y"}]
    rows["ssd_cp_plans"] = [{"cppl_cp_plan_id": "P1", "cppl_referral_id": "R1", "cppl_icpc_id": "I1",
                             "cppl_person_id": "7001", "cppl_cp_plan_start_date": "2025-03-24",
                             "cppl_cp_plan_end_date": "2025-09-01", "cppl_cp_plan_initial_category": "NEG",
                             "cppl_cp_plan_latest_category": "EMO"}]
    rows["ssd_cp_visits"] = [{"cppv_cp_visit_id": "CV1", "cppv_person_id": "7001", "cppv_cp_plan_id": "P1",
                              "cppv_cp_visit_date": "2025-03-31", "cppv_cp_visit_seen": "Y",
                              "cppv_cp_visit_seen_alone": "N", "cppv_cp_visit_bedroom": "Y"}]
    rows["ssd_cp_reviews"] = [{"cppr_cp_review_id": "CR1", "cppr_person_id": "7001", "cppr_cp_plan_id": "P1",
                               "cppr_cp_review_due": "2025-06-24", "cppr_cp_review_date": "2025-06-20"}]
    rows["ssd_cla_episodes"] = [
        {"clae_cla_episode_id": "E1", "clae_person_id": "7001", "clae_cla_episode_start_date": "2025-09-01",
         "clae_cla_episode_start_reason": "S", "clae_cla_episode_ceased_date": "2025-11-10",
         "clae_cla_episode_ceased_reason": "X1", "clae_cla_id": "CLA1", "clae_cla_placement_id": "PL1",
         "clae_entered_care_date": "2025-09-01"},
        {"clae_cla_episode_id": "E2", "clae_person_id": "7001", "clae_cla_episode_start_date": "2025-11-10",
         "clae_cla_episode_start_reason": "L", "clae_cla_id": "CLA1", "clae_cla_placement_id": "PL2",
         "clae_entered_care_date": "2025-09-01"},
    ]
    rows["ssd_legal_status"] = [
        {"lega_legal_status_id": "L1", "lega_person_id": "7001", "lega_legal_status": "V2",
         "lega_legal_status_start_date": "2025-09-01", "lega_legal_status_end_date": "2025-11-10"},
        {"lega_legal_status_id": "L2", "lega_person_id": "7001", "lega_legal_status": "C2",
         "lega_legal_status_start_date": "2025-11-10"},
    ]
    rows["ssd_cla_placement"] = [
        {"clap_cla_placement_id": "PL1", "clap_person_id": "7001", "clap_cla_id": "CLA1",
         "clap_cla_placement_start_date": "2025-09-01", "clap_cla_placement_end_date": "2026-02-02",
         "clap_cla_placement_type": "U6", "clap_cla_placement_provider": "PR1", "clap_cla_placement_distance": 3.5,
         "clap_cla_placement_urn": "SC111111", "clap_cla_placement_postcode": "TR1 1AA",
         "clap_cla_placement_change_reason": "CARPL"},
        {"clap_cla_placement_id": "PL2", "clap_person_id": "7001", "clap_cla_id": "CLA1",
         "clap_cla_placement_start_date": "2026-02-02", "clap_cla_placement_type": "U4",
         "clap_cla_placement_provider": "PR4", "clap_cla_placement_distance": 12.0,
         "clap_cla_placement_urn": "SC222222", "clap_cla_placement_postcode": "TR2 2BB"},
    ]
    rows["ssd_cla_reviews"] = [{"clar_cla_review_id": "CLR1", "clar_cla_id": "CLA1",
                                "clar_cla_review_due_date": "2025-09-29", "clar_cla_review_date": "2025-09-26",
                                "clar_cla_review_participation": "PN1"}]
    rows["ssd_cla_visits"] = [{"clav_cla_visit_id": "CLV1", "clav_cla_id": "CLA1", "clav_person_id": "7001",
                               "clav_cla_visit_date": "2026-02-06", "clav_cla_visit_seen": "Y",
                               "clav_cla_visit_seen_alone": "Y"}]
    rows["ssd_cla_health"] = [{"clah_health_check_id": "H1", "clah_person_id": "7001",
                               "clah_health_check_type": "Health Assessment", "clah_health_check_date": "2025-10-15",
                               "clah_health_check_status": "Completed"}]
    rows["ssd_sdq_scores"] = [{"csdq_table_id": "SDQ1", "csdq_person_id": "7001",
                               "csdq_sdq_completed_date": "2026-01-20", "csdq_sdq_score": "14"}]
    rows["ext_cla_pep"] = [{"pepr_id": "PEP1", "pepr_person_id": "7001", "pepr_pep_date": "2025-10-01"}]
    rows["ssd_missing"] = [{"miss_table_id": "MI1", "miss_person_id": "7001",
                            "miss_missing_episode_start_date": "2026-03-01", "miss_missing_episode_type": "Missing",
                            "miss_missing_episode_end_date": "2026-03-03", "miss_missing_rhi_offered": "Y",
                            "miss_missing_rhi_accepted": "Y"}]
    rows["ssd_cla_care_plan"] = [
        {"lacp_table_id": "LCP1", "lacp_person_id": "7001", "lacp_cla_care_plan_start_date": "2025-09-01",
         "lacp_cla_care_plan_end_date": "2025-11-10", "lacp_cla_care_plan_json": '["Return to family"]'},
        {"lacp_table_id": "LCP2", "lacp_person_id": "7001", "lacp_cla_care_plan_start_date": "2025-11-10",
         "lacp_cla_care_plan_json": '["Long-term fostering"]'},
    ]
    rows["ssd_involvements"] = [
        {"invo_involvements_id": "IN1", "invo_professional_id": "W1", "invo_professional_team": "T1",
         "invo_professional_role_id": "ALLOCATED CASE WORKER", "invo_person_id": "7001",
         "invo_involvement_start_date": "2025-03-04", "invo_involvement_end_date": "2025-03-24",
         "invo_worker_change_reason": "TSPROC"},
        {"invo_involvements_id": "IN2", "invo_professional_id": "W2", "invo_professional_team": "T2",
         "invo_professional_role_id": "ALLOCATED CASE WORKER", "invo_person_id": "7001",
         "invo_involvement_start_date": "2025-03-24"},
        {"invo_involvements_id": "IN3", "invo_professional_id": "W1", "invo_professional_team": "T1",
         "invo_professional_role_id": "ALLOCATED CASE WORKER", "invo_person_id": "7002",
         "invo_involvement_start_date": "2025-07-02"},
    ]
    rows["ext_case_supervision"] = [{"supe_id": "SU1", "supe_person_id": "7001", "supe_professional_id": "W2",
                                     "supe_date": "2026-04-01"}]
    rows["ext_relationships"] = [
        {"rela_id": "RL1", "rela_person_id": "7001", "rela_related_person_id": "RPM1", "rela_relationship": "mother",
         "rela_is_key": "Y", "rela_start_date": "2016-05-20"},
        {"rela_id": "RL2", "rela_person_id": "7001", "rela_related_person_id": "7002", "rela_relationship": "sibling",
         "rela_is_key": "Y", "rela_start_date": "2019-02-11"},
        {"rela_id": "RL3", "rela_person_id": "7001", "rela_related_person_id": "RFC1",
         "rela_relationship": "foster carer", "rela_is_key": "N", "rela_start_date": "2025-09-01",
         "rela_end_date": "2026-02-02"},
    ]
    # ---- 7002 ----
    rows["ssd_early_help_episodes"] = [{"earl_episode_id": "EH1", "earl_person_id": "7002",
                                        "earl_episode_start_date": "2025-01-06", "earl_episode_end_date": "2025-06-30",
                                        "earl_episode_reason": "Parenting support", "earl_episode_end_reason": "Stepped up",
                                        "earl_episode_organisation": "Family hub", "earl_episode_worker_id": "W1"}]
    rows["ssd_cin_plans"] = [{"cinp_cin_plan_id": "CIN1", "cinp_referral_id": "R2", "cinp_person_id": "7002",
                              "cinp_cin_plan_start_date": "2025-08-20", "cinp_cin_plan_team": "T2",
                              "cinp_cin_plan_worker_id": "W2"}]
    rows["ssd_cin_visits"] = [{"cinv_cin_visit_id": "CNV1", "cinv_person_id": "7002",
                               "cinv_cin_visit_date": "2025-09-05", "cinv_cin_visit_seen": "Y",
                               "cinv_cin_visit_seen_alone": "Y", "cinv_cin_visit_bedroom": "N"}]
    rows["ext_cin_reviews"] = [{"cinr_id": "CRV1", "cinr_person_id": "7002", "cinr_cin_plan_id": "CIN1",
                                "cinr_review_due_date": "2025-11-20", "cinr_review_date": "2025-11-18"}]
    return {name: _frame(name, r) for name, r in rows.items()}


@pytest.fixture(scope="module")
def tables():
    return build()


def events(frame: pd.DataFrame) -> list[tuple[str, str, str]]:
    return [(f"{d:%Y-%m-%d}", e, r) for d, e, r in zip(frame["date"], frame["event"], frame["record_id"])]


# ---- the chronology --------------------------------------------------------------------------

def test_chronology_of_a_child_from_contact_to_care_newest_first(tables):
    got = ch.chronology(tables, "7001")
    # Worked by hand, oldest first; reversed below. Same-day order (oldest first): ends, then the
    # journey (contact 30, decision 31, referral 33, S47 35, ICPC 38, CP plan 39, looked after 41,
    # episode 42, legal status 43, placement 44, care plan 45, allocated 47).
    oldest_first = [
        ("2016-05-20", "Born", "7001"),
        ("2025-03-03", "Contact", "CT1"),
        ("2025-03-04", "Contact decision", "CT1"),
        ("2025-03-04", "Referral", "R1"),
        ("2025-03-04", "S47 enquiry started", "S1"),
        ("2025-03-04", "Allocated", "IN1"),
        ("2025-03-05", "Assessment started", "A1"),
        ("2025-03-10", "S47 enquiry completed", "S1"),
        # Asha Patel's allocation ends the day Ben Carter's starts: the end comes first.
        ("2025-03-24", "Allocation ended", "IN1"),
        ("2025-03-24", "Initial child protection conference", "I1"),
        ("2025-03-24", "CP plan started", "P1"),
        ("2025-03-24", "Allocated", "IN2"),
        ("2025-03-31", "CP visit", "CV1"),
        ("2025-04-15", "Assessment authorised", "A1"),
        ("2025-06-20", "CP review", "CR1"),
        # The CP plan ends the day care begins.
        ("2025-09-01", "CP plan ended", "P1"),
        ("2025-09-01", "Started to be looked after", "E1"),
        ("2025-09-01", "Legal status", "L1"),
        ("2025-09-01", "Placement started", "PL1"),
        ("2025-09-01", "Care plan", "LCP1"),
        ("2025-09-26", "CLA review", "CLR1"),
        ("2025-10-01", "PEP", "PEP1"),
        ("2025-10-15", "Health assessment", "H1"),
        # 10/11/2025: episode E1 ends (X1) as E2 begins, and V2 ends as C2 begins: the starts say
        # what changed, so neither end is an event of its own. The care plan's end is.
        ("2025-11-10", "Care plan ended", "LCP1"),
        ("2025-11-10", "CLA episode started", "E2"),
        ("2025-11-10", "Legal status", "L2"),
        ("2025-11-10", "Care plan", "LCP2"),
        ("2026-01-20", "SDQ", "SDQ1"),
        ("2026-02-02", "Placement ended", "PL1"),
        ("2026-02-02", "Placement started", "PL2"),
        ("2026-02-06", "CLA visit", "CLV1"),
        ("2026-03-01", "Missing episode", "MI1"),
        ("2026-03-03", "Missing episode ended", "MI1"),
        ("2026-04-01", "Case supervision", "SU1"),
    ]
    assert events(got) == list(reversed(oldest_first))
    assert list(got.columns) == ch.EVENT_COLUMNS
    assert got["date"].is_monotonic_decreasing


def test_summaries_are_made_of_the_coded_fields_labelled(tables):
    got = ch.chronology(tables, "7001").set_index(["event", "record_id"])["summary"]
    assert got[("Referral", "R1")] == ("From Schools. Primary need: N1 (Abuse or neglect). Outcome: Child and "
                                       "family assessment. By Asha Patel (Front Door Team).")
    assert got[("Assessment authorised", "A1")] == "Outcome: CP plan. Factors: 3A, 4B. By Asha Patel (Front Door Team)."
    assert got[("CP plan started", "P1")] == "Category: NEG (Neglect)."
    assert got[("CP plan ended", "P1")] == "Latest category: EMO (Emotional abuse)."
    assert got[("Initial child protection conference", "I1")] == "Child protection plan made. Target date 25/03/2025."
    assert got[("CP visit", "CV1")] == "Child seen: yes; seen alone: no; bedroom seen: yes."
    assert got[("Placement started", "PL1")] == ("U6 (Foster placement with other foster carer). Provider: PR1 (Own "
                                                 "provision (this authority)). 3.5 miles from home.")
    assert got[("Placement ended", "PL1")] == "Reason: CARPL (Change to or implementation of care plan)."
    assert got[("Legal status", "L2")] == "C2 (Full care order)."
    assert got[("CLA episode started", "E2")] == "Reason: L (Change of legal status only)."
    assert got[("Allocation ended", "IN1")] == ("Asha Patel (Front Door Team). Reason for change: TSPROC (Transfer "
                                                "as part of the usual process).")
    assert got[("Allocated", "IN2")] == "Ben Carter (Safeguarding Team), allocated case worker."
    # 1 March to 3 March: 2 days
    assert got[("Missing episode ended", "MI1")] == "Returned after 2 days."
    assert got[("CLA review", "CLR1")] == "Due 29/09/2025. Participation: PN1 (Attended and spoke for themselves)."
    # Free-text assessment answers are not part of the chronology.
    assert not ch.chronology(tables, "7001")["summary"].str.contains("violence").any()


def test_chronology_of_an_early_help_child_and_of_a_mother(tables):
    got = ch.chronology(tables, "7002")
    assert events(got) == list(reversed([
        ("2019-02-11", "Born", "7002"),
        ("2025-01-06", "Early help started", "EH1"),
        ("2025-06-30", "Early help ended", "EH1"),
        ("2025-07-01", "Contact", "CT2"),
        ("2025-07-02", "Referral", "R2"),
        ("2025-07-02", "Allocated", "IN3"),
        ("2025-07-03", "Assessment started", "A2"),
        ("2025-08-19", "Assessment authorised", "A2"),
        ("2025-08-20", "CIN plan started", "CIN1"),
        ("2025-09-05", "CIN visit", "CNV1"),
        ("2025-11-18", "CIN review", "CRV1"),
        ("2026-04-20", "Assessment started", "A3"),
    ]))
    s = got.set_index(["event", "record_id"])["summary"]
    assert s[("Early help started", "EH1")] == "Reason: Parenting support. Family hub. Worker: Asha Patel."
    # the contact records only a source code (no description): the code is shown
    assert s[("Contact", "CT2")] == "From 6."
    assert s[("CIN plan started", "CIN1")] == "By Ben Carter (Safeguarding Team)."
    # the mother's own record: her child's birth, from ssd_mother
    assert events(ch.chronology(tables, "7004")) == [("2019-02-11", "Own child born", "MO1"),
                                                       ("1999-08-03", "Born", "7004")]
    # nobody else's events leak in (7003 has only a birth and the UASC status)
    assert events(ch.chronology(tables, "7003")) == [("2025-06-01", "Immigration status", "IM1"),
                                                       ("2010-01-15", "Born", "7003")]


def test_every_event_has_a_known_category_and_the_sources_cover_the_tables(tables):
    everyone = pd.concat([ch.chronology(tables, p) for p in ("7001", "7002", "7003", "7004")])
    assert set(everyone["category"]) <= set(ch.CATEGORIES)
    assert set(everyone["source"]) == {
        "ssd_person", "ssd_contacts", "ext_contact_decisions", "ssd_cin_episodes", "ssd_cin_assessments",
        "ssd_s47_enquiry", "ssd_initial_cp_conference", "ssd_cp_plans", "ssd_cp_visits", "ssd_cp_reviews",
        "ssd_cla_episodes", "ssd_legal_status", "ssd_cla_placement", "ssd_cla_reviews", "ssd_cla_visits",
        "ssd_cla_health", "ssd_sdq_scores", "ext_cla_pep", "ssd_missing", "ssd_cla_care_plan",
        "ssd_involvements", "ext_case_supervision", "ssd_early_help_episodes", "ssd_cin_plans",
        "ssd_cin_visits", "ext_cin_reviews", "ssd_mother", "ssd_immigration_status",
    }


def test_a_source_without_the_extension_tables_still_gives_a_chronology(tables):
    core = {k: v for k, v in tables.items() if not k.startswith("ext_")}
    got = ch.chronology(core, "7001")
    # the three ext_* events (contact decision, PEP, case supervision) are gone, the rest remain
    assert len(got) == len(ch.chronology(tables, "7001")) - 3
    assert not got["source"].str.startswith("ext_").any()


def test_care_leaver_events_are_one_per_date_and_permanence_dates_are_events(tables):
    t = dict(tables)
    t["ssd_care_leavers"] = _frame("ssd_care_leavers", [
        # two snapshots holding the same latest contact: one event; two pathway plan dates: two events
        {"clea_table_id": "CL1", "clea_person_id": "7003", "clea_care_leaver_latest_contact": "2026-03-02",
         "clea_care_leaver_in_touch": "YES", "clea_care_leaver_activity": "G5",
         "clea_pathway_plan_review_date": "2025-12-01"},
        {"clea_table_id": "CL2", "clea_person_id": "7003", "clea_care_leaver_latest_contact": "2026-03-02",
         "clea_care_leaver_in_touch": "YES", "clea_care_leaver_activity": "G5",
         "clea_pathway_plan_review_date": "2026-03-02"},
    ])
    t["ssd_permanence"] = _frame("ssd_permanence", [
        {"perm_table_id": "PM1", "perm_person_id": "7003", "perm_placement_order_date": "2024-02-01",
         "perm_permanence_order_date": "2024-09-09", "perm_permanence_order_type": "Special guardianship order"},
    ])
    got = ch.chronology(t, "7003")
    assert events(got) == [
        ("2026-03-02", "Pathway plan review", "CL2"),
        ("2026-03-02", "Care leaver contact", "CL1"),
        ("2025-12-01", "Pathway plan review", "CL1"),
        ("2025-06-01", "Immigration status", "IM1"),
        ("2024-09-09", "Permanence", "PM1"),
        ("2024-02-01", "Permanence", "PM1"),
        ("2010-01-15", "Born", "7003"),
    ]
    s = got.set_index(["event", "record_id"])["summary"]
    # G5 is NEET (metrics.care_leavers.in_eet)
    assert s[("Care leaver contact", "CL1")] == "In touch: YES. Activity: G5 (not in education, employment or training)."
    assert got.loc[got["date"] == T("2024-09-09"), "summary"].item() == "Permanence order. Special guardianship order."


# ---- finding a child ---------------------------------------------------------------------------

def test_find_children_by_id_and_by_the_start_of_name_words(tables):
    ids = lambda q, t=tables: list(ch.find_children(t, q)["person_id"])  # noqa: E731
    assert ids("7001") == ["7001"]
    assert ids(" leg7001 ") == ["7001"]          # legacy ID, case and spaces ignored
    assert ids("943 476 5919") == ["7001"]       # NHS number typed with spaces
    assert ids("tamsin") == ["7003", "7001"]     # by surname: Pellow before Quarrendon
    assert ids("TAM quarr") == ["7001"]
    assert ids("pellow") == ["7002", "7004", "7003"]  # same surname: by forename Jory, Kerensa, Tamsin
    assert ids("amsin") == []                    # not the start of a word
    assert ids("7") == []                        # IDs match exactly, never in part
    assert ids("   ") == []
    assert ch.find_children(tables, "7001")["matched_on"].tolist() == ["ID"]
    assert ch.find_children(tables, "jory").iloc[0][["name", "dob"]].tolist() == ["Jory Pellow", T("2019-02-11")]


def test_find_children_never_finds_a_child_outside_the_tables_given(tables):
    scoped = apply_scope(tables, Scope(children=frozenset({"7001"})))
    assert list(ch.find_children(scoped, "tamsin")["person_id"]) == ["7001"]
    assert ch.find_children(scoped, "7003").empty
    assert ch.find_children(scoped, "pellow").empty
    assert ch.person_row(scoped, "7002") is None


# ---- identity and status -----------------------------------------------------------------------

def test_identity(tables):
    me = ch.identity(tables, "7001", AS_AT)
    # born 20/05/2016: 9 on 30/04/2026, 10 from 20/05/2026
    assert me["age"] == 9 and ch.identity(tables, "7001", "2026-05-20")["age"] == 10
    assert (me["name"], me["sex"], me["ethnicity"], me["disability"], me["uasc"]) == (
        "Tamsin Quarrendon", "Female", "WBRI (White British)", "LD (Learning)", "No")
    assert ch.identity(tables, "7003", AS_AT)["uasc"] == "Yes (since 01/06/2025)"
    assert ch.identity(tables, "7003", "2025-05-31")["uasc"] == "No"  # not yet UASC the day before
    assert ch.identity(tables, "7002", AS_AT)["disability"] == "None recorded"
    assert ch.identity(tables, "9999", AS_AT) == {}


def test_uasc_status_that_has_ended_says_previously(tables):
    t = dict(tables)
    t["ssd_immigration_status"] = _frame("ssd_immigration_status", [
        {"immi_immigration_status_id": "IM1", "immi_person_id": "7003", "immi_immigration_status": "UASC",
         "immi_immigration_status_start_date": "2025-06-01", "immi_immigration_status_end_date": "2026-01-15"}])
    assert ch.identity(t, "7003", AS_AT)["uasc"] == "Previously (from 01/06/2025)"
    # still UASC on the day before the end date
    assert ch.identity(t, "7003", "2026-01-14")["uasc"] == "Yes (since 01/06/2025)"


@pytest.mark.parametrize("pid, when, expected", [
    # 7001: in care since 01/09/2025 (the referral is still open, but a child in care is "In care")
    ("7001", "2026-04-30", [("In care", "2025-09-01")]),
    # on a CP plan (24/03/2025 to 01/09/2025)
    ("7001", "2025-06-01", [("Child protection plan", "2025-03-24")]),
    # 01/09/2025: the CP plan ends that day, so it is not open; care began that day
    ("7001", "2025-09-01", [("In care", "2025-09-01")]),
    # 04/03/2025: referred that day, assessment not yet started: an open referral
    ("7001", "2025-03-04", [("Open referral", "2025-03-04")]),
    # 7002: on a CIN plan since 20/08/2025
    ("7002", "2026-04-30", [("Child in need plan", "2025-08-20")]),
    # early help only (06/01/2025 to 30/06/2025)
    ("7002", "2025-03-01", [("Early help", "2025-01-06")]),
    # early help ends 30/06/2025: closed that day
    ("7002", "2025-06-30", [("Not open", "2025-06-30")]),
    # referred 02/07/2025, assessment from 03/07 to 19/08: assessment stage
    ("7002", "2025-07-10", [("Open referral", "2025-07-02")]),
    # before anything
    ("7002", "2024-12-01", [("Not open", None)]),
])
def test_current_status(tables, pid, when, expected):
    got = ch.current_status(tables, pid, when)
    assert [(s, None if pd.isna(d) else f"{d:%Y-%m-%d}") for s, d in zip(got["status"], got["since"])] == expected


def test_status_details(tables):
    assert ch.current_status(tables, "7001", AS_AT)["detail"].item() == (
        "Legal status: C2 (Full care order). Placement: U4 (Foster placement with other foster carer, long term).")
    assert ch.current_status(tables, "7001", "2025-06-01")["detail"].item() == "Category: EMO (Emotional abuse)."
    assert ch.current_status(tables, "7002", "2025-07-10")["detail"].item() == (
        "Assessment in progress. Primary need: N4 (Family in acute stress).")


def test_care_leaver_status(tables):
    t = dict(tables)
    # 7003 (born 15/01/2010, 16 on 30/04/2026) was in care 2024-2025 and has a care leaver record
    t["ssd_cla_episodes"] = pd.concat([t["ssd_cla_episodes"], _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": "E9", "clae_person_id": "7003", "clae_cla_episode_start_date": "2024-01-10",
         "clae_cla_episode_start_reason": "S", "clae_cla_episode_ceased_date": "2026-01-15",
         "clae_cla_episode_ceased_reason": "E5", "clae_cla_id": "CLA9"}])], ignore_index=True)
    t["ssd_care_leavers"] = _frame("ssd_care_leavers", [
        {"clea_table_id": "CL1", "clea_person_id": "7003", "clea_care_leaver_eligibility": "Relevant",
         "clea_care_leaver_personal_advisor": "Rowan Hale", "clea_pathway_plan_review_date": "2026-02-01"}])
    got = ch.current_status(t, "7003", AS_AT)
    assert got[["status", "detail"]].values.tolist() == [
        ["Care leaver", "Eligibility: Relevant. Personal adviser: Rowan Hale."]]
    plans = ch.current_plans(t, "7003", AS_AT)
    assert plans[["plan", "detail"]].values.tolist() == [["Pathway plan (care leaver)", "Last reviewed 01/02/2026."]]
    # while still in care (before 15/01/2026) they are in care, not a care leaver
    assert ch.current_status(t, "7003", "2025-12-31")["status"].tolist() == ["In care"]


# ---- allocation, relationships, assessments, plans, placements ---------------------------------

def test_allocation_history_newest_first_with_the_current_allocation(tables):
    got = ch.allocation_history(tables, "7001", AS_AT)
    assert got[["worker", "team", "role", "current", "record_id"]].values.tolist() == [
        ["Ben Carter", "Safeguarding Team", "Allocated case worker", True, "IN2"],
        ["Asha Patel", "Front Door Team", "Allocated case worker", False, "IN1"],
    ]
    assert got["change_reason"].tolist() == ["", "TSPROC (Transfer as part of the usual process)"]
    # on 24/03/2025 both are open (allocation_on: end on or after the date); the later start holds it
    assert ch.allocation_history(tables, "7001", "2025-03-24")["current"].tolist() == [True, False]
    # before any allocation: none current
    assert not ch.allocation_history(tables, "7001", "2025-03-01")["current"].any()
    assert ch.allocation_history(tables, "7003", AS_AT).empty


def test_allocation_to_a_worker_outside_the_viewers_organisation_tables_is_not_named(tables):
    t = dict(tables)
    t["ssd_professionals"] = t["ssd_professionals"][t["ssd_professionals"]["prof_professional_id"] == "W1"]
    t["ssd_department"] = t["ssd_department"][t["ssd_department"]["dept_team_id"].isin(["S1", "T1"])]
    got = ch.allocation_history(t, "7001", AS_AT)
    assert got["worker"].tolist() == ["Another worker (outside your access)", "Asha Patel"]
    assert got["team"].tolist() == ["Another team (outside your access)", "Front Door Team"]
    summaries = ch.chronology(t, "7001").set_index(["event", "record_id"])["summary"]
    assert "Ben Carter" not in " ".join(summaries) and "Safeguarding" not in " ".join(summaries)
    assert summaries[("Allocated", "IN2")] == "A worker in another team, allocated case worker."
    assert summaries[("Case supervision", "SU1")] == "Worker: Another worker (outside your access)."
    assert ch.assessments(t, "7002")["by"].tolist() == ["A worker in another team", "Asha Patel (Front Door Team)"]


def test_key_relationships_key_and_current_first_names_only_of_people_in_the_tables(tables):
    got = ch.key_relationships(tables, "7001", AS_AT)
    assert got[["relationship", "person_id", "name", "key", "current", "source"]].values.tolist() == [
        ["Mother", "RPM1", "", True, True, "ext_relationships"],
        ["Sibling", "7002", "Jory Pellow", True, True, "ext_relationships"],
        # 7002 is in the family group too, but already listed; 7003 is only in the family group
        ["Family member", "7003", "Tamsin Pellow", False, True, "ssd_family"],
        # foster carer until 02/02/2026: not current
        ["Foster carer", "RFC1", "", False, False, "ext_relationships"],
    ]
    # A viewer who may see only 7001: related children are listed by ID only, and the family
    # group (other children's rows) is not visible at all.
    scoped = apply_scope(tables, Scope(children=frozenset({"7001"})))
    got = ch.key_relationships(scoped, "7001", AS_AT)
    assert got[["relationship", "person_id", "name"]].values.tolist() == [
        ["Mother", "RPM1", ""], ["Sibling", "7002", ""], ["Foster carer", "RFC1", ""]]
    # ssd_mother, both ways
    assert ch.key_relationships(tables, "7002", AS_AT)[["relationship", "person_id", "name"]].values.tolist() == [
        ["Mother", "7004", "Kerensa Pellow"], ["Family member", "7001", "Tamsin Quarrendon"],
        ["Family member", "7003", "Tamsin Pellow"]]
    assert ch.key_relationships(tables, "7004", AS_AT)[["relationship", "person_id"]].values.tolist() == [
        ["Child", "7002"]]


def test_assessments_latest_first_with_factors_and_answers(tables):
    got = ch.assessments(tables, "7002")
    assert got[["assessment_id", "status", "child_seen", "outcome", "worker"]].values.tolist() == [
        ["A3", "In progress", "no", "", "Ben Carter"],
        ["A2", "Authorised", "yes", "CIN plan", "Asha Patel"],
    ]
    assert got["by"].tolist() == ["Ben Carter (Safeguarding Team)", "Asha Patel (Front Door Team)"]
    a1 = ch.assessments(tables, "7001").iloc[0]
    assert (a1["factors"], a1["authorised"], a1["no_further_action"]) == ("3A, 4B", T("2025-04-15"), "no")
    answers = ch.assessment_answers(tables, ["A1"])
    assert answers.values.tolist() == [["A1", "What are we worried about?", ANSWER],
                                       ["A1", "What is working well?", "School."]]
    assert ch.assessment_answers({k: v for k, v in tables.items() if k != "ext_assessment_answers"}, ["A1"]).empty


def test_current_plans(tables):
    assert ch.current_plans(tables, "7001", AS_AT)[["plan", "since", "detail"]].values.tolist() == [
        ["Care plan (child in care)", T("2025-11-10"), "Permanence plan: Long-term fostering."]]
    assert ch.current_plans(tables, "7001", "2025-06-01")[["plan", "detail"]].values.tolist() == [
        ["Child protection plan", "Category: EMO (Emotional abuse)."]]
    assert ch.current_plans(tables, "7002", AS_AT)[["plan", "detail"]].values.tolist() == [
        ["Child in need plan", "Held by Ben Carter (Safeguarding Team)."]]
    assert ch.current_plans(tables, "7003", AS_AT).empty


def test_placements_legal_status_and_periods_of_care(tables):
    pl = ch.placement_history(tables, "7001", AS_AT)
    assert pl[["record_id", "start", "end", "current", "distance_miles", "postcode"]].values.tolist() == [
        ["PL2", T("2026-02-02"), pd.NaT, True, 12.0, "TR2 2BB"],
        ["PL1", T("2025-09-01"), T("2026-02-02"), False, 3.5, "TR1 1AA"],
    ]
    assert pl["placement_type"].tolist()[0] == "U4 (Foster placement with other foster carer, long term)"
    assert pl["provider"].tolist()[0] == "PR4 (Private provision)"
    ls = ch.legal_status_history(tables, "7001", AS_AT)
    assert ls[["legal_status", "current"]].values.tolist() == [["C2 (Full care order)", True],
                                                                ["V2 (Accommodated under section 20)", False]]
    poc = ch.periods_of_care(tables, "7001", AS_AT)
    assert poc[["start", "start_reason", "ceased_reason", "current"]].values.tolist() == [
        [T("2025-09-01"), "S (Started to be looked after)", "", True]]
    assert pd.isna(poc["end"].item())
    assert ch.placement_history(tables, "7002", AS_AT).empty and ch.legal_status_history(tables, "7002", AS_AT).empty


# ---- what is due next --------------------------------------------------------------------------

# 7002's CIN plan started Wed 20/08/2025; visit Fri 05/09/2025. Next visit within 20 working days:
# 8-12, 15-19, 22-26 September and 29 September-3 October (no bank holidays) -> due Fri 03/10/2025.
# First CIN review 3 months after the plan start: 20/11/2025.
@pytest.mark.parametrize("when, visit_status", [
    ("2025-09-10", "On track"),   # 03/10 is 17 working days away
    ("2025-09-29", "Due soon"),   # Mon 29/09 -> Fri 03/10: 4 working days, within 5
    ("2025-10-06", "Overdue"),    # the weekend after the due Friday was the last day on time
])
def test_due_next_visits_and_reviews(tables, when, visit_status):
    for got in (ch.due_next(tables, "7002", when, MetricSettings())[0],
                ch._from_visits(ch.child_tables(tables, "7002"), "7002", when, MetricSettings())):
        rows = got.set_index("task")
        assert rows.loc["CIN visit", "last_done"] == T("2025-09-05")
        assert rows.loc["CIN visit", "next_due"] == T("2025-10-03")
        assert rows.loc["CIN visit", "status"] == visit_status
        assert rows.loc["CIN review", "next_due"] == T("2025-11-20")
        assert rows.loc["CIN review", "status"] == "On track"
        assert pd.isna(rows.loc["CIN review", "last_done"])
        assert list(got["status"]).index(visit_status) == 0 or visit_status == "On track"


def test_due_next_is_empty_for_a_child_with_nothing_open(tables):
    got, _ = ch.due_next(tables, "7003", AS_AT, MetricSettings())
    assert got.empty and list(got.columns) == ch.DUE_COLUMNS


def test_json_items_reads_lists_objects_and_plain_text():
    assert ch.json_items('["A", "B"]') == ["A", "B"]
    assert ch.json_items('{"X": "Y", "Z": "N", "W": true}') == ["X", "W"]
    assert ch.json_items("Early help") == ["Early help"]
    assert ch.json_items(None) == [] and ch.json_items("") == []
    assert ch.json_items("[A, B]") == ["A", "B"]  # not valid JSON: split as a list


def test_linked_rows_come_only_from_the_childs_own_assessments_contacts_and_care(tables):
    # The access-scoped view keeps the rows that reach 7001 through their own assessment, contact
    # or period of care (data_access.scope follows the link), and only those; ``linked`` (the
    # extract) gives the same rows for 7001.
    scoped = apply_scope(tables, Scope(children=frozenset({"7001"})))
    assert scoped["ssd_assessment_factors"]["cinf_table_id"].tolist() == ["AF1"]
    assert sorted(scoped["ext_assessment_answers"]["cinq_id"]) == ["Q1", "Q2"]
    bare = ch.child_tables(scoped, "7001")
    assert bare["ssd_assessment_factors"]["cinf_table_id"].tolist() == ["AF1"]
    assert bare["ext_contact_decisions"]["cond_contact_id"].tolist() == ["CT1"]
    got = ch.child_tables(scoped, "7001", linked=tables)
    assert got["ssd_assessment_factors"]["cinf_table_id"].tolist() == ["AF1"]
    assert got["ext_assessment_answers"]["cinq_id"].tolist() == ["Q1", "Q2"]  # not Q3 (7002's A2)
    assert got["ext_contact_decisions"]["cond_contact_id"].tolist() == ["CT1"]
    assert got["ssd_cla_reviews"]["clar_cla_review_id"].tolist() == ["CLR1"]
    org = {k: tables[k] for k in ch.ORG_TABLE_NAMES}
    assert ch.chronology({**got, **org}, "7001").equals(ch.chronology(tables, "7001"))
    # with the viewer's own (here empty) organisation tables: the same events, nobody named
    unnamed = ch.chronology(got, "7001")
    assert events(unnamed) == events(ch.chronology(tables, "7001"))
    assert not unnamed["summary"].str.contains("Asha|Ben|Front Door|Safeguarding").any()
    # a child outside the view gets nothing linked in, even when asked for
    assert all(f.empty for k, f in ch.child_tables(scoped, "7002", linked=tables).items()
               if k not in ch.ORG_TABLE_NAMES)


def test_find_children_reads_hyphens_and_apostrophes_as_word_breaks(tables):
    t = dict(tables)
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": "7010", "pers_forename": "Mary-Jane", "pers_surname": "O'Neill", "pers_dob": "2015-01-01"}])
    for query in ("jane", "mary jane", "mary-jane", "neill", "o'neill", "O'NEILL Mary", "jane o"):
        assert list(ch.find_children(t, query)["person_id"]) == ["7010"], query
    for query in ("ane", "eill", "mary jo"):
        assert ch.find_children(t, query).empty, query
