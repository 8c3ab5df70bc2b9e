"""Statutory visits and reviews: were they on time?

Measures (``../shared/spec/measures.md``):

- ``cp_visits``, ``cin_visits``, ``cla_visits``: children open at the period end who were visited
  on time "through the period" (measures.md Conventions).
- ``cp_reviews``, ``cin_reviews``, ``cla_reviews``: children open at the period end whose reviews
  have all been on time.

"Open at the period end" is the one rule every stock measure uses
(:func:`metrics.front_door.open_at`): a plan, placement or period of care ending on the period end
is not open then (nor, for the task-engine functions, on the date asked about).

All six rest on one rule, :func:`intervals_through` + :func:`summarise_intervals`: walk the dated
events (visits or reviews) of each plan/placement/period of care and judge every interval between
consecutive points against its limit. For visits the points are: the plan start (or the last visit
before the period, if there was one in the plan), every visit in the period, and the period end (or
the plan end if that comes first). For reviews the walk covers the whole plan up to the period end.
An interval is on time when its end point is no later than the last day still within the limit
(the "latest on-time date"); the final interval, which ends at the period end without a visit,
therefore only fails once the next visit is actually overdue.

Plain functions for other modules (the statutory task engine): :func:`visit_status`,
:func:`last_visit_before`, :func:`next_visit_due`, :func:`review_status`,
:func:`last_review_before`, :func:`next_review_due`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metrics.allocation import allocation_arrays, label_by_allocation
from metrics.calendar import add_working_days, working_days_after
from metrics.front_door import open_at
from metrics.lookups import child_name_array, org_columns
from metrics.memo import derived
from metrics.prepared import open_pairs
from metrics.periods import Period
from metrics.registry import SUMMARY_COLUMNS, Measure, MeasureResult, register
from metrics.settings import MetricSettings

ALL_ID, ALL_LABEL = "all", "All"

# Review timescales (measures.md; reference/domain.md section 4). Not per-authority settings yet.
CP_REVIEW_FIRST_MONTHS = 3        # first review conference within 3 months of the plan start
CP_REVIEW_INTERVAL_MONTHS = 6     # then within 6 months of the previous
CIN_REVIEW_INTERVAL_MONTHS = 3    # CIN plan reviews: within 3 months of the start / previous review
REVIEW_COHORT_MIN_MONTHS = 3      # CP/CIN review cohort: on the plan for at least 3 months
CLA_REVIEW_FIRST_WORKING_DAYS = 20  # first CLA review within 20 working days of entering care
CLA_REVIEW_SECOND_MONTHS = 3      # second within 3 months of the first
CLA_REVIEW_INTERVAL_MONTHS = 6    # then within 6 months of the previous
# CLA visits (CPPCR Regs 2010 reg. 28): the longer interval for a placement intended to last until
# 18 applies only after the placement's first year.
CLA_LONG_TERM_AFTER_MONTHS = 12
# SSD ssd_cla_care_plan.lacp_cla_care_plan_json holds the permanence plan (Liquidlogic answers
# CPFUP1-10 as keys REMAINSUP, RETURN1M, ..., LTFOST18 = "long-term fostering until 18"). A care
# plan naming one of these codes (as a key with a yes-like value, or as a value) marks the child's
# current placement as intended to last until 18.
LONG_TERM_PLAN_CODES = ("LTFOST18",)

LimitUnit = Literal["working_days", "days", "months"]
Kind = Literal["cp", "cin", "cla"]
LIMIT_UNITS = ("working_days", "days", "months")
# Interval end points (intervals_through: from_kind / to_kind), as small integers for speed.
START, EVENT, PERIOD_END, SPAN_END = 0, 1, 2, 3
KIND_NAMES = np.array(["start", "event", "period_end", "span_end"], dtype=object)


@dataclass(frozen=True)
class Limit:
    """The longest an interval may last: ``amount`` working days, days or months."""
    amount: int
    unit: LimitUnit

    @property
    def text(self) -> str:
        word = {"working_days": "working day", "days": "day", "months": "month"}[self.unit]
        return f"{self.amount} {word}{'' if self.amount == 1 else 's'}"

    def latest_on_time(self, dates: pd.Series) -> pd.Series:
        """The last date an interval starting on ``dates`` may end and still be on time.

        Working days: the day before the (amount + 1)th working day after the date, so a visit on
        a weekend straight after the due Friday is still within ``amount`` working days."""
        d = pd.to_datetime(pd.Series(dates)).dt.normalize()
        if self.unit == "working_days":
            nxt = add_working_days(d.to_numpy(), self.amount + 1)
            return pd.Series(np.asarray(nxt) - np.timedelta64(1, "D"), index=d.index)
        if self.unit == "days":
            return d + pd.Timedelta(days=self.amount)
        return d + pd.DateOffset(months=self.amount)

    def due(self, dates: pd.Series) -> pd.Series:
        """The date to show as "due": the amount-th working day for working-day limits (always a
        working day), otherwise the latest on-time date."""
        if self.unit == "working_days":
            d = pd.to_datetime(pd.Series(dates)).dt.normalize()
            return pd.Series(np.asarray(add_working_days(d.to_numpy(), self.amount)), index=d.index)
        return self.latest_on_time(dates)


# ---- the shared rule ---------------------------------------------------------------------------

def attach_events(spans: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Events (visits/reviews) that fall within each span, one per span and day.

    ``spans``: span_id, person_id, start, end (NaT = open). ``events``: date and either person_id
    (matched on the person and the span's dates) or span_id (matched on the span, still within
    its dates). Returns span_id, date."""
    key = "span_id" if "span_id" in events.columns else "person_id"
    cols = ["span_id", "start", "end"] + (["person_id"] if key == "person_id" else [])
    m = events[[key, "date"]].merge(spans[cols], on=key, how="inner")
    ok = m["date"].notna() & (m["date"] >= m["start"]) & (m["end"].isna() | (m["date"] <= m["end"]))
    out = m.loc[ok, ["span_id", "date"]].drop_duplicates()
    return out.reset_index(drop=True)


def intervals_through(spans: pd.DataFrame, span_events: pd.DataFrame, start, end, *,
                      whole_span: bool = False) -> pd.DataFrame:
    """Every interval that overlaps [start, end] for every span that overlaps it.

    Points, per span: the anchor (the last event before the window, else the span start), each
    event in the window, and the close (the period end, or the span end if earlier). With
    ``whole_span`` the window opens at the span start, so every interval of the span up to
    ``end`` is returned (reviews). Returns one row per interval: span_id, person_id, from_date,
    to_date, from_kind (START/EVENT), to_kind (EVENT/PERIOD_END/SPAN_END; names in
    ``KIND_NAMES``) and n_before
    (how many events of the span fall on or before from_date: 0 when it is the span start)."""
    p0, p1 = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    s = spans[spans["start"].notna() & (spans["start"] <= p1)
              & (spans["end"].isna() | ((spans["end"] >= p0) & (spans["end"] >= spans["start"])))]
    if s.empty:
        return _empty_intervals()
    span_ids = s["span_id"].to_numpy()
    starts = s["start"].to_numpy(dtype="datetime64[ns]")
    ends = s["end"].to_numpy(dtype="datetime64[ns]")
    p0n, p1n = np.datetime64(p0, "ns"), np.datetime64(p1, "ns")
    w0 = starts if whole_span else np.maximum(starts, p0n)
    ended = ~np.isnat(ends) & (ends < p1n)
    w1 = np.where(ended, ends, p1n)
    win = pd.DataFrame({"span_id": span_ids, "w0": w0, "w1": w1})

    e = span_events.merge(win, on="span_id", how="inner")
    e = e[e["date"] <= e["w1"]]
    before = (e["date"] < e["w0"]).to_numpy()
    prior = e[before].groupby("span_id", sort=False)["date"].agg(["max", "size"])
    idx = pd.Index(prior.index).get_indexer(span_ids)
    has_prior = idx >= 0
    if len(prior):
        take = np.maximum(idx, 0)
        prior_max = np.where(has_prior, prior["max"].to_numpy(dtype="datetime64[ns]")[take], starts)
        prior_n = np.where(has_prior, prior["size"].to_numpy()[take], 0)
    else:
        prior_max, prior_n = starts, np.zeros(len(span_ids), dtype=np.int64)

    inwin = e[~before].sort_values(["span_id", "date"], kind="mergesort")
    in_idx = pd.Index(span_ids).get_indexer(inwin["span_id"].to_numpy())
    in_ord = prior_n[in_idx] + inwin.groupby("span_id", sort=False).cumcount().to_numpy() + 1

    n_s, n_e = len(span_ids), len(inwin)
    points = pd.DataFrame({
        "span_id": np.concatenate([span_ids, inwin["span_id"].to_numpy(), span_ids]),
        "date": np.concatenate([np.where(has_prior, prior_max, starts),
                                inwin["date"].to_numpy(dtype="datetime64[ns]"), w1]),
        "kind": np.concatenate([np.where(has_prior, EVENT, START), np.full(n_e, EVENT),
                                np.where(ended, SPAN_END, PERIOD_END)]).astype(np.int8),
        "ord": np.concatenate([prior_n, in_ord, np.full(n_s, -1)]).astype(np.int64),
        "seq": np.concatenate([np.zeros(n_s, np.int8), np.ones(n_e, np.int8), np.full(n_s, 2, np.int8)]),
    })
    points = points.sort_values(["span_id", "date", "seq"], kind="mergesort", ignore_index=True)
    sid = points["span_id"].to_numpy()
    same = np.zeros(len(points), dtype=bool)
    same[1:] = sid[1:] == sid[:-1]
    to = np.flatnonzero(same)
    fr = to - 1
    person = pd.Series(s["person_id"].to_numpy(), index=span_ids)
    person = person[~person.index.duplicated()]
    out = pd.DataFrame({
        "span_id": sid[to],
        "person_id": person.reindex(sid[to]).to_numpy(),
        "from_date": points["date"].to_numpy()[fr],
        "to_date": points["date"].to_numpy()[to],
        "from_kind": points["kind"].to_numpy()[fr],
        "to_kind": points["kind"].to_numpy()[to],
        "n_before": points["ord"].to_numpy()[fr],
    })
    return out


def _empty_intervals() -> pd.DataFrame:
    return pd.DataFrame({
        "span_id": pd.Series(dtype=object), "person_id": pd.Series(dtype=object),
        "from_date": pd.Series(dtype="datetime64[ns]"), "to_date": pd.Series(dtype="datetime64[ns]"),
        "from_kind": pd.Series(dtype=np.int8), "to_kind": pd.Series(dtype=np.int8),
        "n_before": pd.Series(dtype=np.int64),
    })


def apply_limit(iv: pd.DataFrame, limit: Limit, mask=None) -> pd.DataFrame:
    """Set each interval's limit (``mask`` selects which; all by default): latest_on_time,
    due (the date to show as due), limit_amount and limit_unit (index into LIMIT_UNITS).
    In place; returns ``iv``."""
    if mask is None:
        mask = np.ones(len(iv), dtype=bool)
    mask = np.asarray(mask, dtype=bool)
    if "latest_on_time" not in iv.columns:
        iv["latest_on_time"] = pd.Series(pd.NaT, index=iv.index, dtype="datetime64[ns]")
        iv["due"] = pd.Series(pd.NaT, index=iv.index, dtype="datetime64[ns]")
        iv["limit_unit"] = np.full(len(iv), -1, dtype=np.int8)
        iv["limit_amount"] = np.nan
    if mask.any():
        start = iv.loc[mask, "from_date"]
        iv.loc[mask, "latest_on_time"] = limit.latest_on_time(start).to_numpy(dtype="datetime64[ns]")
        iv.loc[mask, "due"] = limit.due(start).to_numpy(dtype="datetime64[ns]")
        iv.loc[mask, "limit_unit"] = LIMIT_UNITS.index(limit.unit)
        iv.loc[mask, "limit_amount"] = float(limit.amount)
    return iv


def judge_intervals(iv: pd.DataFrame, gap_unit: Literal["working_days", "days"]) -> pd.DataFrame:
    """Add gap and allowed (in ``gap_unit``) and on_time to intervals that have limits set."""
    a, b, lot = iv["from_date"], iv["to_date"], iv["latest_on_time"]
    if gap_unit == "working_days":
        iv["gap"] = working_days_after(a, b)
        wd_limit = (iv["limit_unit"] == LIMIT_UNITS.index("working_days")).to_numpy()
        iv["allowed"] = np.where(wd_limit, iv["limit_amount"].to_numpy(dtype=float),
                                 working_days_after(a, lot))
    else:
        iv["gap"] = (b - a).dt.days.astype(float)
        iv["allowed"] = (lot - a).dt.days.astype(float)
    iv["on_time"] = (b <= lot).to_numpy()
    return iv


SUMMARY_FIELDS = [
    "person_id", "compliant", "longest_gap", "threshold", "longest_gap_from", "longest_gap_to",
    "breach_from", "breach_to", "breach_gap", "breach_limit", "breach_from_kind", "breach_to_kind",
    "events_in_window", "first_event_date", "last_event_date", "previous_event_date",
]


def summarise_intervals(iv: pd.DataFrame, window_start=None) -> pd.DataFrame:
    """One row per person over judged intervals (all their spans): compliant (every interval on
    time), the longest gap and the limit that applied to it, the first breach (earliest failing
    interval), the events in the window (count, first, last) and the last event before
    ``window_start`` (the anchor), indexed by person_id."""
    if iv.empty:
        return pd.DataFrame(columns=SUMMARY_FIELDS).set_index("person_id")
    g = iv.groupby("person_id", sort=False)
    out = pd.DataFrame({"compliant": g["on_time"].all()})
    longest = iv.sort_values(["person_id", "gap", "from_date"], ascending=[True, False, True],
                             kind="mergesort").drop_duplicates("person_id").set_index("person_id")
    out["longest_gap"] = longest["gap"]
    out["threshold"] = longest["allowed"]
    out["longest_gap_from"] = longest["from_date"]
    out["longest_gap_to"] = longest["to_date"]
    bad = iv[~iv["on_time"]].sort_values(["person_id", "from_date"], kind="mergesort")
    bad = bad.drop_duplicates("person_id").set_index("person_id")
    out["breach_from"] = bad["from_date"].reindex(out.index)
    out["breach_to"] = bad["to_date"].reindex(out.index)
    out["breach_gap"] = bad["gap"].reindex(out.index)
    out["breach_limit"] = bad["allowed"].reindex(out.index)
    out["breach_from_kind"] = bad["from_kind"].reindex(out.index)
    out["breach_to_kind"] = bad["to_kind"].reindex(out.index)
    ev = iv[iv["to_kind"] == EVENT].groupby("person_id", sort=False)["to_date"]
    out["events_in_window"] = ev.size().reindex(out.index).fillna(0).astype(int)
    out["first_event_date"] = ev.min().reindex(out.index)
    out["last_event_date"] = ev.max().reindex(out.index)
    prev = iv[iv["from_kind"] == EVENT]
    if window_start is not None:
        prev = prev[prev["from_date"] < pd.Timestamp(window_start)]
        out["previous_event_date"] = prev.groupby("person_id", sort=False)["from_date"].max().reindex(out.index)
    else:
        out["previous_event_date"] = pd.NaT
    out.index.name = "person_id"
    return out


def through_period(spans: pd.DataFrame, span_events: pd.DataFrame, period: Period, limit: Limit,
                   gap_unit: Literal["working_days", "days"] | None = None) -> pd.DataFrame:
    """Visit compliance "through the period" for a single limit (CP and CIN visits): one row per
    person with any span overlapping the period (see :func:`summarise_intervals`)."""
    iv = intervals_through(spans, span_events, period.start, period.end)
    apply_limit(iv, limit)
    judge_intervals(iv, gap_unit or ("working_days" if limit.unit == "working_days" else "days"))
    return summarise_intervals(iv, period.start)


# ---- source tables as spans and events ---------------------------------------------------------

def _ids(s: pd.Series):
    return s.fillna("").astype(str).array


def _encode(spans: pd.DataFrame, events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Integer keys, so that merges and sorts over millions of events stay fast: span_id becomes
    0..n-1 and person_id a code; the source IDs are kept in span_ref and person_ref. Events keep
    only those of a known span (by span_id) or person."""
    spans = spans[(spans["person_id"] != "") & (spans["span_id"] != "")]
    spans = spans.drop_duplicates("span_id").reset_index(drop=True)
    pcodes, people = pd.factorize(spans["person_id"])
    out = spans.rename(columns={"span_id": "span_ref", "person_id": "person_ref"})
    out.insert(0, "span_id", np.arange(len(out), dtype=np.int64))
    out.insert(1, "person_id", pcodes.astype(np.int64))
    key, ref = ("span_id", out["span_ref"]) if "span_id" in events.columns else ("person_id", people)
    k = pd.Index(ref).get_indexer(events[key])
    ev = pd.DataFrame({key: k.astype(np.int64), "date": events["date"].to_numpy(dtype="datetime64[ns]")})
    return out, ev[k >= 0].reset_index(drop=True)


def _codes_of(spans: pd.DataFrame, person_refs) -> set:
    """The person codes (see _encode) of the given source person IDs."""
    refs = list(person_refs)
    if not refs:
        return set()
    first = spans.drop_duplicates("person_id")
    k = pd.Index(first["person_ref"]).get_indexer(pd.Index(refs))
    return set(first["person_id"].to_numpy()[k[k >= 0]].tolist())


def _dates(s: pd.Series) -> np.ndarray:
    return pd.to_datetime(s).dt.normalize().to_numpy(dtype="datetime64[ns]")


def _spans(ids, persons, starts, ends, **extra) -> pd.DataFrame:
    return pd.DataFrame({"span_id": _ids(ids), "person_id": _ids(persons), "start": _dates(starts),
                         "end": _dates(ends), **extra})


def cp_plan_spans(tables) -> pd.DataFrame:
    p = tables["ssd_cp_plans"]
    return _spans(p["cppl_cp_plan_id"], p["cppl_person_id"], p["cppl_cp_plan_start_date"], p["cppl_cp_plan_end_date"])


def cin_plan_spans(tables) -> pd.DataFrame:
    p = tables["ssd_cin_plans"]
    return _spans(p["cinp_cin_plan_id"], p["cinp_person_id"], p["cinp_cin_plan_start_date"], p["cinp_cin_plan_end_date"])


def placement_spans(tables) -> pd.DataFrame:
    p = tables["ssd_cla_placement"]
    persons = p["clap_person_id"]
    if persons.isna().any() and "ssd_cla_episodes" in tables:
        # A placement without a person: take it from the episode that points at it.
        ep = tables["ssd_cla_episodes"]
        by_pl = pd.Series(_ids(ep["clae_person_id"]), index=_ids(ep["clae_cla_placement_id"]))
        by_pl = by_pl[~by_pl.index.duplicated()]
        found = by_pl.reindex(_ids(p["clap_cla_placement_id"])).to_numpy()
        persons = pd.Series(np.where(persons.isna().to_numpy(), found, persons.to_numpy()), index=p.index)
    return _spans(p["clap_cla_placement_id"], persons, p["clap_cla_placement_start_date"],
                  p["clap_cla_placement_end_date"], placement_type=p["clap_cla_placement_type"].to_numpy())


def care_spans(tables) -> pd.DataFrame:
    """Periods of care from ssd_cla_episodes (one per clae_cla_id; an episode without one is its
    own period): start = the entered-care date (else the first episode start), end = the last
    ceased date, blank while any episode is open."""
    ep = tables["ssd_cla_episodes"]
    cla = ep["clae_cla_id"].where(ep["clae_cla_id"].notna() & (ep["clae_cla_id"].astype(str) != ""),
                                  ep["clae_cla_episode_id"])
    f = pd.DataFrame({
        "span_id": _ids(cla), "person_id": _ids(ep["clae_person_id"]),
        "entered": _dates(ep["clae_entered_care_date"]), "start": _dates(ep["clae_cla_episode_start_date"]),
        "end": _dates(ep["clae_cla_episode_ceased_date"]),
    })
    g = f.groupby("span_id", sort=False)
    out = pd.DataFrame({
        "person_id": g["person_id"].first(),
        "start": g["entered"].min().fillna(g["start"].min()),
        "end": g["end"].max().where(g["end"].count() == g.size()),
    }).reset_index()
    return out[["span_id", "person_id", "start", "end"]]


def _visit_events(tables, kind: Kind) -> pd.DataFrame:
    table, person, date = {
        "cp": ("ssd_cp_visits", "cppv_person_id", "cppv_cp_visit_date"),
        "cin": ("ssd_cin_visits", "cinv_person_id", "cinv_cin_visit_date"),
        "cla": ("ssd_cla_visits", "clav_person_id", "clav_cla_visit_date"),
    }[kind]
    v = tables[table]
    return pd.DataFrame({"person_id": _ids(v[person]), "date": _dates(v[date])})


def _review_events(tables, kind: Kind) -> pd.DataFrame:
    if kind == "cp":
        r = tables["ssd_cp_reviews"]
        return pd.DataFrame({"person_id": _ids(r["cppr_person_id"]), "date": _dates(r["cppr_cp_review_date"])})
    if kind == "cin":
        r = tables["ext_cin_reviews"]
        return pd.DataFrame({"person_id": _ids(r["cinr_person_id"]), "date": _dates(r["cinr_review_date"])})
    r = tables["ssd_cla_reviews"]
    cancelled = r["clar_cla_review_cancelled"].fillna("").astype(str).str.strip().str.upper().str.startswith("Y")
    r = r[~cancelled.to_numpy()]
    return pd.DataFrame({"span_id": _ids(r["clar_cla_id"]), "date": _dates(r["clar_cla_review_date"])})


def _visit_spans(tables, kind: Kind) -> pd.DataFrame:
    return {"cp": cp_plan_spans, "cin": cin_plan_spans, "cla": placement_spans}[kind](tables)


def _review_spans(tables, kind: Kind) -> pd.DataFrame:
    return {"cp": cp_plan_spans, "cin": cin_plan_spans, "cla": care_spans}[kind](tables)


def _open_on(spans: pd.DataFrame, date) -> pd.DataFrame:
    """Spans open at the end of ``date`` (:func:`metrics.front_door.open_at`, the rule every stock
    measure uses): a plan, placement or period of care ending on ``date`` is not open then."""
    return spans[open_at(spans["start"], spans["end"], date)]


def _current(spans: pd.DataFrame, date) -> pd.DataFrame:
    """Per person, the span open on ``date`` that started last (ties: highest id)."""
    o = _open_on(spans, date)
    return o.sort_values(["person_id", "start", "span_id"], kind="mergesort").drop_duplicates("person_id", keep="last")


def long_term_children(tables, on) -> set[str]:
    """Children whose care plan open on ``on`` (latest started) says the placement is intended to
    last until 18 (``LONG_TERM_PLAN_CODES`` in lacp_cla_care_plan_json)."""
    cp = tables.get("ssd_cla_care_plan")
    if cp is None or cp.empty:
        return set()
    plans = pd.DataFrame({
        "span_id": _ids(cp["lacp_table_id"]), "person_id": _ids(cp["lacp_person_id"]),
        "start": _dates(cp["lacp_cla_care_plan_start_date"]), "end": _dates(cp["lacp_cla_care_plan_end_date"]),
        "json": cp["lacp_cla_care_plan_json"].fillna("").astype(str).to_numpy(dtype=object),
    })
    cur = _current(plans, on)
    flag = long_term_plan(cur["json"])
    return set(cur.loc[flag.to_numpy(), "person_id"])


_NO = r"(?:|N|NO|0|FALSE|NULL|NONE)"


def long_term_plan(json_text: pd.Series) -> pd.Series:
    """True where the care-plan JSON text names a long-term-until-18 plan: a code in
    ``LONG_TERM_PLAN_CODES`` as a key whose value is not blank/No/0/false, or as a value."""
    text = pd.Series(json_text, dtype=object).fillna("").astype(str).str.upper()
    hit = pd.Series(False, index=text.index)
    for code in LONG_TERM_PLAN_CODES:
        c = re.escape(code.upper())
        value = text.str.extract(rf'"{c}"\s*:\s*(?:"([^"]*)"|([^,}}\]\s]+))')
        val = value[0].fillna(value[1]).fillna("").str.strip()
        as_key = value[0].notna() | value[1].notna()
        as_key &= ~val.str.fullmatch(_NO)
        as_value = text.str.contains(rf'(?:[:\[,]\s*)"{c}"\s*(?:[,\]}}]|$)', regex=True)
        hit |= as_key | as_value
    return hit


# ---- limits per measure --------------------------------------------------------------------------

def _visit_limit(kind: Kind, settings: MetricSettings) -> Limit:
    if kind == "cp":
        return Limit(settings.cp_visit_threshold, settings.cp_visit_unit)
    return Limit(settings.cin_visit_threshold, settings.cin_visit_unit)


def _cla_visit_limits(iv: pd.DataFrame, spans: pd.DataFrame, long_term_spans: set[str],
                      settings: MetricSettings) -> pd.DataFrame:
    """First visit within cla_visit_first_days of the placement start; then at most
    cla_visit_interval_days apart; after the first year of a placement intended to last until 18,
    at most cla_visit_long_term_months apart (by the date the interval starts)."""
    first = (iv["from_kind"] == START).to_numpy()
    apply_limit(iv, Limit(settings.cla_visit_first_days, "days"), first)
    apply_limit(iv, Limit(settings.cla_visit_interval_days, "days"), ~first)
    if long_term_spans:
        lt = pd.Series(_member(spans["span_id"], long_term_spans), index=spans["span_id"].to_numpy())
        lt = lt[~lt.index.duplicated()]
        start = pd.Series(spans["start"].to_numpy(), index=spans["span_id"].to_numpy())
        start = start[~start.index.duplicated()]
        anniversary = (start + pd.DateOffset(months=CLA_LONG_TERM_AFTER_MONTHS)).reindex(iv["span_id"].to_numpy())
        in_lt = lt.reindex(iv["span_id"].to_numpy()).fillna(False).to_numpy(dtype=bool)
        mask = ~first & in_lt & (iv["from_date"].to_numpy() >= anniversary.to_numpy())
        apply_limit(iv, Limit(settings.cla_visit_long_term_months, "months"), mask)
    return iv


def _review_limits(iv: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    n = iv["n_before"].to_numpy()
    if kind == "cp":
        apply_limit(iv, Limit(CP_REVIEW_FIRST_MONTHS, "months"), n == 0)
        apply_limit(iv, Limit(CP_REVIEW_INTERVAL_MONTHS, "months"), n >= 1)
    elif kind == "cin":
        apply_limit(iv, Limit(CIN_REVIEW_INTERVAL_MONTHS, "months"))
    else:
        apply_limit(iv, Limit(CLA_REVIEW_FIRST_WORKING_DAYS, "working_days"), n == 0)
        apply_limit(iv, Limit(CLA_REVIEW_SECOND_MONTHS, "months"), n == 1)
        apply_limit(iv, Limit(CLA_REVIEW_INTERVAL_MONTHS, "months"), n >= 2)
    return iv


def _apply_visit_limit(iv: pd.DataFrame, kind: Kind, settings) -> str:
    """CP / CIN visits: one interval limit for every gap; returns the unit gaps are judged in."""
    limit = _visit_limit(kind, settings)
    apply_limit(iv, limit)
    return "working_days" if limit.unit == "working_days" else "days"


def _visit_intervals(kind: Kind, spans, span_events, start, end, settings, tables,
                     current: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    iv = intervals_through(spans, span_events, start, end)
    if kind == "cla":
        lt_people = _codes_of(spans, long_term_children(tables, end))
        cur = current if current is not None else _current(spans, end)
        lt_spans = set(cur.loc[_member(cur["person_id"], lt_people), "span_id"].tolist())
        _cla_visit_limits(iv, spans, lt_spans, settings)
        gap_unit = "days"
    else:
        gap_unit = _apply_visit_limit(iv, kind, settings)
    judge_intervals(iv, gap_unit)
    return iv, gap_unit


# ---- plain functions for the task engine ---------------------------------------------------------

STATUS_COLUMNS = ["person_id", "span_id", "span_start", "span_end", "last_done_date",
                  "next_due_date", "latest_on_time_date", "overdue", "limit"]


def _limit_texts(amount: pd.Series, unit: pd.Series) -> np.ndarray:
    out = np.full(len(amount), None, dtype=object)
    a, u = amount.to_numpy(dtype=float), unit.to_numpy()
    ok = ~np.isnan(a) & (u >= 0)
    for aa, uu in set(zip(a[ok].tolist(), u[ok].tolist())):
        out[ok & (a == aa) & (u == uu)] = Limit(int(aa), LIMIT_UNITS[int(uu)]).text
    return out


def _status(iv: pd.DataFrame, current: pd.DataFrame, on) -> pd.DataFrame:
    last = iv[iv["to_kind"] != EVENT].drop_duplicates("span_id", keep="last").set_index("span_id")
    cur = current.set_index("span_id")
    last = last.reindex(cur.index)
    on = pd.Timestamp(on).normalize()
    out = pd.DataFrame({
        "person_id": cur["person_ref"].to_numpy(),
        "span_id": cur["span_ref"].to_numpy(),
        "span_start": cur["start"].to_numpy(),
        "span_end": cur["end"].to_numpy(),
        "last_done_date": last["from_date"].where(last["from_kind"] == EVENT).to_numpy(),
        "next_due_date": last["due"].to_numpy(),
        "latest_on_time_date": last["latest_on_time"].to_numpy(),
        "limit": _limit_texts(last["limit_amount"], last["limit_unit"]),
    })
    out["overdue"] = (out["latest_on_time_date"] < on).to_numpy()
    return out[STATUS_COLUMNS].sort_values("person_id", ignore_index=True)


def visit_status(tables: Mapping[str, pd.DataFrame], kind: Kind, on,
                 settings: MetricSettings | None = None) -> pd.DataFrame:
    """Statutory visit position on the date ``on`` for every child open then (kind "cp": on a CP
    plan; "cin": on a CIN plan; "cla": in a placement), one row per child (their plan/placement
    that started last): person_id, span_id (plan or placement id), span_start, span_end,
    last_done_date (last visit on or before ``on`` within that plan/placement; NaT if none),
    next_due_date (the date to show: the threshold-th working day, or the calendar date),
    latest_on_time_date (the last day the next visit is still on time: what the measures use),
    overdue (``on`` is after latest_on_time_date) and limit (e.g. "10 working days")."""
    settings = settings or MetricSettings()
    on = pd.Timestamp(on).normalize()
    spans, raw = _encode(_visit_spans(tables, kind), _visit_events(tables, kind))
    current = _current(spans, on)
    events = attach_events(current, raw)
    iv, _ = _visit_intervals(kind, current, events, on, on, settings, tables, current)
    return _status(iv, current, on)


def last_visit_before(tables: Mapping[str, pd.DataFrame], kind: Kind, on) -> pd.Series:
    """Per child open on ``on`` (index person_id): the last visit on or before ``on`` within the
    current plan/placement, NaT if none yet."""
    s = visit_status(tables, kind, on)
    return pd.Series(s["last_done_date"].to_numpy(), index=pd.Index(s["person_id"], name="person_id"),
                     name="last_visit_date")


def next_visit_due(tables: Mapping[str, pd.DataFrame], kind: Kind, on,
                   settings: MetricSettings | None = None) -> pd.Series:
    """Per child open on ``on`` (index person_id): the date the next visit is due."""
    s = visit_status(tables, kind, on, settings)
    return pd.Series(s["next_due_date"].to_numpy(), index=pd.Index(s["person_id"], name="person_id"),
                     name="next_visit_due")


def review_status(tables: Mapping[str, pd.DataFrame], kind: Kind, on,
                  settings: MetricSettings | None = None) -> pd.DataFrame:
    """Review position on ``on``, one row per child open then (cp: CP plan; cin: CIN plan, needs
    ext_cin_reviews; cla: period of care), same columns as :func:`visit_status`: last_done_date is
    the last review held on or before ``on`` in the plan/period of care, next_due_date when the
    next is due (first CP review 3 months after the plan start, then 6-monthly; CIN 3-monthly;
    CLA 20 working days after entering care, then 3 months, then 6-monthly)."""
    on = pd.Timestamp(on).normalize()
    spans, raw = _encode(_review_spans(tables, kind), _review_events(tables, kind))
    current = _current(spans, on)
    events = attach_events(current, raw)
    iv = intervals_through(current, events, on, on, whole_span=True)
    _review_limits(iv, kind)
    judge_intervals(iv, "days")
    return _status(iv, current, on)


def last_review_before(tables: Mapping[str, pd.DataFrame], kind: Kind, on) -> pd.Series:
    """Per child open on ``on`` (index person_id): the last review on or before ``on``, NaT if none."""
    s = review_status(tables, kind, on)
    return pd.Series(s["last_done_date"].to_numpy(), index=pd.Index(s["person_id"], name="person_id"),
                     name="last_review_date")


def next_review_due(tables: Mapping[str, pd.DataFrame], kind: Kind, on,
                    settings: MetricSettings | None = None) -> pd.Series:
    """Per child open on ``on`` (index person_id): the date the next review is due."""
    s = review_status(tables, kind, on, settings)
    return pd.Series(s["next_due_date"].to_numpy(), index=pd.Index(s["person_id"], name="person_id"),
                     name="next_review_due")


# ---- measures ----------------------------------------------------------------------------------

ORG_COLUMNS = ["person_id", "child_name", "service_id", "service", "team_id", "team", "worker_id",
               "worker", "group_id", "group"]
VISIT_DETAIL = ["previous_visit_date", "first_visit_date", "last_visit_date", "visits_in_period",
                "longest_gap", "threshold", "gap_unit", "longest_gap_from", "longest_gap_to",
                "breach_from", "breach_to", "breach_gap", "breach_limit", "next_visit_due",
                "compliant", "reason", "in_denominator", "in_numerator"]
REVIEW_DETAIL = ["reviews_held", "first_review_date", "last_review_date", "longest_gap", "threshold",
                 "gap_unit", "longest_gap_from", "longest_gap_to", "breach_from", "breach_to",
                 "breach_gap", "breach_limit", "next_review_due", "compliant", "reason",
                 "in_denominator", "in_numerator"]
SPAN_NAMES = {
    "cp": ("plan_id", "plan_start", "plan_end"),
    "cin": ("plan_id", "plan_start", "plan_end"),
    "cla_visits": ("placement_id", "placement_start", "placement_end"),
    "cla_reviews": ("cla_id", "care_start", "care_end"),
}


def _fmt(d) -> pa.Array:
    """dd/mm/yyyy text ("" for NaT), as an Arrow string array (vectorised in C++)."""
    a = pa.array(pd.to_datetime(pd.Series(d)).to_numpy(dtype="datetime64[ns]"), type=pa.timestamp("ns"))
    return pc.fill_null(pc.strftime(a, format="%d/%m/%Y"), "")


def _num(x) -> pa.Array:
    v = pd.to_numeric(pd.Series(x), errors="coerce").astype(float).round().to_numpy()
    return pc.fill_null(pc.cast(pa.array(v, from_pandas=True).cast(pa.int64()), pa.string()), "")


def _member(values, collection) -> np.ndarray:
    """values in collection, by hashing (no Series.isin on string dtype)."""
    if not collection:
        return np.zeros(len(values), dtype=bool)
    return pd.Index(list(collection)).get_indexer(pd.Index(values)) >= 0


def _reason(rows: pd.DataFrame, event: str, start_word: str):
    """Why a child is not compliant, e.g. "No visit from plan start 14/04/2026 to 30/04/2026: 12
    working days (limit 10)"; "On time" otherwise. String work in Arrow (fast on many rows)."""
    if rows.empty:
        return pd.array([], dtype="str")
    unit = pa.array(np.where(rows["gap_unit"].to_numpy() == "working_days", " working days (limit ",
                             " days (limit ").astype(object))
    first = pa.array(rows["breach_from_kind"].to_numpy() == START)
    frm = pc.binary_join_element_wise(pc.if_else(first, start_word + " ", event + " "), _fmt(rows["breach_from"]), "")
    to = _fmt(rows["breach_to"])
    gap = pc.binary_join_element_wise(_num(rows["breach_gap"]), unit, _num(rows["breach_limit"]), ")", "")
    no_event = pc.binary_join_element_wise("No " + event + " from ", frm, " to ", to, ": ", gap, "")
    late_event = pc.binary_join_element_wise("Next " + event + " on ", to, ", ", gap, " after ", frm, "")
    open_end = pa.array(rows["breach_to_kind"].to_numpy() != EVENT)
    late = pc.if_else(open_end, no_event, late_event)
    ok = pa.array(rows["compliant"].to_numpy(dtype=bool))
    return pd.array(pc.if_else(ok, pa.scalar("On time"), late), dtype="str")


def _finish(rows: pd.DataFrame, tables, by, period_end_col: str = "allocation_date", labels=None) -> pd.DataFrame:
    if rows.empty:
        for c in ("service_id", "service", "team_id", "team", "worker_id", "worker"):
            rows[c] = pd.Series(dtype=object)
    elif labels is not None:  # the allocation and names, already looked up for these rows
        rows = rows.reset_index(drop=True).copy(deep=False)
        for c, values in org_columns(tables, labels[1], labels[0]).items():
            rows[c] = values
    else:
        rows = label_by_allocation(rows, tables, date_col=period_end_col)
    if labels is not None and len(rows):
        rows["child_name"] = labels[2]
    else:
        rows["child_name"] = child_name_array(tables, rows["person_id"].to_numpy(dtype=object))
    if by is None:
        rows["group_id"], rows["group"] = ALL_ID, ALL_LABEL
    else:
        rows["group_id"], rows["group"] = rows[f"{by}_id"], rows[by]
    return rows


def _summarise(rows: pd.DataFrame, periods: list[Period]) -> pd.DataFrame:
    g = rows.groupby(["period", "group_id", "group"], sort=False, observed=True)
    summary = g.agg(numerator=("in_numerator", "sum"), denominator=("in_denominator", "sum")).reset_index()
    summary["numerator"] = summary["numerator"].astype(int)
    summary["denominator"] = summary["denominator"].astype(int)
    den = summary["denominator"].astype(float)
    summary["value"] = np.where(den > 0, summary["numerator"] / den.where(den > 0, 1), np.nan)
    labels = [p.label for p in periods]
    if rows.empty or (rows["group_id"] == ALL_ID).all():
        missing = [l for l in labels if l not in set(summary["period"])]
        if missing:
            empty = pd.DataFrame({"period": missing, "group_id": ALL_ID, "group": ALL_LABEL,
                                  "numerator": 0, "denominator": 0, "value": np.nan})
            summary = pd.concat([summary, empty], ignore_index=True) if len(summary) else empty
    order = {l: i for i, l in enumerate(labels)}
    summary = summary.sort_values(["period", "group"], key=lambda s: s.map(order) if s.name == "period" else s)
    return summary[SUMMARY_COLUMNS].reset_index(drop=True)


# ---- the measures, every period at once ------------------------------------------------------------
#
# The rule is the one above (intervals_through -> limits -> judge_intervals -> summarise_intervals),
# worked out for all the periods in one pass: each (period, plan/placement) to judge is a "window"
# with its own start and end, the events are sorted once per extract, and the intervals of every
# window come from a binary search into them. Each period's rows are then put together exactly as
# a single period's would be.

_SOURCES = {
    ("visits", "cp"): ("ssd_cp_plans", "ssd_cp_visits"),
    ("visits", "cin"): ("ssd_cin_plans", "ssd_cin_visits"),
    ("visits", "cla"): ("ssd_cla_placement", "ssd_cla_visits", "ssd_cla_episodes"),
    ("reviews", "cp"): ("ssd_cp_plans", "ssd_cp_reviews"),
    ("reviews", "cin"): ("ssd_cin_plans", "ext_cin_reviews"),
    ("reviews", "cla"): ("ssd_cla_episodes", "ssd_cla_reviews"),
}
_KEY = 1 << 21      # room for every day number in one span's block of the event key
_OFF = 1 << 20      # day numbers made positive
_NEVER = np.iinfo(np.int64).max


class _Prepared:
    """One measure family's spans and events (see _encode / attach_events), as arrays."""

    def __init__(self, spans: pd.DataFrame, span_events: pd.DataFrame):
        self.spans = spans
        self.start = spans["start"].to_numpy(dtype="datetime64[ns]")
        self.end = spans["end"].to_numpy(dtype="datetime64[ns]")
        self.start_day = self.start.astype("datetime64[D]").astype(np.int64)
        self.start_nat = np.isnat(self.start)
        end_day = self.end.astype("datetime64[D]").astype(np.int64)
        self.end_nat = np.isnat(self.end)
        self.end_day = np.where(self.end_nat, _NEVER, end_day)
        self.person = spans["person_id"].to_numpy(dtype=np.int64)
        ev = span_events.sort_values(["span_id", "date"], kind="mergesort")
        self.ev_span = ev["span_id"].to_numpy(dtype=np.int64)
        self.ev_date = ev["date"].to_numpy(dtype="datetime64[ns]")
        self.ev_key = self.ev_span * _KEY + (self.ev_date.astype("datetime64[D]").astype(np.int64) + _OFF)
        first = spans.drop_duplicates("person_id")
        self.person_index = pd.Index(first["person_ref"].to_numpy(dtype=object), dtype=object)
        self.person_code = first["person_id"].to_numpy(dtype=np.int64)
        self.anniversary = (pd.Series(self.start) + pd.DateOffset(months=CLA_LONG_TERM_AFTER_MONTHS)).to_numpy()

    def codes_of(self, person_refs) -> np.ndarray:
        k = self.person_index.get_indexer(np.asarray(list(person_refs), dtype=object))
        return np.unique(self.person_code[k[k >= 0]])

    def current(self, ends: list) -> list[np.ndarray]:
        """Per date, the rows of the span open on it that started last for each person (ties: the
        highest span id), in person order (:func:`_current`)."""
        when = np.array([np.datetime64(pd.Timestamp(d), "ns") for d in ends], dtype="datetime64[ns]")
        rows, j = open_pairs(self.start, self.end, when)
        order = np.lexsort((rows, self.start_day[rows], self.person[rows], j))
        rows, j = rows[order], j[order]
        last = np.ones(len(rows), dtype=bool)
        if len(rows) > 1:
            last[:-1] = (j[1:] != j[:-1]) | (self.person[rows[1:]] != self.person[rows[:-1]])
        rows, j = rows[last], j[last]
        cuts = np.searchsorted(j, np.arange(len(ends) + 1))
        return [rows[cuts[k]:cuts[k + 1]] for k in range(len(ends))]


def _prepared(tables, what: str, kind: Kind) -> _Prepared:
    frames = tuple(tables.get(t) for t in _SOURCES[(what, kind)])

    def build() -> _Prepared:
        if what == "visits":
            spans, raw = _encode(_visit_spans(tables, kind), _visit_events(tables, kind))
        else:
            spans, raw = _encode(_review_spans(tables, kind), _review_events(tables, kind))
        return _Prepared(spans, attach_events(spans, raw))

    return derived("visit_spans", frames, build, what, kind)


def _windows(prep: _Prepared, span_rows: np.ndarray, j: np.ndarray, p0: np.ndarray, p1: np.ndarray,
             whole_span: bool) -> pd.DataFrame:
    """The intervals of each window (span ``span_rows[v]`` judged over period ``j[v]`` from ``p0`` to
    ``p1``, day numbers per period), in window order: the columns of :func:`intervals_through`
    plus ``_w`` (the window) and ``_j`` (the period)."""
    sd, ed, ended_any = prep.start_day[span_rows], prep.end_day[span_rows], ~prep.end_nat[span_rows]
    lo_p, hi_p = p0[j], p1[j]
    w0 = sd if whole_span else np.maximum(sd, lo_p)
    ended = ended_any & (ed < hi_p)
    w1 = np.where(ended, ed, hi_p)
    base = span_rows.astype(np.int64) * _KEY
    block = np.searchsorted(prep.ev_key, base, side="left")
    a = np.searchsorted(prep.ev_key, base + (w0 + _OFF), side="left")
    b = np.searchsorted(prep.ev_key, base + (w1 + _OFF), side="right")
    b = np.maximum(a, b)
    prior_n = (a - block).astype(np.int64)
    has_prior = prior_n > 0
    m = b - a                              # events in the window
    n_iv = m + 1                           # intervals per window
    total = int(n_iv.sum())
    v = np.repeat(np.arange(len(span_rows)), n_iv)
    k = np.arange(total) - np.repeat(np.cumsum(n_iv) - n_iv, n_iv)   # interval number in its window
    mv = m[v]
    av = a[v]
    start_dt = prep.start[span_rows]
    anchor = np.where(has_prior, prep.ev_date[np.maximum(a - 1, 0)] if len(prep.ev_date) else start_dt, start_dt)
    close = (w1.astype("datetime64[D]")).astype("datetime64[ns]")
    ev_date = prep.ev_date if len(prep.ev_date) else np.zeros(1, dtype="datetime64[ns]")
    from_date = np.where(k == 0, anchor[v], ev_date[np.clip(av + k - 1, 0, len(ev_date) - 1)])
    to_date = np.where(k < mv, ev_date[np.clip(av + k, 0, len(ev_date) - 1)], close[v])
    from_kind = np.where(k == 0, np.where(has_prior[v], EVENT, START), EVENT).astype(np.int8)
    to_kind = np.where(k < mv, EVENT, np.where(ended[v], SPAN_END, PERIOD_END)).astype(np.int8)
    n_before = (prior_n[v] + k).astype(np.int64)
    rows = span_rows[v]
    return pd.DataFrame({
        "span_id": rows.astype(np.int64), "person_id": prep.person[rows],
        "from_date": from_date.astype("datetime64[ns]"), "to_date": to_date.astype("datetime64[ns]"),
        "from_kind": from_kind, "to_kind": to_kind, "n_before": n_before,
        "_w": v.astype(np.int64), "_j": j[v].astype(np.int64),
    })


def _summarise_windows(iv: pd.DataFrame, window_start: np.ndarray | None) -> pd.DataFrame:
    """:func:`summarise_intervals` for every period at once: one row per (_j, person_id)."""
    n = len(iv)
    jj = iv["_j"].to_numpy()
    person = iv["person_id"].to_numpy()
    gkey = jj * (int(person.max()) + 1 if n else 1) + person
    groups, first_pos, g = np.unique(gkey, return_index=True, return_inverse=True)
    order_first = np.argsort(first_pos, kind="stable")       # groups in order of first appearance
    ng = len(groups)
    pos = np.arange(n)
    on_time = iv["on_time"].to_numpy(dtype=bool)
    gap = iv["gap"].to_numpy(dtype=float)
    allowed = iv["allowed"].to_numpy(dtype=float)
    fd = iv["from_date"].to_numpy(dtype="datetime64[ns]")
    td = iv["to_date"].to_numpy(dtype="datetime64[ns]")
    fk, tk = iv["from_kind"].to_numpy(), iv["to_kind"].to_numpy()
    compliant = np.ones(ng, dtype=bool)
    np.logical_and.at(compliant, g, on_time)
    # the longest gap: largest gap (NaN last), then earliest from_date, then first in order
    neg = np.where(np.isnan(gap), np.inf, -gap)
    o = np.lexsort((pos, fd.astype(np.int64), neg, g))
    firsts = o[np.r_[True, g[o][1:] != g[o][:-1]]] if n else o
    longest = np.full(ng, -1, dtype=np.int64)
    longest[g[firsts]] = firsts
    # the first breach: earliest failing interval
    bad = np.flatnonzero(~on_time)
    ob = bad[np.lexsort((bad, fd[bad].astype(np.int64), g[bad]))]
    bfirst = ob[np.r_[True, g[ob][1:] != g[ob][:-1]]] if len(ob) else ob
    breach = np.full(ng, -1, dtype=np.int64)
    breach[g[bfirst]] = bfirst
    ev = tk == EVENT
    count = np.bincount(g[ev], minlength=ng).astype(int)
    nat = np.iinfo(np.int64).min
    tdi = td.astype(np.int64)
    first_ev = np.full(ng, np.iinfo(np.int64).max, dtype=np.int64)
    last_ev = np.full(ng, nat, dtype=np.int64)
    np.minimum.at(first_ev, g[ev], tdi[ev])
    np.maximum.at(last_ev, g[ev], tdi[ev])
    first_ev = np.where(count > 0, first_ev, nat).view("datetime64[ns]")
    last_ev = np.where(count > 0, last_ev, nat).view("datetime64[ns]")
    out = pd.DataFrame({"_j": groups // (int(person.max()) + 1 if n else 1), "person_id": groups % (int(person.max()) + 1 if n else 1)})
    out["compliant"] = compliant
    out["longest_gap"] = gap[longest]
    out["threshold"] = allowed[longest]
    out["longest_gap_from"] = fd[longest]
    out["longest_gap_to"] = td[longest]
    has = breach >= 0
    bt = np.maximum(breach, 0)

    def where_nat(values):
        v = values[bt] if len(values) else np.zeros(ng, dtype=values.dtype)
        v = v.copy()
        v[~has] = np.datetime64("NaT")
        return v

    out["breach_from"] = where_nat(fd)
    out["breach_to"] = where_nat(td)
    out["breach_gap"] = np.where(has, gap[bt] if n else np.nan, np.nan)
    out["breach_limit"] = np.where(has, allowed[bt] if n else np.nan, np.nan)
    if has.all():
        out["breach_from_kind"] = fk[bt].astype(np.int8)
        out["breach_to_kind"] = tk[bt].astype(np.int8)
    else:
        out["breach_from_kind"] = np.where(has, fk[bt] if n else np.nan, np.nan).astype(float)
        out["breach_to_kind"] = np.where(has, tk[bt] if n else np.nan, np.nan).astype(float)
    out["events_in_window"] = count
    out["first_event_date"] = first_ev
    out["last_event_date"] = last_ev
    if window_start is not None:
        prev = (fk == EVENT) & (fd < window_start[jj])
        last_prev = np.full(ng, nat, dtype=np.int64)
        np.maximum.at(last_prev, g[prev], fd[prev].astype(np.int64))
        seen = np.zeros(ng, dtype=bool)
        seen[g[prev]] = True
        out["previous_event_date"] = np.where(seen, last_prev, nat).view("datetime64[ns]")
    else:
        out["previous_event_date"] = pd.NaT
    return out.iloc[order_first].reset_index(drop=True)


def _period_days(periods) -> tuple[np.ndarray, np.ndarray]:
    p0 = np.array([np.datetime64(pd.Timestamp(p.start).normalize(), "D") for p in periods]).astype(np.int64)
    p1 = np.array([np.datetime64(pd.Timestamp(p.end).normalize(), "D") for p in periods]).astype(np.int64)
    return p0, p1


def _split(frame: pd.DataFrame, n: int) -> list[pd.DataFrame]:
    j = frame["_j"].to_numpy()
    order = np.argsort(j, kind="stable")
    cuts = np.searchsorted(j[order], np.arange(n + 1))
    return [frame.iloc[order[cuts[k]:cuts[k + 1]]] for k in range(n)]


def _care_span_frame(tables) -> pd.DataFrame:
    e = tables["ssd_cla_episodes"]
    return derived("care_spans", (e,), lambda: care_spans(tables))


def _long_term_people(tables, ends) -> list[set]:
    cp = tables.get("ssd_cla_care_plan")
    if cp is None or cp.empty:
        return [set() for _ in ends]

    def build():
        plans = pd.DataFrame({
            "span_id": _ids(cp["lacp_table_id"]), "person_id": _ids(cp["lacp_person_id"]),
            "start": _dates(cp["lacp_cla_care_plan_start_date"]), "end": _dates(cp["lacp_cla_care_plan_end_date"]),
        })
        plans["flag"] = long_term_plan(cp["lacp_cla_care_plan_json"].fillna("").astype(str).to_numpy(dtype=object)).to_numpy()
        return plans.sort_values(["person_id", "start", "span_id"], kind="mergesort").reset_index(drop=True)

    plans = derived("care_plan_flags", (cp,), build)
    when = np.array([np.datetime64(pd.Timestamp(d), "ns") for d in ends], dtype="datetime64[ns]")
    rows, j = open_pairs(plans["start"].to_numpy(), plans["end"].to_numpy(), when)
    person = plans["person_id"].to_numpy(dtype=object)
    flag = plans["flag"].to_numpy(dtype=bool)
    out = []
    cuts = np.searchsorted(j, np.arange(len(ends) + 1))
    for k in range(len(ends)):
        r = rows[cuts[k]:cuts[k + 1]]  # open plans in sorted order: each person's last is current
        last = np.ones(len(r), dtype=bool)
        if len(r) > 1:
            last[:-1] = person[r[1:]] != person[r[:-1]]
        cur = r[last]
        out.append(set(person[cur[flag[cur]]].tolist()))
    return out


def _compute_visits(measure_id: str, kind: Kind, tables, periods, by, settings) -> MeasureResult:
    prep = _prepared(tables, "visits", kind)
    spans = prep.spans
    names = SPAN_NAMES["cla_visits" if kind == "cla" else kind]
    ends = [p.end for p in periods]
    currents = prep.current(ends)
    if kind == "cla":  # in care at the period end, not just a placement left open
        care = _care_span_frame(tables)
        open_care = [np.array(sorted(set(care["person_id"].to_numpy(dtype=object)[r].tolist())), dtype=object)
                     for r in _open_rows(care, ends)]
        currents = [c[np.isin(prep.person[c], prep.codes_of(oc))] for c, oc in zip(currents, open_care)]
        lt_people = _long_term_people(tables, ends)
    p0, p1 = _period_days(periods)
    # windows: every span of a child current at the period end that overlaps the period
    n_people = int(prep.person.max()) + 1 if len(prep.person) else 1
    cur_keys = np.sort(np.concatenate([k * n_people + prep.person[c] for k, c in enumerate(currents)])
                       if currents else np.zeros(0, dtype=np.int64))
    sd, ed, snat = prep.start_day, prep.end_day, prep.start_nat
    cand_rows, cand_j = [], []
    for k in range(len(periods)):
        ok = ~snat & (sd <= p1[k]) & ((ed == _NEVER) | ((ed >= p0[k]) & (ed >= sd)))
        r = np.flatnonzero(ok)
        cand_rows.append(r)
        cand_j.append(np.full(len(r), k, dtype=np.int64))
    rows_ = np.concatenate(cand_rows) if cand_rows else np.zeros(0, dtype=np.int64)
    j_ = np.concatenate(cand_j) if cand_j else np.zeros(0, dtype=np.int64)
    key = j_ * n_people + prep.person[rows_]
    hit = np.isin(key, cur_keys)
    rows_, j_ = rows_[hit], j_[hit]
    iv = _windows(prep, rows_, j_, p0, p1, whole_span=False)
    if kind == "cla":
        first = (iv["from_kind"] == START).to_numpy()
        apply_limit(iv, Limit(settings.cla_visit_first_days, "days"), first)
        apply_limit(iv, Limit(settings.cla_visit_interval_days, "days"), ~first)
        lt_keys = np.concatenate([k * len(spans) + c[np.isin(prep.person[c], prep.codes_of(lt))]
                                  for k, (c, lt) in enumerate(zip(currents, lt_people))]) if currents else np.zeros(0)
        if len(lt_keys):
            in_lt = np.isin(iv["_j"].to_numpy() * len(spans) + iv["span_id"].to_numpy(), lt_keys)
            anniversary = prep.anniversary[iv["span_id"].to_numpy()]
            mask = ~first & in_lt & (iv["from_date"].to_numpy() >= anniversary)
            apply_limit(iv, Limit(settings.cla_visit_long_term_months, "months"), mask)
        gap_unit = "days"
    else:
        gap_unit = _apply_visit_limit(iv, kind, settings)
    judge_intervals(iv, gap_unit)
    start_day = np.array([np.datetime64(pd.Timestamp(p.start), "ns") for p in periods], dtype="datetime64[ns]")
    summaries = _split(_summarise_windows(iv, start_day), len(periods)) if len(iv) else None
    closes = iv[(iv["to_kind"] != EVENT).to_numpy()]
    closes = _split(closes, len(periods)) if len(closes) else None
    parts = []
    for k, p in enumerate(periods):
        current = spans.iloc[currents[k]]
        cur = current.set_index("person_id")
        if summaries is None or not len(current):
            summ = summarise_intervals(_empty_intervals(), p.start)
            nxt = pd.Series(dtype="datetime64[ns]")
        else:
            summ = summaries[k].drop(columns="_j").set_index("person_id")
            c = closes[k]
            c = c[np.isin(c["span_id"].to_numpy(), currents[k])]
            nxt = c.drop_duplicates("person_id", keep="last").set_index("person_id")["due"]
        part = pd.DataFrame({
            "period": p.label, "person_id": cur["person_ref"].to_numpy(),
            names[0]: cur["span_ref"].to_numpy(), names[1]: cur["start"].to_numpy(), names[2]: cur["end"].to_numpy(),
        })
        if kind == "cla":
            lt = prep.codes_of(lt_people[k])
            part["placement_type"] = cur["placement_type"].to_numpy()
            part["long_term"] = _member(cur.index, set(lt.tolist()))
        s = summ.reindex(cur.index)
        part["previous_visit_date"] = s["previous_event_date"].to_numpy()
        part["first_visit_date"] = s["first_event_date"].to_numpy()
        part["last_visit_date"] = s["last_event_date"].to_numpy()
        part["visits_in_period"] = s["events_in_window"].fillna(0).astype(int).to_numpy()
        for c in ("longest_gap", "threshold", "longest_gap_from", "longest_gap_to", "breach_from", "breach_to",
                  "breach_gap", "breach_limit", "breach_from_kind", "breach_to_kind"):
            part[c] = s[c].to_numpy()
        part["gap_unit"] = gap_unit
        part["next_visit_due"] = nxt.reindex(cur.index).to_numpy()
        part["compliant"] = s["compliant"].fillna(False).astype(bool).to_numpy()
        part["allocation_date"] = p.end
        parts.append(part)
    if not parts:
        return MeasureResult(measure_id, pd.DataFrame(columns=SUMMARY_COLUMNS), pd.DataFrame())
    rows = pd.concat(parts, ignore_index=True)
    start_word = "placement start" if kind == "cla" else "plan start"
    if len(rows):
        rows["reason"] = _reason(rows, "visit", start_word)
    else:
        rows["reason"] = pd.Series(dtype=object)
        rows["compliant"] = pd.Series(dtype=bool)
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["compliant"].astype(bool)
    rows = _finish(rows, tables, by, labels=_row_labels(tables, "visits", kind, ends, rows))
    extra = ["placement_type", "long_term"] if kind == "cla" else []
    cols = ["period"] + ORG_COLUMNS + list(names) + extra + VISIT_DETAIL
    for c in cols:
        if c not in rows.columns:
            rows[c] = pd.Series(dtype=object)
    return MeasureResult(measure_id, _summarise(rows, periods), rows[cols].reset_index(drop=True))


def _row_labels(tables, what: str, kind: Kind, ends, rows: pd.DataFrame):
    """(worker, team, name) of each row's child (allocation on the period end), kept per extract
    and periods: the rows are the children current at each period end, the same for the visits
    and the reviews of CP and CIN plans."""
    if rows.empty:
        return None
    family = _SOURCES[(what, kind)][:1] if kind != "cla" else _SOURCES[(what, kind)]
    frames = (*(tables.get(t) for t in family), tables.get("ssd_involvements"), tables.get("ssd_person"),
              tables.get("ssd_cla_episodes") if kind == "cla" else None)
    key = (what if kind == "cla" else "plans", kind, tuple(pd.Timestamp(e) for e in ends), len(rows))

    def build():
        person = rows["person_id"].to_numpy(dtype=object)
        worker, team = allocation_arrays(tables, person, rows["allocation_date"].to_numpy())
        return worker, team, child_name_array(tables, person)

    return derived("visit_row_labels", frames, build, *key)


def _open_rows(spans: pd.DataFrame, ends) -> list[np.ndarray]:
    when = np.array([np.datetime64(pd.Timestamp(d), "ns") for d in ends], dtype="datetime64[ns]")
    rows, j = open_pairs(spans["start"].to_numpy(), spans["end"].to_numpy(), when)
    cuts = np.searchsorted(j, np.arange(len(ends) + 1))
    return [rows[cuts[k]:cuts[k + 1]] for k in range(len(ends))]


def _compute_reviews(measure_id: str, kind: Kind, tables, periods, by, settings) -> MeasureResult:
    prep = _prepared(tables, "reviews", kind)
    spans = prep.spans
    names = SPAN_NAMES["cla_reviews" if kind == "cla" else kind]
    currents = prep.current([p.end for p in periods])
    p0, p1 = _period_days(periods)
    rows_ = np.concatenate(currents) if currents else np.zeros(0, dtype=np.int64)
    j_ = np.concatenate([np.full(len(c), k, dtype=np.int64) for k, c in enumerate(currents)]) if currents \
        else np.zeros(0, dtype=np.int64)
    order = np.lexsort((rows_, j_))  # windows in span order within each period
    rows_, j_ = rows_[order], j_[order]
    iv = _windows(prep, rows_, j_, p0, p1, whole_span=True)
    _review_limits(iv, kind)
    judge_intervals(iv, "days")
    summaries = _split(_summarise_windows(iv, None), len(periods)) if len(iv) else None
    closes = iv[(iv["to_kind"] != EVENT).to_numpy()]
    closes = _split(closes, len(periods)) if len(closes) else None
    parts = []
    for k, p in enumerate(periods):
        current = spans.iloc[currents[k]]
        cur = current.set_index("person_id")
        if summaries is None or not len(current):
            summ = summarise_intervals(_empty_intervals())
            nxt = pd.Series(dtype="datetime64[ns]")
        else:
            summ = summaries[k].drop(columns="_j").set_index("person_id")
            nxt = closes[k].drop_duplicates("person_id", keep="last").set_index("person_id")["due"]
        s = summ.reindex(cur.index)
        part = pd.DataFrame({
            "period": p.label, "person_id": cur["person_ref"].to_numpy(),
            names[0]: cur["span_ref"].to_numpy(), names[1]: cur["start"].to_numpy(), names[2]: cur["end"].to_numpy(),
            "reviews_held": s["events_in_window"].fillna(0).astype(int).to_numpy(),
            "first_review_date": s["first_event_date"].to_numpy(),
            "last_review_date": s["last_event_date"].to_numpy(),
        })
        for c in ("longest_gap", "threshold", "longest_gap_from", "longest_gap_to", "breach_from", "breach_to",
                  "breach_gap", "breach_limit", "breach_from_kind", "breach_to_kind"):
            part[c] = s[c].to_numpy()
        part["gap_unit"] = "days"
        part["next_review_due"] = nxt.reindex(cur.index).to_numpy()
        part["compliant"] = s["compliant"].fillna(False).astype(bool).to_numpy()
        if kind == "cla":
            part["in_denominator"] = True
        else:  # on the plan for at least 3 months at the period end
            cutoff = p.end - pd.DateOffset(months=REVIEW_COHORT_MIN_MONTHS)
            part["in_denominator"] = (cur["start"] <= cutoff).to_numpy()
        part["allocation_date"] = p.end
        parts.append(part)
    if not parts:
        return MeasureResult(measure_id, pd.DataFrame(columns=SUMMARY_COLUMNS), pd.DataFrame())
    rows = pd.concat(parts, ignore_index=True)
    start_word = "entering care" if kind == "cla" else "plan start"
    if len(rows):
        reason = _reason(rows, "review", start_word)
        if kind != "cla":
            reason = pd.Series(reason).where(rows["in_denominator"].to_numpy(dtype=bool),
                                             f"On the plan less than {REVIEW_COHORT_MIN_MONTHS} months: not counted").array
        rows["reason"] = reason
    else:
        rows["reason"] = pd.Series(dtype=object)
        rows["compliant"] = pd.Series(dtype=bool)
        rows["in_denominator"] = pd.Series(dtype=bool)
    rows["in_denominator"] = rows["in_denominator"].astype(bool)
    rows["in_numerator"] = rows["compliant"].astype(bool) & rows["in_denominator"]
    rows = _finish(rows, tables, by, labels=_row_labels(tables, "reviews", kind, [p.end for p in periods], rows))
    cols = ["period"] + ORG_COLUMNS + list(names) + REVIEW_DETAIL
    for c in cols:
        if c not in rows.columns:
            rows[c] = pd.Series(dtype=object)
    return MeasureResult(measure_id, _summarise(rows, periods), rows[cols].reset_index(drop=True))


def compute_cp_visits(tables, periods, by, settings) -> MeasureResult:
    return _compute_visits("cp_visits", "cp", tables, periods, by, settings)


def compute_cin_visits(tables, periods, by, settings) -> MeasureResult:
    return _compute_visits("cin_visits", "cin", tables, periods, by, settings)


def compute_cla_visits(tables, periods, by, settings) -> MeasureResult:
    return _compute_visits("cla_visits", "cla", tables, periods, by, settings)


def compute_cp_reviews(tables, periods, by, settings) -> MeasureResult:
    return _compute_reviews("cp_reviews", "cp", tables, periods, by, settings)


def compute_cin_reviews(tables, periods, by, settings) -> MeasureResult:
    return _compute_reviews("cin_reviews", "cin", tables, periods, by, settings)


def compute_cla_reviews(tables, periods, by, settings) -> MeasureResult:
    return _compute_reviews("cla_reviews", "cla", tables, periods, by, settings)


ORG_TABLES = ("ssd_person", "ssd_department", "ssd_professionals")
_THROUGH = (
    "Every interval that overlaps the period must be within the limit: from the {start} (or the "
    "last visit before the period, if there was one) to the first visit, between consecutive "
    "visits, and from the last visit to the period end (or the {end}, if earlier). The last "
    "interval only counts against the child once the next visit is overdue at the period end. "
    "For a quarter or a year the same rule is applied over the whole period. Any recorded visit "
    "counts. Children are grouped by the worker and team holding the case at the period end."
)
_WD = ("Working days are Monday to Friday excluding England and Wales bank holidays; a gap of N "
       "working days counts the working days after the earlier date up to and including the later one.")

CP_VISITS = register(Measure(
    id="cp_visits",
    title="CP plans visited on time through the month",
    unit="percent", polarity="high", kind="stock",
    definition=(
        "Of the children on a child protection plan at the period end, the share visited on time "
        "throughout the period: no gap between visits longer than the authority's limit (default "
        "10 working days, setting cp_visit_threshold / cp_visit_unit). "
        + _THROUGH.format(start="plan start", end="plan end") + " " + _WD
    ),
    source_tables=("ssd_cp_visits", "ssd_cp_plans") + ORG_TABLES,
    optional_tables=("ssd_involvements",),
    compute=compute_cp_visits,
))

CIN_VISITS = register(Measure(
    id="cin_visits",
    title="CIN visited on time through the month",
    unit="percent", polarity="high", kind="stock",
    definition=(
        "Of the children on a child in need plan at the period end, the share visited on time "
        "throughout the period: no gap between visits longer than the authority's limit (default "
        "20 working days, setting cin_visit_threshold / cin_visit_unit). "
        + _THROUGH.format(start="plan start", end="plan end") + " " + _WD
    ),
    source_tables=("ssd_cin_visits", "ssd_cin_plans") + ORG_TABLES,
    optional_tables=("ssd_involvements",),
    compute=compute_cin_visits,
))

CLA_VISITS = register(Measure(
    id="cla_visits",
    title="CLA visited on time through the month",
    unit="percent", polarity="high", kind="stock",
    definition=(
        "Of the children in care with a placement at the period end, the share visited on time "
        "throughout the period (Care Planning Regulations 2010, reg. 28): a visit within 7 days "
        "of the start of every placement (setting cla_visit_first_days), then at most 42 days "
        "(6 weeks) apart (cla_visit_interval_days). After the first year of a placement intended "
        "to last until the child is 18 the limit is 3 months (cla_visit_long_term_months); a "
        "placement counts as intended to last until 18 when the child's current care plan "
        "records long-term fostering until 18 (LTFOST18). Every placement the child had during "
        "the period is checked, each from its own start. "
        + _THROUGH.format(start="placement start", end="placement end")
    ),
    source_tables=("ssd_cla_visits", "ssd_cla_placement", "ssd_cla_episodes") + ORG_TABLES,
    optional_tables=("ssd_cla_care_plan", "ssd_involvements"),
    compute=compute_cla_visits,
))

CP_REVIEWS = register(Measure(
    id="cp_reviews",
    title="CP reviews on time",
    unit="percent", polarity="high", kind="stock",
    definition=(
        "Of the children on a child protection plan at the period end who had been on it for at "
        "least 3 months, the share whose review conferences have all been on time: the first "
        "within 3 months of the plan start, then each within 6 months of the previous one, and "
        "no review overdue at the period end. Children on a plan for less than 3 months are "
        "listed but not counted. Grouped by the worker and team holding the case at the period end."
    ),
    source_tables=("ssd_cp_reviews", "ssd_cp_plans") + ORG_TABLES,
    optional_tables=("ssd_involvements",),
    compute=compute_cp_reviews,
    benchmark_key="CPP_Reviewed_InReqTimeScl/CPP_31March_3MnthorMore",
))

CIN_REVIEWS = register(Measure(
    id="cin_reviews",
    title="CIN reviews on time",
    unit="percent", polarity="high", kind="stock",
    definition=(
        "Of the children on a child in need plan at the period end who had been on it for at "
        "least 3 months, the share whose plan reviews have all been on time: each within 3 months "
        "of the plan start or of the previous review, and none overdue at the period end. Children "
        "on a plan for less than 3 months are listed but not counted. Needs the CIN review "
        "extension table (ext_cin_reviews). Grouped by the worker and team holding the case at "
        "the period end."
    ),
    source_tables=("ext_cin_reviews", "ssd_cin_plans") + ORG_TABLES,
    optional_tables=("ssd_involvements",),
    compute=compute_cin_reviews,
))

CLA_REVIEWS = register(Measure(
    id="cla_reviews",
    title="CLA reviews on time",
    unit="percent", polarity="high", kind="stock",
    definition=(
        "Of the children in care at the period end, the share whose looked-after reviews in the "
        "current period of care have all been on time (Care Planning Regulations 2010, reg. 33): "
        "the first within 20 working days of entering care, the second within 3 months of the "
        "first, then each within 6 months of the previous one, and none overdue at the period "
        "end. Cancelled reviews do not count. " + _WD + " Grouped by the worker and team holding "
        "the case at the period end."
    ),
    source_tables=("ssd_cla_reviews", "ssd_cla_episodes") + ORG_TABLES,
    optional_tables=("ssd_involvements",),
    compute=compute_cla_reviews,
))
