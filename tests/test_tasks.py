"""The statutory task engine (metrics/tasks.py) on hand-built authorities. Every due date is worked
out by hand in the comments.

2026 bank holidays (England): Thu 1 Jan, Fri 3 Apr, Mon 6 Apr, Mon 4 May, Mon 25 May, Mon 31 Aug,
Fri 25 Dec, Mon 28 Dec. 31 October 2026 is a Saturday."""

from __future__ import annotations

import pandas as pd
import pytest

from data_access.schema import TABLES
from metrics import tasks as tk
from metrics.settings import MetricSettings
from tests.source_fixtures import _frame

T = pd.Timestamp
AS_AT = T("2026-10-31")


def authority(people: dict[str, str], **rows) -> dict[str, pd.DataFrame]:
    """Every schema table (empty unless given as ``table=[{...}, ...]``), two teams in one
    service, two workers, and the people given as {person_id: date of birth}."""
    t = {name: _frame(name, []) for name in TABLES}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Children's Social Care"},
        {"dept_team_id": "T1", "dept_team_name": "Safeguarding Team", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "Leaving Care Team", "dept_team_parent_id": "S1"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_professional_name": "Ana Smith", "prof_professional_department": "T1"},
        {"prof_professional_id": "W2", "prof_professional_name": "Ben Jones", "prof_professional_department": "T2"},
    ])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": p, "pers_forename": f"Child{p}", "pers_surname": "Test", "pers_dob": dob}
        for p, dob in people.items()
    ])
    for name, data in rows.items():
        t[name] = _frame(name, data)
    return t


def task_of(wl_or_tasks, person: str, task: str) -> pd.Series:
    t = wl_or_tasks.tasks if isinstance(wl_or_tasks, tk.Worklist) else wl_or_tasks
    got = t[(t["person_id"] == person) & (t["task"] == task)]
    assert len(got) == 1, (person, task, t[t["person_id"] == person][["task", "next_due"]])
    return got.iloc[0]


def episode(p, start, ceased=None, placement=None, cla=None):
    return {"clae_cla_episode_id": f"E{p}{start}", "clae_person_id": p, "clae_cla_episode_start_date": start,
            "clae_cla_episode_ceased_date": ceased, "clae_cla_id": cla or f"C{p}", "clae_cla_placement_id": placement,
            "clae_entered_care_date": start}


def placement(pid, p, start, end=None, cla=None):
    return {"clap_cla_placement_id": pid, "clap_person_id": p, "clap_cla_placement_start_date": start,
            "clap_cla_placement_end_date": end, "clap_cla_placement_type": "U1", "clap_cla_id": cla or f"C{p}"}


def cla_visit(p, date, cla=None):
    return {"clav_cla_visit_id": f"V{p}{date}", "clav_person_id": p, "clav_cla_visit_date": date, "clav_cla_id": cla or f"C{p}"}


def invo(p, worker, team, start, end=None):
    return {"invo_involvements_id": f"I{p}{worker}{start}", "invo_person_id": p, "invo_professional_id": worker,
            "invo_professional_team": team, "invo_involvement_start_date": start, "invo_involvement_end_date": end}


def referral(p, date, close=None, nfa="N", rid=None):
    return {"cine_referral_id": rid or f"R{p}", "cine_person_id": p, "cine_referral_date": date,
            "cine_close_date": close, "cine_referral_nfa": nfa}


# ---- the date rules on their own --------------------------------------------------------------------

def test_window_due_is_the_last_day_a_check_is_within_the_last_n_months():
    got = tk.window_due(pd.Series([T("2026-03-01"), T("2025-08-31"), T("2025-08-28"), T("2028-02-29"),
                                   T("2025-03-31"), pd.NaT]), [6, 6, 6, 12, 12, 12])
    assert list(got[:5]) == [
        # 1 Mar 2026 is within the last 6 months up to 31 Aug 2026 (on 1 Sep the window starts 2 Mar).
        T("2026-08-31"),
        # 31 Aug 2025 + 6 months clips to 28 Feb 2026; on 28 Feb the window starts 29 Aug: still in.
        T("2026-02-28"),
        # 28 Aug 2025: on 28 Feb 2026 the window starts 29 Aug, so the last day is 27 Feb.
        T("2026-02-27"),
        # leap day 29 Feb 2028: on 28 Feb 2029 the window starts 29 Feb 2028 (28 Feb 2028 + 1 day).
        T("2029-02-28"),
        # 31 Mar 2025: at 31 Mar 2026 "the last 12 months" start on 1 Apr 2025 (as cla_health counts).
        T("2026-03-30"),
    ]
    assert pd.isna(got.iloc[5])


def test_status_due_soon_counts_working_days_and_skips_bank_holidays():
    # As at Thu 21 May 2026. Working days after it: Fri 22 (1), [Mon 25 May bank holiday], Tue 26
    # (2), Wed 27 (3), Thu 28 (4), Fri 29 (5), Mon 1 Jun (6). Without the bank holiday, Thu 28 would
    # be the 5th and Fri 29 the 6th.
    due = pd.Series([T("2026-05-29"), T("2026-06-01"), T("2026-05-21"), T("2026-05-20"), T("2026-05-20"), pd.NaT])
    lot = pd.Series([pd.NaT, pd.NaT, pd.NaT, pd.NaT, T("2026-05-21"), pd.NaT])
    s = tk.task_status(due, lot, T("2026-05-21"), 5)
    assert list(s["status"]) == [tk.DUE_SOON, tk.ON_TRACK, tk.DUE_SOON, tk.OVERDUE, tk.DUE_SOON, tk.OVERDUE]
    # due yesterday: 1 day overdue; still on time by latest_on_time: not overdue; never dated: unknown
    assert list(s["days_overdue"][:5]) == [0, 0, 0, 1, 0] and pd.isna(s["days_overdue"].iloc[5])
    assert list(s["working_days_to_due"][:3]) == [5, 6, 0]
    # a shorter window: 3 working days -> Fri 29 May is no longer "soon"
    assert tk.task_status(due[:1], lot[:1], T("2026-05-21"), 3)["status"].iloc[0] == tk.ON_TRACK


# ---- visits --------------------------------------------------------------------------------------------

def test_cp_visit_due_soon_window_crosses_the_may_bank_holiday():
    # CP plan from 1 May 2026; last visit Mon 11 May. 10 working days: 12-15 (4), 18-22 (9), [25 May
    # bank holiday], Tue 26 May (10) -> due Tue 26 May.
    t = authority(
        {"P1": "2018-01-01"},
        ssd_cin_episodes=[referral("P1", "2026-04-20")],
        ssd_cp_plans=[{"cppl_cp_plan_id": "CP1", "cppl_person_id": "P1", "cppl_cp_plan_start_date": "2026-05-01"}],
        ssd_cp_visits=[{"cppv_cp_visit_id": "V1", "cppv_person_id": "P1", "cppv_cp_visit_date": "2026-05-11"}],
        ssd_involvements=[invo("P1", "W1", "T1", "2026-04-20")],
    )
    # As at Mon 18 May: 19, 20, 21, 22, 26 -> the 5th working day: due soon.
    row = task_of(tk.worklist(t, "2026-05-18"), "P1", tk.CP_VISIT)
    assert row["last_done"] == T("2026-05-11") and row["next_due"] == T("2026-05-26")
    assert row["status"] == tk.DUE_SOON and row["working_days_to_due"] == 5
    assert (row["worker"], row["team"]) == ("Ana Smith", "Safeguarding Team")
    assert "10 working days" in row["reason"]
    # As at Fri 15 May: 18-22 (5), 26 (6): on track.
    assert task_of(tk.worklist(t, "2026-05-15"), "P1", tk.CP_VISIT)["status"] == tk.ON_TRACK
    # As at Wed 27 May: overdue by one day.
    row = task_of(tk.worklist(t, "2026-05-27"), "P1", tk.CP_VISIT)
    assert row["status"] == tk.OVERDUE and row["days_overdue"] == 1
    # the CP review: first within 3 months of the plan start (1 Aug 2026), none held yet
    review = task_of(tk.worklist(t, "2026-05-27"), "P1", tk.CP_REVIEW)
    assert pd.isna(review["last_done"]) and review["next_due"] == T("2026-08-01") and review["status"] == tk.ON_TRACK


def test_a_placement_move_restarts_the_cla_visit_clock():
    # In care from Tue 1 Sep 2026. First placement 1 Sep - 5 Oct, visited 3 Sep and 1 Oct; moved on
    # Mon 5 Oct. The 1 Oct visit belongs to the old placement: the new one needs a visit within 7
    # days of 5 Oct, i.e. by Mon 12 Oct. (Without the move it would be 1 Oct + 42 days = 12 Nov.)
    t = authority(
        {"P1": "2014-06-01", "P2": "2014-06-01"},
        ssd_cla_episodes=[episode("P1", "2026-09-01", placement="PL2"), episode("P2", "2026-09-01", placement="PL3")],
        ssd_cla_placement=[placement("PL1", "P1", "2026-09-01", "2026-10-05"), placement("PL2", "P1", "2026-10-05"),
                           placement("PL3", "P2", "2026-09-01")],
        ssd_cla_visits=[cla_visit("P1", "2026-09-03"), cla_visit("P1", "2026-10-01"),
                        cla_visit("P2", "2026-09-03"), cla_visit("P2", "2026-10-01")],
    )
    wl = tk.worklist(t, "2026-10-09")  # Fri 9 Oct
    moved = task_of(wl, "P1", tk.CLA_VISIT)
    assert pd.isna(moved["last_done"]) and moved["next_due"] == T("2026-10-12")
    assert moved["status"] == tk.DUE_SOON and moved["working_days_to_due"] == 1
    assert "placement started on 05/10/2026" in moved["reason"] and "7 days" in moved["reason"]
    stayed = task_of(wl, "P2", tk.CLA_VISIT)
    assert stayed["last_done"] == T("2026-10-01") and stayed["next_due"] == T("2026-11-12")
    assert stayed["status"] == tk.ON_TRACK
    # As at Tue 13 Oct the moved child is one day overdue.
    assert task_of(tk.worklist(t, "2026-10-13"), "P1", tk.CLA_VISIT)["days_overdue"] == 1
    # The first CLA review: 20 working days after entering care on Tue 1 Sep: 2-4 (3), 7-11 (8),
    # 14-18 (13), 21-25 (18), 28 (19), Tue 29 Sep (20). None held by 9 Oct: overdue 10 days.
    review = task_of(wl, "P1", tk.CLA_REVIEW)
    assert review["next_due"] == T("2026-09-29") and review["status"] == tk.OVERDUE and review["days_overdue"] == 10
    # no health assessment since entering care: the initial one is due with the first review
    iha = task_of(wl, "P1", tk.IHA)
    assert iha["next_due"] == T("2026-09-29") and iha["status"] == tk.OVERDUE
    assert not (wl.tasks["task"] == tk.RHA).any()


def test_long_term_placement_visits_go_to_three_months_after_its_first_year():
    # Three children in care, each last visited on 20 Aug 2026 (or 1 Sep), as at Sat 31 Oct 2026.
    # LT: placement since 10 Jan 2024 (over a year), care plan "long-term fostering until 18"
    #     -> 3 months: due 20 Nov 2026, on track.
    # NL: the same placement dates, care plan "return to family" -> 42 days: due 1 Oct, 30 days overdue.
    # NEW: long-term plan but the placement began 1 Mar 2026 (first year until 1 Mar 2027): visit
    #     on 1 Sep -> 42 days: due 13 Oct, 18 days overdue.
    t = authority(
        {"LT": "2012-01-01", "NL": "2012-01-01", "NEW": "2012-01-01"},
        ssd_cla_episodes=[episode("LT", "2024-01-10"), episode("NL", "2024-01-10"), episode("NEW", "2024-01-10")],
        ssd_cla_placement=[placement("A", "LT", "2024-01-10"), placement("B", "NL", "2024-01-10"),
                           placement("C0", "NEW", "2024-01-10", "2026-03-01"), placement("C", "NEW", "2026-03-01")],
        ssd_cla_visits=[cla_visit("LT", "2026-08-20"), cla_visit("NL", "2026-08-20"), cla_visit("NEW", "2026-09-01")],
        ssd_cla_care_plan=[
            {"lacp_table_id": "CP1", "lacp_person_id": "LT", "lacp_cla_care_plan_start_date": "2024-02-01",
             "lacp_cla_care_plan_json": '{"LTFOST18": "Y"}'},
            {"lacp_table_id": "CP2", "lacp_person_id": "NL", "lacp_cla_care_plan_start_date": "2024-02-01",
             "lacp_cla_care_plan_json": '["Return to family"]'},
            {"lacp_table_id": "CP3", "lacp_person_id": "NEW", "lacp_cla_care_plan_start_date": "2026-03-01",
             "lacp_cla_care_plan_json": '{"LTFOST18": "Y"}'},
        ],
    )
    wl = tk.worklist(t, AS_AT)
    lt, nl, new = (task_of(wl, p, tk.CLA_VISIT) for p in ("LT", "NL", "NEW"))
    assert (lt["next_due"], lt["status"]) == (T("2026-11-20"), tk.ON_TRACK) and "3 months" in lt["reason"]
    assert (nl["next_due"], nl["status"], nl["days_overdue"]) == (T("2026-10-01"), tk.OVERDUE, 30)
    assert (new["next_due"], new["status"], new["days_overdue"]) == (T("2026-10-13"), tk.OVERDUE, 18)


# ---- health, dental, SDQ, PEP --------------------------------------------------------------------------

def health(p, date, kind="Health Assessment", status="Completed"):
    return {"clah_health_check_id": f"H{p}{date}{kind[:2]}", "clah_person_id": p, "clah_health_check_type": kind,
            "clah_health_check_date": date, "clah_health_check_status": status}


def test_health_assessments_six_monthly_under_five_and_twelve_monthly_after():
    # All in care since 1 Jun 2025 except NEW; as at Sat 31 Oct 2026.
    # U5: born 15 Jan 2023 (3 years old). Last health assessment 1 Mar 2026 -> 6 months: in "the
    #     last 6 months" up to 31 Aug 2026 (still 3 then) -> 61 days overdue (Sep 30 + Oct 31).
    # TURNS5: born 15 Nov 2021, last assessment 10 Jun 2026 (aged 4). The 6-month date is 9 Dec
    #     2026, but by then the child is 5 (birthday 15 Nov 2026): 12 months apply -> 9 Jun 2027.
    # TEN: aged 10, last assessment 20 Nov 2025 -> 19 Nov 2026; 14 working days away: on track.
    # NEW: entered care Mon 12 Oct 2026; a health assessment from before (5 Jan 2026) does not count:
    #     the initial assessment is due with the first review, 20 working days after 12 Oct: 13-16
    #     (4), 19-23 (9), 26-30 (14), 2-6 Nov (19), Mon 9 Nov (20); 6 working days away: on track.
    # A refused assessment is not an assessment (TEN refused on 1 Oct 2026).
    t = authority(
        {"U5": "2023-01-15", "TURNS5": "2021-11-15", "TEN": "2016-03-01", "NEW": "2016-03-01"},
        ssd_cla_episodes=[episode("U5", "2025-06-01"), episode("TURNS5", "2025-06-01"), episode("TEN", "2025-06-01"),
                          episode("NEW", "2026-10-12")],
        ssd_cla_health=[health("U5", "2026-03-01"), health("TURNS5", "2026-06-10"), health("TEN", "2025-11-20"),
                        health("TEN", "2026-10-01", status="Refused"), health("NEW", "2026-01-05"),
                        health("TEN", "2026-02-02", "Dental Check")],
    )
    wl = tk.worklist(t, AS_AT)
    u5 = task_of(wl, "U5", tk.RHA)
    assert (u5["last_done"], u5["next_due"], u5["status"], u5["days_overdue"]) == (
        T("2026-03-01"), T("2026-08-31"), tk.OVERDUE, 61)
    assert "6 months (under 5)" in u5["reason"]
    turns5 = task_of(wl, "TURNS5", tk.RHA)
    assert (turns5["next_due"], turns5["status"]) == (T("2027-06-09"), tk.ON_TRACK)
    ten = task_of(wl, "TEN", tk.RHA)
    assert (ten["last_done"], ten["next_due"], ten["status"]) == (T("2025-11-20"), T("2026-11-19"), tk.ON_TRACK)
    new = task_of(wl, "NEW", tk.IHA)
    assert (pd.isna(new["last_done"]), new["next_due"], new["status"]) == (True, T("2026-11-09"), tk.ON_TRACK)
    # Dental: TEN checked 2 Feb 2026 -> within the last 12 months up to 1 Feb 2027. U5 never: the
    # first by the first anniversary of entering care, 1 Jun 2026 -> overdue 152 days
    # (30 Jun-1 Jun = 29, + Jul 31 + Aug 31 + Sep 30 + Oct 31 = 152). NEW: by 12 Oct 2027.
    assert task_of(wl, "TEN", tk.DENTAL)["next_due"] == T("2027-02-01")
    u5d = task_of(wl, "U5", tk.DENTAL)
    assert (u5d["next_due"], u5d["status"], u5d["days_overdue"]) == (T("2026-06-01"), tk.OVERDUE, 152)
    assert task_of(wl, "NEW", tk.DENTAL)["next_due"] == T("2027-10-12")


def test_sdq_and_pep_only_for_their_ages():
    # As at 31 Oct 2026, all in care since 1 Jan 2025.
    # THREE (3): no SDQ, no PEP. FOUR (4): SDQ (none yet: first by the anniversary 1 Jan 2026 ->
    # overdue), no PEP (school age is 5-16). TWELVE: SDQ 10 Mar 2026 with a score -> 9 Mar 2027; an
    # SDQ with no score on 1 Oct 2026 does not count. PEP 15 Jun 2026, pep_window_months 4 -> in the
    # last 4 months up to 14 Oct 2026 -> 17 days overdue; with a 6-month window, on track to 14 Dec.
    # SEVENTEEN: no SDQ task (4-16), no PEP.
    t = authority(
        {"THREE": "2023-06-01", "FOUR": "2022-06-01", "TWELVE": "2014-06-01", "SEVENTEEN": "2009-06-01"},
        ssd_cla_episodes=[episode(p, "2025-01-01") for p in ("THREE", "FOUR", "TWELVE", "SEVENTEEN")],
        ssd_sdq_scores=[
            {"csdq_table_id": "S1", "csdq_person_id": "TWELVE", "csdq_sdq_completed_date": "2026-03-10", "csdq_sdq_score": "12"},
            {"csdq_table_id": "S2", "csdq_person_id": "TWELVE", "csdq_sdq_completed_date": "2026-10-01",
             "csdq_sdq_reason": "SDQ2"},
        ],
        ext_cla_pep=[{"pepr_id": "PE1", "pepr_person_id": "TWELVE", "pepr_pep_date": "2026-06-15"}],
    )
    wl = tk.worklist(t, AS_AT)
    tasks_of = lambda p: set(wl.tasks.loc[wl.tasks["person_id"] == p, "task"])
    assert tk.SDQ not in tasks_of("THREE") and tk.PEP not in tasks_of("THREE")
    assert tk.SDQ in tasks_of("FOUR") and tk.PEP not in tasks_of("FOUR")
    assert tk.SDQ not in tasks_of("SEVENTEEN") and tk.PEP not in tasks_of("SEVENTEEN")
    four = task_of(wl, "FOUR", tk.SDQ)
    assert (four["next_due"], four["status"]) == (T("2026-01-01"), tk.OVERDUE)
    sdq = task_of(wl, "TWELVE", tk.SDQ)
    assert (sdq["last_done"], sdq["next_due"]) == (T("2026-03-10"), T("2027-03-09"))
    pep = task_of(wl, "TWELVE", tk.PEP)
    assert (pep["next_due"], pep["status"], pep["days_overdue"]) == (T("2026-10-14"), tk.OVERDUE, 17)
    longer = tk.worklist(t, AS_AT, MetricSettings(pep_window_months=6))
    assert task_of(longer, "TWELVE", tk.PEP)["next_due"] == T("2026-12-14")


# ---- assessments ---------------------------------------------------------------------------------------

def assessment_authority():
    # Referral Thu 28 May 2026, assessment started Mon 1 Jun 2026, not authorised.
    # 45 working days from 1 Jun: Jun 2-5 (4), 8-12 (9), 15-19 (14), 22-26 (19), 29-30 (21),
    # Jul 1-3 (24), 6-10 (29), 13-17 (34), 20-24 (39), 27-31 (44), Mon 3 Aug (45).
    return authority(
        {"P1": "2016-01-01"},
        ssd_cin_episodes=[referral("P1", "2026-05-28")],
        ssd_cin_assessments=[{"cina_assessment_id": "A1", "cina_person_id": "P1", "cina_referral_id": "RP1",
                              "cina_assessment_start_date": "2026-06-01"}],
        ssd_involvements=[invo("P1", "W1", "T1", "2026-05-28")],
    )


def test_open_assessment_day_45_is_due_day_46_is_overdue():
    t = assessment_authority()
    day45 = task_of(tk.worklist(t, "2026-08-03"), "P1", tk.ASSESSMENT)
    assert day45["next_due"] == T("2026-08-03") and day45["status"] == tk.DUE_SOON and day45["days_overdue"] == 0
    assert "45 working days so far" in day45["reason"]
    day46 = task_of(tk.worklist(t, "2026-08-04"), "P1", tk.ASSESSMENT)
    assert day46["status"] == tk.OVERDUE and day46["days_overdue"] == 1
    # From the referral date (Thu 28 May): 29 May (1), Jun 1-5 (6), 8-12 (11), 15-19 (16),
    # 22-26 (21), 29-30 (23), Jul 1-3 (26), 6-10 (31), 13-17 (36), 20-24 (41), 27-30 (45) -> Thu 30 Jul.
    ref = task_of(tk.worklist(t, "2026-08-03", MetricSettings(assessment_start_point="referral")), "P1", tk.ASSESSMENT)
    assert ref["next_due"] == T("2026-07-30") and ref["status"] == tk.OVERDUE and ref["days_overdue"] == 4
    # Authorised on 3 Aug: no longer a task on 3 Aug.
    t["ssd_cin_assessments"]["cina_assessment_auth_date"] = T("2026-08-03")
    assert not (tk.worklist(t, "2026-08-03").tasks["task"] == tk.ASSESSMENT).any()


# ---- closed children ---------------------------------------------------------------------------------

def test_children_whose_case_closed_have_no_tasks():
    # CLOSED: CP plan ended 30 Sep 2026, referral closed 30 Sep; a CIN plan and an assessment left
    # open in the record. LEFT: ceased care on 31 Oct 2026 itself (not in care at the end of that
    # day), aged 14. OLD: a care leaver record but aged 26. OPEN: the comparison, a CIN episode and
    # plan still open.
    t = authority(
        {"CLOSED": "2015-01-01", "LEFT": "2012-01-01", "OLD": "2000-01-01", "OPEN": "2015-01-01"},
        ssd_cin_episodes=[referral("CLOSED", "2026-03-01", close="2026-09-30"), referral("OPEN", "2026-03-01")],
        ssd_cp_plans=[{"cppl_cp_plan_id": "CP1", "cppl_person_id": "CLOSED", "cppl_cp_plan_start_date": "2026-04-01",
                       "cppl_cp_plan_end_date": "2026-09-30"}],
        ssd_cp_visits=[{"cppv_cp_visit_id": "V1", "cppv_person_id": "CLOSED", "cppv_cp_visit_date": "2026-09-20"}],
        ssd_cin_plans=[{"cinp_cin_plan_id": "CIN1", "cinp_person_id": "CLOSED", "cinp_cin_plan_start_date": "2026-04-01"},
                       {"cinp_cin_plan_id": "CIN2", "cinp_person_id": "OPEN", "cinp_cin_plan_start_date": "2026-04-01"}],
        ssd_cin_assessments=[{"cina_assessment_id": "A1", "cina_person_id": "CLOSED", "cina_referral_id": "RCLOSED",
                              "cina_assessment_start_date": "2026-09-01"}],
        ssd_cla_episodes=[episode("LEFT", "2025-01-01", ceased="2026-10-31", placement="PL1")],
        ssd_cla_placement=[placement("PL1", "LEFT", "2025-01-01")],  # placement left open in the record
        ssd_care_leavers=[{"clea_table_id": "L1", "clea_person_id": "OLD", "clea_care_leaver_latest_contact": "2026-01-01",
                           "clea_care_leaver_eligibility": "Former relevant"}],
    )
    wl = tk.worklist(t, AS_AT)
    assert set(wl.children["person_id"]) == {"OPEN"}
    assert set(wl.tasks["person_id"]) == {"OPEN"}
    # the day before, LEFT was still in care and had CLA tasks
    assert {"LEFT", "OPEN", "CLOSED"} <= set(tk.worklist(t, "2026-09-29").tasks["person_id"])
    assert tk.CLA_VISIT in set(tk.worklist(t, "2026-10-30").tasks.loc[lambda f: f["person_id"] == "LEFT", "task"])


# ---- care leavers -----------------------------------------------------------------------------------

def leaver(p, contact, review, eligibility="Former relevant", team=None, worker=None, **kw):
    return {"clea_table_id": f"L{p}", "clea_person_id": p, "clea_care_leaver_eligibility": eligibility,
            "clea_care_leaver_latest_contact": contact, "clea_pathway_plan_review_date": review,
            "clea_care_leaver_allocated_team": team, "clea_care_leaver_worker_id": worker,
            "clea_care_leaver_personal_advisor": "Pat Adviser", **kw}


def test_care_leaver_contact_and_pathway_plan():
    # As at Sat 31 Oct 2026, 8-week contact: a contact is "within the last 8 weeks" (56 days,
    # cl_in_touch) for 55 days after it.
    # A: contact 1 Sep -> due 26 Oct, 5 days overdue. Pathway plan reviewed 5 May -> in the last 6
    #    months up to 4 Nov (Wed): 3 working days away, due soon. Allocated in the involvements.
    # B: qualifying: contact 20 Oct -> due 14 Dec; no pathway plan task. Not allocated: the team and
    #    worker on the care leaver record.
    # C: nothing recorded: contact and pathway plan overdue with no date.
    t = authority(
        {"A": "2006-03-01", "B": "2007-03-01", "C": "2005-03-01"},
        ssd_cla_episodes=[episode(p, "2020-01-01", ceased="2024-03-01") for p in ("A", "B", "C")],
        ssd_care_leavers=[
            leaver("A", "2026-09-01", "2026-05-05", clea_care_leaver_accommodation="U",
                   clea_care_leaver_accom_suitable="Suitable", clea_care_leaver_activity="F2"),
            leaver("B", "2026-10-20", None, eligibility="Qualifying", team="T2", worker="W2",
                   clea_care_leaver_accommodation="V", clea_care_leaver_accom_suitable="Unsuitable",
                   clea_care_leaver_activity="G5"),
            leaver("C", None, None),
        ],
        ssd_involvements=[invo("A", "W1", "T1", "2024-01-01")],
    )
    wl = tk.worklist(t, AS_AT)
    a_contact = task_of(wl, "A", tk.CONTACT)
    assert (a_contact["next_due"], a_contact["status"], a_contact["days_overdue"]) == (T("2026-10-26"), tk.OVERDUE, 5)
    a_plan = task_of(wl, "A", tk.PATHWAY)
    assert (a_plan["next_due"], a_plan["status"], a_plan["working_days_to_due"]) == (T("2026-11-04"), tk.DUE_SOON, 3)
    assert task_of(wl, "B", tk.CONTACT)["next_due"] == T("2026-12-14")
    assert tk.PATHWAY not in set(wl.tasks.loc[wl.tasks["person_id"] == "B", "task"])
    c = task_of(wl, "C", tk.CONTACT)
    assert c["status"] == tk.OVERDUE and pd.isna(c["next_due"]) and c["reason"] == "No contact recorded"

    rows = tk.care_leaver_rows(wl).set_index("person_id")
    assert (rows.at["A", "worker"], rows.at["B", "worker"], rows.at["B", "team"]) == ("Ana Smith", "Ben Jones", "Leaving Care Team")
    assert rows.at["B", "pathway_plan_status"] == "Not required"
    assert (bool(rows.at["A", "suitable"]), bool(rows.at["A", "eet"])) == (True, True)
    assert (bool(rows.at["B", "suitable"]), bool(rows.at["B", "eet"])) == (False, False)
    # most urgent first: C (never dated), then A (overdue 26 Oct), then B (on track)
    assert list(rows.index) == ["C", "A", "B"]
    assert rows.at["A", "personal_advisor"] == "Pat Adviser"


# ---- views ---------------------------------------------------------------------------------------------

def test_caseload_and_weekly_plan_views():
    # Two CIN children of Ana Smith (CIN visits every 20 working days), as at Sat 31 Oct 2026:
    # X: last visit Fri 2 Oct -> 20 working days: Oct 5-9 (5), 12-16 (10), 19-23 (15), 26-30 (20) ->
    #    due Fri 30 Oct; by the weekend still on time (latest on time is Sun 1 Nov): due soon.
    # Y: last visit Mon 19 Oct -> Oct 20-23 (4), 26-30 (9), Nov 2-6 (14), 9-13 (19), Mon 16 Nov (20):
    #    week commencing 16 Nov, on track.
    # Z: last visit 1 Sep -> due 29 Sep (31 Aug bank holiday is before): overdue.
    # W: open referral, no plan: on the caseload with no tasks.
    # (CIN plans started 1 Feb 2026 would also have CIN reviews due, but there is no CIN review table.)
    t = authority(
        {p: "2015-01-01" for p in "XYZW"},
        ssd_cin_episodes=[referral(p, "2026-01-05") for p in "XYZW"],
        ssd_cin_plans=[{"cinp_cin_plan_id": f"C{p}", "cinp_person_id": p, "cinp_cin_plan_start_date": "2026-02-01"}
                       for p in "XYZ"],
        ssd_cin_visits=[{"cinv_cin_visit_id": f"V{p}", "cinv_person_id": p, "cinv_cin_visit_date": d}
                        for p, d in (("X", "2026-10-02"), ("Y", "2026-10-19"), ("Z", "2026-09-01"))],
        ssd_involvements=[invo(p, "W1", "T1", "2026-01-05") for p in "XYZ"] + [invo("W", "W2", "T2", "2026-01-05")],
    )
    del t["ext_cin_reviews"]  # this authority records no CIN reviews: no CIN review tasks
    wl = tk.worklist(t, AS_AT)
    assert set(wl.tasks["task"]) == {tk.CIN_VISIT}
    x = task_of(wl, "X", tk.CIN_VISIT)
    assert (x["next_due"], x["latest_on_time"], x["status"]) == (T("2026-10-30"), T("2026-11-01"), tk.DUE_SOON)
    assert task_of(wl, "Y", tk.CIN_VISIT)["next_due"] == T("2026-11-16")
    z = task_of(wl, "Z", tk.CIN_VISIT)
    # 1 Sep + 20 working days: Sep 2-4 (3), 7-11 (8), 14-18 (13), 21-25 (18), 28 (19), Tue 29 (20)
    assert (z["next_due"], z["status"], z["days_overdue"]) == (T("2026-09-29"), tk.OVERDUE, 32)

    table = tk.caseload_table(wl.children, wl.tasks)
    assert list(table["person_id"]) == ["Z", "X", "Y", "W"]
    assert list(table["status"]) == [tk.OVERDUE, tk.DUE_SOON, tk.ON_TRACK, tk.NO_TASKS]
    assert list(table["CIN visit"]) == [tk.OVERDUE, tk.DUE_SOON, tk.ON_TRACK, ""]
    assert table.set_index("person_id").at["X", "CIN visit last done"] == T("2026-10-02")
    assert tk.CP_VISIT not in table.columns  # only tasks these children have
    assert list(table["worker"]) == ["Ana Smith"] * 3 + ["Ben Jones"]

    # Weekly plan, 2 weeks: up to Sat 14 Nov. Y (16 Nov) falls outside; 3 weeks takes it in.
    two = tk.plan(wl.tasks, AS_AT, 2)
    assert list(two["person_id"]) == ["Z", "X"] and list(two["week"]) == [tk.OVERDUE, "w/c 26/10/2026"]
    three = tk.plan(wl.tasks, AS_AT, 3)
    assert list(three["person_id"]) == ["Z", "X", "Y"] and three["week"].iloc[2] == "w/c 16/11/2026"
    # Counted per worker (Weekly planning over a whole service): Ana Smith has Z overdue, X due soon
    # and Y on track; Ben Jones's W has no tasks, so he is not in the plan.
    per = tk.plan_by_worker(three)
    assert per.to_dict("records") == [{"worker": "Ana Smith", "team": "Safeguarding Team", "overdue": 1,
                                       "due_soon": 1, "on_track": 1, "total": 3}]
    per_two = tk.plan_by_worker(two)
    assert per_two[["overdue", "due_soon", "on_track", "total"]].iloc[0].tolist() == [1, 1, 0, 2]


def test_an_empty_authority_has_no_tasks():
    wl = tk.worklist(authority({}), AS_AT)
    assert wl.children.empty and wl.tasks.empty and list(wl.tasks.columns) == tk.TASK_COLUMNS
    assert tk.caseload_table(wl.children, wl.tasks).empty
    assert tk.plan(wl.tasks, AS_AT, 4).empty and tk.care_leaver_rows(wl).empty


@pytest.mark.parametrize("missing", ["ext_cin_reviews", "ext_cla_pep", "ssd_sdq_scores", "ssd_care_leavers"])
def test_optional_tables_can_be_absent(missing):
    t = assessment_authority()
    del t[missing]
    assert task_of(tk.worklist(t, "2026-08-03"), "P1", tk.ASSESSMENT)["status"] == tk.DUE_SOON
