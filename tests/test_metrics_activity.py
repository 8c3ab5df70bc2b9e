"""metrics.activity on small hand-built authorities, every expected figure worked out in the comments:
caseloads by type with early help and the threshold, how long unallocated children have waited,
missing-children breakdowns, visits overdue and reviews due as at a date, and regrouping a
measure's rows (the same figures as the measure run by team).

Period end: Tuesday 31 March 2026 unless said otherwise. Teams T1 and T2 in service S1; workers W1,
W2 in T1 and W3 in T2.
"""

import numpy as np
import pandas as pd
import pytest

from metrics import registry
from metrics.activity import (
    caseload_bands, caseload_by_group, due_within, early_help_open, group_summary, missing_breakdown, open_cases,
    unallocated_waits, visits_due, worker_caseloads,
)
from metrics.periods import month
from metrics.settings import MetricSettings
from tests.source_fixtures import _frame

MARCH = month(2026, 3)


def org(t: dict) -> dict:
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Children's Social Care"},
        {"dept_team_id": "T1", "dept_team_name": "Team One", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "Team Two", "dept_team_parent_id": "S1"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": w, "prof_professional_name": n, "prof_professional_department": d,
         "prof_professional_job_title": "Social Worker", "prof_full_time_equivalency": 1.0,
         "prof_agency_worker_flag": "N"}
        for w, n, d in [("W1", "Ann Lee", "T1"), ("W2", "Bo Chan", "T1"), ("W3", "Cy Dee", "T2")]])
    people = sorted({c for name, f in t.items() for col in f.columns if col.endswith("person_id")
                     for c in f[col].dropna()})
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": p, "pers_forename": p, "pers_surname": "Test", "pers_dob": "2012-01-01"} for p in people])
    return t


def involvements(rows) -> pd.DataFrame:
    return _frame("ssd_involvements", [
        {"invo_involvements_id": f"I{i}", "invo_person_id": c, "invo_professional_id": w, "invo_professional_team": tm,
         "invo_involvement_start_date": s, "invo_involvement_end_date": e}
        for i, (c, w, tm, s, e) in enumerate(rows)])


def open_tables(cin=(), cp=(), cla=(), inv=(), eh=()) -> dict:
    t = {
        "ssd_cin_episodes": _frame("ssd_cin_episodes", [
            {"cine_referral_id": f"R{i}", "cine_person_id": c, "cine_referral_date": s, "cine_close_date": e,
             "cine_referral_nfa": "N"} for i, (c, s, e) in enumerate(cin)]),
        "ssd_cp_plans": _frame("ssd_cp_plans", [
            {"cppl_cp_plan_id": f"P{i}", "cppl_person_id": c, "cppl_cp_plan_start_date": s, "cppl_cp_plan_end_date": e}
            for i, (c, s, e) in enumerate(cp)]),
        "ssd_cla_episodes": _frame("ssd_cla_episodes", [
            {"clae_cla_episode_id": f"E{i}", "clae_person_id": c, "clae_cla_id": f"CLA{i}",
             "clae_cla_episode_start_date": s, "clae_cla_episode_ceased_date": e} for i, (c, s, e) in enumerate(cla)]),
        "ssd_care_leavers": _frame("ssd_care_leavers", []),
        "ssd_involvements": involvements(inv),
        "ssd_early_help_episodes": _frame("ssd_early_help_episodes", [
            {"earl_episode_id": f"EH{i}", "earl_person_id": c, "earl_episode_start_date": s, "earl_episode_end_date": e,
             "earl_episode_worker_id": w} for i, (c, s, e, w) in enumerate(eh)]),
    }
    return org(t)


# ---- caseloads -------------------------------------------------------------------------------------

def caseload_authority() -> dict:
    return open_tables(
        cin=[("C1", "2026-01-10", None),           # CIN, W1
             ("C2", "2026-01-15", None),           # CIN and CP: one case, counted as CP
             ("C4", "2026-01-01", "2026-03-31")],  # closed on the period end: not open
        cp=[("C2", "2026-02-01", None)],
        cla=[("C3", "2025-12-01", None)],          # in care, W2
        inv=[("C1", "W1", "T1", "2026-01-10", None), ("C2", "W1", "T1", "2026-01-15", None),
             ("C3", "W2", "T1", "2025-12-01", None), ("C4", "W2", "T1", "2026-01-01", None),
             ("C6", "W3", "T2", "2026-02-01", None)],
        eh=[("C5", "2026-03-01", None, "W1"),          # early help, recorded worker W1
            ("C6", "2026-02-01", None, None),          # no worker recorded: C6's allocation (W3, T2)
            ("C7", "2026-01-01", "2026-03-31", "W3"),  # ends on the period end: not open
            ("C8", "2026-04-01", None, "W2")],         # starts after it: not open
    )


def test_worker_caseloads_by_type_with_early_help_and_the_threshold():
    t = caseload_authority()
    caseload = registry.get("caseload").run(t, [MARCH], None, MetricSettings())
    eh = early_help_open(t, [MARCH])
    assert sorted(eh["person_id"]) == ["C5", "C6"]
    assert dict(zip(eh["person_id"], eh["worker_id"])) == {"C5": "W1", "C6": "W3"}
    workers = worker_caseloads(caseload.rows, eh, threshold=2).set_index("worker_id")
    # W1: C1 (CIN), C2 (CP) + C5 early help = 3 > 2. W2: C3 (CLA) = 1. W3: C6 early help only, in T2.
    assert workers.loc["W1", ["cin_cases", "cp_cases", "cla_cases", "care_leaver_cases", "social_care_cases",
                              "early_help_cases", "total_cases"]].tolist() == [1, 1, 0, 0, 2, 1, 3]
    assert bool(workers.loc["W1", "over_threshold"]) is True
    assert workers.loc["W2", ["cla_cases", "social_care_cases", "early_help_cases", "total_cases"]].tolist() == [1, 1, 0, 1]
    assert bool(workers.loc["W2", "over_threshold"]) is False
    assert workers.loc["W3", ["social_care_cases", "early_help_cases", "total_cases"]].tolist() == [0, 1, 1]
    assert workers.loc["W3", "team_id"] == "T2" and workers.loc["W3", "team"] == "Team Two"
    teams = caseload_by_group(worker_caseloads(caseload.rows, eh, threshold=2), "team").set_index("group_id")
    # T1: W1 and W2 hold 3 social care cases (1.5 each, as the caseload measure), 1 early help, 1 over.
    assert teams.loc["T1", ["workers", "social_care_cases", "early_help_cases", "total_cases", "over_threshold"]].tolist() \
        == [2, 3, 1, 4, 1]
    assert teams.loc["T1", "average"] == pytest.approx(1.5)
    by_team = registry.get("caseload").run(t, [MARCH], "team", MetricSettings()).summary.set_index("group_id")
    assert by_team.loc["T1", "value"] == pytest.approx(teams.loc["T1", "average"])
    # T2: no social care cases (no average), W3's early help case.
    assert teams.loc["T2", ["workers", "social_care_cases", "early_help_cases", "early_help_workers"]].tolist() == [0, 0, 1, 1]
    assert np.isnan(teams.loc["T2", "average"])


def test_open_cases_list_the_children_behind_each_worker():
    cases = open_cases(caseload_authority(), [MARCH])
    got = sorted(zip(cases["person_id"], cases["worker_id"], cases["case_type"]))
    assert got == [("C1", "W1", "CIN"), ("C2", "W1", "CP"), ("C3", "W2", "CLA"), ("C5", "W1", "Early help"),
                   ("C6", "W3", "Early help")]
    assert cases.loc[cases["person_id"] == "C2", "services"].iloc[0] == "CP, CIN"


def test_no_early_help_open_at_the_period_end_gives_an_empty_list_not_an_error():
    # A team whose early help episodes all ended before the month end (found on the large demo):
    # the page must show no early help cases rather than fail.
    t = open_tables(cin=[("C1", "2026-01-10", None)], inv=[("C1", "W1", "T1", "2026-01-10", None)],
                    eh=[("C5", "2026-01-01", "2026-02-10", "W1"), ("C6", "2026-01-05", "2026-03-31", None)])
    eh = early_help_open(t, [MARCH])
    assert eh.empty and list(eh.columns) == list(early_help_open(open_tables(), [MARCH]).columns)
    cases = open_cases(t, [MARCH])
    assert sorted(zip(cases["person_id"], cases["case_type"])) == [("C1", "CIN")]


def test_caseload_bands_split_at_the_threshold():
    w = pd.DataFrame({"total_cases": [1, 5, 6, 15, 16, 18, 19, 23, 24, 30]})
    bands = caseload_bands(w, 18)
    # 1-5 | 6-10 | 11-15 | 16-18 (up to the threshold) | then 5 wide above it: 19-23, 24-28, 29-33
    assert bands["band"].tolist() == ["1-5", "6-10", "11-15", "16-18", "19-23", "24-28", "29-33"]
    assert bands["workers"].tolist() == [2, 1, 1, 2, 2, 1, 1]
    assert bands["over_threshold"].tolist() == [False, False, False, False, True, True, True]
    # a small threshold: 1-2 then 3-7
    small = caseload_bands(pd.DataFrame({"total_cases": [3, 1, 1]}), 2)
    assert small["band"].tolist() == ["1-2", "3-7"] and small["workers"].tolist() == [2, 1]


# ---- unallocated -------------------------------------------------------------------------------

def test_unallocated_waits_from_the_last_allocation_or_the_case_opening():
    t = open_tables(
        cin=[("U1", "2026-01-10", None), ("U3", "2026-02-01", None), ("U4", "2026-01-01", None)],
        cp=[("U2", "2026-03-25", None)],
        inv=[("U1", "W1", "T1", "2026-01-10", "2026-03-20"),   # allocation ended 20 March
             ("U2", "W2", "T1", "2025-01-01", "2025-06-30"),   # an old case's allocation
             ("U4", "W3", "T2", "2026-01-01", None)],          # allocated: not in the measure
    )
    rows = registry.get("unallocated").run(t, [MARCH], None, MetricSettings()).rows
    assert sorted(rows["person_id"]) == ["U1", "U2", "U3"]
    w = unallocated_waits(t, rows, [MARCH]).set_index("person_id")
    # U1: the allocation held the case on 20 March; unallocated from 21 March: 21-31 March = 11 days.
    assert w.loc["U1", "unallocated_since"] == pd.Timestamp("2026-03-21") and w.loc["U1", "days_unallocated"] == 11
    assert w.loc["U1", "held_by_team_id"] == "T1" and w.loc["U1", "last_worker"] == "Ann Lee"
    # U2: the last allocation ended before this case opened (CP plan on 25 March): 25-31 March = 7 days,
    # still shown with the team that last held the child.
    assert w.loc["U2", "open_since"] == pd.Timestamp("2026-03-25") and w.loc["U2", "days_unallocated"] == 7
    assert w.loc["U2", "held_by_team"] == "Team One"
    # U3: never allocated: since the referral on 1 February: 28 days of February + 31 of March = 59.
    assert w.loc["U3", "unallocated_since"] == pd.Timestamp("2026-02-01") and w.loc["U3", "days_unallocated"] == 59
    assert w.loc["U3", "held_by_team_id"] == "" and w.loc["U3", "last_worker"] == ""
    # longest wait first
    assert list(w.index) == ["U3", "U1", "U2"]


# ---- missing -------------------------------------------------------------------------------------

def missing_authority() -> dict:
    t = {
        "ssd_missing": _frame("ssd_missing", [
            {"miss_table_id": i, "miss_person_id": c, "miss_missing_episode_start_date": s,
             "miss_missing_episode_type": k, "miss_missing_rhi_offered": o, "miss_missing_rhi_accepted": a}
            for i, c, s, k, o, a in [
                ("M1", "K1", "2026-03-02", "Missing", "Y", "Y"),
                ("M2", "K1", "2026-03-20", "Missing", "Y", "N"),
                ("M3", "K2", "2026-03-10", "Missing", "N", "N"),
                ("M4", "K3", "2026-03-11", "Absent", "Y", "Y"),   # absent is not missing
                ("M5", "K2", "2026-02-27", "Missing", "Y", "Y"),  # February
            ]]),
        "ssd_cla_episodes": _frame("ssd_cla_episodes", [
            {"clae_cla_episode_id": "E1", "clae_person_id": "K1", "clae_cla_id": "CLA1",
             "clae_cla_episode_start_date": "2025-06-01"}]),
        "ssd_involvements": involvements([("K1", "W2", "T1", "2025-06-01", None), ("K2", "W3", "T2", "2025-01-01", None),
                                          ("K3", "W3", "T2", "2025-01-01", None)]),
    }
    return org(t)


def test_missing_breakdown_children_episodes_care_interviews_and_repeats():
    t = missing_authority()
    rows = registry.get("missing_children").run(t, [MARCH], None, MetricSettings()).rows
    b = missing_breakdown(rows, None).iloc[0]
    # K1 (in care) 2 episodes, both RHI offered, 1 accepted; K2 (not in care) 1 episode, none offered.
    assert b[["children", "episodes", "children_in_care", "children_not_in_care", "episodes_in_care",
              "rhi_offered", "rhi_accepted", "repeat_children"]].tolist() == [2, 3, 1, 1, 2, 2, 1, 1]
    assert b["pct_offered"] == pytest.approx(2 / 3) and b["pct_accepted"] == pytest.approx(1 / 3)
    assert b["pct_repeat"] == pytest.approx(1 / 2)
    teams = missing_breakdown(rows, "team").set_index("group_id")
    assert teams.loc["T1", ["children", "episodes", "repeat_children"]].tolist() == [1, 2, 1]
    assert teams.loc["T2", ["children", "episodes", "children_in_care"]].tolist() == [1, 1, 0]
    # the same counts as the measure run by team
    measure = registry.get("missing_children").run(t, [MARCH], "team", MetricSettings()).summary.set_index("group_id")
    assert measure["numerator"].to_dict() == teams["children"].to_dict()
    assert missing_breakdown(rows.iloc[0:0], None).empty


def test_group_summary_is_the_measure_grouped_by_team():
    t = missing_authority()
    periods = [month(2026, 2), MARCH]
    rows = registry.get("missing_children").run(t, periods, None, MetricSettings()).rows
    mine = group_summary(rows, "team", count_only=True)
    theirs = registry.get("missing_children").run(t, periods, "team", MetricSettings()).summary
    key = ["period", "group_id"]
    pd.testing.assert_frame_equal(mine.sort_values(key, ignore_index=True), theirs.sort_values(key, ignore_index=True),
                                  check_dtype=False)
    # one team only, with every period present (February: nothing for T1)
    t1 = group_summary(rows[rows["team_id"] == "T1"], None, count_only=True, periods=periods)
    assert t1["period"].tolist() == ["2026-02", "2026-03"] and t1["value"].tolist() == [0.0, 1.0]


# ---- due as at a date ------------------------------------------------------------------------------

def test_visits_due_and_overdue_on_a_date():
    t = org({
        "ssd_cp_plans": _frame("ssd_cp_plans", [
            {"cppl_cp_plan_id": "PA", "cppl_person_id": "V1", "cppl_cp_plan_start_date": "2026-10-01"},
            {"cppl_cp_plan_id": "PB", "cppl_person_id": "V2", "cppl_cp_plan_start_date": "2026-10-26"}]),
        "ssd_cp_visits": _frame("ssd_cp_visits", [
            {"cppv_cp_visit_id": "VA", "cppv_person_id": "V1", "cppv_cp_visit_date": "2026-10-05"}]),
        "ssd_involvements": involvements([("V1", "W1", "T1", "2026-10-01", None), ("V2", "W3", "T2", "2026-10-26", None)]),
    })
    due = visits_due(t, "2026-10-31").set_index("person_id")
    assert set(due["kind"]) == {"CP"}  # CIN and CLA tables are absent: left out
    # V1: visited Monday 5 October; 10 working days on is Monday 19 October, the last day on time
    # (no bank holidays): overdue on Saturday 31 October by 12 days.
    assert due.loc["V1", "next_due_date"] == pd.Timestamp("2026-10-19")
    assert bool(due.loc["V1", "overdue"]) and due.loc["V1", "days_overdue"] == 12
    assert due.loc["V1", "team"] == "Team One" and due.loc["V1", "worker"] == "Ann Lee"
    # V2: plan from Monday 26 October, no visit yet: due by Monday 9 November, 9 days on.
    assert due.loc["V2", "next_due_date"] == pd.Timestamp("2026-11-09")
    assert not bool(due.loc["V2", "overdue"]) and due.loc["V2", "days_until_due"] == 9
    assert list(due.index) == ["V1", "V2"]  # overdue first


def test_due_within_the_coming_weeks():
    on = pd.Timestamp("2026-10-28")  # a Wednesday
    due = pd.DataFrame({
        "person_id": ["A", "B", "C", "D", "E"],
        "kind": "CP",
        "next_due_date": pd.to_datetime(["2026-10-28", "2026-10-29", "2026-11-04", "2026-11-05", "2026-10-30"]),
        "overdue": [False, False, False, False, True],
    })
    got = due_within(due, on, 1)
    # after the 28th, up to and including the 4th (7 days); overdue rows are listed elsewhere
    assert got["person_id"].tolist() == ["B", "C"]
    # Thursday 29 October falls in the week ending Sunday 1 November; the 4th in the week to the 8th
    assert got["week_ending"].tolist() == [pd.Timestamp("2026-11-01"), pd.Timestamp("2026-11-08")]
    assert due_within(due, on, 2)["person_id"].tolist() == ["B", "C", "D"]
