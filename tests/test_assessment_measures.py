"""Assessment measures on a hand-built authority. Every expected figure is worked out in the
comments from a 2026 calendar (bank holidays Fri 3 Apr, Mon 6 Apr, Mon 4 May; Christmas 2025:
Thu 25, Fri 26 Dec, Thu 1 Jan 2026)."""

import numpy as np
import pandas as pd
import pytest

from metrics import registry
from metrics.assessments import duration_bands, timeliness_breakdown
from metrics.periods import period_for
from metrics.registry import MeasureUnavailable
from metrics.settings import MetricSettings
from tests.source_fixtures import _frame

REFERRAL_START = MetricSettings(assessment_start_point="referral")


@pytest.fixture()
def tables():
    t = {}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Children's Social Care North"},
        {"dept_team_id": "T1", "dept_team_name": "Assessment Team A", "dept_team_parent_id": "S1",
         "dept_team_parent_name": "Children's Social Care North"},
        {"dept_team_id": "T2", "dept_team_name": "Assessment Team B", "dept_team_parent_id": "S1",
         "dept_team_parent_name": "Children's Social Care North"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_professional_name": "Sam Jones", "prof_professional_department": "T1"},
        {"prof_professional_id": "W2", "prof_professional_name": "Sam Jones", "prof_professional_department": "T2"},
        {"prof_professional_id": "W3", "prof_professional_name": "Alex Brown", "prof_professional_department": "T1"},
    ])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": f"C{i}", "pers_forename": f"Child{i}", "pers_surname": "Test", "pers_dob": "2015-01-01"}
        for i in range(1, 9)
    ])
    t["ssd_cin_episodes"] = _frame("ssd_cin_episodes", [
        {"cine_referral_id": "R1", "cine_person_id": "C1", "cine_referral_date": "2026-02-20"},  # Fri
        {"cine_referral_id": "R2", "cine_person_id": "C2", "cine_referral_date": "2026-03-02"},
        {"cine_referral_id": "R3", "cine_person_id": "C3", "cine_referral_date": "2025-12-19"},
        {"cine_referral_id": "R4", "cine_person_id": "C4", "cine_referral_date": "2026-01-26"},
        {"cine_referral_id": "R5", "cine_person_id": "C5", "cine_referral_date": "2026-01-26"},
        {"cine_referral_id": "R6", "cine_person_id": "C6", "cine_referral_date": "2026-01-01"},
        {"cine_referral_id": "R7", "cine_person_id": "C7", "cine_referral_date": None},  # not recorded
        {"cine_referral_id": "R8", "cine_person_id": "C8", "cine_referral_date": "2028-02-28"},
    ])
    rows = [
        # id, child, start, auth, team, worker
        ("A1", "C1", "2026-03-02", "2026-05-07", "T1", "W1"),        # 45 WD: in time (day 45)
        ("A2", "C2", "2026-03-02", "2026-05-08", "T1", "W3"),        # 46 WD: out of time (day 46)
        ("A3", "C3", "2025-12-19", "2026-01-02", "T2", "W2"),        # 3 + 3 + 1 = 7 WD over Christmas
        ("A4", "C4", "2026-01-26", "2026-01-31 23:30", "T2", "W2"),  # 4 WD, authorised late on 31 Jan
        ("A5", "C5", "2026-01-26", "2026-02-01 00:00", "T2", "W2"),  # 4 WD, but it is February
        ("A6", "C6", "2026-01-01", None, "T1", "W1"),                # still open: never counted
        ("A7", "C7", "2026-04-30", "2026-05-07", "T1", "W1"),        # 1 May, (4 May off), 5-7 May = 4 WD
        ("A8", "C8", "2028-02-28", "2028-03-01", "T1", "W1"),        # 29 Feb, 1 Mar = 2 WD (leap year)
    ]
    t["ssd_cin_assessments"] = _frame("ssd_cin_assessments", [
        {"cina_assessment_id": a, "cina_person_id": c, "cina_referral_id": "R" + a[1:],
         "cina_assessment_start_date": s, "cina_assessment_auth_date": e, "cina_assessment_team": team,
         "cina_assessment_worker_id": w, "cina_assessment_child_seen": "Y" if a != "A2" else "N"}
        for a, c, s, e, team, w in rows
    ])
    return t


def summary(tables, measure_id, label, ptype="month", by=None, settings=None):
    result = registry.get(measure_id).run(tables, [period_for(label, ptype)], by, settings)
    return result, result.summary.set_index("group")


def test_day_45_is_in_time_and_day_46_is_not(tables):
    result, s = summary(tables, "assessment_timeliness", "2026-05")
    # May 2026: A1 (45, in), A2 (46, out), A7 (4, in) -> 2 of 3
    assert (s.at["All", "numerator"], s.at["All", "denominator"]) == (2, 3)
    assert s.at["All", "value"] == pytest.approx(2 / 3)
    wd = result.rows.set_index("assessment_id")["working_days"]
    assert (wd["A1"], wd["A2"], wd["A7"]) == (45, 46, 4)


def test_month_boundary_and_christmas(tables):
    result, s = summary(tables, "assessment_timeliness", "2026-01")
    # January: A3 (7 WD) and A4 (authorised 23:30 on 31 Jan); A5 falls in February.
    assert sorted(result.rows["assessment_id"]) == ["A3", "A4"]
    assert (s.at["All", "numerator"], s.at["All", "denominator"]) == (2, 2)
    assert result.rows.set_index("assessment_id").at["A3", "working_days"] == 7
    _, feb = summary(tables, "assessment_timeliness", "2026-02")
    assert (feb.at["All", "numerator"], feb.at["All", "denominator"]) == (1, 1)


def test_open_assessments_are_not_counted(tables):
    for label in ("2026-01", "2026-02", "2026-05", "2026-10"):
        result, _ = summary(tables, "assessment_timeliness", label)
        assert "A6" not in set(result.rows["assessment_id"])


def test_leap_year(tables):
    result, s = summary(tables, "assessment_timeliness", "2028-03")
    assert result.rows["working_days"].tolist() == [2]
    assert s.at["All", "value"] == 1.0


def test_referral_start_point(tables):
    result, s = summary(tables, "assessment_timeliness", "2026-05", settings=REFERRAL_START)
    # From referral: A1 from Fri 20 Feb: 23-27 Feb (5) + 2 Mar (1) + 45 = 51 -> out of time.
    # A2 from 2 Mar = 46 -> out. A7 has no referral date: listed, flagged, not counted.
    wd = result.rows.set_index("assessment_id")
    assert wd.at["A1", "working_days"] == 51 and wd.at["A2", "working_days"] == 46
    assert wd.at["A7", "start_missing"] and not wd.at["A7", "in_denominator"]
    assert (s.at["All", "numerator"], s.at["All", "denominator"]) == (0, 2)


def test_by_team_and_worker_with_duplicate_names(tables):
    _, teams = summary(tables, "assessment_timeliness", "2026-05", by="team")
    assert list(teams.index) == ["Assessment Team A"]
    assert teams.at["Assessment Team A", "group_id"] == "T1"
    _, workers = summary(tables, "assessment_timeliness", "2026-05", by="worker")
    # Two workers are called Sam Jones: both shown with their ID.
    assert workers.at["Sam Jones (W1)", "numerator"] == 2 and workers.at["Sam Jones (W1)", "denominator"] == 2
    assert workers.at["Alex Brown", "numerator"] == 0 and workers.at["Alex Brown", "denominator"] == 1
    _, jan = summary(tables, "assessment_timeliness", "2026-01", by="worker")
    assert list(jan.index) == ["Sam Jones (W2)"]
    _, service = summary(tables, "assessment_timeliness", "2026-05", by="service")
    assert list(service.index) == ["Children's Social Care North"]


@pytest.mark.parametrize("label,ptype,num,den", [
    ("2026-05", "quarter", 2, 3),     # Apr-Jun 2026: A1, A2, A7
    ("2026-03", "year", 3, 3),        # 2025-26: A3, A4, A5
    ("2026-05", "rolling12", 5, 6),   # Jun 2025 - May 2026: everything but A6 and A8
])
def test_longer_periods(tables, label, ptype, num, den):
    _, s = summary(tables, "assessment_timeliness", label, ptype)
    assert (s.at["All", "numerator"], s.at["All", "denominator"]) == (num, den)


def test_empty_month_still_has_a_row(tables):
    _, s = summary(tables, "assessment_timeliness", "2026-03")
    assert s.at["All", "denominator"] == 0 and np.isnan(s.at["All", "value"])
    _, c = summary(tables, "assessments", "2026-03")
    assert c.at["All", "value"] == 0


def test_count_of_assessments(tables):
    _, s = summary(tables, "assessments", "2026-05")
    assert s.at["All", "value"] == 3 and np.isnan(s.at["All", "denominator"])


def test_several_periods_at_once(tables):
    periods = [period_for(m) for m in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")]
    s = registry.get("assessment_timeliness").run(tables, periods).summary
    assert s["period"].tolist() == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert s["denominator"].tolist() == [2, 1, 0, 0, 3]


def test_breakdown_and_bands(tables):
    result, _ = summary(tables, "assessment_timeliness", "2026-05")
    b = timeliness_breakdown(result.rows, "worker").set_index("group")
    assert b.at["Sam Jones (W1)", "completed"] == 2 and b.at["Sam Jones (W1)", "in_time"] == 2
    assert b.at["Sam Jones (W1)", "median_working_days"] == 24.5  # (45 + 4) / 2
    assert b.at["Alex Brown", "out_of_time"] == 1 and b.at["Alex Brown", "pct_in_time"] == 0
    assert list(b.index) == ["Sam Jones (W1)", "Alex Brown"]  # best first
    bands = duration_bands(result.rows).set_index("band")["count"]
    assert (bands["1–10"], bands["41–45"], bands["46–50"]) == (1, 1, 1)
    assert bands.sum() == 3


def test_child_rows_carry_names_and_child_seen(tables):
    result, _ = summary(tables, "assessment_timeliness", "2026-05")
    rows = result.rows.set_index("assessment_id")
    assert rows.at["A1", "child_name"] == "Child1 Test"
    assert not rows.at["A2", "child_seen"] and rows.at["A1", "child_seen"]


def test_missing_table_says_not_available(tables):
    del tables["ssd_cin_assessments"]
    with pytest.raises(MeasureUnavailable, match="not available from this source"):
        registry.get("assessment_timeliness").run(tables, [period_for("2026-05")])
