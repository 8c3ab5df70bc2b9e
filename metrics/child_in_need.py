"""Children in need: how many children are on a CIN plan.

Measures (``../shared/spec/measures.md``, "Child in need"):

- ``cin_plans``: distinct children with a CIN plan open at the period end (count, stock), grouped
  by the child's allocated team and worker at the period end. The team and worker recorded on
  the plan are listed alongside.

(``cin_visits`` and ``cin_reviews`` live in ``metrics.visits``.)
"""

from __future__ import annotations

import pandas as pd

from metrics.child_protection import children_open_at
from metrics.front_door import BASE_COLUMNS, ORG_TABLES, day, finish
from metrics.registry import Measure, MeasureResult, register

ROW_COLUMNS = [*BASE_COLUMNS, "as_at", "cin_plan_id", "referral_id", "plan_start_date", "plan_end_date",
               "days_on_plan", "open_plans", "plan_team_id", "plan_worker_id"]


def _all_plans(tables) -> pd.DataFrame:
    p = tables["ssd_cin_plans"]
    p = p[p["cinp_cin_plan_start_date"].notna()]
    return pd.DataFrame({
        "cin_plan_id": p["cinp_cin_plan_id"].astype(str).to_numpy(),
        "referral_id": p["cinp_referral_id"].to_numpy(),
        "person_id": p["cinp_person_id"].astype(str).to_numpy(),
        "plan_start_date": day(p["cinp_cin_plan_start_date"]).to_numpy(),
        "plan_end_date": day(p["cinp_cin_plan_end_date"]).to_numpy(),
        "plan_team_id": p["cinp_cin_plan_team"].to_numpy(),
        "plan_worker_id": p["cinp_cin_plan_worker_id"].to_numpy(),
    })


def compute_cin_plans(tables, periods, by, settings) -> MeasureResult:
    rows = children_open_at(_all_plans(tables), periods, tables, id_col="cin_plan_id")
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return finish("cin_plans", rows, periods, by, ROW_COLUMNS, count_only=True)


CIN_PLANS = register(Measure(
    id="cin_plans",
    title="Children on a CIN plan",
    unit="count",
    polarity="none",
    kind="stock",
    definition=(
        "The number of children with a child in need (CIN) plan open at the end of the period: "
        "started on or before the last day, with no end date or an end date after it (a plan "
        "ending on the last day is not counted). A child with two open plans counts once. "
        "Grouped by the child's allocated team and worker at the period end."
    ),
    source_tables=("ssd_cin_plans", *ORG_TABLES),
    optional_tables=("ssd_involvements",),
    compute=compute_cin_plans,
    benchmark_key="CIN",
))
