"""Workforce and practice: unallocated cases, case supervision, caseloads and changes of worker.

Measures (``../shared/spec/measures.md``, "Workforce and practice"):

- ``unallocated``: children open to social care at the period end with no allocated worker.
- ``case_supervision``: open cases at the period end whose last case supervision was at most
  ``supervision_interval_days`` (default 30) days before it (needs the optional
  ``ext_case_supervision``): supervision on 1 March is up to date at 31 March, on 28 February not.
- ``caseload``: open cases per allocated worker at the period end (the average; one row per worker).
- ``worker_changes``: children open at the period end whose allocated social worker changed 3 or
  more times in the 12 months to the period end.

*Open to social care* on a date (:func:`open_cases_on`): an open CIN episode (referral dated on or
before the date, not closed on or before it, not a "no further action" referral), a CP plan open
on the date, in care on the date (:func:`metrics.looked_after.in_care_on`), or a care leaver aged
16-25 (:func:`metrics.care_leavers.care_leavers_on`). "Open on a date" is the one rule of
:func:`metrics.front_door.open_at`: an episode or plan ending on the period end is not open then.

The *allocated worker* on a date is the one rule in :mod:`metrics.allocation`: among the child's
``ssd_involvements`` open on the date, the one that started last. Stock measures are grouped by
that allocation at the period end.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from metrics.allocation import allocation_on
from metrics.care_leavers import _care_leaver_flags, care_leaver_records
from metrics.looked_after import (
    ALL_ID, ALL_LABEL, BASE_COLUMNS, LABELS, ORG_COLUMNS, ORG_TABLES, _Sources, day, finish, with_labels,
    member, months_before, set_group, stock_rows, text, yes,
)
from metrics.lookups import label_org
from metrics.memo import derived
from metrics.prepared import EventIndex, dates as dates_of, id_strings, ids, index_of, open_pairs, take
from metrics.periods import Period
from metrics.registry import SUMMARY_COLUMNS, Measure, MeasureResult, register
from metrics.settings import MetricSettings

CARE_LEAVER_AGES = (16, 25)     # care leavers counted as open cases
CHANGE_WINDOW_MONTHS = 12       # worker_changes: the 12 months to the period end
CHANGES_THRESHOLD = 3
SERVICES = (("cla", "CLA"), ("cp", "CP"), ("cin", "CIN"), ("care_leaver", "Care leaver"))
OPEN_COLUMNS = ["person_id", "cin", "cp", "cla", "care_leaver", "case_type", "services"]


class _Open:
    """Open cases on many dates, from the episode/plan tables prepared once per extract."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]):
        self.tables = tables
        self.src = _Sources(tables)
        self.care_leavers = care_leaver_records(tables) if "ssd_care_leavers" in tables else None
        self._frames = tuple(tables.get(t) for t in (
            "ssd_cin_episodes", "ssd_cp_plans", "ssd_cla_episodes", "ssd_care_leavers", "ssd_person"))
        self._at: dict = {}
        self._labels: dict = {}

    @property
    def cin(self) -> pd.DataFrame | None:
        cin = self.tables.get("ssd_cin_episodes")
        return None if cin is None else pd.DataFrame({
            "person_id": text(cin["cine_person_id"]), "start": day(cin["cine_referral_date"]),
            "end": day(cin["cine_close_date"]), "nfa": yes(cin["cine_referral_nfa"]),
        })

    @property
    def cp(self) -> pd.DataFrame | None:
        cp = self.tables.get("ssd_cp_plans")
        return None if cp is None else pd.DataFrame({
            "person_id": text(cp["cppl_person_id"]), "start": day(cp["cppl_cp_plan_start_date"]),
            "end": day(cp["cppl_cp_plan_end_date"]),
        })

    def _open_people(self, table: str, person: str, start: str, end: str, nfa: str | None, dates) -> list[np.ndarray]:
        frame = self.tables.get(table)
        if frame is None or frame.empty:
            return [np.array([], dtype=object) for _ in dates]
        when = np.array([np.datetime64(d, "ns") for d in dates], dtype="datetime64[ns]")
        rows, j = open_pairs(dates_of(frame, start), dates_of(frame, end), when)
        if nfa is not None:
            flag = derived("yes", (frame,), lambda: yes(frame[nfa]), nfa)
            ok = ~flag[rows]
            rows, j = rows[ok], j[ok]
        people = ids(frame, person)
        cuts = np.searchsorted(j, np.arange(len(dates) + 1))
        return [people.uniques[pd.unique(people.codes[rows[cuts[k]:cuts[k + 1]]])] if len(people.uniques)
                else np.array([], dtype=object) for k in range(len(dates))]

    def on_many(self, dates) -> pd.DataFrame:
        """:meth:`on` for several dates: the rows of each date in turn, with ``_p`` (the date's
        position) first. Kept per extract and dates."""
        key = tuple(pd.Timestamp(d).normalize() for d in dates)
        frame = derived("open_cases", self._frames, lambda: self._build(key), key)
        for j, d in enumerate(key):
            self._at.setdefault(d, (frame, j, key))
        return frame.copy(deep=False)

    def _build(self, dates: tuple) -> pd.DataFrame:
        groups = {
            "cin": self._open_people("ssd_cin_episodes", "cine_person_id", "cine_referral_date", "cine_close_date",
                                     "cine_referral_nfa", dates),
            "cp": self._open_people("ssd_cp_plans", "cppl_person_id", "cppl_cp_plan_start_date",
                                    "cppl_cp_plan_end_date", None, dates),
            "cla": self.src.in_care_people(dates),
        }
        if self.care_leavers is None:
            groups["care_leaver"] = [np.array([], dtype=object) for _ in dates]
        else:
            keep, _ = _care_leaver_flags(self.src, self.care_leavers, dates, *CARE_LEAVER_AGES)
            ids_ = self.care_leavers["person_id"].to_numpy(dtype=object)
            groups["care_leaver"] = [pd.unique(ids_[keep[:, k]]) for k in range(len(dates))]
        parts = []
        for k in range(len(dates)):
            people = pd.unique(np.concatenate([np.asarray(g[k], dtype=object) for g in groups.values()]))
            people = np.sort(people.astype(str)).astype(object)
            out = pd.DataFrame({"_p": np.full(len(people), k, dtype=np.int64), "person_id": people})
            for key, g in groups.items():
                out[key] = member(people, g[k]) if len(g[k]) else np.zeros(len(people), dtype=bool)
            parts.append(out)
        out = pd.concat(parts, ignore_index=True)
        case_type = np.full(len(out), "", dtype=object)
        services = np.full(len(out), "", dtype=object)
        for key, label in reversed(SERVICES):
            case_type = np.where(out[key].to_numpy(), label, case_type)
        for key, label in SERVICES:
            services = np.where(out[key].to_numpy(), np.where(services == "", label, services + ", " + label), services)
        out["case_type"] = case_type
        out["services"] = services
        return out[["_p", *OPEN_COLUMNS]]

    def on(self, date, *, labels: bool = False) -> pd.DataFrame:
        """Open cases at the end of ``date`` (OPEN_COLUMNS); with ``labels``, also the hidden
        LABELS columns (allocation on the date, name) that finish() and the measures use."""
        d = pd.Timestamp(date).normalize()
        if d not in self._at:
            self.on_many([d])
        frame, j, key = self._at[d]
        if labels:
            if key not in self._labels:
                frames = (*self._frames, self.tables.get("ssd_involvements"))
                when = np.array([np.datetime64(x, "ns") for x in key], dtype="datetime64[ns]")[frame["_p"].to_numpy()]
                self._labels[key] = derived("open_cases_labelled", frames,
                                            lambda: with_labels(frame, self.tables, when), key)
            frame = self._labels[key]
        p = frame["_p"].to_numpy()
        lo, hi = np.searchsorted(p, [j, j + 1])
        return frame.iloc[lo:hi, 1:].reset_index(drop=True)


def open_cases_on(tables: Mapping[str, pd.DataFrame], date) -> pd.DataFrame:
    """Children open to social care at the end of ``date``, one row each: person_id; flags cin, cp,
    cla, care_leaver (what they are open to); case_type (the first of CLA, CP, CIN, Care leaver)
    and services (all of them, e.g. "CP, CIN")."""
    return _Open(tables).on(date)


def allocated_cases_on(tables: Mapping[str, pd.DataFrame], date) -> pd.DataFrame:
    """Open cases on ``date`` with the worker and team holding each (worker_id "" when unallocated)."""
    cases = open_cases_on(tables, date)
    alloc = allocation_on(tables, cases["person_id"], np.repeat(np.datetime64(pd.Timestamp(date), "ns"), len(cases)))
    cases["worker_id"] = alloc["worker_id"].to_numpy(dtype=object)
    cases["team_id"] = alloc["team_id"].to_numpy(dtype=object)
    return cases


def _involvements(tables) -> pd.DataFrame:
    inv = tables["ssd_involvements"]
    return pd.DataFrame({
        "person_id": id_strings(inv, "invo_person_id"), "worker_id": id_strings(inv, "invo_professional_id"),
        "team_id": id_strings(inv, "invo_professional_team"), "start": dates_of(inv, "invo_involvement_start_date"),
        "end": dates_of(inv, "invo_involvement_end_date"),
    })


# ---- unallocated ----------------------------------------------------------------------------

UNALLOCATED_COLUMNS = [*BASE_COLUMNS, "case_type", "services", "last_worker_id", "last_allocation_end"]


def _last_ended(inv: pd.DataFrame):
    """Allocations to a worker (with a start and an end), sorted by child, end, start and table
    order, for "the last allocation that ended before a date"."""
    person = ids(inv, "invo_person_id")
    worker = id_strings(inv, "invo_professional_id")
    start = dates_of(inv, "invo_involvement_start_date")
    end = dates_of(inv, "invo_involvement_end_date")
    keep = np.flatnonzero((worker != "") & ~np.isnat(start) & ~np.isnat(end))
    s_day = start[keep].astype("datetime64[D]").astype(np.int64)
    e_day = end[keep].astype("datetime64[D]").astype(np.int64)
    code = person.codes[keep]
    order = np.lexsort((keep, s_day, e_day, code))
    rows = keep[order]
    key = code[order].astype(np.int64) * _SPAN + (e_day[order] + _OFFSET)
    return person.index, key, worker[rows], end[rows]


_SPAN, _OFFSET = 1 << 21, 1 << 20


def compute_unallocated(tables, periods, by, settings) -> MeasureResult:
    opened = _Open(tables)
    opened.on_many([p.end for p in periods])
    inv = tables["ssd_involvements"]
    people, key, last_worker, last_end = derived("last_ended_allocation", (inv,), lambda: _last_ended(inv))

    def build(p: Period) -> pd.DataFrame:
        cases = opened.on(p.end, labels=True)
        c = cases[(cases[LABELS[0]] == "").to_numpy()].reset_index(drop=True)
        # The last allocation to a worker that ended before the period end (if any).
        code = index_of(people, c["person_id"]).astype(np.int64)
        day_ = np.datetime64(p.end, "D").astype(np.int64)
        k = np.searchsorted(key, code * _SPAN + (day_ + _OFFSET), side="left") - 1
        found = (code >= 0) & (k >= 0) & (key[np.maximum(k, 0)] // _SPAN == code) if len(key) else np.zeros(len(c), bool)
        k = np.where(found, k, -1)
        c["last_worker_id"] = np.where(found, take(last_worker, k), "").astype(object)
        c["last_allocation_end"] = pd.to_datetime(pd.Series(take(last_end, k), dtype="datetime64[ns]")).to_numpy()
        c["in_denominator"] = True
        c["in_numerator"] = True
        return c

    rows = stock_rows(periods, build)
    return finish("unallocated", rows, tables, periods, by, UNALLOCATED_COLUMNS, count_only=True)


# ---- case supervision -----------------------------------------------------------------------

SUPERVISION_COLUMNS = [*BASE_COLUMNS, "case_type", "services", "last_supervision_date",
                       "days_since_supervision", "window_start"]


def compute_supervision(tables, periods, by, settings: MetricSettings) -> MeasureResult:
    opened = _Open(tables)
    opened.on_many([p.end for p in periods])
    s = tables["ext_case_supervision"]
    sup_dates = dates_of(s, "supe_date")
    index = derived("supervision_events", (s,), lambda: EventIndex(ids(s, "supe_person_id"), sup_dates))

    def build(p: Period) -> pd.DataFrame:
        c = opened.on(p.end, labels=True)
        when = np.repeat(np.datetime64(p.end, "ns"), len(c))
        last = take(sup_dates, index.latest(c["person_id"].to_numpy(dtype=object), when))
        c["last_supervision_date"] = pd.to_datetime(pd.Series(last, dtype="datetime64[ns]")).to_numpy()
        c["days_since_supervision"] = (p.end - c["last_supervision_date"]).dt.days.to_numpy()
        # Up to date when the last supervision was at most supervision_interval_days before the
        # period end: the next one is not yet overdue (as a visit interval of exactly the limit is
        # on time). With 30 days, supervision on 1 March is up to date at 31 March; 28 February not.
        w0 = p.end - pd.Timedelta(days=settings.supervision_interval_days)
        c["window_start"] = w0
        c["in_denominator"] = True
        c["in_numerator"] = (c["last_supervision_date"] >= w0).fillna(False).to_numpy(dtype=bool)
        return c

    rows = stock_rows(periods, build)
    return finish("case_supervision", rows, tables, periods, by, SUPERVISION_COLUMNS, count_only=False)


# ---- caseload -------------------------------------------------------------------------------

CASELOAD_COLUMNS = ["period", *ORG_COLUMNS, "group_id", "group", "in_denominator", "in_numerator",
                    "cases", "cla_cases", "cp_cases", "cin_cases", "care_leaver_cases", "job_title",
                    "fte", "agency"]


def compute_caseload(tables, periods, by, settings) -> MeasureResult:
    opened = _Open(tables)
    opened.on_many([p.end for p in periods])
    prof = tables["ssd_professionals"]
    staff = pd.DataFrame({
        "worker_id": text(prof["prof_professional_id"]),
        "job_title": text(prof["prof_professional_job_title"]),
        "department": text(prof["prof_professional_department"]),
        "fte": pd.to_numeric(prof["prof_full_time_equivalency"], errors="coerce").to_numpy(dtype=float),
        "agency": yes(prof["prof_agency_worker_flag"]),
    }).drop_duplicates("worker_id").set_index("worker_id")

    parts = []
    for p in periods:
        cases = opened.on(p.end, labels=True)
        cases["worker_id"] = cases[LABELS[0]].to_numpy(dtype=object)
        cases["team_id"] = cases[LABELS[1]].to_numpy(dtype=object)
        cases = cases.drop(columns=list(LABELS))
        cases = cases[(cases["worker_id"] != "").to_numpy()]
        cases["case_key"] = cases["case_type"].map({"CLA": "cla_cases", "CP": "cp_cases", "CIN": "cin_cases",
                                                    "Care leaver": "care_leaver_cases"})
        per = cases.pivot_table(index="worker_id", columns="case_key", values="person_id", aggfunc="count",
                                fill_value=0)
        per = per.reindex(columns=["cla_cases", "cp_cases", "cin_cases", "care_leaver_cases"], fill_value=0)
        per.columns.name = None
        per.index.name = "worker_id"
        per["cases"] = per.sum(axis=1)
        # The worker's team: the team most of their open cases are allocated under (else their
        # department on the staff record).
        teams = cases[cases["team_id"] != ""].groupby(["worker_id", "team_id"]).size().reset_index(name="n")
        teams = teams.sort_values(["worker_id", "n", "team_id"], ascending=[True, False, True])
        team = teams.drop_duplicates("worker_id").set_index("worker_id")["team_id"]
        w = per.reset_index()
        w["team_code"] = team.reindex(w["worker_id"].to_numpy(dtype=object)).fillna("").to_numpy(dtype=object)
        dept = staff["department"].reindex(w["worker_id"].to_numpy(dtype=object)).fillna("").to_numpy(dtype=object)
        w["team_code"] = np.where(w["team_code"] == "", dept, w["team_code"])
        for c in ("job_title", "fte", "agency"):
            w[c] = staff[c].reindex(w["worker_id"].to_numpy(dtype=object)).to_numpy()
        w.insert(0, "period", p.label)
        parts.append(w)
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.rename(columns={"worker_id": "worker_code"})
    rows = label_org(rows, tables, team_col="team_code", worker_col="worker_code")
    rows = set_group(rows, by)
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    for c in ("cases", "cla_cases", "cp_cases", "cin_cases", "care_leaver_cases"):
        rows[c] = rows[c].astype(int)
    rows = rows[CASELOAD_COLUMNS].sort_values(["period", "cases"], ascending=[True, False], kind="stable")
    rows = rows.reset_index(drop=True)

    g = rows.groupby(["period", "group_id", "group"], sort=False)
    summary = g.agg(numerator=("cases", "sum"), denominator=("worker_id", "nunique")).reset_index()
    summary["numerator"] = summary["numerator"].astype(int)
    summary["denominator"] = summary["denominator"].astype(int)
    summary["value"] = summary["numerator"] / summary["denominator"]
    labels = [p.label for p in periods]
    if by is None:
        missing = [label for label in labels if label not in set(summary["period"])]
        if missing:
            empty = pd.DataFrame({"period": missing, "group_id": ALL_ID, "group": ALL_LABEL,
                                  "numerator": 0, "denominator": 0, "value": np.nan})
            summary = pd.concat([summary, empty], ignore_index=True) if len(summary) else empty
    order = {label: i for i, label in enumerate(labels)}
    summary = summary.sort_values(
        ["period", "group"], key=lambda s: s.map(order) if s.name == "period" else s.astype(str))
    return MeasureResult("caseload", summary[SUMMARY_COLUMNS].reset_index(drop=True), rows)


# ---- worker changes -------------------------------------------------------------------------

WORKER_CHANGES_COLUMNS = [*BASE_COLUMNS, "case_type", "services", "changes", "workers_in_window",
                          "last_change_date", "window_start"]


def worker_holders(tables: Mapping[str, pd.DataFrame], person_ids, until) -> pd.DataFrame:
    """The sequence of allocated workers for each child up to ``until``: the allocation
    (:func:`metrics.allocation.allocation_on`) on every day one of their allocations starts, and
    on the day after one ends. Columns person_id, date, worker_id ("" when unallocated),
    sorted by child and date."""
    inv = _involvements(tables)
    inv = inv[member(inv["person_id"], person_ids) & inv["start"].notna().to_numpy()]
    until = pd.Timestamp(until).normalize()
    starts = inv[["person_id", "start"]].rename(columns={"start": "date"})
    ends = inv[inv["end"].notna().to_numpy()][["person_id", "end"]].rename(columns={"end": "date"})
    ends = ends.assign(date=ends["date"] + pd.Timedelta(days=1))
    ev = pd.concat([starts, ends], ignore_index=True)
    ev = ev[(ev["date"] <= until).to_numpy(dtype=bool)].drop_duplicates()
    ev = ev.sort_values(["person_id", "date"], kind="stable").reset_index(drop=True)
    alloc = allocation_on(tables, ev["person_id"], ev["date"])
    ev["worker_id"] = alloc["worker_id"].to_numpy(dtype=object)
    return ev


def count_worker_changes(holders: pd.DataFrame, window_start, window_end) -> pd.DataFrame:
    """Per child: changes (the allocated worker became a different worker on a day in the window;
    spells with no worker in between are skipped, the first worker a child ever has is not a
    change, going back to an earlier worker is), workers_in_window (distinct workers holding the
    case at some point in the window) and last_change_date."""
    h = holders[(holders["worker_id"] != "").to_numpy()].reset_index(drop=True)
    h = h[(h["date"] <= window_end).to_numpy(dtype=bool)]
    prev = h.groupby("person_id", sort=False)["worker_id"].shift(1)
    in_window = (h["date"] >= window_start).to_numpy(dtype=bool)
    change = prev.notna().to_numpy() & (h["worker_id"] != prev).to_numpy(dtype=bool) & in_window
    h = h.assign(change=change, change_date=h["date"].where(change))
    # Workers holding the case in the window: those whose spell starts in it, plus the holder at
    # its start (the last holder before it, if that spell runs into the window).
    before = holders[(holders["date"] < window_start).to_numpy(dtype=bool)]
    at_start = before.drop_duplicates("person_id", keep="last")
    at_start = at_start[(at_start["worker_id"] != "").to_numpy()][["person_id", "worker_id"]]
    inside = h[in_window][["person_id", "worker_id"]]
    workers = pd.concat([at_start, inside]).drop_duplicates().groupby("person_id").size()
    out = h.groupby("person_id", sort=False).agg(changes=("change", "sum"), last_change_date=("change_date", "max"))
    out["workers_in_window"] = workers.reindex(out.index).fillna(0).astype(int)
    return out


def compute_worker_changes(tables, periods, by, settings) -> MeasureResult:
    opened = _Open(tables)
    opened.on_many([p.end for p in periods])
    cohorts = {p.label: opened.on(p.end, labels=True) for p in periods}
    everyone = pd.unique(np.concatenate([c["person_id"].to_numpy(dtype=object) for c in cohorts.values()])) \
        if cohorts else np.array([], dtype=object)
    holders = worker_holders(tables, everyone, max(p.end for p in periods))

    def build(p: Period) -> pd.DataFrame:
        c = cohorts[p.label]
        w0 = months_before(p.end, CHANGE_WINDOW_MONTHS)
        counts = count_worker_changes(holders[member(holders["person_id"], c["person_id"])], w0, p.end)
        ids = c["person_id"].to_numpy(dtype=object)
        c["changes"] = counts["changes"].reindex(ids).fillna(0).astype(int).to_numpy()
        c["workers_in_window"] = counts["workers_in_window"].reindex(ids).fillna(0).astype(int).to_numpy()
        c["last_change_date"] = pd.to_datetime(counts["last_change_date"].reindex(ids)).to_numpy()
        c["window_start"] = w0
        c["in_denominator"] = True
        c["in_numerator"] = c["changes"] >= CHANGES_THRESHOLD
        return c

    rows = stock_rows(periods, build)
    return finish("worker_changes", rows, tables, periods, by, WORKER_CHANGES_COLUMNS, count_only=False)


# ---- registration -------------------------------------------------------------------------

_OPEN_TABLES = ("ssd_involvements", "ssd_cin_episodes", "ssd_cp_plans", "ssd_cla_episodes", "ssd_care_leavers")
_OPTIONAL = ("ssd_cla_placement", "ssd_legal_status")
_OPEN = (
    "Children open to social care at the period end: an open child in need episode (a referral not "
    "closed by the period end, other than 'no further action'), a child protection plan, in care, "
    "or a care leaver aged 16 to 25"
)
_ALLOCATED = (
    "The allocated worker is the worker on the child's allocation (involvement) open on the day; "
    "if several are open, the one that started last."
)

register(Measure(
    id="unallocated", title="Unallocated cases", unit="count", polarity="low", kind="stock",
    definition=f"{_OPEN}, with no allocated worker on the last day of the period. {_ALLOCATED}",
    source_tables=(*_OPEN_TABLES, *ORG_TABLES), optional_tables=_OPTIONAL, compute=compute_unallocated,
))

register(Measure(
    id="case_supervision", title="Up-to-date case supervision", unit="percent", polarity="high",
    kind="stock",
    definition=(
        f"{_OPEN}: the share whose last case supervision, on or before the period end, was no more "
        "than 30 days (a setting, supervision_interval_days) before it: supervision on 1 March is up "
        "to date at 31 March (30 days), supervision on 28 February is not (31 days). Needs the case "
        "supervision extension table."
    ),
    source_tables=(*_OPEN_TABLES, "ext_case_supervision", *ORG_TABLES), optional_tables=_OPTIONAL,
    compute=compute_supervision,
))

register(Measure(
    id="caseload", title="Caseload per worker", unit="count", polarity="none", kind="stock",
    definition=(
        f"{_OPEN}, with an allocated worker: the number of such children each worker holds on the "
        "last day of the period. The figure is the average per worker holding at least one case "
        f"(cases divided by workers); each worker is listed with their count. {_ALLOCATED} A worker "
        "is shown in the team most of their cases are allocated under."
    ),
    source_tables=(*_OPEN_TABLES, *ORG_TABLES), optional_tables=_OPTIONAL, compute=compute_caseload,
    benchmark_key="Work_Force_AvgNumCase_SW",
))

register(Measure(
    id="worker_changes", title="Children with 3+ social worker changes in 12 months", unit="percent",
    polarity="low", kind="stock",
    definition=(
        f"{_OPEN}: the share whose allocated worker changed 3 or more times in the 12 months up to "
        "the period end. The allocated worker is worked out on every day an allocation starts or "
        "ends; a change is counted each time it becomes a different worker from the one before. The "
        "first worker a child has is not a change, a gap with no worker is skipped (the next worker "
        "is compared with the last one), a new allocation to the same worker is not a change, and "
        f"going back to an earlier worker is. {_ALLOCATED}"
    ),
    source_tables=(*_OPEN_TABLES, *ORG_TABLES), optional_tables=_OPTIONAL,
    compute=compute_worker_changes,
))
