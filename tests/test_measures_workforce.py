"""Workforce and practice measures (unallocated, case_supervision, caseload, worker_changes) on
small hand-built authorities. Every expected figure is worked out in the comments.

Rules these tests pin down (metrics/workforce.py):

- Open to social care at the end of day D: a CIN episode (referral on or before D, not closed on
  or before D, not NFA), a CP plan open on D, in care on D, or a care leaver aged 16-25. Each child
  is one case however many services they are open to. An episode or plan ending ON the period end
  is not open at the period end (the shared rule, metrics.front_door.open_at).
- The allocated worker on D (metrics.allocation): the involvement open on D (an involvement ending
  on D still holds the case that day) that started last. An involvement with a team but no worker
  leaves the child unallocated, grouped under that team.
- Case supervision is up to date when the last supervision on or before the period end was at most
  supervision_interval_days (default 30) before it: 30 days ago yes, 31 days ago no.
- A worker change is a day on which the allocated worker becomes a different worker from the
  previous one. The first worker a child ever has is not a change (so 3 changes means at least 4
  workers); a re-allocation to the same worker (e.g. a team move) is not; a spell with no worker is
  skipped; going back to an earlier worker is a change. The 12 months to 31 March 2026 run from
  1 April 2025.
"""

import numpy as np
import pandas as pd
import pytest

from metrics import registry
from metrics.periods import period_for
from metrics.registry import MeasureUnavailable
from metrics.settings import MetricSettings
from metrics.workforce import open_cases_on
from tests.source_fixtures import _frame

T = pd.Timestamp


def build(people: dict, *, cin=(), cp=(), cla=(), leavers=(), involvements=(), supervision=()):
    """people: id -> dob. cin: (child, referral date, close date, nfa). cp: (child, start, end).
    cla: (child, start, ceased). leavers: child ids with a care leaver record. involvements:
    (child, worker, team, start, end). supervision: (child, date)."""
    t = {}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Children's Social Care"},
        {"dept_team_id": "T1", "dept_team_name": "Team One", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "Team Two", "dept_team_parent_id": "S1"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": w, "prof_professional_name": n, "prof_professional_department": d,
         "prof_professional_job_title": "Social Worker", "prof_full_time_equivalency": fte,
         "prof_agency_worker_flag": agency}
        for w, n, d, fte, agency in [("W1", "Ann Lee", "T1", 1.0, "N"), ("W2", "Bo Chan", "T1", 0.5, "N"),
                                     ("W3", "Cy Dee", "T2", 1.0, "N"), ("W4", "Di Eve", "T2", 0.8, "Y")]
    ])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": p, "pers_forename": p, "pers_surname": "Test", "pers_dob": dob}
        for p, dob in people.items()])
    t["ssd_cin_episodes"] = _frame("ssd_cin_episodes", [
        {"cine_referral_id": f"R{i}", "cine_person_id": c, "cine_referral_date": s,
         "cine_close_date": e, "cine_referral_nfa": nfa}
        for i, (c, s, e, nfa) in enumerate(cin)])
    t["ssd_cp_plans"] = _frame("ssd_cp_plans", [
        {"cppl_cp_plan_id": f"P{i}", "cppl_person_id": c, "cppl_cp_plan_start_date": s,
         "cppl_cp_plan_end_date": e}
        for i, (c, s, e) in enumerate(cp)])
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": f"E{i}", "clae_person_id": c, "clae_cla_episode_start_date": s,
         "clae_cla_episode_ceased_date": e, "clae_cla_id": f"CLA{i}"}
        for i, (c, s, e) in enumerate(cla)])
    t["ssd_care_leavers"] = _frame("ssd_care_leavers", [
        {"clea_table_id": f"L{i}", "clea_person_id": c, "clea_care_leaver_eligibility": "Former relevant"}
        for i, c in enumerate(leavers)])
    t["ssd_involvements"] = _frame("ssd_involvements", [
        {"invo_involvements_id": f"I{i}", "invo_person_id": c, "invo_professional_id": w,
         "invo_professional_team": tm, "invo_involvement_start_date": s, "invo_involvement_end_date": e}
        for i, (c, w, tm, s, e) in enumerate(involvements)])
    t["ext_case_supervision"] = _frame("ext_case_supervision", [
        {"supe_id": f"SV{i}", "supe_person_id": c, "supe_date": d} for i, (c, d) in enumerate(supervision)])
    return t


def run(tables, measure_id, label="2026-03", by=None, settings=None):
    result = registry.get(measure_id).run(tables, [period_for(label)], by, settings)
    return result, result.summary.set_index("group"), result.rows


def nd(summary, group="All"):
    return int(summary.at[group, "numerator"]), summary.at[group, "denominator"]


# ---- open cases: one authority for unallocated, supervision and caseload ---------------------

@pytest.fixture()
def cases():
    people = {"A1": "2015-01-01", "A2": "2012-01-01", "A3": "2016-01-01", "A4": "2014-01-01",
              "A5": "2007-01-01", "A6": "2015-01-01", "A7": "2015-01-01", "A8": "2015-01-01",
              "A9": "2013-01-01"}
    return build(
        people,
        cin=[("A1", "2025-06-01", None, "N"),
             ("A3", "2026-01-10", None, "N"),
             ("A4", "2025-10-01", "2026-03-31", "N"),   # closed ON 31 March: not open that day
             ("A6", "2026-02-01", None, "Y"),           # NFA referral: never an open case
             ("A7", "2025-11-01", None, None),
             ("A8", "2025-11-01", None, "N")],
        cp=[("A1", "2025-09-01", None),                 # A1: CIN and CP - one case
            ("A4", "2025-11-01", "2026-03-31")],        # ends ON 31 March
        cla=[("A2", "2024-01-01", None),
             ("A5", "2020-01-01", "2025-01-01"),        # A5 left care: now a care leaver (19)
             ("A9", "2025-01-01", "2026-04-01")],       # ceases the day after 31 March: in care then
        leavers=["A5"],
        involvements=[
            ("A1", "W1", "T1", "2025-06-01", None),
            ("A2", "W1", "T1", "2024-01-01", None),
            ("A4", "W3", "T2", "2025-10-01", None),
            ("A5", "W3", "T2", "2025-01-01", "2026-03-31"),   # ends ON 31 March: still held that day
            ("A7", None, "T2", "2025-11-01", None),           # a team, no worker
            ("A8", "W2", "T1", "2025-11-01", "2026-03-15"),   # ended mid-March
            ("A9", "W4", "T2", "2025-01-01", None),
        ],
        supervision=[
            ("A1", "2026-03-01"),   # 30 days before 31 March
            ("A2", "2026-02-28"),   # 31 days before
            ("A5", "2026-01-15"), ("A5", "2026-04-02"),   # the April one is after the period end
            ("A7", "2026-03-31"),   # on the period end itself
            ("A8", "2026-03-20"),
            ("A9", "2026-03-02"),   # 29 days
        ],
    )


def test_open_cases_counted_once_and_ending_on_the_period_end(cases):
    oc = open_cases_on(cases, "2026-03-31").set_index("person_id")
    # Open at 31 March: A1 (CIN + CP), A2 (CLA), A3 (CIN), A5 (care leaver aged 19), A7, A8 (CIN),
    # A9 (in care until 1 April). Not A4 (CIN and CP both end on 31 March) or A6 (NFA).
    assert sorted(oc.index) == ["A1", "A2", "A3", "A5", "A7", "A8", "A9"]
    assert (oc.at["A1", "case_type"], oc.at["A1", "services"]) == ("CP", "CP, CIN")
    assert oc.at["A1", "cp"] and oc.at["A1", "cin"] and not oc.at["A1", "cla"]
    assert oc.at["A5", "case_type"] == "Care leaver" and oc.at["A9", "case_type"] == "CLA"
    # A day earlier A4 is still open on both.
    feb = open_cases_on(cases, "2026-03-30").set_index("person_id")
    assert feb.at["A4", "services"] == "CP, CIN"


def test_unallocated(cases):
    result, s, rows = run(cases, "unallocated")
    # 31 March: A3 (never allocated), A7 (team only), A8 (W2's allocation ended 15 March) -> 3.
    # A5's allocation ends on 31 March, so W3 still holds the case that day.
    assert s.at["All", "value"] == 3 and np.isnan(s.at["All", "denominator"])
    r = rows.set_index("person_id")
    assert sorted(r.index) == ["A3", "A7", "A8"]
    assert (r.at["A8", "last_worker_id"], r.at["A8", "last_allocation_end"]) == ("W2", T("2026-03-15"))
    assert r.at["A3", "last_worker_id"] == "" and pd.isna(r.at["A3", "last_allocation_end"])
    # By team: A7 sits with Team Two without a worker; A3 and A8 have no team.
    _, teams, _ = run(cases, "unallocated", by="team")
    assert teams.at["Team Two", "value"] == 1 and teams.at["Team not recorded", "value"] == 2
    _, workers, _ = run(cases, "unallocated", by="worker")
    assert list(workers.index) == ["Worker not recorded"] and workers.at["Worker not recorded", "value"] == 3


def test_unallocated_over_several_month_ends(cases):
    periods = [period_for(m) for m in ("2026-02", "2026-03", "2026-04")]
    s = registry.get("unallocated").run(cases, periods).summary
    # 28 Feb: A3, A7 (A8 still held by W2; A4 open and held by W3) = 2.
    # 31 Mar: 3 (above).
    # 30 Apr: A5's allocation ended 31 March -> A3, A5, A7, A8 = 4 (A9 left care on 1 April).
    assert s["period"].tolist() == ["2026-02", "2026-03", "2026-04"]
    assert s["value"].tolist() == [2, 3, 4]


def test_case_supervision_30_days_vs_31(cases):
    result, s, rows = run(cases, "case_supervision")
    # Cohort: the 7 open cases. Up to date (last supervision no more than 30 days before 31 March,
    # i.e. on or after 1 March): A1 (1 March: 30 days), A7 (31 March: 0), A8 (20 March: 11),
    # A9 (2 March: 29). Not: A2 (28 February: 31 days), A3 (none), A5 (15 January; the 2 April
    # supervision is after the period end) -> 4 of 7.
    assert nd(s) == (4, 7) and s.at["All", "value"] == pytest.approx(4 / 7)
    r = rows.set_index("person_id")
    assert r.at["A1", "days_since_supervision"] == 30 and r.at["A1", "in_numerator"]
    assert r.at["A2", "days_since_supervision"] == 31 and not r.at["A2", "in_numerator"]
    assert r.at["A5", "last_supervision_date"] == T("2026-01-15")
    assert r.at["A1", "window_start"] == T("2026-03-01")
    assert rows["person_id"].is_unique   # A1 (CP and CIN) is one case


def test_case_supervision_setting(cases):
    # 31 days: A2 (28 February) is up to date too -> 5 of 7.
    _, s31, _ = run(cases, "case_supervision", settings=MetricSettings(supervision_interval_days=31))
    assert nd(s31) == (5, 7)
    # 29 days: A1 (1 March, 30 days) is not -> 3 of 7.
    _, s29, _ = run(cases, "case_supervision", settings=MetricSettings(supervision_interval_days=29))
    assert nd(s29) == (3, 7)


def test_case_supervision_by_team_and_worker(cases):
    _, teams, _ = run(cases, "case_supervision", by="team")
    # Allocation at 31 March: Team One A1 (yes), A2 (no); Team Two A5 (no), A7 (yes, team only),
    # A9 (yes); no team A3 (no), A8 (yes).
    assert nd(teams, "Team One") == (1, 2)
    assert nd(teams, "Team Two") == (2, 3)
    assert nd(teams, "Team not recorded") == (1, 2)
    _, workers, _ = run(cases, "case_supervision", by="worker")
    # Ann Lee A1, A2; Cy Dee A5; Di Eve A9; no worker A3, A7, A8.
    assert nd(workers, "Ann Lee") == (1, 2) and nd(workers, "Cy Dee") == (0, 1)
    assert nd(workers, "Di Eve") == (1, 1) and nd(workers, "Worker not recorded") == (2, 3)


def test_case_supervision_february(cases):
    _, s, _ = run(cases, "case_supervision", "2026-02")
    # 28 February: 8 open cases (A4 too). From 29 January: A2 (28 February) only; A5's last is 15
    # January (44 days); every other supervision is dated after 28 February -> 1 of 8.
    assert nd(s) == (1, 8)


def test_case_supervision_leap_year():
    people = {"X1": "2015-01-01", "X2": "2015-01-01"}
    t = build(people, cin=[("X1", "2027-01-01", None, "N"), ("X2", "2027-01-01", None, "N")],
              supervision=[("X1", "2028-01-30"),    # 30 January -> 29 February 2028 = 1 + 29 = 30 days
                           ("X2", "2028-01-29")])   # 31 days
    _, s, rows = run(t, "case_supervision", "2028-02")
    assert nd(s) == (1, 2)
    assert rows.set_index("person_id")["days_since_supervision"].to_dict() == {"X1": 30, "X2": 31}


def test_case_supervision_needs_the_extension_table(cases):
    del cases["ext_case_supervision"]
    with pytest.raises(MeasureUnavailable, match="ext_case_supervision"):
        registry.get("case_supervision").run(cases, [period_for("2026-03")])


def test_caseload(cases):
    result, s, rows = run(cases, "caseload")
    # 31 March, allocated open cases: W1 A1 (CP) and A2 (CLA); W3 A5 (care leaver); W4 A9 (CLA).
    # A1 is open to CIN and CP but is one case. 4 cases / 3 workers.
    assert nd(s) == (4, 3) and s.at["All", "value"] == pytest.approx(4 / 3)
    r = rows.set_index("worker_id")
    assert sorted(r.index) == ["W1", "W3", "W4"]
    assert (r.at["W1", "cases"], r.at["W1", "cp_cases"], r.at["W1", "cla_cases"], r.at["W1", "cin_cases"]) == (2, 1, 1, 0)
    assert (r.at["W3", "cases"], r.at["W3", "care_leaver_cases"]) == (1, 1)
    assert r.at["W4", "agency"] and r.at["W4", "fte"] == pytest.approx(0.8) and not r.at["W1", "agency"]
    assert rows["cases"].tolist() == [2, 1, 1]   # largest caseload first
    # By team: Team One W1 (2 cases) -> 2.0; Team Two W3 and W4 (1 each) -> 1.0.
    _, teams, _ = run(cases, "caseload", by="team")
    assert nd(teams, "Team One") == (2, 1) and teams.at["Team One", "value"] == 2.0
    assert nd(teams, "Team Two") == (2, 2) and teams.at["Team Two", "value"] == 1.0
    _, workers, _ = run(cases, "caseload", by="worker")
    assert workers["value"].to_dict() == {"Ann Lee": 2.0, "Cy Dee": 1.0, "Di Eve": 1.0}


def test_caseload_february_and_an_empty_month(cases):
    _, feb, rows = run(cases, "caseload", "2026-02")
    # 28 February: W1 A1, A2; W2 A8; W3 A4 (open until 31 March), A5; W4 A9 -> 6 cases / 4 workers.
    assert nd(feb) == (6, 4) and feb.at["All", "value"] == pytest.approx(1.5)
    assert rows.set_index("worker_id").at["W3", "cp_cases"] == 1
    # Before anyone was open there is still a whole-authority row, with no value.
    _, empty, _ = run(cases, "caseload", "2019-01")
    assert nd(empty) == (0, 0) and np.isnan(empty.at["All", "value"])


# ---- worker changes ----------------------------------------------------------------------------

@pytest.fixture()
def changes():
    kids = ["B1", "B2", "B3", "B4", "B6", "B7", "B8", "B9"]
    cin = [(k, "2024-01-01", "2026-03-31" if k == "B8" else None, "N") for k in kids]
    involvements = [
        # B1: W1 -> W2 (1 Jun 2025) -> W3 (1 Oct 2025) -> W4 (31 Mar 2026, the period end): 3.
        ("B1", "W1", "T1", "2024-01-01", "2025-05-31"), ("B1", "W2", "T1", "2025-06-01", "2025-09-30"),
        ("B1", "W3", "T2", "2025-10-01", "2026-03-30"), ("B1", "W4", "T2", "2026-03-31", None),
        # B2: first ever worker on 1 Jun 2025 (not a change) -> W2 (1 Oct) -> W3 (1 Feb 2026): 2,
        # although three workers held the case in the 12 months.
        ("B2", "W1", "T1", "2025-06-01", "2025-09-30"), ("B2", "W2", "T1", "2025-10-01", "2026-01-31"),
        ("B2", "W3", "T2", "2026-02-01", None),
        # B3: W2 from 31 Mar 2025 - the day before the 12 months start - then 1 Sep, 1 Jan: 2.
        ("B3", "W1", "T1", "2024-01-01", "2025-03-30"), ("B3", "W2", "T1", "2025-03-31", "2025-08-31"),
        ("B3", "W3", "T2", "2025-09-01", "2025-12-31"), ("B3", "W4", "T2", "2026-01-01", None),
        # B4: the same but W2 from 1 Apr 2025, the first day of the 12 months: 3.
        ("B4", "W1", "T1", "2024-01-01", "2025-03-31"), ("B4", "W2", "T1", "2025-04-01", "2025-08-31"),
        ("B4", "W3", "T2", "2025-09-01", "2025-12-31"), ("B4", "W4", "T2", "2026-01-01", None),
        # B6: W1, no worker in June, W2 (1 Jul: compared with W1, a change), W3 (1 Nov), back to W1
        # (1 Mar 2026: a change): 3.
        ("B6", "W1", "T1", "2025-01-01", "2025-05-31"), ("B6", "W2", "T1", "2025-07-01", "2025-10-31"),
        ("B6", "W3", "T2", "2025-11-01", "2026-02-28"), ("B6", "W1", "T1", "2026-03-01", None),
        # B7: W1 moves team on 1 Jul (same worker: not a change), then W2 (1 Nov): 1.
        ("B7", "W1", "T1", "2024-01-01", "2025-06-30"), ("B7", "W1", "T2", "2025-07-01", "2025-10-31"),
        ("B7", "W2", "T1", "2025-11-01", None),
        # B8: 3 changes (1 Jun, 1 Oct, 1 Feb) but the case closed on 31 March 2026.
        ("B8", "W1", "T1", "2024-01-01", "2025-05-31"), ("B8", "W2", "T1", "2025-06-01", "2025-09-30"),
        ("B8", "W3", "T2", "2025-10-01", "2026-01-31"), ("B8", "W4", "T2", "2026-02-01", None),
        # B9: W1 throughout, W2 covering in June (started later, so holds it): W2 on 1 Jun, back to
        # W1 on 1 Jul: 2.
        ("B9", "W1", "T1", "2025-01-01", None), ("B9", "W2", "T1", "2025-06-01", "2025-06-30"),
    ]
    return build({k: "2015-01-01" for k in kids}, cin=cin, involvements=involvements)


def test_worker_changes_march(changes):
    result, s, rows = run(changes, "worker_changes")
    # Open at 31 March 2026: all but B8. 3+ changes: B1, B4, B6 -> 3 of 7.
    assert nd(s) == (3, 7) and s.at["All", "value"] == pytest.approx(3 / 7)
    r = rows.set_index("person_id")
    assert r["changes"].to_dict() == {"B1": 3, "B2": 2, "B3": 2, "B4": 3, "B6": 3, "B7": 1, "B9": 2}
    assert r.at["B1", "last_change_date"] == T("2026-03-31")   # a change on the period end counts
    assert r.at["B2", "workers_in_window"] == 3 and not r.at["B2", "in_numerator"]
    # B6: W1 (holding the case on 1 April 2025), W2, W3 - and W1 again, the same person.
    assert r.at["B6", "workers_in_window"] == 3
    assert r.at["B4", "window_start"] == T("2025-04-01")
    assert r.at["B7", "last_change_date"] == T("2025-11-01")


def test_worker_changes_february(changes):
    _, s, rows = run(changes, "worker_changes", "2026-02")
    # 12 months from 1 March 2025 to 28 February 2026, all 8 open (B8 closes 31 March):
    # B1 2 (its 31 March 2026 change is later), B2 2, B3 3 (31 March 2025 now inside), B4 3,
    # B6 2 (back to W1 on 1 March 2026 is later), B7 1, B8 3, B9 2 -> B3, B4, B8: 3 of 8.
    assert nd(s) == (3, 8)
    assert sorted(rows.loc[rows["in_numerator"], "person_id"]) == ["B3", "B4", "B8"]


def test_worker_changes_by_team(changes):
    _, teams, _ = run(changes, "worker_changes", by="team")
    # Allocation at 31 March 2026: Team Two B1 (W4, yes), B2 (W3), B3 (W4), B4 (W4, yes);
    # Team One B6 (W1, yes), B7 (W2), B9 (W1).
    assert nd(teams, "Team Two") == (2, 4) and nd(teams, "Team One") == (1, 3)


def test_worker_changes_leap_year():
    # At 29 Feb 2028 the 12 months start on 1 March 2027.
    inv = [
        # Y1: W2 from 28 Feb 2027 (outside), W3 1 Jun, W4 1 Oct: 2.
        ("Y1", "W1", "T1", "2026-01-01", "2027-02-27"), ("Y1", "W2", "T1", "2027-02-28", "2027-05-31"),
        ("Y1", "W3", "T2", "2027-06-01", "2027-09-30"), ("Y1", "W4", "T2", "2027-10-01", None),
        # Y2: W2 from 1 Mar 2027 (inside), W3 1 Jun, W4 1 Oct: 3.
        ("Y2", "W1", "T1", "2026-01-01", "2027-02-28"), ("Y2", "W2", "T1", "2027-03-01", "2027-05-31"),
        ("Y2", "W3", "T2", "2027-06-01", "2027-09-30"), ("Y2", "W4", "T2", "2027-10-01", None),
    ]
    t = build({"Y1": "2015-01-01", "Y2": "2015-01-01"},
              cin=[("Y1", "2026-01-01", None, "N"), ("Y2", "2026-01-01", None, "N")], involvements=inv)
    _, s, rows = run(t, "worker_changes", "2028-02")
    assert nd(s) == (1, 2)
    assert rows.set_index("person_id")["changes"].to_dict() == {"Y1": 2, "Y2": 3}


# ---- registration and the cache's string types ---------------------------------------------

def test_registration():
    m = {x.id: x for x in registry.all_measures()}
    assert (m["unallocated"].unit, m["unallocated"].polarity, m["unallocated"].kind) == ("count", "low", "stock")
    assert (m["case_supervision"].unit, m["case_supervision"].polarity) == ("percent", "high")
    assert "ext_case_supervision" in m["case_supervision"].source_tables
    assert (m["caseload"].benchmark_key, m["caseload"].polarity) == ("Work_Force_AvgNumCase_SW", "none")
    assert (m["worker_changes"].unit, m["worker_changes"].polarity) == ("percent", "low")


def test_same_figures_with_the_cache_string_types(cases, changes):
    import pyarrow as pa
    periods = [period_for(p) for p in ("2026-02", "2026-03", "2026-04")]
    for tables, ids in ((cases, ("unallocated", "case_supervision", "caseload")), (changes, ("worker_changes",))):
        cached = {k: pa.Table.from_pandas(v, preserve_index=False).to_pandas() for k, v in tables.items()}
        for mid in ids:
            for by in (None, "team", "worker"):
                a = registry.get(mid).run(tables, periods, by)
                b = registry.get(mid).run(cached, periods, by)
                pd.testing.assert_frame_equal(a.summary, b.summary)
