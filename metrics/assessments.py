"""Child and family assessments: how many were completed, and how many within the timescale.

Measures (``../shared/spec/measures.md``):

- ``assessments``: assessments authorised in the period (count).
- ``assessment_timeliness``: of the assessments authorised in the period, the share with at most
  45 working days (a setting) from the start point to authorisation. The start point is a setting:
  the assessment start date (DfE CIN census, default) or the referral date (Working Together).

Both return one row per assessment behind the figures, labelled with its team, service and worker
(the team and worker recorded on the assessment).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from metrics.calendar import working_days_after
from metrics.lookups import child_name_array, child_names, label_org
from metrics.periods import Period
from metrics.registry import SUMMARY_COLUMNS, Measure, MeasureResult, register
from metrics.settings import MetricSettings

ROW_COLUMNS = [
    "period", "assessment_id", "referral_id", "person_id", "child_name", "service_id", "service",
    "team_id", "team", "worker_id", "worker", "group_id", "group", "referral_date",
    "assessment_start_date", "start_date", "auth_date", "working_days", "in_time", "start_missing",
    "in_denominator", "in_numerator", "child_seen",
]
ALL_ID, ALL_LABEL = "all", "All"


def completed_assessments(tables: Mapping[str, pd.DataFrame], settings: MetricSettings,
                          periods: list[Period] | None = None) -> pd.DataFrame:
    """Every authorised assessment with its clock start, working days and whether it was in time
    (with ``periods``: only those authorised in one of them)."""
    a = tables["ssd_cin_assessments"]
    a = a[a["cina_assessment_auth_date"].notna()]
    if periods is not None:
        auth = a["cina_assessment_auth_date"]
        keep = np.zeros(len(a), dtype=bool)
        for p in periods:
            keep |= p.contains(auth).to_numpy(dtype=bool)
        a = a[keep]
    out = pd.DataFrame({
        "assessment_id": a["cina_assessment_id"].to_numpy(),
        "referral_id": a["cina_referral_id"].to_numpy(),
        "person_id": a["cina_person_id"].to_numpy(),
        "team_code": a["cina_assessment_team"].to_numpy(),
        "worker_code": a["cina_assessment_worker_id"].to_numpy(),
        "assessment_start_date": a["cina_assessment_start_date"].dt.normalize().to_numpy(),
        "auth_date": a["cina_assessment_auth_date"].dt.normalize().to_numpy(),
        "child_seen": a["cina_assessment_child_seen"].fillna("").astype(str).str.upper().str.startswith("Y").to_numpy(),
    })
    episodes = tables.get("ssd_cin_episodes")
    if episodes is not None and len(episodes):
        ref_dates = pd.Series(
            episodes["cine_referral_date"].dt.normalize().to_numpy(),
            index=episodes["cine_referral_id"].to_numpy(),
        )
        ref_dates = ref_dates[~ref_dates.index.duplicated()]
        out["referral_date"] = ref_dates.reindex(out["referral_id"].to_numpy()).to_numpy()
    else:
        out["referral_date"] = pd.NaT
    start_col = "assessment_start_date" if settings.assessment_start_point == "assessment_start" else "referral_date"
    out["start_date"] = out[start_col]
    out["start_missing"] = out["start_date"].isna()
    out["working_days"] = working_days_after(out["start_date"], out["auth_date"])
    out["in_time"] = (out["working_days"] <= settings.assessment_timescale_working_days) & ~out["start_missing"]
    out["child_name"] = _child_names_of(tables, out["person_id"])
    out = label_org(out, tables, team_col="team_code", worker_col="worker_code")
    return out.drop(columns=["team_code", "worker_code"])


def _child_names_of(tables, person_ids: pd.Series) -> np.ndarray:
    """``child_names(tables).reindex(ids).fillna("")`` (which refuses repeated person IDs)."""
    names = child_names(tables)
    if names.index.has_duplicates:
        return names.reindex(person_ids.astype(str).to_numpy()).fillna("").to_numpy()
    return child_name_array(tables, person_ids.astype(str).to_numpy(dtype=object))


def _group(frame: pd.DataFrame, by: str | None) -> pd.DataFrame:
    if by is None:
        frame["group_id"], frame["group"] = ALL_ID, ALL_LABEL
    else:
        frame["group_id"], frame["group"] = frame[f"{by}_id"], frame[by]
    return frame


def _rows_in_periods(base: pd.DataFrame, periods: list[Period], by: str | None) -> pd.DataFrame:
    parts = []
    for p in periods:
        part = base[p.contains(base["auth_date"])].copy()
        part.insert(0, "period", p.label)
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True) if parts else base.iloc[0:0].assign(period="")
    return _group(rows, by)


def _summarise(rows: pd.DataFrame, periods: list[Period], *, count_only: bool) -> pd.DataFrame:
    g = rows.groupby(["period", "group_id", "group"], sort=False, observed=True)
    summary = g.agg(numerator=("in_numerator", "sum"), denominator=("in_denominator", "sum")).reset_index()
    summary["numerator"] = summary["numerator"].astype(int)
    summary["denominator"] = summary["denominator"].astype(int)
    if count_only:
        summary["value"] = summary["numerator"].astype(float)
        summary["denominator"] = np.nan
    else:
        den = summary["denominator"].astype(float)
        summary["value"] = np.where(den > 0, summary["numerator"] / den.where(den > 0, 1), np.nan)
    # Every period appears for the whole-authority figure, even with nothing in it.
    labels = [p.label for p in periods]
    if (rows["group_id"] == ALL_ID).all() or rows.empty:
        present = set(summary["period"])
        missing = [l for l in labels if l not in present]
        if missing:
            empty = pd.DataFrame({
                "period": missing, "group_id": ALL_ID, "group": ALL_LABEL,
                "numerator": 0, "denominator": np.nan if count_only else 0,
                "value": 0.0 if count_only else np.nan,
            })
            summary = pd.concat([summary, empty], ignore_index=True)
    order = {l: i for i, l in enumerate(labels)}
    summary = summary.sort_values(["period", "group"], key=lambda s: s.map(order) if s.name == "period" else s)
    return summary[SUMMARY_COLUMNS].reset_index(drop=True)


def compute_assessments(tables, periods, by, settings) -> MeasureResult:
    rows = _rows_in_periods(completed_assessments(tables, settings, periods), periods, by)
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return MeasureResult("assessments", _summarise(rows, periods, count_only=True), rows[ROW_COLUMNS])


def compute_timeliness(tables, periods, by, settings) -> MeasureResult:
    rows = _rows_in_periods(completed_assessments(tables, settings, periods), periods, by)
    # An assessment whose clock start is not recorded cannot be judged: it is listed, flagged,
    # and left out of both numerator and denominator.
    rows["in_denominator"] = ~rows["start_missing"]
    rows["in_numerator"] = rows["in_time"] & rows["in_denominator"]
    return MeasureResult("assessment_timeliness", _summarise(rows, periods, count_only=False), rows[ROW_COLUMNS])


ASSESSMENTS = register(Measure(
    id="assessments",
    title="Child and family assessments completed",
    unit="count",
    polarity="none",
    kind="flow",
    definition="The number of child and family assessments authorised (completed) in the period.",
    source_tables=("ssd_cin_assessments", "ssd_person", "ssd_department", "ssd_professionals"),
    compute=compute_assessments,
))

ASSESSMENT_TIMELINESS = register(Measure(
    id="assessment_timeliness",
    title="Assessments completed within 45 working days",
    unit="percent",
    polarity="high",
    kind="flow",
    definition=(
        "Of the child and family assessments authorised (completed) in the period, the share "
        "authorised within 45 working days of the clock start. Working days are Monday to Friday, "
        "excluding England and Wales bank holidays, counted from the day after the clock start up "
        "to and including the authorisation date. Assessments with no recorded clock start are "
        "listed but not counted."
    ),
    source_tables=("ssd_cin_assessments", "ssd_cin_episodes", "ssd_person", "ssd_department", "ssd_professionals"),
    compute=compute_timeliness,
    default_target=0.85,
    benchmark_key="Continue_Assess_Comp",
))


# ---- breakdowns for pages (pure functions over the rows above) --------------------------------

BREAKDOWN_COLUMNS = ["group_id", "group", "completed", "in_time", "out_of_time", "pct_in_time",
                     "median_working_days"]


def timeliness_breakdown(rows: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Completed, in time, out of time, % in time and median working days per group.

    ``by`` is None (one row, "All"), "service", "team" or "worker". Sorted best first."""
    counted = rows[rows["in_denominator"]].copy()
    if counted.empty:
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    if by is None:
        counted["gid"], counted["glabel"] = ALL_ID, ALL_LABEL
    else:
        counted["gid"], counted["glabel"] = counted[f"{by}_id"], counted[by]
    g = counted.groupby(["gid", "glabel"], sort=False)
    out = g.agg(
        completed=("in_denominator", "size"),
        in_time=("in_numerator", "sum"),
        median_working_days=("working_days", "median"),
    ).reset_index().rename(columns={"gid": "group_id", "glabel": "group"})
    out["completed"] = out["completed"].astype(int)
    out["in_time"] = out["in_time"].astype(int)
    out["out_of_time"] = out["completed"] - out["in_time"]
    out["pct_in_time"] = out["in_time"] / out["completed"]
    out = out.sort_values(["pct_in_time", "completed", "group"], ascending=[False, False, True], ignore_index=True)
    return out[BREAKDOWN_COLUMNS]


def duration_bands(rows: pd.DataFrame, limit: int = 45) -> pd.DataFrame:
    """How many counted assessments took 0, 1–10, 11–20, …, 41–45, 46–50, 51–60, 61+ working days.

    Every band is present (zero counts included), in order; ``limit`` marks the last in-time band."""
    edges = sorted({0, 10, 20, 30, 40, limit, limit + 5, 60})
    labels, bounds = ["0"], [(-np.inf, 0)]
    for lo, hi in zip(edges[:-1], edges[1:]):
        labels.append(f"{lo + 1}–{hi}")
        bounds.append((lo, hi))
    labels.append(f"{edges[-1] + 1}+")
    bounds.append((edges[-1], np.inf))
    wd = rows.loc[rows["in_denominator"], "working_days"].to_numpy(dtype=float)
    counts = [int(((wd > lo) & (wd <= hi)).sum()) for lo, hi in bounds]
    return pd.DataFrame({"band": labels, "count": counts})
