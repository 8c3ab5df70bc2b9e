"""Children on a CIN plan at the period end, on a hand-built authority. Expected figures are
worked out in the comments."""

import numpy as np
import pandas as pd
import pytest

from metrics import registry
from metrics.periods import period_for
from metrics.registry import MeasureUnavailable
from tests.source_fixtures import _frame


@pytest.fixture()
def tables():
    t = {}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Family Support"},
        {"dept_team_id": "T1", "dept_team_name": "CIN Team A", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "CIN Team B", "dept_team_parent_id": "S1"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_professional_name": "Sam Jones", "prof_professional_department": "T1"},
        {"prof_professional_id": "W2", "prof_professional_name": "Ann Lee", "prof_professional_department": "T2"},
    ])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": f"C{i}", "pers_forename": f"Child{i}", "pers_surname": "Test"} for i in range(1, 7)
    ])
    t["ssd_involvements"] = _frame("ssd_involvements", [
        {"invo_involvements_id": "I1", "invo_person_id": "C1", "invo_professional_id": "W1",
         "invo_professional_team": "T1", "invo_involvement_start_date": "2025-06-01"},
        # C3 allocated to W2 (Team B) from 31 Mar, although the plan records Team A.
        {"invo_involvements_id": "I3", "invo_person_id": "C3", "invo_professional_id": "W2",
         "invo_professional_team": "T2", "invo_involvement_start_date": "2026-03-31"},
    ])
    t["ssd_cin_plans"] = _frame("ssd_cin_plans", [
        {"cinp_cin_plan_id": pid, "cinp_person_id": child, "cinp_cin_plan_start_date": s,
         "cinp_cin_plan_end_date": e, "cinp_cin_plan_team": "T1", "cinp_cin_plan_worker_id": "W1"}
        for pid, child, s, e in [
            ("N1", "C1", "2026-01-01", None),
            ("N2", "C2", "2026-01-01", "2026-03-31"),   # ends on 31 Mar: not open at 31 Mar
            ("N3", "C3", "2026-03-31", None),           # starts on 31 Mar: open at 31 Mar
            ("N4", "C4", "2026-04-01", None),
            ("N5", "C1", "2026-02-01", "2026-06-30"),   # C1's second open plan: counted once
            ("N6", "C5", "2025-01-01", "2025-12-31"),   # closed before 2026
            ("N7", "C6", "2028-02-29", None),           # starts on leap day
        ]
    ])
    return t


def summary(tables, label, ptype="month", by=None):
    result = registry.get("cin_plans").run(tables, [period_for(label, ptype)], by)
    return result, result.summary.set_index("group")


def test_open_at_month_end(tables):
    result, s = summary(tables, "2026-03")
    # 31 Mar: C1 (N1, N5) and C3 (N3). N2 ends that day; N4 starts the next day -> 2 children.
    assert s.at["All", "value"] == 2 and np.isnan(s.at["All", "denominator"])
    rows = result.rows.set_index("person_id")
    assert sorted(rows.index) == ["C1", "C3"]
    assert rows.at["C1", "open_plans"] == 2 and rows.at["C1", "cin_plan_id"] == "N5"
    assert rows.at["C3", "days_on_plan"] == 0


def test_several_months_and_an_empty_one(tables):
    periods = [period_for(m) for m in ("2025-12", "2026-01", "2026-02", "2026-03", "2026-04")]
    s = registry.get("cin_plans").run(tables, periods).summary
    # 31 Dec 2025: N6 ended that day -> 0. 31 Jan: C1, C2. 28 Feb: C1, C2. 31 Mar: C1, C3.
    # 30 Apr: C1, C3, C4.
    assert s["period"].tolist() == ["2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    assert s["value"].tolist() == [0, 2, 2, 2, 3]


def test_leap_day(tables):
    # 29 Feb 2028: C1 (N1), C3 (N3), C4 (N4) are still open, and C6 (N7 starts that day) -> 4.
    result, s = summary(tables, "2028-02")
    assert s.at["All", "value"] == 4
    assert "C6" in set(result.rows["person_id"])
    _, jan = summary(tables, "2028-01")
    assert jan.at["All", "value"] == 3  # before N7 starts


def test_year_is_the_position_at_31_march(tables):
    _, s = summary(tables, "2026-03", "year")
    assert s.at["All", "value"] == 2


def test_grouped_by_allocation_at_period_end(tables):
    result, s = summary(tables, "2026-03", by="team")
    # C1 with W1 (Team A); C3 with W2 (Team B) on 31 Mar, although the plan records Team A.
    assert s.at["CIN Team A", "value"] == 1 and s.at["CIN Team B", "value"] == 1
    rows = result.rows.set_index("person_id")
    assert rows.at["C3", "team_id"] == "T2" and rows.at["C3", "plan_team_id"] == "T1"
    _, workers = summary(tables, "2026-04", by="worker")
    assert workers.at["Worker not recorded", "value"] == 1  # C4 never allocated
    _, service = summary(tables, "2026-04", by="service")
    assert list(service.index) == ["Family Support", "Service not recorded"]


def test_missing_table(tables):
    del tables["ssd_cin_plans"]
    with pytest.raises(MeasureUnavailable, match="not available from this source"):
        registry.get("cin_plans").run(tables, [period_for("2026-03")])


def test_registration():
    m = registry.get("cin_plans")
    assert (m.unit, m.polarity, m.kind, m.benchmark_key) == ("count", "none", "stock", "CIN")


MEASURES = ["cin_plans"]
MONTHS = ["2026-03", "2028-02"]

def test_same_figures_with_the_cache_string_types(tables):
    # The Parquet cache hands measures pandas "str" columns, not the object columns built here.
    import pyarrow as pa
    cached = {k: pa.Table.from_pandas(v, preserve_index=False).to_pandas() for k, v in tables.items()}
    periods = [period_for(m) for m in MONTHS]
    for mid in MEASURES:
        for by in (None, "team", "worker"):
            a = registry.get(mid).run(tables, periods, by)
            b = registry.get(mid).run(cached, periods, by)
            pd.testing.assert_frame_equal(a.summary, b.summary)
            assert a.rows["in_numerator"].tolist() == b.rows["in_numerator"].tolist()
