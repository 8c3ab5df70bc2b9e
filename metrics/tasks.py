"""The statutory task engine: for every child open on a date, each task the law or local practice
requires, when it was last done, when it is next due, and whether it is overdue or due soon.

Used by the worker tier (Caseload, Weekly planning, Leaving care) and the Client Summary. The rules
are the measures' rules (``../shared/spec/measures.md``, ``../shared/reference/domain.md`` §4),
taken from the modules that compute those measures rather than written again:

====================================  ===================================================  ======================================
task                                  who                                                  due
====================================  ===================================================  ======================================
CP visit / CIN visit                  on a CP / CIN plan                                   :func:`metrics.visits.visit_status`: within
                                                                                           ``cp_visit_threshold`` (10 working days) /
                                                                                           ``cin_visit_threshold`` (20 working days)
                                                                                           of the last visit or the plan start
CLA visit                             in care, with a placement                            :func:`metrics.visits.visit_status`: 7 days
                                                                                           after the placement starts (every move
                                                                                           restarts the clock), then 42 days; 3 months
                                                                                           after the first year of a placement
                                                                                           intended to last until 18
CP review / CIN review / CLA review   on a CP plan / CIN plan (needs ``ext_cin_reviews``)  :func:`metrics.visits.review_status`: CP 3
                                      / in care                                            months after the plan start then 6-monthly;
                                                                                           CIN 3-monthly; CLA 20 working days after
                                                                                           entering care, then 3 months, then 6-monthly
Assessment (45 working days)          an open (unauthorised) assessment                    ``assessment_timescale_working_days`` after
                                                                                           the clock start (the ``assessments_overdue``
                                                                                           measure's rows)
Initial health assessment             in care, no health assessment since entering care   20 working days after entering care (in
                                                                                           time for the first review)
Review health assessment              in care, a health assessment since entering care    6 months after the last while under 5,
                                                                                           else 12 months (as ``cla_health``)
Dental check                          in care                                              12 months after the last (as
                                                                                           ``cla_dental``); the first by the first
                                                                                           anniversary of entering care
SDQ                                   in care, aged 4-16                                   as dental, for SDQs with a score
                                                                                           (as ``cla_sdq``)
PEP                                   in care, aged 5-16 (needs ``ext_cla_pep``)           ``pep_window_months`` after the last (as
                                                                                           ``cla_pep``); the first in time for the
                                                                                           first review (20 working days)
Pathway plan review                   care leaver 16-25, not "qualifying"                 6 months after the last (as
                                                                                           ``cl_pathway_plan``)
Care leaver contact                   care leaver 16-25                                    ``care_leaver_contact_weeks`` after the last
                                                                                           (as ``cl_in_touch``)
====================================  ===================================================  ======================================

*Open* is the one rule of :func:`metrics.workforce.open_cases_on` (built on
:func:`metrics.front_door.open_at`): an open CIN episode, CP plan, period of care, or a care
leaver aged 16-25. A child who is not open on the date has no tasks, whatever plans are left open
in the record.

Dates. ``next_due`` is the date shown as due; ``latest_on_time`` is the last day the task is still
on time (the same as ``next_due`` except for working-day limits, where a visit on the weekend
after a Friday due date is still within the limit). "In the last N months" (health, dental, SDQ,
PEP, pathway plan) follows :func:`metrics.looked_after.months_before`, exactly as the measures
count: a check on 1 March 2026 is within the last 6 months up to 31 August 2026, so it is due by
31 August. "Within N weeks" (care leaver contact) likewise: contact on 1 September is within the
last 8 weeks up to 26 October.

Status on the date ``as_at``: **Overdue** when ``as_at`` is after ``latest_on_time`` (or there is
nothing to date the task from: e.g. no contact ever recorded); **Due soon** when not overdue and
due within ``due_soon_working_days`` working days (Monday to Friday, excluding England and Wales
bank holidays; due today counts); **On track** otherwise.

Allocation: the worker and team holding the case on ``as_at`` (:func:`metrics.allocation.allocation_on`);
for a care leaver with no open allocation, the team and worker on the care leaver record (as the
care leaver measures do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from metrics.allocation import allocation_on
from metrics.calendar import working_days_after
from metrics.care_leavers import PATHWAY_PLAN_MONTHS, _care_leavers, accommodation_suitable, in_eet
from metrics.child_protection import compute_overdue
from metrics.looked_after import (
    HEALTH_MONTHS, HEALTH_MONTHS_UNDER_5, PEP_AGES, SDQ_AGES, SDQ_MONTHS, DENTAL_MONTHS, age_years,
    day, health_checks, latest_by, member, person_dates, text, upper,
)
from metrics.lookups import child_names, label_org
from metrics.periods import Period
from metrics.prepared import index_of
from metrics.settings import MetricSettings
from metrics.visits import CLA_REVIEW_FIRST_WORKING_DAYS, Limit, review_status, visit_status
from metrics.workforce import CARE_LEAVER_AGES, _Open

# ---- names -------------------------------------------------------------------------------------

CP_VISIT, CIN_VISIT, CLA_VISIT = "CP visit", "CIN visit", "CLA visit"
CP_REVIEW, CIN_REVIEW, CLA_REVIEW = "CP review", "CIN review", "CLA review"
ASSESSMENT = "Assessment (45 working days)"
IHA, RHA = "Initial health assessment", "Review health assessment"
DENTAL, SDQ, PEP = "Dental check", "SDQ", "PEP"
PATHWAY, CONTACT = "Pathway plan review", "Care leaver contact"
TASK_ORDER = (CP_VISIT, CIN_VISIT, CLA_VISIT, CP_REVIEW, CIN_REVIEW, CLA_REVIEW, ASSESSMENT, IHA, RHA,
              DENTAL, SDQ, PEP, PATHWAY, CONTACT)

OVERDUE, DUE_SOON, ON_TRACK = "Overdue", "Due soon", "On track"
NO_TASKS = "No tasks"
STATUS_RANK = {OVERDUE: 0, DUE_SOON: 1, ON_TRACK: 2, NO_TASKS: 3}

UNDER_5 = 5                       # review health assessments 6-monthly before the fifth birthday
FIRST_CHECK_MONTHS = 12           # first dental check / SDQ: by the first anniversary of entering care

ORG = ["worker_id", "worker", "team_id", "team", "service_id", "service"]
CHILD_COLUMNS = ["person_id", "child_name", "case_type", "services", "cin", "cp", "cla", "care_leaver", *ORG]
TASK_COLUMNS = ["person_id", "child_name", "case_type", "services", "task", "last_done", "next_due",
                "latest_on_time", "status", "days_overdue", "working_days_to_due", *ORG, "reason"]


# ---- small helpers -----------------------------------------------------------------------------

def _d(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


def _dates(values, n: int | None = None) -> pd.Series:
    s = pd.Series(values).reset_index(drop=True) if np.ndim(values) else pd.Series([values] * (n or 0))
    return pd.to_datetime(s).dt.normalize().astype("datetime64[ns]")


def window_due(last, months) -> pd.Series:
    """The last day on which a check done on ``last`` is still "in the last ``months`` months"
    (:func:`metrics.looked_after.months_before`, as the measures count): the latest D with
    D - months + 1 day <= last. 1 March 2026, 6 -> 31 August 2026; 31 August 2025, 6 -> 28 February
    2026. ``months`` is one number or one per date; NaT stays NaT."""
    last = _dates(last)
    months = np.broadcast_to(np.asarray(months), (len(last),))
    out = pd.Series(pd.NaT, index=last.index, dtype="datetime64[ns]")
    for m in pd.unique(months):
        mask = months == m
        sub = last[mask]
        cand = sub + pd.DateOffset(months=int(m))
        back = cand - pd.DateOffset(months=int(m)) + pd.Timedelta(days=1)
        out[mask] = cand.where(back <= sub, cand - pd.Timedelta(days=1)).to_numpy()
    return out


def task_status(next_due, latest_on_time, as_at, due_soon_working_days: int = 5) -> pd.DataFrame:
    """status, days_overdue and working_days_to_due for tasks due on ``next_due`` (on time until
    ``latest_on_time``; NaT there means the same as next_due) on the date ``as_at``. A task with
    no due date at all is overdue (nothing recorded to date it from)."""
    due = _dates(next_due)
    lot = _dates(latest_on_time).fillna(due) if np.ndim(latest_on_time) else due
    d = pd.Timestamp(as_at).normalize()
    overdue = (lot.isna() | (lot < d)).to_numpy(dtype=bool)
    wd = working_days_after(np.full(len(due), np.datetime64(d, "ns")), due.to_numpy()) if len(due) else np.array([])
    soon = ~overdue & (np.nan_to_num(np.asarray(wd, dtype=float), nan=np.inf) <= due_soon_working_days)
    status = np.where(overdue, OVERDUE, np.where(soon, DUE_SOON, ON_TRACK)).astype(object)
    late = (d - due).dt.days
    days_overdue = pd.array(np.where(overdue, late, 0), dtype="Int64")
    days_overdue[overdue & due.isna().to_numpy()] = pd.NA
    return pd.DataFrame({"status": status, "days_overdue": days_overdue,
                         "working_days_to_due": pd.array(np.where(overdue, np.nan, wd), dtype="Int64")})


def _frame(person_ids, task: str, last_done, next_due, latest_on_time, reasons) -> pd.DataFrame:
    n = len(person_ids)
    return pd.DataFrame({
        "person_id": np.asarray(person_ids, dtype=object),
        "task": np.full(n, task, dtype=object),
        "last_done": _dates(last_done, n).to_numpy(),
        "next_due": _dates(next_due, n).to_numpy(),
        "latest_on_time": _dates(latest_on_time, n).to_numpy(),
        "reason": np.asarray(list(reasons), dtype=object) if n else np.array([], dtype=object),
    })


# ---- visits and reviews ------------------------------------------------------------------------

_SPAN_WORD = {"cp": "the plan started", "cin": "the plan started", "cla": "the placement started"}


def _visit_tasks(tables, kind: str, task: str, as_at, settings, people) -> pd.DataFrame:
    s = visit_status(tables, kind, as_at, settings)
    s = s[member(s["person_id"], people)].reset_index(drop=True)
    reasons = [
        (f"Last visit {_d(last)}; next within {limit}" if pd.notna(last)
         else f"No visit since {_SPAN_WORD[kind]} on {_d(start)}; first within {limit}")
        for last, start, limit in zip(s["last_done_date"], s["span_start"], s["limit"])
    ]
    return _frame(s["person_id"], task, s["last_done_date"], s["next_due_date"], s["latest_on_time_date"], reasons)


def _review_tasks(tables, kind: str, task: str, as_at, settings, people) -> pd.DataFrame:
    s = review_status(tables, kind, as_at, settings)
    s = s[member(s["person_id"], people)].reset_index(drop=True)
    since = "the child entered care" if kind == "cla" else "the plan started"
    reasons = [
        (f"Last review {_d(last)}; next within {limit}" if pd.notna(last)
         else f"No review since {since} on {_d(start)}; first within {limit}")
        for last, start, limit in zip(s["last_done_date"], s["span_start"], s["limit"])
    ]
    return _frame(s["person_id"], task, s["last_done_date"], s["next_due_date"], s["latest_on_time_date"], reasons)


# ---- assessments -------------------------------------------------------------------------------

def _assessment_tasks(tables, as_at, settings: MetricSettings, people) -> pd.DataFrame:
    d = pd.Timestamp(as_at).normalize()
    rows = compute_overdue(tables, [Period(d, d, f"{d:%Y-%m-%d}", "day")], None, settings).rows
    rows = rows[member(rows["person_id"].astype(str), people)].reset_index(drop=True)
    limit = Limit(settings.assessment_timescale_working_days, "working_days")
    start = _dates(rows["start_date"])
    lot = limit.latest_on_time(start) if len(rows) else start
    word = "assessment started" if settings.assessment_start_point == "assessment_start" else "referral"
    reasons = [
        (f"Open assessment ({word} {_d(s)}): {int(wd)} working days so far; authorise within {limit.text}"
         if pd.notna(s) else f"Open assessment {aid}: clock start date not recorded")
        for s, wd, aid in zip(start, rows["working_days"], rows["assessment_id"])
    ]
    out = _frame(rows["person_id"].astype(str), ASSESSMENT, pd.NaT, rows["due_date"], lot, reasons)
    out["last_done"] = pd.NaT  # nothing "done" yet: the assessment is open
    return out


# ---- children in care: health, dental, SDQ, PEP ----------------------------------------------

def _annual(last: pd.Series, months: int, anniversary: pd.Series, poc: pd.Series, noun: str):
    """Due dates and reasons for a check due ``months`` after the last one, and the first one by
    the first anniversary of entering care (a check from before this period of care does not make
    the child due sooner than that)."""
    last, start = _dates(last), _dates(poc)
    window = window_due(last, months)
    anniv = _dates(anniversary)
    first = (last.isna() | (last < start)).to_numpy(dtype=bool)
    due = window.where(~first, anniv)
    reasons = [
        (f"Last {noun} {_d(l)}; next within {months} months" if not f
         else f"No {noun} since entering care on {_d(p)}; the first is due within {FIRST_CHECK_MONTHS} months of it"
         + (f" (last one {_d(l)})" if pd.notna(l) else ""))
        for l, p, f in zip(last, start, first)
    ]
    return due, reasons


def _in_care_tasks(tables, in_care: pd.DataFrame, as_at, settings: MetricSettings) -> list[pd.DataFrame]:
    d = pd.Timestamp(as_at).normalize()
    ic = in_care.reset_index(drop=True)
    if ic.empty:
        return []
    people = person_dates(tables)
    dob = people["dob"].reindex(ic["person_id"].to_numpy(dtype=object)).to_numpy()
    age = age_years(dob, d)
    poc = _dates(ic["period_of_care_start"])
    first_review = Limit(CLA_REVIEW_FIRST_WORKING_DAYS, "working_days")
    review_due, review_lot = first_review.due(poc), first_review.latest_on_time(poc)
    anniversary = poc + pd.DateOffset(months=FIRST_CHECK_MONTHS)
    out: list[pd.DataFrame] = []

    if "ssd_cla_health" in tables:
        checks = health_checks(tables)
        health = checks[(checks["kind"] == "health").to_numpy()]
        dental = checks[(checks["kind"] == "dental").to_numpy()]
        last = _dates(latest_by(health, ic["person_id"], d, ["date"])["date"])
        since_care = (last >= poc).fillna(False).to_numpy(dtype=bool)
        # Initial health assessment: none since entering care.
        i = ~since_care
        out.append(_frame(
            ic["person_id"][i], IHA, pd.NaT, review_due[i], review_lot[i],
            [f"No health assessment since entering care on {_d(p)}; due in time for the first review "
             f"({CLA_REVIEW_FIRST_WORKING_DAYS} working days)" for p in poc[i]]))
        # Review health assessments: 6-monthly while under 5, else 12-monthly.
        r = since_care
        due6 = window_due(last[r], HEALTH_MONTHS_UNDER_5)
        age_after = age_years(dob[r], (due6 + pd.Timedelta(days=1)).to_numpy())
        under5 = np.asarray(age_after < UNDER_5, dtype=bool)
        months = np.where(under5, HEALTH_MONTHS_UNDER_5, HEALTH_MONTHS)
        due = due6.where(under5, window_due(last[r], HEALTH_MONTHS))
        out.append(_frame(
            ic["person_id"][r], RHA, last[r], due, due,
            [f"Last health assessment {_d(l)}; next within {m} months" + (" (under 5)" if u else "")
             for l, m, u in zip(last[r], months, under5)]))
        # Dental check: 12-monthly; the first by the first anniversary of entering care.
        last_dental = _dates(latest_by(dental, ic["person_id"], d, ["date"])["date"])
        due, reasons = _annual(last_dental, DENTAL_MONTHS, anniversary, poc, "dental check")
        out.append(_frame(ic["person_id"], DENTAL, last_dental, due, due, reasons))

    if "ssd_sdq_scores" in tables:
        s = tables["ssd_sdq_scores"]
        sdq = pd.DataFrame({"person_id": text(s["csdq_person_id"]), "date": day(s["csdq_sdq_completed_date"]),
                            "score": text(s["csdq_sdq_score"])})
        sdq = sdq[sdq["date"].notna().to_numpy() & (sdq["score"] != "").to_numpy()]
        a = (age >= SDQ_AGES[0]) & (age <= SDQ_AGES[1])
        last = _dates(latest_by(sdq, ic["person_id"][a], d, ["date"])["date"])
        due, reasons = _annual(last, SDQ_MONTHS, anniversary[a], poc[a], "SDQ")
        out.append(_frame(ic["person_id"][a], SDQ, last, due, due, reasons))

    if "ext_cla_pep" in tables:
        e = tables["ext_cla_pep"]
        peps = pd.DataFrame({"person_id": text(e["pepr_person_id"]), "date": day(e["pepr_pep_date"])})
        peps = peps[peps["date"].notna().to_numpy()]
        a = (age >= PEP_AGES[0]) & (age <= PEP_AGES[1])
        last = _dates(latest_by(peps, ic["person_id"][a], d, ["date"])["date"])
        window = window_due(last, settings.pep_window_months)
        first_due, first_lot = review_due[a].reset_index(drop=True), review_lot[a].reset_index(drop=True)
        use_first = (window.isna() | (window < first_due)).to_numpy(dtype=bool)
        due = window.where(~use_first, first_due)
        lot = window.where(~use_first, first_lot)
        out.append(_frame(
            ic["person_id"][a], PEP, last, due, lot,
            [(f"Last PEP {_d(l)}; next within {settings.pep_window_months} months (termly)" if not f
              else f"No PEP since entering care on {_d(p)}; due in time for the first review "
                   f"({CLA_REVIEW_FIRST_WORKING_DAYS} working days)")
             for l, p, f in zip(last, poc[a], use_first)]))
    return out


# ---- care leavers ------------------------------------------------------------------------------

def _care_leaver_tasks(leavers: pd.DataFrame, as_at, settings: MetricSettings) -> list[pd.DataFrame]:
    d = pd.Timestamp(as_at).normalize()
    cl = leavers.reset_index(drop=True)
    if cl.empty:
        return []
    contact = _dates(cl["latest_contact"])
    contact = contact.where(contact <= d)  # a contact dated after the date is not known on it
    days = 7 * settings.care_leaver_contact_weeks - 1  # "within the last N weeks" (cl_in_touch)
    due = contact + pd.Timedelta(days=days)
    weeks = settings.care_leaver_contact_weeks
    out = [_frame(cl["person_id"], CONTACT, contact, due, due,
                  [f"Last contact {_d(c)}; next within {weeks} weeks" if pd.notna(c) else "No contact recorded"
                   for c in contact])]
    plan = ~upper(cl["eligibility"]).str.contains("QUALIFY", regex=False).to_numpy(dtype=bool)
    review = _dates(cl["pathway_plan_review_date"])[plan]
    review = review.where(review <= d)
    due = window_due(review, PATHWAY_PLAN_MONTHS)
    out.append(_frame(cl["person_id"][plan], PATHWAY, review, due, due,
                      [f"Last pathway plan review {_d(r)}; next within {PATHWAY_PLAN_MONTHS} months"
                       if pd.notna(r) else "No pathway plan review recorded" for r in review]))
    return out


# ---- putting it together -----------------------------------------------------------------------

@dataclass(frozen=True)
class Worklist:
    """Every child open on ``as_at`` (``children``, one row each, CHILD_COLUMNS) and their tasks
    (``tasks``, one row per child per task, TASK_COLUMNS, most urgent first)."""
    as_at: pd.Timestamp
    children: pd.DataFrame
    tasks: pd.DataFrame
    leavers: pd.DataFrame  # the care leaver records of the open care leavers (care_leavers_on)


def _label(children: pd.DataFrame, leavers: pd.DataFrame, tables, d: pd.Timestamp) -> pd.DataFrame:
    alloc = allocation_on(tables, children["person_id"], np.repeat(np.datetime64(d, "ns"), len(children)))
    team = alloc["team_id"].to_numpy(dtype=object)
    worker = alloc["worker_id"].to_numpy(dtype=object)
    if len(leavers):
        rec = leavers.drop_duplicates("person_id").set_index("person_id")
        none = (team == "") & (worker == "") & children["care_leaver"].to_numpy(dtype=bool)
        ids = children["person_id"].to_numpy(dtype=object)
        team = np.where(none, rec["record_team"].reindex(ids).fillna("").to_numpy(dtype=object), team)
        worker = np.where(none, rec["record_worker"].reindex(ids).fillna("").to_numpy(dtype=object), worker)
    tmp = children.assign(_team=team, _worker=worker)
    out = label_org(tmp, tables, team_col="_team", worker_col="_worker").drop(columns=["_team", "_worker"])
    names = child_names(tables)
    names = names[~names.index.duplicated()]
    out["child_name"] = names.reindex(out["person_id"].to_numpy(dtype=object)).fillna("").to_numpy(dtype=object)
    return out


def worklist(tables: Mapping[str, pd.DataFrame], as_at, settings: MetricSettings | None = None) -> Worklist:
    """The open children on ``as_at`` and all their statutory tasks (see the module docstring)."""
    settings = settings or MetricSettings()
    d = pd.Timestamp(as_at).normalize()
    o = _Open(tables)
    children = o.on(d)
    in_care = o.src.in_care_on(d)
    if o.care_leavers is not None:
        leavers = _care_leavers(o.src, o.care_leavers, d, *CARE_LEAVER_AGES)
    else:
        leavers = pd.DataFrame({c: pd.Series(dtype=object) for c in (
            "person_id", "record_team", "record_worker", "eligibility", "latest_contact", "pathway_plan_review_date",
            "personal_advisor", "accommodation", "accommodation_suitable", "activity", "in_touch_category", "age")})
    children = _label(children, leavers, tables, d)

    everyone = children["person_id"].to_numpy(dtype=object)
    flag = {k: everyone[children[k].to_numpy(dtype=bool)] for k in ("cin", "cp", "cla", "care_leaver")}
    parts: list[pd.DataFrame] = []
    if "ssd_cp_plans" in tables:
        if "ssd_cp_visits" in tables:
            parts.append(_visit_tasks(tables, "cp", CP_VISIT, d, settings, flag["cp"]))
        if "ssd_cp_reviews" in tables:
            parts.append(_review_tasks(tables, "cp", CP_REVIEW, d, settings, flag["cp"]))
    if "ssd_cin_plans" in tables:
        if "ssd_cin_visits" in tables:
            parts.append(_visit_tasks(tables, "cin", CIN_VISIT, d, settings, everyone))
        if "ext_cin_reviews" in tables:
            parts.append(_review_tasks(tables, "cin", CIN_REVIEW, d, settings, everyone))
    if "ssd_cla_episodes" in tables:
        if "ssd_cla_visits" in tables and "ssd_cla_placement" in tables:
            parts.append(_visit_tasks(tables, "cla", CLA_VISIT, d, settings, flag["cla"]))
        if "ssd_cla_reviews" in tables:
            parts.append(_review_tasks(tables, "cla", CLA_REVIEW, d, settings, flag["cla"]))
        parts.extend(_in_care_tasks(tables, in_care[member(in_care["person_id"], flag["cla"])], d, settings))
    if "ssd_cin_assessments" in tables:
        parts.append(_assessment_tasks(tables, d, settings, everyone))
    parts.extend(_care_leaver_tasks(leavers, d, settings))

    parts = [p for p in parts if len(p)]
    if parts:
        t = pd.concat(parts, ignore_index=True)
    else:
        t = _frame([], CP_VISIT, pd.NaT, pd.NaT, pd.NaT, [])
    st = task_status(t["next_due"], t["latest_on_time"], d, settings.due_soon_working_days)
    t = pd.concat([t, st], axis=1)
    t = t.merge(children[["person_id", "child_name", "case_type", "services", *ORG]], on="person_id", how="left")
    t = sort_by_urgency(t)
    return Worklist(d, children.reset_index(drop=True), t[TASK_COLUMNS].reset_index(drop=True),
                    leavers.reset_index(drop=True))


def tasks(tables: Mapping[str, pd.DataFrame], as_at, settings: MetricSettings | None = None) -> pd.DataFrame:
    """One row per open child per task on ``as_at`` (TASK_COLUMNS), most urgent first."""
    return worklist(tables, as_at, settings).tasks


def sort_by_urgency(t: pd.DataFrame) -> pd.DataFrame:
    """Overdue first (never dated, then the longest overdue), then due soon, then on track; within
    each, the earliest due first; then by task order and child."""
    order = {task: i for i, task in enumerate(TASK_ORDER)}
    key = pd.DataFrame({
        "rank": t["status"].map(STATUS_RANK).fillna(9).to_numpy(),
        "due": pd.to_datetime(t["next_due"]).fillna(pd.Timestamp.min).to_numpy(),
        "task": t["task"].map(order).fillna(99).to_numpy(),
        "person": t["person_id"].astype(str).to_numpy(),
    })
    idx = key.sort_values(["rank", "due", "task", "person"], kind="mergesort").index
    return t.iloc[idx.to_numpy()].reset_index(drop=True)


# ---- views for the worker pages ----------------------------------------------------------------

def caseload_table(children: pd.DataFrame, task_rows: pd.DataFrame) -> pd.DataFrame:
    """One row per child (the given children), most urgent first: person_id, child_name,
    services, worker, team, status (the child's most urgent task status, "No tasks" without
    any), overdue and due_soon (counts), next_due (the earliest due date), most_urgent (that
    task), then for each task that any of these children has: "<task> last done",
    "<task> due" and "<task>" (its status)."""
    kids = children.reset_index(drop=True)
    t = task_rows[member(task_rows["person_id"], kids["person_id"])] if len(kids) else task_rows.iloc[0:0]
    t = sort_by_urgency(t)
    ids = kids["person_id"].to_numpy(dtype=object)
    # Positions, not lookups by ID: each child's code, and each task's child's code (a whole
    # authority's caseload is a quarter of a million children and a million tasks).
    uniq = pd.Index(pd.unique(ids), dtype=object)
    kid_code = index_of(uniq, ids)
    task_code = index_of(uniq, t["person_id"])
    status = t["status"].to_numpy(dtype=object)
    task = t["task"].to_numpy(dtype=object)
    last_done = pd.to_datetime(t["last_done"]).to_numpy(dtype="datetime64[ns]")
    next_due = pd.to_datetime(t["next_due"]).to_numpy(dtype="datetime64[ns]")

    def first_of(values: np.ndarray, rows: np.ndarray | None, fill) -> np.ndarray:
        """Per child: ``values`` of their first (most urgent) task among ``rows`` (all if None)."""
        codes = task_code if rows is None else task_code[rows]
        vals = values if rows is None else values[rows]
        out = np.full(len(uniq), fill, dtype=values.dtype)
        _, first = np.unique(codes, return_index=True)
        out[codes[first]] = vals[first]
        return out[kid_code]

    out = pd.DataFrame({
        "person_id": ids,
        "child_name": kids["child_name"].to_numpy(dtype=object),
        "services": kids["services"].to_numpy(dtype=object),
        "worker_id": kids["worker_id"].to_numpy(dtype=object),
        "worker": kids["worker"].to_numpy(dtype=object),
        "team_id": kids["team_id"].to_numpy(dtype=object),
        "team": kids["team"].to_numpy(dtype=object),
        "status": first_of(status, None, NO_TASKS),
        "most_urgent": first_of(task, None, ""),
    })
    for col, wanted in (("overdue", OVERDUE), ("due_soon", DUE_SOON)):
        out[col] = np.bincount(task_code[status == wanted], minlength=len(uniq))[kid_code].astype(int)
    never = np.iinfo(np.int64).max
    due_ns = np.where(np.isnat(next_due), never, next_due.view(np.int64))
    earliest = np.full(len(uniq), never, dtype=np.int64)
    np.minimum.at(earliest, task_code, due_ns)
    out["next_due"] = np.where(earliest == never, np.datetime64("NaT", "ns"),
                               earliest.view("datetime64[ns]"))[kid_code]
    present = set(pd.unique(task))
    for name in [x for x in TASK_ORDER if x in present]:
        rows = task == name
        out[f"{name} last done"] = first_of(last_done, rows, np.datetime64("NaT", "ns"))
        out[f"{name} due"] = first_of(next_due, rows, np.datetime64("NaT", "ns"))
        out[name] = first_of(status, rows, "")
    # Most urgent first: the status of the most urgent task, then its due date (never dated first).
    first_due = first_of(next_due, None, np.datetime64("NaT", "ns"))
    key = pd.DataFrame({
        "rank": out["status"].map(STATUS_RANK).to_numpy(),
        "due": pd.Series(first_due).fillna(pd.Timestamp.min).to_numpy(),
        "name": out["child_name"].astype(str).to_numpy(),
        "person": out["person_id"].astype(str).to_numpy(),
    })
    has_task = out["most_urgent"].to_numpy() != ""
    key.loc[~has_task, "due"] = pd.Timestamp.max
    idx = key.sort_values(["rank", "due", "name", "person"], kind="mergesort").index
    return out.iloc[idx.to_numpy()].reset_index(drop=True)


def week_commencing(dates) -> pd.Series:
    """The Monday of each date's week."""
    d = _dates(dates)
    return d - pd.to_timedelta(d.dt.dayofweek, unit="D")


def plan(task_rows: pd.DataFrame, as_at, weeks: int) -> pd.DataFrame:
    """Tasks overdue on ``as_at`` or due within the next ``weeks`` weeks (next_due up to and
    including as_at + 7 x weeks days), with week_start (the Monday of the due date's week; NaT for
    overdue tasks) and week ("Overdue" or "w/c 02/11/2026"), ordered by worker, then overdue
    first, then week and due date (the urgency order within a week)."""
    d = pd.Timestamp(as_at).normalize()
    horizon = d + pd.Timedelta(days=7 * int(weeks))
    t = task_rows
    overdue = (t["status"] == OVERDUE).to_numpy(dtype=bool)
    keep = overdue | (pd.to_datetime(t["next_due"]) <= horizon).fillna(False).to_numpy(dtype=bool)
    out = t[keep].reset_index(drop=True)
    od = (out["status"] == OVERDUE).to_numpy(dtype=bool)
    wk = week_commencing(out["next_due"])
    out["week_start"] = wk.where(~od).to_numpy()
    labels = {w: "w/c " + _d(w) for w in pd.unique(wk)}  # a few weeks, many tasks: format each once
    out["week"] = np.where(od, OVERDUE, wk.map(labels).to_numpy(dtype=object)).astype(object)
    out = sort_by_urgency(out)
    key = pd.DataFrame({
        "worker": out["worker"].astype(str).to_numpy(),
        "wk": pd.to_datetime(out["week_start"]).fillna(pd.Timestamp.min).to_numpy(),
        "pos": np.arange(len(out)),
    })
    idx = key.sort_values(["worker", "wk", "pos"], kind="mergesort").index
    return out.iloc[idx.to_numpy()].reset_index(drop=True)


def plan_by_worker(plan_rows: pd.DataFrame) -> pd.DataFrame:
    """One row per worker (and team) in a plan: worker, team, overdue, due_soon, on_track, total;
    most overdue first, then most tasks, then by name."""
    cols = {OVERDUE: "overdue", DUE_SOON: "due_soon", ON_TRACK: "on_track"}
    counts = (plan_rows.assign(n=1).pivot_table(index=["worker", "team"], columns="status", values="n",
                                                aggfunc="sum", fill_value=0)
              .reindex(columns=list(cols), fill_value=0).rename(columns=cols))
    counts.columns.name = None
    counts["total"] = counts.sum(axis=1)
    return (counts.reset_index().sort_values(["overdue", "total", "worker"], ascending=[False, False, True],
                                             kind="mergesort", ignore_index=True))


LEAVER_COLUMNS = [
    "person_id", "child_name", "age", "eligibility", "personal_advisor", "worker_id", "worker", "team_id",
    "team", "latest_contact", "contact_due", "contact_status", "pathway_plan_review_date",
    "pathway_plan_due", "pathway_plan_status", "accommodation", "accommodation_suitable", "suitable",
    "activity", "eet", "in_touch_category", "status",
]


def care_leaver_rows(wl: Worklist) -> pd.DataFrame:
    """One row per open care leaver (16-25) of a :class:`Worklist`: personal adviser, allocated
    worker and team, last contact with its due date and status, pathway plan review with its due
    date and status ("Not required" for qualifying care leavers), accommodation and whether it is
    suitable (as ``cl_accommodation``), activity and whether it is EET (as ``cl_eet``); most urgent
    first (the worse of the two statuses, then the earlier due date)."""
    lv = wl.leavers.reset_index(drop=True)
    kids = wl.children.set_index("person_id")
    ids = lv["person_id"].to_numpy(dtype=object)
    out = pd.DataFrame({
        "person_id": ids,
        "child_name": kids["child_name"].reindex(ids).fillna("").to_numpy(dtype=object),
        "age": pd.array(lv["age"].to_numpy(dtype=float) if len(lv) else [], dtype="Int64"),
        "eligibility": lv["eligibility"].to_numpy(dtype=object),
        "personal_advisor": lv["personal_advisor"].to_numpy(dtype=object),
    })
    for c in ("worker_id", "worker", "team_id", "team"):
        out[c] = kids[c].reindex(ids).fillna("").to_numpy(dtype=object)
    t = wl.tasks
    for task, prefix, last_col in ((CONTACT, "contact", "latest_contact"),
                                   (PATHWAY, "pathway_plan", "pathway_plan_review_date")):
        one = t[t["task"] == task].drop_duplicates("person_id").set_index("person_id")
        has = member(ids, one.index)
        out[last_col] = pd.to_datetime(lv[last_col]).to_numpy() if len(lv) else pd.Series(dtype="datetime64[ns]")
        out[f"{prefix}_due"] = pd.to_datetime(one["next_due"].reindex(ids)).to_numpy()
        out[f"{prefix}_status"] = np.where(has, one["status"].reindex(ids).fillna("").to_numpy(dtype=object),
                                           "Not required").astype(object)
    out["accommodation"] = lv["accommodation"].to_numpy(dtype=object)
    out["accommodation_suitable"] = lv["accommodation_suitable"].to_numpy(dtype=object)
    out["suitable"] = accommodation_suitable(lv["accommodation_suitable"], lv["accommodation"]) if len(lv) else []
    out["activity"] = lv["activity"].to_numpy(dtype=object)
    out["eet"] = in_eet(lv["activity"]) if len(lv) else []
    out["in_touch_category"] = lv["in_touch_category"].to_numpy(dtype=object)
    rank = np.minimum(out["contact_status"].map(STATUS_RANK).fillna(9).to_numpy(),
                      out["pathway_plan_status"].map(STATUS_RANK).fillna(9).to_numpy())
    out["status"] = pd.Series(rank).map({v: k for k, v in STATUS_RANK.items()}).fillna(ON_TRACK).to_numpy(dtype=object)
    due = pd.concat([pd.to_datetime(out["contact_due"]), pd.to_datetime(out["pathway_plan_due"])], axis=1).min(axis=1)
    key = pd.DataFrame({"rank": rank, "due": due.fillna(pd.Timestamp.min).to_numpy(),
                        "person": out["person_id"].astype(str).to_numpy()})
    idx = key.sort_values(["rank", "due", "person"], kind="mergesort").index
    return out.iloc[idx.to_numpy()][LEAVER_COLUMNS].reset_index(drop=True)


def rules_text(settings: MetricSettings | None = None) -> list[str]:
    """How each task's due date is worked out, in plain English, with this authority's settings
    (shown on the worker pages under "How is this worked out?")."""
    s = settings or MetricSettings()
    cp = Limit(s.cp_visit_threshold, s.cp_visit_unit).text
    cin = Limit(s.cin_visit_threshold, s.cin_visit_unit).text
    return [
        f"**{CP_VISIT}**: within {cp} of the last visit (or of the plan starting).",
        f"**{CIN_VISIT}**: within {cin} of the last visit (or of the plan starting).",
        f"**{CLA_VISIT}**: within {s.cla_visit_first_days} days of every placement starting (a move "
        f"restarts the clock), then at most {s.cla_visit_interval_days} days apart; after the first "
        f"year of a placement intended to last until 18, at most {s.cla_visit_long_term_months} months apart.",
        f"**{CP_REVIEW}**: the first within 3 months of the plan starting, then within 6 months of the last.",
        f"**{CIN_REVIEW}**: within 3 months of the plan starting or of the last review.",
        f"**{CLA_REVIEW}**: the first within {CLA_REVIEW_FIRST_WORKING_DAYS} working days of entering care, "
        "the second within 3 months of the first, then within 6 months of the last.",
        f"**{ASSESSMENT}**: an open assessment is due for authorisation {s.assessment_timescale_working_days} "
        "working days after its clock starts ("
        + ("the assessment start" if s.assessment_start_point == "assessment_start" else "the referral") + ").",
        f"**{IHA}**: in care with no health assessment since entering care: due in time for the first "
        f"review ({CLA_REVIEW_FIRST_WORKING_DAYS} working days).",
        f"**{RHA}**: within {HEALTH_MONTHS_UNDER_5} months of the last while the child is under 5, "
        f"otherwise within {HEALTH_MONTHS} months.",
        f"**{DENTAL}**: within {DENTAL_MONTHS} months of the last check; the first within "
        f"{FIRST_CHECK_MONTHS} months of entering care.",
        f"**{SDQ}** (ages {SDQ_AGES[0]}-{SDQ_AGES[1]}): a scored questionnaire within {SDQ_MONTHS} months of "
        f"the last; the first within {FIRST_CHECK_MONTHS} months of entering care.",
        f"**{PEP}** (ages {PEP_AGES[0]}-{PEP_AGES[1]}): within {s.pep_window_months} months of the last "
        f"(termly); the first in time for the first review.",
        f"**{PATHWAY}** (care leavers 16-25, not qualifying): within {PATHWAY_PLAN_MONTHS} months of the last review.",
        f"**{CONTACT}** (care leavers 16-25): within {s.care_leaver_contact_weeks} weeks of the last contact.",
        "\"Within N months / weeks of\" the last check counts as the measures do: a check on 1 March is "
        "within the last 6 months up to 31 August. **Overdue**: past the last day still on time. "
        f"**Due soon**: due within {s.due_soon_working_days} working days (Monday to Friday, not bank "
        "holidays). Only children open on the date have tasks (an open CIN episode, CP plan or period of "
        "care, or a care leaver aged 16-25). Each child is shown with the worker and team holding the case.",
    ]
