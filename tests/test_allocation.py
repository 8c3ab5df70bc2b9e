import pandas as pd

from metrics.allocation import allocation_on, label_by_allocation
from tests.source_fixtures import _frame


def tables():
    return {
        "ssd_department": _frame("ssd_department", [
            {"dept_team_id": "S1", "dept_team_name": "Service"},
            {"dept_team_id": "T1", "dept_team_name": "Team One", "dept_team_parent_id": "S1"},
            {"dept_team_id": "T2", "dept_team_name": "Team Two", "dept_team_parent_id": "S1"},
        ]),
        "ssd_professionals": _frame("ssd_professionals", [
            {"prof_professional_id": "W1", "prof_professional_name": "Ann Lee"},
            {"prof_professional_id": "W2", "prof_professional_name": "Bo Chan"},
        ]),
        "ssd_involvements": _frame("ssd_involvements", [
            # C1 moves from W1/T1 to W2/T2 on 1 March 2026 (W1's allocation ends 28 Feb).
            {"invo_involvements_id": "I1", "invo_person_id": "C1", "invo_professional_id": "W1",
             "invo_professional_team": "T1", "invo_involvement_start_date": "2025-06-01",
             "invo_involvement_end_date": "2026-02-28"},
            {"invo_involvements_id": "I2", "invo_person_id": "C1", "invo_professional_id": "W2",
             "invo_professional_team": "T2", "invo_involvement_start_date": "2026-03-01"},
            # C2's allocation ended; C3 never allocated.
            {"invo_involvements_id": "I3", "invo_person_id": "C2", "invo_professional_id": "W1",
             "invo_professional_team": "T1", "invo_involvement_start_date": "2025-01-01",
             "invo_involvement_end_date": "2025-12-31"},
        ]),
    }


def test_allocation_on_dates():
    out = allocation_on(tables(), ["C1", "C1", "C1", "C2", "C2", "C3"],
                        pd.to_datetime(["2026-02-28", "2026-03-01", "2025-05-31", "2025-12-31", "2026-01-01", "2026-01-01"]))
    assert out["worker_id"].tolist() == ["W1", "W2", "", "W1", "", ""]
    assert out["team_id"].tolist() == ["T1", "T2", "", "T1", "", ""]


def test_labels():
    rows = pd.DataFrame({"person_id": ["C1", "C3"], "d": pd.to_datetime(["2026-03-31", "2026-03-31"])})
    out = label_by_allocation(rows, tables(), date_col="d")
    assert out["worker"].tolist() == ["Bo Chan", "Worker not recorded"]
    assert out["team"].tolist() == ["Team Two", "Team not recorded"]
    assert out["service"].tolist()[0] == "Service"
