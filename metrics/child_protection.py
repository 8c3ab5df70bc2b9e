"""Assessments still open, section 47 enquiries, initial child protection conferences and child
protection plans.

Measures (``../shared/spec/measures.md``, "Assessment, section 47 and child protection"):

- ``assessment_child_seen``: of the assessments authorised in the period, the share where the
  child was seen (flag Y).
- ``assessments_overdue``: assessments open (not authorised) at the period end whose clock start
  is more than 45 working days (the assessment timescale setting) before the period end.
- ``s47``: section 47 enquiries starting (strategy discussion) in the period.
- ``icpc_timeliness``: of the ICPCs held in the period, excluding transfer-in conferences, the
  share held within 15 working days of the start of the section 47 enquiry.
- ``icpc_to_plan``: of the ICPCs held in the period, the share resulting in a CP plan.
- ``cp_plans``: children with a CP plan open at the period end.
- ``cp_repeat``: of the CP plans starting in the period, the share where the child had an earlier
  plan.
- ``cp_long``: of the CP plans ending in the period, the share that lasted 2 years or more.

Grouping: events recording a team and worker (assessments, S47s, ICPCs) by those; CP plans, which
record neither, by the child's allocation on the plan start (cp_repeat) or end (cp_long) date;
stock measures (assessments_overdue, cp_plans) by the allocation at the period end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# front_door first: importing a module registers its measures, and the registry keeps catalogue order.
from metrics.front_door import (  # isort: skip
    BASE_COLUMNS, ORG_TABLES, add_child_names, day, events_in_periods, finish, in_any_period,
    label_allocated, label_recorded, open_at, yes_flag,
)
from metrics.assessments import completed_assessments  # isort: skip
from metrics.calendar import add_working_days, working_days_after
from metrics.periods import Period
from metrics.registry import Measure, MeasureResult, register

ICPC_TIMESCALE_WORKING_DAYS = 15   # ICPC within 15 working days of the strategy discussion
CP_LONG_YEARS = 2                  # cp_long: plans lasting 2 years or more

_ALLOCATION = ("ssd_involvements",)


# ---- assessments --------------------------------------------------------------------------------

SEEN_COLUMNS = [*BASE_COLUMNS, "assessment_id", "referral_id", "assessment_start_date", "auth_date",
                "child_seen_recorded", "child_seen"]


def compute_child_seen(tables, periods, by, settings) -> MeasureResult:
    base = completed_assessments(tables, settings, periods)
    base = base[in_any_period(base["auth_date"], periods)]
    a = tables["ssd_cin_assessments"]
    recorded = pd.Series(a["cina_assessment_child_seen"].to_numpy(), index=a["cina_assessment_id"].astype(str).to_numpy())
    recorded = recorded[~recorded.index.duplicated()]
    base = base.assign(child_seen_recorded=recorded.reindex(base["assessment_id"].astype(str).to_numpy()).to_numpy())
    rows = events_in_periods(base, periods, "auth_date")
    # A blank "child seen" is not a yes: the assessment counts, the child is not recorded as seen.
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["child_seen"].astype(bool)
    return finish("assessment_child_seen", rows, periods, by, SEEN_COLUMNS, count_only=False)


OVERDUE_COLUMNS = [*BASE_COLUMNS, "as_at", "assessment_id", "referral_id", "assessment_start_date",
                   "referral_date", "start_date", "due_date", "working_days", "start_missing", "overdue",
                   "assessment_team_id", "assessment_worker_id"]


def compute_overdue(tables, periods, by, settings) -> MeasureResult:
    a = tables["ssd_cin_assessments"]
    base = pd.DataFrame({
        "assessment_id": a["cina_assessment_id"].astype(str).to_numpy(),
        "referral_id": a["cina_referral_id"].to_numpy(),
        "person_id": a["cina_person_id"].astype(str).to_numpy(),
        "assessment_start_date": day(a["cina_assessment_start_date"]).to_numpy(),
        "auth_date": day(a["cina_assessment_auth_date"]).to_numpy(),
        "assessment_team_id": a["cina_assessment_team"].to_numpy(),
        "assessment_worker_id": a["cina_assessment_worker_id"].to_numpy(),
    })
    # Open at some period end: started on or before it and not authorised on or before it.
    keep = np.zeros(len(base), dtype=bool)
    for p in periods:
        keep |= open_at(base["assessment_start_date"], base["auth_date"], p.end)
    base = base[keep].reset_index(drop=True)
    episodes = tables.get("ssd_cin_episodes")
    if episodes is not None and len(episodes):
        ref = pd.Series(day(episodes["cine_referral_date"]).to_numpy(), index=episodes["cine_referral_id"].astype(str).to_numpy())
        ref = ref[~ref.index.duplicated()]
        base["referral_date"] = ref.reindex(base["referral_id"].astype(str).to_numpy()).to_numpy()
    else:
        base["referral_date"] = pd.NaT
    start_col = "assessment_start_date" if settings.assessment_start_point == "assessment_start" else "referral_date"
    base["start_date"] = pd.to_datetime(base[start_col])
    base["start_missing"] = base["start_date"].isna()
    limit = settings.assessment_timescale_working_days
    base["due_date"] = add_working_days(base["start_date"], limit) if len(base) else pd.Series(dtype="datetime64[ns]")
    base = add_child_names(base, tables)
    parts = []
    for p in periods:
        part = base[open_at(base["assessment_start_date"], base["auth_date"], p.end)].copy()
        part.insert(0, "period", p.label)
        part["as_at"] = p.end
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True) if parts else base.assign(period="", as_at=pd.NaT)
    rows["working_days"] = working_days_after(rows["start_date"], rows["as_at"])
    rows = label_allocated(rows, tables, date_col="as_at")  # once for every period: one merge
    rows["overdue"] = (rows["working_days"] > limit) & ~rows["start_missing"]
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["overdue"]
    return finish("assessments_overdue", rows, periods, by, OVERDUE_COLUMNS, count_only=True)


# ---- section 47 and ICPCs -----------------------------------------------------------------------

S47_COLUMNS = [*BASE_COLUMNS, "s47_id", "referral_id", "s47_start_date", "s47_end_date", "s47_nfa"]


def compute_s47(tables, periods, by, settings) -> MeasureResult:
    s = tables["ssd_s47_enquiry"]
    s = s[in_any_period(s["s47e_s47_start_date"], periods)]
    base = pd.DataFrame({
        "s47_id": s["s47e_s47_enquiry_id"].astype(str).to_numpy(),
        "referral_id": s["s47e_referral_id"].to_numpy(),
        "person_id": s["s47e_person_id"].astype(str).to_numpy(),
        "s47_start_datetime": s["s47e_s47_start_date"].to_numpy(),
        "s47_start_date": day(s["s47e_s47_start_date"]).to_numpy(),
        "s47_end_date": day(s["s47e_s47_end_date"]).to_numpy(),
        "s47_nfa": yes_flag(s["s47e_s47_nfa"]),
        "team_code": s["s47e_s47_completed_by_team"].to_numpy(),
        "worker_code": s["s47e_s47_completed_by_worker_id"].to_numpy(),
    })
    base = label_recorded(add_child_names(base, tables), tables, team_col="team_code", worker_col="worker_code")
    rows = events_in_periods(base, periods, "s47_start_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return finish("s47", rows, periods, by, S47_COLUMNS, count_only=True)


ICPC_COLUMNS = [*BASE_COLUMNS, "icpc_id", "s47_id", "cp_plan_id", "icpc_date", "transfer_in"]


def _icpcs(tables, periods: list[Period]) -> pd.DataFrame:
    c = tables["ssd_initial_cp_conference"]
    c = c[in_any_period(c["icpc_icpc_date"], periods)]
    base = pd.DataFrame({
        "icpc_id": c["icpc_icpc_id"].astype(str).to_numpy(),
        "s47_id": c["icpc_s47_enquiry_id"].fillna("").astype(str).to_numpy(),
        "person_id": c["icpc_person_id"].astype(str).to_numpy(),
        "cp_plan_id": c["icpc_cp_plan_id"].fillna("").astype(str).to_numpy(),
        "icpc_datetime": c["icpc_icpc_date"].to_numpy(),
        "icpc_date": day(c["icpc_icpc_date"]).to_numpy(),
        "transfer_in": yes_flag(c["icpc_icpc_transfer_in"]),
        "outcome_cp_flag": c["icpc_icpc_outcome_cp_flag"].to_numpy(),
        "team_code": c["icpc_icpc_team"].to_numpy(),
        "worker_code": c["icpc_icpc_worker_id"].to_numpy(),
    })
    return label_recorded(add_child_names(base, tables), tables, team_col="team_code", worker_col="worker_code")


def _bands(wd: pd.Series) -> np.ndarray:
    """The DfE bands of working days from strategy discussion to ICPC (10_ICPC ... 21_ICPC)."""
    w = wd.to_numpy(dtype=float)
    return np.select([np.isnan(w), w <= 10, w <= 15, w <= 20], ["", "0-10", "11-15", "16-20"], "21+")


def compute_icpc_timeliness(tables, periods, by, settings) -> MeasureResult:
    base = _icpcs(tables, periods)
    s = tables["ssd_s47_enquiry"]
    starts = pd.Series(day(s["s47e_s47_start_date"]).to_numpy(), index=s["s47e_s47_enquiry_id"].astype(str).to_numpy())
    starts = starts[~starts.index.duplicated()]
    base["s47_start_date"] = starts.reindex(base["s47_id"].to_numpy()).to_numpy()
    base["working_days"] = working_days_after(base["s47_start_date"], base["icpc_date"])
    base["band"] = _bands(base["working_days"])
    base["s47_start_missing"] = base["s47_start_date"].isna()
    base["in_time"] = (base["working_days"] <= ICPC_TIMESCALE_WORKING_DAYS) & ~base["s47_start_missing"]
    rows = events_in_periods(base, periods, "icpc_datetime")
    # Transfer-in conferences are listed but not counted; so are ICPCs whose S47 start is unknown.
    rows["in_denominator"] = ~rows["transfer_in"] & ~rows["s47_start_missing"]
    rows["in_numerator"] = rows["in_time"] & rows["in_denominator"]
    return finish("icpc_timeliness", rows, periods, by,
                  [*ICPC_COLUMNS, "s47_start_date", "working_days", "band", "s47_start_missing", "in_time"],
                  count_only=False)


def compute_icpc_to_plan(tables, periods, by, settings) -> MeasureResult:
    base = _icpcs(tables, periods)
    flag = base["outcome_cp_flag"].astype(object).where(base["outcome_cp_flag"].notna(), "").astype(str).str.strip()
    base["outcome_recorded"] = flag.to_numpy()
    # The conference's recorded outcome decides; where it is blank, a CP plan linked to the
    # conference (by the ICPC's plan ID, or a plan naming this ICPC) means a plan was made.
    linked = base["cp_plan_id"] != ""
    plans = tables.get("ssd_cp_plans")
    if plans is not None and len(plans):
        named = pd.Index(plans["cppl_icpc_id"].dropna().astype(str).unique())
        linked = linked | (named.get_indexer(base["icpc_id"].to_numpy()) >= 0)
    base["plan_linked"] = np.asarray(linked, dtype=bool)
    base["plan_outcome"] = np.where(flag != "", yes_flag(flag), base["plan_linked"])
    rows = events_in_periods(base, periods, "icpc_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["plan_outcome"].astype(bool)
    return finish("icpc_to_plan", rows, periods, by,
                  [*ICPC_COLUMNS, "outcome_recorded", "plan_linked", "plan_outcome"], count_only=False)


# ---- CP plans -----------------------------------------------------------------------------------

PLAN_COLUMNS = [*BASE_COLUMNS, "cp_plan_id", "plan_start_date", "plan_end_date", "initial_category",
                "latest_category"]


def _all_plans(tables) -> pd.DataFrame:
    p = tables["ssd_cp_plans"]
    p = p[p["cppl_cp_plan_start_date"].notna()]
    return pd.DataFrame({
        "cp_plan_id": p["cppl_cp_plan_id"].astype(str).to_numpy(),
        "person_id": p["cppl_person_id"].astype(str).to_numpy(),
        "start_datetime": p["cppl_cp_plan_start_date"].to_numpy(),
        "end_datetime": p["cppl_cp_plan_end_date"].to_numpy(),
        "plan_start_date": day(p["cppl_cp_plan_start_date"]).to_numpy(),
        "plan_end_date": day(p["cppl_cp_plan_end_date"]).to_numpy(),
        "initial_category": p["cppl_cp_plan_initial_category"].to_numpy(),
        "latest_category": p["cppl_cp_plan_latest_category"].to_numpy(),
    })


def children_open_at(plans: pd.DataFrame, periods: list[Period], tables, *, id_col: str) -> pd.DataFrame:
    """One row per child per period with a plan open at the period end (the latest-started open
    plan; ``open_plans`` says how many), labelled by the allocation at the period end."""
    parts = []
    for p in periods:
        part = plans[open_at(plans["plan_start_date"], plans["plan_end_date"], p.end)]
        part = part.sort_values(["person_id", "plan_start_date", id_col])
        counts = part.groupby("person_id", sort=False).size()
        part = part.drop_duplicates("person_id", keep="last").copy()
        part["open_plans"] = counts.reindex(part["person_id"].to_numpy()).to_numpy()
        part.insert(0, "period", p.label)
        part["as_at"] = p.end
        part["days_on_plan"] = (part["as_at"] - part["plan_start_date"]).dt.days
        parts.append(part)
    rows = pd.concat(parts, ignore_index=True)
    return label_allocated(add_child_names(rows, tables), tables, date_col="as_at")


def compute_cp_plans(tables, periods, by, settings) -> MeasureResult:
    rows = children_open_at(_all_plans(tables), periods, tables, id_col="cp_plan_id")
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return finish("cp_plans", rows, periods, by,
                  [*PLAN_COLUMNS, "as_at", "days_on_plan", "open_plans"], count_only=True)


def compute_cp_repeat(tables, periods, by, settings) -> MeasureResult:
    plans = _all_plans(tables)
    # Earlier plans: the child's plans starting on an earlier day (whole history).
    plans["previous_plans"] = (plans.groupby("person_id")["plan_start_date"].rank(method="min") - 1).astype(int)
    days = plans[["person_id", "plan_start_date"]].drop_duplicates().sort_values(["person_id", "plan_start_date"])
    days["previous_plan_start_date"] = days.groupby("person_id", sort=False)["plan_start_date"].shift()
    plans = plans.merge(days, on=["person_id", "plan_start_date"], how="left")
    base = plans[in_any_period(plans["start_datetime"], periods)]
    base = label_allocated(add_child_names(base.reset_index(drop=True), tables), tables, date_col="plan_start_date")
    rows = events_in_periods(base, periods, "start_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["previous_plans"] > 0
    return finish("cp_repeat", rows, periods, by,
                  [*PLAN_COLUMNS, "previous_plans", "previous_plan_start_date"], count_only=False)


def compute_cp_long(tables, periods, by, settings) -> MeasureResult:
    plans = _all_plans(tables)
    base = plans[in_any_period(plans["end_datetime"], periods)].reset_index(drop=True)
    base["two_years_on"] = base["plan_start_date"] + pd.DateOffset(years=CP_LONG_YEARS)
    base["duration_days"] = (base["plan_end_date"] - base["plan_start_date"]).dt.days
    base["two_years_or_more"] = base["plan_end_date"] >= base["two_years_on"]
    base = label_allocated(add_child_names(base, tables), tables, date_col="plan_end_date")
    rows = events_in_periods(base, periods, "end_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["two_years_or_more"]
    return finish("cp_long", rows, periods, by,
                  [*PLAN_COLUMNS, "duration_days", "two_years_on", "two_years_or_more"], count_only=False)


# ---- registration -------------------------------------------------------------------------------

ASSESSMENT_CHILD_SEEN = register(Measure(
    id="assessment_child_seen",
    title="Assessments where the child was seen",
    unit="percent",
    polarity="high",
    kind="flow",
    definition=(
        "Of the child and family assessments authorised (completed) in the period, the share "
        "where the child was recorded as seen during the assessment (child seen = Y). An "
        "assessment with nothing recorded counts as not seen."
    ),
    source_tables=("ssd_cin_assessments", *ORG_TABLES),
    optional_tables=("ssd_cin_episodes",),
    compute=compute_child_seen,
))

ASSESSMENTS_OVERDUE = register(Measure(
    id="assessments_overdue",
    title="Open assessments past 45 working days",
    unit="count",
    polarity="low",
    kind="stock",
    definition=(
        "The number of child and family assessments still open (started, not yet authorised) "
        "at the end of the period whose clock started more than 45 working days before the "
        "period end. The clock start and the 45 days are the same settings as assessment "
        "timeliness (assessment start by default, or the referral date). Working days are Monday "
        "to Friday, excluding England and Wales bank holidays. Every open assessment is listed; "
        "only those past the timescale are counted. Grouped by the child's allocated team and "
        "worker at the period end."
    ),
    source_tables=("ssd_cin_assessments", *ORG_TABLES),
    optional_tables=("ssd_cin_episodes", *_ALLOCATION),
    compute=compute_overdue,
))

S47 = register(Measure(
    id="s47",
    title="Section 47 enquiries started",
    unit="count",
    polarity="none",
    kind="flow",
    definition=(
        "The number of section 47 enquiries starting (the strategy discussion that initiated "
        "them) in the period, grouped by the team and worker recorded on the enquiry."
    ),
    source_tables=("ssd_s47_enquiry", *ORG_TABLES),
    compute=compute_s47,
    benchmark_key="Section_47",
))

ICPC_TIMELINESS = register(Measure(
    id="icpc_timeliness",
    title="ICPCs within 15 working days of the strategy discussion",
    unit="percent",
    polarity="high",
    kind="flow",
    definition=(
        "Of the initial child protection conferences held in the period, excluding transfer-in "
        "conferences, the share held within 15 working days of the start of the section 47 "
        "enquiry (the strategy discussion). Working days are Monday to Friday, excluding England "
        "and Wales bank holidays, counted from the day after the strategy discussion up to and "
        "including the conference date. Transfer-in conferences and conferences not linked to a "
        "section 47 enquiry with a start date are listed but not counted."
    ),
    source_tables=("ssd_initial_cp_conference", "ssd_s47_enquiry", *ORG_TABLES),
    compute=compute_icpc_timeliness,
    default_target=0.75,
))

ICPC_TO_PLAN = register(Measure(
    id="icpc_to_plan",
    title="ICPCs resulting in a CP plan",
    unit="percent",
    polarity="high",
    kind="flow",
    definition=(
        "Of the initial child protection conferences held in the period, the share whose "
        "outcome was a child protection plan (the conference's CP plan outcome flag is Y; where "
        "the flag is blank, a CP plan linked to the conference counts as a plan outcome)."
    ),
    source_tables=("ssd_initial_cp_conference", *ORG_TABLES),
    optional_tables=("ssd_cp_plans",),
    compute=compute_icpc_to_plan,
))

CP_PLANS = register(Measure(
    id="cp_plans",
    title="Children on a child protection plan",
    unit="count",
    polarity="none",
    kind="stock",
    definition=(
        "The number of children with a child protection plan open at the end of the period: "
        "started on or before the last day, with no end date or an end date after it (a plan "
        "ending on the last day is not counted). A child with two open plans counts once. "
        "Grouped by the child's allocated team and worker at the period end."
    ),
    source_tables=("ssd_cp_plans", *ORG_TABLES),
    optional_tables=_ALLOCATION,
    compute=compute_cp_plans,
    benchmark_key="CPP_Num",
))

CP_REPEAT = register(Measure(
    id="cp_repeat",
    title="Second or subsequent CP plans",
    unit="percent",
    polarity="low",
    kind="flow",
    definition=(
        "Of the child protection plans starting in the period, the share where the child had "
        "a previous child protection plan at any time before (a plan starting on an earlier "
        "day, however long ago, as far back as the records go)."
    ),
    source_tables=("ssd_cp_plans", *ORG_TABLES),
    optional_tables=_ALLOCATION,
    compute=compute_cp_repeat,
))

CP_LONG = register(Measure(
    id="cp_long",
    title="CP plans lasting 2 years or more",
    unit="percent",
    polarity="low",
    kind="flow",
    definition=(
        "Of the child protection plans ending in the period, the share that had lasted 2 years "
        "or more: ended on or after the same date two years after the plan started (a plan "
        "started on 29 February counts from 28 February two years on)."
    ),
    source_tables=("ssd_cp_plans", *ORG_TABLES),
    optional_tables=_ALLOCATION,
    compute=compute_cp_long,
    benchmark_key="CPPlans2yrs",
))
