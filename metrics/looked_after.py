"""Children looked after (in care): how many, who starts and stops, health, education, stability,
placements and missing episodes.

Measures (``../shared/spec/measures.md``, "Children looked after"):

- ``cla``: distinct children in care at the period end (count).
- ``cla_starts`` / ``cla_ceased``: periods of care starting / ending in the period (counts); rows
  carry the age band, legal status, reason for entering / ceasing care.
- ``cla_health``, ``cla_dental``: children in care at the period end, looked after continuously
  for at least 12 months, with a health assessment (6 months if under 5) / dental check in the
  last 12 months.
- ``cla_sdq``: the same cohort aged 4-16, with an SDQ score in the last 12 months.
- ``cla_pep``: children in care of school age (5-16) with a PEP in the last ``pep_window_months``
  (needs the optional ``ext_cla_pep`` table).
- ``cla_3plus``: children in care with 3 or more placements starting in the 12 months to the end.
- ``cla_long_term_stability``: under 16s looked after for at least 2.5 years, in the same
  placement for at least 2 years.
- ``cla_residential``: children in care in a residential placement from a private provider.
- ``cla_distance``: children in care placed more than 20 miles from home (see the note on
  "outside the authority" at :func:`compute_distance`).
- ``missing_children``: distinct children with a missing episode starting in the period.

(``cla_visits`` and ``cla_reviews`` live in ``metrics.visits``.)

Conventions used throughout:

- An episode, placement or legal status is *open on a date* when it started on or before it and
  has not ended on or before it (:func:`metrics.front_door.open_at`, the one rule every stock
  measure uses): the SSDA903 ceased date is the first day the child is no longer
  in that episode (the next episode starts that day). So a child whose care ends on the period
  end is not in care at the period end; they are counted as ceasing care in that period.
- A *period of care* is a run of episodes with no gap between them; it starts on the first
  episode's start date (or the recorded ``clae_entered_care_date`` if that is earlier, when older
  episodes are not in the extract) and ends when its last episode ceases.
- "At least N months" at a date d means since the day after the same date N months before
  (at 31 March 2026: since 1 April 2025); "in the last N months" means on or after that day, up
  to and including d.
- Stock measures are grouped by the worker and team holding the case at the period end; flow
  measures (starts, ceased, missing) by the allocation on the event date (the CLA tables record
  no worker or team).

The plain functions :func:`in_care_on` and :func:`age_band` are reused by the care leaver,
workforce and visit modules.
"""

from __future__ import annotations

from typing import Callable, Mapping

import numpy as np
import pandas as pd

from metrics import prepared
from metrics.allocation import allocation_arrays, label_by_allocation
from metrics.lookups import child_name_array, org_columns
from metrics.memo import derived
from metrics.periods import Period
from metrics.registry import SUMMARY_COLUMNS, Measure, MeasureResult, register
from metrics.settings import MetricSettings

ALL_ID, ALL_LABEL = "all", "All"
ORG_COLUMNS = ["service_id", "service", "team_id", "team", "worker_id", "worker"]
BASE_COLUMNS = ["period", "person_id", "child_name", *ORG_COLUMNS, "group_id", "group",
                "in_denominator", "in_numerator"]
ORG_TABLES = ("ssd_person", "ssd_department", "ssd_professionals")

# DfE children looked after age bands (age in whole years on the date).
AGE_BANDS = ("Under 1", "1-4", "5-9", "10-15", "16+")
AGE_NOT_RECORDED = "Not recorded"

# Thresholds the catalogue fixes (no per-authority setting exists for them).
CONTINUOUS_CARE_MONTHS = 12          # cla_health/dental/sdq cohort: looked after >= 12 months
HEALTH_MONTHS = 12                   # health assessment in the last 12 months ...
HEALTH_MONTHS_UNDER_5 = 6            # ... 6 months for children under 5
DENTAL_MONTHS = 12
SDQ_MONTHS = 12
SDQ_AGES = (4, 16)                   # inclusive, age at the period end
PEP_AGES = (5, 16)                   # school age, inclusive
PLACEMENT_WINDOW_MONTHS = 12         # cla_3plus
PLACEMENTS_THRESHOLD = 3
STABILITY_CARE_MONTHS = 30           # looked after >= 2.5 years
STABILITY_PLACEMENT_MONTHS = 24      # same placement >= 2 years
STABILITY_UNDER_AGE = 16
# SSDA903 placement types counted as residential: secure units and children's homes (K1, K2),
# residential care homes, NHS/medical establishments, family centres / mother and baby units
# (R1, R2, R3) and residential schools (S1). Semi-independent / supported accommodation (H5, K3)
# and custody (R5) are not.
RESIDENTIAL_PLACEMENT_TYPES = ("K1", "K2", "R1", "R2", "R3", "S1")
# SSDA903 placement provider "PR4 private provision" (or a provider text saying private).
PRIVATE_PROVIDER_CODES = ("PR4",)
# cla_distance: placed more than 20 miles from home (SSDA903 PL_DISTANCE, miles).
DISTANCE_MILES = 20
# A health check whose status says it did not happen is not counted.
NOT_DONE_STATUS = r"REFUS|DECLIN|CANCEL|NOT |DID NOT|\bDNA\b|PLANNED|BOOKED|SCHEDULED|OUTSTANDING|OVERDUE|\bDUE\b"

FAR_FUTURE = pd.Timestamp("2200-01-01")


# ---- small shared helpers ------------------------------------------------------------------------

def text(values) -> np.ndarray:
    """Values as stripped strings, "" where missing (object array)."""
    s = pd.Series(values).reset_index(drop=True)
    return s.astype(object).where(s.notna(), "").astype(str).str.strip().to_numpy(dtype=object)


def upper(values) -> pd.Series:
    return pd.Series(text(values)).str.upper()


def day(values) -> np.ndarray:
    """Dates at midnight (times dropped), NaT kept, as a datetime64 array."""
    return pd.to_datetime(pd.Series(values).reset_index(drop=True)).dt.normalize().to_numpy()


def yes(values) -> np.ndarray:
    """True where a Y/N style flag says yes (Y, Yes, True, 1)."""
    t = upper(values)
    return (t.str.startswith("Y") | t.isin(["1", "TRUE", "T"])).to_numpy(dtype=bool)


def member(values, pool) -> np.ndarray:
    """``values`` in ``pool`` (vectorised hash lookup; avoids Series.isin on string dtype)."""
    pool_index = pd.Index(pd.unique(np.asarray(pool, dtype=object)), dtype=object)
    return prepared.index_of(pool_index, values) >= 0


def months_before(when: pd.Timestamp, months: int) -> pd.Timestamp:
    """First day of the N months up to and including ``when``: the day after the same date N months
    earlier (31 March 2026, 12 -> 1 April 2025; 29 Feb 2028, 12 -> 1 March 2027)."""
    return (pd.Timestamp(when) - pd.DateOffset(months=months)).normalize() + pd.Timedelta(days=1)


def days_before(when: pd.Timestamp, days: int) -> pd.Timestamp:
    """First day of the N days up to and including ``when``."""
    return pd.Timestamp(when).normalize() - pd.Timedelta(days=days - 1)


def _dates64(values) -> np.ndarray:
    if np.ndim(values) == 0:
        values = [values]
    return pd.to_datetime(pd.Series(values).reset_index(drop=True)).to_numpy().astype("datetime64[D]")


def age_years(dob, on):
    """Age in whole years on ``on`` (birthdays on 29 February fall on 1 March in other years).

    Vectorised: scalars give a float, arrays/Series a float array; NaN where a date is missing."""
    scalar = np.ndim(dob) == 0 and np.ndim(on) == 0
    b, o = np.broadcast_arrays(_dates64(dob), _dates64(on))
    bad = np.isnat(b) | np.isnat(o)
    b = np.where(bad, np.datetime64("2000-01-01"), b)
    o = np.where(bad, np.datetime64("2000-01-01"), o)
    by, oy = b.astype("datetime64[Y]").astype(int), o.astype("datetime64[Y]").astype(int)
    bm, om = b.astype("datetime64[M]").astype(int) % 12, o.astype("datetime64[M]").astype(int) % 12
    bd = (b - b.astype("datetime64[M]")).astype(int)
    od = (o - o.astype("datetime64[M]")).astype(int)
    before_birthday = (om < bm) | ((om == bm) & (od < bd))
    age = (oy - by - before_birthday).astype(float)
    age[bad] = np.nan
    return float(age[0]) if scalar else age


def age_band(dob, on):
    """DfE looked-after age band on ``on``: Under 1, 1-4, 5-9, 10-15, 16+ ("Not recorded" without a
    date of birth; a child not yet born on the date is "Under 1")."""
    scalar = np.ndim(dob) == 0 and np.ndim(on) == 0
    age = np.atleast_1d(age_years(dob, on))
    bands = np.select(
        [np.isnan(age), age < 1, age < 5, age < 10, age < 16],
        [AGE_NOT_RECORDED, *AGE_BANDS[:4]], default=AGE_BANDS[4]).astype(object)
    return str(bands[0]) if scalar else pd.Series(bands, dtype=object)


def person_dates(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Date of birth and death per person_id (index)."""
    index, dob, death = prepared.person_dates(tables)
    return pd.DataFrame({"dob": dob, "death": death}, index=index)


def dob_of(tables, person_ids) -> np.ndarray:
    index, dob, _ = prepared.person_dates(tables)
    return prepared.take(dob, prepared.index_of(index, person_ids))


def _like_reindex(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """values[rows], with what ``reindex`` puts where rows < 0: NaT, NaN (ints become floats,
    bools and text objects holding NaN)."""
    values = np.asarray(values)
    missing = rows < 0
    if not missing.any():
        return values[rows] if len(values) else values[:0]
    if np.issubdtype(values.dtype, np.datetime64):
        out = values[np.maximum(rows, 0)] if len(values) else np.empty(len(rows), dtype=values.dtype)
        out[missing] = np.datetime64("NaT")
        return out
    if np.issubdtype(values.dtype, np.integer) or np.issubdtype(values.dtype, np.floating):
        out = (values[np.maximum(rows, 0)] if len(values) else np.empty(len(rows))).astype(float)
        out[missing] = np.nan
        return out
    out = (values[np.maximum(rows, 0)] if len(values) else np.empty(len(rows))).astype(object)
    out[missing] = np.nan
    return out


def on_dates(intervals: pd.DataFrame, person_ids, dates, payload: list[str]) -> pd.DataFrame:
    """For each (person, date) pair, in order: the ``payload`` of the person's interval open on the
    date (:func:`metrics.front_door.open_at`: start <= date and end blank or after it); the
    latest-starting one if several; NaN/None
    where there is none. ``intervals`` has person_id, start, end and the payload columns."""
    people = np.asarray(person_ids, dtype=object)
    if len(people) == 0 or intervals.empty:
        return pd.DataFrame({c: pd.Series([None] * len(people), dtype=object) for c in payload})
    index = prepared.SpanIndex(intervals["person_id"].to_numpy(dtype=object), intervals["start"].to_numpy(),
                               intervals["end"].to_numpy())
    rows = index.lookup(people, np.asarray(dates))
    return _gather(intervals, rows, payload)


def _gather(frame: pd.DataFrame, rows: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """frame[columns] at ``rows`` (-1: missing, as reindex fills), a new RangeIndex."""
    return pd.DataFrame({c: _like_reindex(frame[c].to_numpy(), rows) for c in columns})


def latest_by(events: pd.DataFrame, person_ids, when: pd.Timestamp, cols: list[str]) -> pd.DataFrame:
    """For each person (in order), the columns of their latest event dated on or before ``when``
    (``events`` has person_id and date)."""
    people = np.asarray(person_ids, dtype=object)
    index = prepared.EventIndex(events["person_id"].to_numpy(dtype=object), events["date"].to_numpy())
    when = np.asarray(when) if np.ndim(when) else np.repeat(np.datetime64(pd.Timestamp(when), "ns"), len(people))
    return _gather(events, index.latest(people, when), cols)


def set_group(rows: pd.DataFrame, by: str | None) -> pd.DataFrame:
    if by is None:
        rows["group_id"], rows["group"] = ALL_ID, ALL_LABEL
    else:
        rows["group_id"], rows["group"] = rows[f"{by}_id"], rows[by]
    return rows


def summarise(rows: pd.DataFrame, periods: list[Period], by: str | None, *, count_only: bool) -> pd.DataFrame:
    """SUMMARY_COLUMNS per period and group from flagged rows. Counts: value = numerator,
    denominator NaN. Percentages: value = numerator / denominator, NaN when 0. With ``by`` None
    every period has a row, even an empty one."""
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
    labels = [p.label for p in periods]
    if by is None:
        missing = [label for label in labels if label not in set(summary["period"])]
        if missing:
            empty = pd.DataFrame({
                "period": missing, "group_id": ALL_ID, "group": ALL_LABEL, "numerator": 0,
                "denominator": np.nan if count_only else 0, "value": 0.0 if count_only else np.nan,
            })
            summary = pd.concat([summary, empty], ignore_index=True) if len(summary) else empty
    order = {label: i for i, label in enumerate(labels)}
    summary = summary.sort_values(
        ["period", "group"], key=lambda s: s.map(order) if s.name == "period" else s.astype(str))
    return summary[SUMMARY_COLUMNS].reset_index(drop=True)


def add_child_names(rows: pd.DataFrame, tables) -> pd.DataFrame:
    rows["child_name"] = child_name_array(tables, rows["person_id"].to_numpy(dtype=object))
    return rows


# Hidden columns a cohort may carry (with_labels): the allocated worker and team on the period end
# and the child's name, so that measures sharing a cohort look them up once. finish() uses them
# and keeps only the measure's own columns.
LABELS = ("_alloc_worker", "_alloc_team", "_child_name")


def with_labels(frame: pd.DataFrame, tables, when: np.ndarray) -> pd.DataFrame:
    """``frame`` (with person_id) plus the hidden LABELS columns for the allocation on ``when``
    (one date per row)."""
    worker, team = allocation_arrays(tables, frame["person_id"].to_numpy(dtype=object), when)
    out = frame.copy(deep=False)
    out[LABELS[0]] = worker
    out[LABELS[1]] = team
    out[LABELS[2]] = child_name_array(tables, frame["person_id"].to_numpy(dtype=object))
    return out


def label_allocated(rows: pd.DataFrame, tables, date_col: str) -> pd.DataFrame:
    """Team, service and worker of the child's allocation on ``date_col``."""
    if rows.empty:
        out = rows.copy()
        for c in ORG_COLUMNS:
            out[c] = pd.Series(dtype=object)
        return out
    return label_by_allocation(rows.reset_index(drop=True), tables, date_col=date_col)


def finish(measure_id: str, rows: pd.DataFrame, tables, periods: list[Period], by: str | None,
           columns: list[str], *, count_only: bool, date_col: str = "period_end",
           labelled: bool = False) -> MeasureResult:
    """Name the children, label them by allocation on ``date_col`` (unless ``labelled``), group,
    keep ``columns`` and summarise."""
    rows = rows.reset_index(drop=True)
    if not labelled:
        if LABELS[0] in rows and date_col == "period_end" and len(rows):
            # worked out once per extract with the cohort (see with_labels): the same lookups
            rows = rows.copy(deep=False)
            for c, values in org_columns(tables, rows[LABELS[1]].to_numpy(dtype=object),
                                         rows[LABELS[0]].to_numpy(dtype=object)).items():
                rows[c] = values
        else:
            rows = label_allocated(rows, tables, date_col)
    if LABELS[2] in rows:
        rows["child_name"] = rows[LABELS[2]].to_numpy(dtype=object)
    else:
        rows = add_child_names(rows, tables)
    rows = set_group(rows, by)
    rows["in_denominator"] = rows["in_denominator"].astype(bool)
    rows["in_numerator"] = rows["in_numerator"].astype(bool)
    for c in columns:
        if c not in rows:
            rows[c] = pd.Series(dtype=object)
    rows = rows[columns].reset_index(drop=True)
    return MeasureResult(measure_id, summarise(rows, periods, by, count_only=count_only), rows)


def stock_rows(periods: list[Period], build: Callable[[Period], pd.DataFrame]) -> pd.DataFrame:
    """``build(period)`` for each period, stacked, with period and period_end columns."""
    parts = []
    for p in periods:
        part = build(p).reset_index(drop=True)
        part.insert(0, "period", p.label)
        part["period_end"] = p.end
        parts.append(part)
    if not parts:
        return pd.DataFrame({"period": pd.Series(dtype=object), "person_id": pd.Series(dtype=object),
                             "period_end": pd.Series(dtype="datetime64[ns]")})
    return pd.concat(parts, ignore_index=True)


def breakdown(rows: pd.DataFrame, column: str) -> pd.DataFrame:
    """Counted rows per period and value of ``column`` (e.g. age_band, legal_status,
    reason_ceased for cla_starts / cla_ceased): columns period, <column>, count."""
    counted = rows[rows["in_numerator"].astype(bool)]
    out = counted.groupby(["period", column], sort=True, observed=True).size().reset_index(name="count")
    return out


# ---- episodes, periods of care, placements, legal status -----------------------------------------

def episodes(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Every CLA episode with its period of care: person_id, episode_id, cla_id, start, ceased,
    start_reason, ceased_reason, primary_need, episode_placement_id, poc (period-of-care number
    per child), poc_start, poc_end (NaT while open), poc_start_reason, poc_ceased_reason."""
    e = tables["ssd_cla_episodes"]
    return derived("cla_episodes", (e,), lambda: _episodes(e)).copy(deep=False)


def _episodes(e: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({
        "person_id": text(e["clae_person_id"]),
        "episode_id": text(e["clae_cla_episode_id"]),
        "cla_id": text(e["clae_cla_id"]),
        "start": day(e["clae_cla_episode_start_date"]),
        "ceased": day(e["clae_cla_episode_ceased_date"]),
        "start_reason": text(e["clae_cla_episode_start_reason"]),
        "ceased_reason": text(e["clae_cla_episode_ceased_reason"]),
        "primary_need": text(e["clae_cla_primary_need_code"]),
        "entered_care": day(e["clae_entered_care_date"]),
        "episode_placement_id": text(e["clae_cla_placement_id"]),
    })
    out = out[out["start"].notna().to_numpy() & (out["person_id"] != "").to_numpy()]
    out = out.sort_values(["person_id", "start", "ceased"], na_position="last", kind="stable").reset_index(drop=True)
    if out.empty:
        for c in ("poc", "poc_start", "poc_end", "poc_start_reason", "poc_ceased_reason"):
            out[c] = pd.Series(dtype="datetime64[ns]" if c in ("poc_start", "poc_end") else object)
        return out
    end_filled = out["ceased"].fillna(FAR_FUTURE)
    running_end = end_filled.groupby(out["person_id"], sort=False).cummax()
    previous_end = running_end.groupby(out["person_id"], sort=False).shift(1)
    new_period = previous_end.isna() | (out["start"] > previous_end)
    out["poc"] = new_period.astype(int).groupby(out["person_id"], sort=False).cumsum()
    keys = [out["person_id"], out["poc"]]
    g_start = out["start"].groupby(keys, sort=False)
    first_start = g_start.transform("min")
    entered = out["entered_care"].groupby(keys, sort=False).transform("min")
    out["poc_start"] = pd.concat([first_start, entered], axis=1).min(axis=1)
    last_end = end_filled.groupby(keys, sort=False).transform("max")
    out["poc_end"] = last_end.where(last_end < FAR_FUTURE)
    out["poc_start_reason"] = out["start_reason"].groupby(keys, sort=False).transform("first")
    out["poc_ceased_reason"] = out["ceased_reason"].groupby(keys, sort=False).transform("last")
    return out


def periods_of_care(tables: Mapping[str, pd.DataFrame], eps: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per period of care: person_id, poc, cla_id, start, end (NaT while open),
    start_reason (first episode), ceased_reason (last episode), primary_need, first_episode_id."""
    eps = episodes(tables) if eps is None else eps
    g = eps.groupby(["person_id", "poc"], sort=False)
    out = g.agg(cla_id=("cla_id", "first"), start=("poc_start", "first"), end=("poc_end", "first"),
                start_reason=("poc_start_reason", "first"), ceased_reason=("poc_ceased_reason", "first"),
                primary_need=("primary_need", "first"), first_episode_id=("episode_id", "first"),
                first_episode_start=("start", "first")).reset_index()
    return out


def placements(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Placements with the continuous placement each belongs to.

    A placement record that starts on (or before) the day the child's previous record ended, with
    the same type, provider, URN and postcode (at least one of URN and postcode recorded), continues
    that placement (e.g. a record split by a legal-status change): it is not a move. Columns:
    placement_id, person_id, start, end, type, provider, urn, postcode, distance, stint (number per
    child), stint_start, stable_since (stint start; for a child placed for adoption, A3-A6, the start
    of the placement just before it when the two are contiguous)."""
    p = tables.get("ssd_cla_placement")
    return derived("cla_placements", (p,), lambda: _placements(p)).copy(deep=False)


def _placements(p: pd.DataFrame | None) -> pd.DataFrame:
    cols = ["placement_id", "person_id", "start", "end", "type", "provider", "urn", "postcode",
            "distance", "stint", "stint_start", "stable_since"]
    if p is None or p.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c in ("start", "end", "stint_start", "stable_since")
                                          else object) for c in cols})
    out = pd.DataFrame({
        "placement_id": text(p["clap_cla_placement_id"]),
        "person_id": text(p["clap_person_id"]),
        "start": day(p["clap_cla_placement_start_date"]),
        "end": day(p["clap_cla_placement_end_date"]),
        "type": upper(p["clap_cla_placement_type"]).to_numpy(dtype=object),
        "provider": upper(p["clap_cla_placement_provider"]).to_numpy(dtype=object),
        "urn": upper(p["clap_cla_placement_urn"]).to_numpy(dtype=object),
        "postcode": upper(p["clap_cla_placement_postcode"]).str.replace(" ", "", regex=False).to_numpy(dtype=object),
        "distance": pd.to_numeric(p["clap_cla_placement_distance"], errors="coerce").to_numpy(dtype=float),
    })
    out = out[out["start"].notna().to_numpy() & (out["person_id"] != "").to_numpy()]
    out = out.sort_values(["person_id", "start", "end"], na_position="last", kind="stable").reset_index(drop=True)
    person = out["person_id"]
    prev = out.groupby(person, sort=False)[["end", "type", "provider", "urn", "postcode"]].shift(1)
    contiguous = prev["end"].notna() & (out["start"] <= prev["end"])
    same = ((out["type"] == prev["type"]) & (out["provider"] == prev["provider"])
            & (out["urn"] == prev["urn"]) & (out["postcode"] == prev["postcode"])
            & ((out["urn"] != "") | (out["postcode"] != "")))
    new_stint = ~(contiguous & same).fillna(False).astype(bool)
    out["stint"] = new_stint.astype(int).groupby(person, sort=False).cumsum()
    keys = [person, out["stint"]]
    out["stint_start"] = out["start"].groupby(keys, sort=False).transform("min")
    # Adoption: the adoptive placement together with the placement just before it.
    st = out.groupby(["person_id", "stint"], sort=False).agg(
        s_start=("start", "min"), s_end=("end", "last"), s_type=("type", "last")).reset_index()
    st["prev_start"] = st.groupby("person_id", sort=False)["s_start"].shift(1)
    st["prev_end"] = st.groupby("person_id", sort=False)["s_end"].shift(1)
    adoption = st["s_type"].str.match(r"^A[3-6]$") & st["prev_end"].notna() & (st["prev_end"] >= st["s_start"])
    st["stable_since"] = st["prev_start"].where(adoption, st["s_start"])
    out = out.merge(st[["person_id", "stint", "stable_since"]], on=["person_id", "stint"], how="left")
    return out[cols]


def legal_statuses(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    ls = tables.get("ssd_legal_status")
    return derived("legal_statuses", (ls,), lambda: _legal_statuses(ls)).copy(deep=False)


def _legal_statuses(ls: pd.DataFrame | None) -> pd.DataFrame:
    if ls is None or ls.empty:
        return pd.DataFrame({"person_id": pd.Series(dtype=object), "start": pd.Series(dtype="datetime64[ns]"),
                             "end": pd.Series(dtype="datetime64[ns]"), "legal_status": pd.Series(dtype=object)})
    out = pd.DataFrame({
        "person_id": text(ls["lega_person_id"]),
        "start": day(ls["lega_legal_status_start_date"]),
        "end": day(ls["lega_legal_status_end_date"]),
        "legal_status": upper(ls["lega_legal_status"]).to_numpy(dtype=object),
    })
    return out[out["start"].notna().to_numpy()].reset_index(drop=True)


IN_CARE_COLUMNS = [
    "person_id", "cla_id", "episode_id", "episode_start", "period_of_care_start", "start_reason",
    "primary_need", "placement_id", "placement_type", "placement_start", "placement_provider",
    "placement_urn", "placement_postcode", "placement_distance", "same_placement_since",
    "legal_status",
]


class _Sources:
    """The CLA tables in normalised form (built once per extract), and who was in care when."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]):
        self.tables = tables
        self.episodes = episodes(tables)
        self.placements = placements(tables)
        self.legal = legal_statuses(tables)
        self._frames = (tables["ssd_cla_episodes"], tables.get("ssd_cla_placement"), tables.get("ssd_legal_status"))
        self._at: dict = {}
        self._labels: dict = {}

    def in_care_at(self, dates) -> pd.DataFrame:
        """:meth:`in_care_on` for several dates at once: the rows for each date in turn, with
        ``_p`` (the date's position in ``dates``) first. Kept per extract and dates."""
        key = tuple(pd.Timestamp(d).normalize() for d in dates)
        frame = derived("in_care_at", self._frames, lambda: _in_care_at(self, key), key)
        for j, d in enumerate(key):
            self._at.setdefault(d, (frame, j, key))
        return frame.copy(deep=False)

    def in_care_on(self, date, *, labels: bool = False) -> pd.DataFrame:
        """Children in care at the end of ``date`` (see :func:`in_care_on`); with ``labels``, also
        the hidden LABELS columns (allocation on the date, name) that finish() uses."""
        d = pd.Timestamp(date).normalize()
        if d not in self._at:
            self.in_care_at([d])
        frame, j, key = self._at[d]
        if labels:
            frame = self._labelled(frame, key)
        p = frame["_p"].to_numpy()
        lo, hi = np.searchsorted(p, [j, j + 1])
        return frame.iloc[lo:hi, 1:].reset_index(drop=True)

    def _labelled(self, frame: pd.DataFrame, key: tuple) -> pd.DataFrame:
        if key not in self._labels:
            frames = (*self._frames, self.tables.get("ssd_involvements"), self.tables.get("ssd_person"))
            when = np.array([np.datetime64(d, "ns") for d in key], dtype="datetime64[ns]")[frame["_p"].to_numpy()]
            self._labels[key] = derived("in_care_labelled", frames,
                                        lambda: with_labels(frame, self.tables, when), key)
        return self._labels[key]

    def in_care_people(self, dates) -> list[np.ndarray]:
        """The distinct person IDs in care at the end of each date (an open episode; no placement
        or legal status needed), each array in no particular order."""
        key = tuple(pd.Timestamp(d).normalize() for d in dates)
        return derived("in_care_people", self._frames[:1], lambda: _in_care_people(self.episodes, key), key)

    def first_start(self) -> tuple[pd.Index, np.ndarray]:
        """Each child's first episode start: (person IDs, dates)."""
        e = self.episodes

        def build():
            g = e.groupby("person_id", sort=False)["start"].min()
            return pd.Index(g.index.to_numpy(dtype=object), dtype=object), g.to_numpy()

        return derived("cla_first_start", self._frames[:1], build)

    def in_care_ids(self, dates) -> list[np.ndarray]:
        """The person IDs in care at each date (sorted, as :meth:`in_care_on` lists them)."""
        frame = self.in_care_at(dates)
        p = frame["_p"].to_numpy()
        ids = frame["person_id"].to_numpy(dtype=object)
        cuts = np.searchsorted(p, np.arange(len(dates) + 1))
        return [ids[cuts[k]:cuts[k + 1]] for k in range(len(dates))]


def _in_care_people(e: pd.DataFrame, dates: tuple) -> list[np.ndarray]:
    when = np.array([np.datetime64(d, "ns") for d in dates], dtype="datetime64[ns]")
    rows, j = prepared.open_pairs(e["start"].to_numpy(), e["ceased"].to_numpy(), when)
    person = e["person_id"].to_numpy(dtype=object)
    cuts = np.searchsorted(j, np.arange(len(dates) + 1))
    return [pd.unique(person[rows[cuts[k]:cuts[k + 1]]]) for k in range(len(dates))]


def _first_rows(values: pd.Series) -> tuple[pd.Index, np.ndarray]:
    """The distinct values (an index) and the row of each one's first occurrence."""
    arr = values.to_numpy(dtype=object)
    first = np.flatnonzero(~pd.Index(arr, dtype=object).duplicated())
    return pd.Index(arr[first], dtype=object), first


def _episode_index(src: _Sources):
    e = src.episodes
    return derived("cla_episode_codes", src._frames[:1],
                   lambda: pd.factorize(e["person_id"].to_numpy(dtype=object))[0])


def _in_care_at(src: _Sources, dates: tuple) -> pd.DataFrame:
    e = src.episodes
    when = np.array([np.datetime64(d, "ns") for d in dates], dtype="datetime64[ns]")
    rows, j = prepared.open_pairs(e["start"].to_numpy(), e["ceased"].to_numpy(), when)
    # per date, each child's last open episode (episodes are sorted by child, start, ceased)
    pcode = _episode_index(src)
    keep = np.ones(len(rows), dtype=bool)
    if len(rows) > 1:
        keep[:-1] = (j[1:] != j[:-1]) | (pcode[rows[1:]] != pcode[rows[:-1]])
    cur, jj = rows[keep], j[keep]
    out = pd.DataFrame({
        "_p": jj.astype(np.int64),
        "person_id": e["person_id"].to_numpy(dtype=object)[cur],
        "cla_id": e["cla_id"].to_numpy(dtype=object)[cur],
        "episode_id": e["episode_id"].to_numpy(dtype=object)[cur],
        "episode_start": e["start"].to_numpy()[cur],
        "period_of_care_start": e["poc_start"].to_numpy()[cur],
        "start_reason": e["poc_start_reason"].to_numpy(dtype=object)[cur],
        "primary_need": e["primary_need"].to_numpy(dtype=object)[cur],
    })
    on = when[jj]
    pl = src.placements
    fields = ["placement_id", "type", "start", "provider", "urn", "postcode", "distance", "stable_since"]
    if len(out) and len(pl):
        index = derived("cla_placement_spans", src._frames[1:2], lambda: prepared.SpanIndex(
            pl["person_id"].to_numpy(dtype=object), pl["start"].to_numpy(), pl["end"].to_numpy()))
        prow = index.lookup(out["person_id"].to_numpy(dtype=object), on)
        got = {c: _like_reindex(pl[c].to_numpy(), prow) for c in fields}
        got = {c: (v.astype(object) if c in ("placement_id", "type", "provider", "urn", "postcode") else v)
               for c, v in got.items()}
        # No placement open on the date by its dates: the placement the episode points at.
        missing = prow < 0
        if missing.any():
            uniq, first = derived("cla_placement_ids", src._frames[1:2], lambda: _first_rows(pl["placement_id"]))
            ids = e["episode_placement_id"].to_numpy(dtype=object)[cur][missing]
            k = uniq.get_indexer(ids)
            k = np.where(k >= 0, first[np.maximum(k, 0)], -1)  # the first record of that ID
            fill = {c: _like_reindex(pl[c].to_numpy(), k) for c in fields}
            fill["placement_id"] = np.where(k >= 0, ids, None)
            for c in fields:
                col = np.array(got[c], copy=True)
                if col.dtype != object and fill[c].dtype == object:
                    col = col.astype(object)
                col[missing] = fill[c]
                got[c] = col
    else:
        got = {c: np.full(len(out), None, dtype=object) for c in fields}
    out["placement_id"] = pd.Series(got["placement_id"], dtype=object).fillna("").to_numpy(dtype=object)
    out["placement_type"] = pd.Series(got["type"], dtype=object).fillna("").to_numpy(dtype=object)
    out["placement_start"] = pd.to_datetime(pd.Series(got["start"])).to_numpy()
    out["placement_provider"] = pd.Series(got["provider"], dtype=object).fillna("").to_numpy(dtype=object)
    out["placement_urn"] = pd.Series(got["urn"], dtype=object).fillna("").to_numpy(dtype=object)
    out["placement_postcode"] = pd.Series(got["postcode"], dtype=object).fillna("").to_numpy(dtype=object)
    out["placement_distance"] = pd.to_numeric(pd.Series(got["distance"]), errors="coerce").to_numpy(dtype=float)
    out["same_placement_since"] = pd.to_datetime(pd.Series(got["stable_since"])).to_numpy()
    lg = src.legal
    if len(out) and len(lg):
        index = derived("legal_spans", src._frames[2:3], lambda: prepared.SpanIndex(
            lg["person_id"].to_numpy(dtype=object), lg["start"].to_numpy(), lg["end"].to_numpy()))
        lrow = index.lookup(out["person_id"].to_numpy(dtype=object), on)
        status = _like_reindex(lg["legal_status"].to_numpy(dtype=object), lrow)
        out["legal_status"] = pd.Series(status, dtype=object).fillna("").to_numpy(dtype=object)
    else:
        out["legal_status"] = np.full(len(out), "", dtype=object)
    return out[["_p", *IN_CARE_COLUMNS]]


def in_care_on(tables: Mapping[str, pd.DataFrame], date) -> pd.DataFrame:
    """Children in care at the end of ``date``: one row per child with the episode open on the date
    (started on or before it, not ceased on or before it), the start of their period of care, the
    placement open on the date (else the placement the episode points at) and the legal status
    open on the date. Columns: ``IN_CARE_COLUMNS``."""
    return _Sources(tables).in_care_on(date)


# ---- cla: children in care at the period end -----------------------------------------------------

CLA_COLUMNS = [*BASE_COLUMNS, "cla_id", "episode_id", "period_of_care_start", "episode_start",
               "legal_status", "placement_type", "placement_start", "placement_provider", "age",
               "age_band"]


def _with_age(frame: pd.DataFrame, tables, when) -> pd.DataFrame:
    """Add dob, age (whole years) and age_band on ``when`` (a date, or one date per row)."""
    dob = dob_of(tables, frame["person_id"])
    frame["dob"] = dob
    frame["age"] = age_years(dob, when)
    frame["age_band"] = age_band(dob, when).to_numpy()
    return frame


def compute_cla(tables, periods, by, settings) -> MeasureResult:
    src = _Sources(tables)
    src.in_care_at([p.end for p in periods])

    def build(p: Period) -> pd.DataFrame:
        ic = _with_age(src.in_care_on(p.end, labels=True), tables, p.end)
        ic["in_denominator"] = True
        ic["in_numerator"] = True
        return ic

    rows = stock_rows(periods, build)
    return finish("cla", rows, tables, periods, by, CLA_COLUMNS, count_only=True)


# ---- cla_starts / cla_ceased -------------------------------------------------------------------

STARTS_COLUMNS = [*BASE_COLUMNS, "cla_id", "start_date", "age", "age_band", "legal_status",
                  "start_reason", "primary_need", "placement_type", "end_date"]
CEASED_COLUMNS = [*BASE_COLUMNS, "cla_id", "period_of_care_start", "end_date", "days_in_care", "age",
                  "age_band", "legal_status", "reason_ceased"]


def _flow(base: pd.DataFrame, periods: list[Period], date_col: str) -> pd.DataFrame:
    parts = []
    for p in periods:
        part = base[p.contains(base[date_col]).fillna(False).to_numpy(dtype=bool)].copy()
        part.insert(0, "period", p.label)
        parts.append(part)
    if not parts:
        return base.iloc[0:0].assign(period="")
    return pd.concat(parts, ignore_index=True)


def compute_starts(tables, periods, by, settings) -> MeasureResult:
    src = _Sources(tables)
    poc = periods_of_care(tables, src.episodes)
    base = pd.DataFrame({
        "person_id": poc["person_id"].to_numpy(dtype=object), "cla_id": poc["cla_id"].to_numpy(dtype=object),
        "start_date": poc["start"].to_numpy(), "end_date": poc["end"].to_numpy(),
        "start_reason": poc["start_reason"].to_numpy(dtype=object),
        "primary_need": poc["primary_need"].to_numpy(dtype=object),
    })
    rows = _flow(base, periods, "start_date")
    rows = _with_age(rows, tables, rows["start_date"].to_numpy())
    lg = on_dates(src.legal, rows["person_id"], rows["start_date"], ["legal_status"])
    rows["legal_status"] = lg["legal_status"].fillna("").to_numpy(dtype=object)
    pl = on_dates(src.placements, rows["person_id"], rows["start_date"], ["type"])
    rows["placement_type"] = pl["type"].fillna("").to_numpy(dtype=object)
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return finish("cla_starts", rows, tables, periods, by, STARTS_COLUMNS, count_only=True, date_col="start_date")


def compute_ceased(tables, periods, by, settings) -> MeasureResult:
    src = _Sources(tables)
    poc = periods_of_care(tables, src.episodes)
    poc = poc[poc["end"].notna().to_numpy()]
    base = pd.DataFrame({
        "person_id": poc["person_id"].to_numpy(dtype=object), "cla_id": poc["cla_id"].to_numpy(dtype=object),
        "period_of_care_start": poc["start"].to_numpy(), "end_date": poc["end"].to_numpy(),
        "reason_ceased": poc["ceased_reason"].to_numpy(dtype=object),
    })
    base["days_in_care"] = (base["end_date"] - base["period_of_care_start"]).dt.days.to_numpy()
    rows = _flow(base, periods, "end_date")
    rows = _with_age(rows, tables, rows["end_date"].to_numpy())
    # Legal status on the last day in care (the day before the ceased date).
    last_day = np.maximum(rows["end_date"] - pd.Timedelta(days=1), rows["period_of_care_start"])
    lg = on_dates(src.legal, rows["person_id"], last_day, ["legal_status"])
    rows["legal_status"] = lg["legal_status"].fillna("").to_numpy(dtype=object)
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return finish("cla_ceased", rows, tables, periods, by, CEASED_COLUMNS, count_only=True, date_col="end_date")


# ---- health, dental, SDQ, PEP ---------------------------------------------------------------

def health_checks(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Health checks that happened: person_id, date, kind ("health" for health assessments,
    "dental" for dental checks, "other" e.g. health surveillance checks), status."""
    h = tables["ssd_cla_health"]
    kind_text = upper(h["clah_health_check_type"])
    status = upper(h["clah_health_check_status"])
    dental = kind_text.str.contains("DENT", regex=False)
    health = ~dental & (kind_text.str.contains("ASSESS", regex=False) | kind_text.isin(["IHA", "RHA", "HA"]))
    out = pd.DataFrame({
        "person_id": text(h["clah_person_id"]),
        "date": day(h["clah_health_check_date"]),
        "kind": np.where(dental, "dental", np.where(health, "health", "other")),
        "status": status.to_numpy(dtype=object),
    })
    done = ~status.str.contains(NOT_DONE_STATUS, regex=True).to_numpy(dtype=bool)
    return out[out["date"].notna().to_numpy() & done].reset_index(drop=True)


def _continuous_cohort(src: _Sources, tables, p: Period, months: int = CONTINUOUS_CARE_MONTHS) -> pd.DataFrame:
    ic = _with_age(src.in_care_on(p.end, labels=True), tables, p.end)
    ic["continuous_since"] = months_before(p.end, months)
    return ic[(ic["period_of_care_start"] <= months_before(p.end, months)).to_numpy(dtype=bool)].reset_index(drop=True)


def _latest_check(events: pd.DataFrame, cohort: pd.DataFrame, when) -> np.ndarray:
    got = latest_by(events, cohort["person_id"], when, ["date"])
    return pd.to_datetime(got["date"]).to_numpy()


HEALTH_COLUMNS = [*BASE_COLUMNS, "age", "period_of_care_start", "last_check_date", "window_months",
                  "window_start", "days_since_check"]


def _compute_check(measure_id: str, kind: str, tables, periods, by) -> MeasureResult:
    src = _Sources(tables)
    src.in_care_at([p.end for p in periods])
    checks = health_checks(tables)
    checks = checks[(checks["kind"] == kind).to_numpy()]

    def build(p: Period) -> pd.DataFrame:
        c = _continuous_cohort(src, tables, p)
        c["last_check_date"] = _latest_check(checks, c, p.end)
        if kind == "health":
            months = np.where(c["age"] < 5, HEALTH_MONTHS_UNDER_5, HEALTH_MONTHS)
        else:
            months = np.full(len(c), DENTAL_MONTHS)
        c["window_months"] = months
        under_5 = months == HEALTH_MONTHS_UNDER_5
        c["window_start"] = pd.Series(months_before(p.end, HEALTH_MONTHS), index=c.index).where(
            ~under_5, months_before(p.end, HEALTH_MONTHS_UNDER_5))
        c["days_since_check"] = (p.end - c["last_check_date"]).dt.days.to_numpy()
        c["in_denominator"] = True
        c["in_numerator"] = (c["last_check_date"] >= c["window_start"]).fillna(False).to_numpy(dtype=bool)
        return c

    rows = stock_rows(periods, build)
    return finish(measure_id, rows, tables, periods, by, HEALTH_COLUMNS, count_only=False)


def compute_health(tables, periods, by, settings) -> MeasureResult:
    return _compute_check("cla_health", "health", tables, periods, by)


def compute_dental(tables, periods, by, settings) -> MeasureResult:
    return _compute_check("cla_dental", "dental", tables, periods, by)


SDQ_COLUMNS = [*BASE_COLUMNS, "age", "period_of_care_start", "last_sdq_date", "last_sdq_score", "window_start"]


def compute_sdq(tables, periods, by, settings) -> MeasureResult:
    src = _Sources(tables)
    src.in_care_at([p.end for p in periods])
    s = tables["ssd_sdq_scores"]
    sdq = pd.DataFrame({
        "person_id": text(s["csdq_person_id"]), "date": day(s["csdq_sdq_completed_date"]),
        "score": text(s["csdq_sdq_score"]),
    })
    # Only completed questionnaires with a score count (a reason for no score is not a score).
    sdq = sdq[sdq["date"].notna().to_numpy() & (sdq["score"] != "").to_numpy()]

    def build(p: Period) -> pd.DataFrame:
        c = _continuous_cohort(src, tables, p)
        c = c[((c["age"] >= SDQ_AGES[0]) & (c["age"] <= SDQ_AGES[1])).to_numpy(dtype=bool)].reset_index(drop=True)
        got = latest_by(sdq, c["person_id"], p.end, ["date", "score"])
        c["last_sdq_date"] = pd.to_datetime(got["date"]).to_numpy()
        c["last_sdq_score"] = got["score"].fillna("").to_numpy(dtype=object)
        c["window_start"] = months_before(p.end, SDQ_MONTHS)
        c["in_denominator"] = True
        c["in_numerator"] = (c["last_sdq_date"] >= c["window_start"]).fillna(False).to_numpy(dtype=bool)
        return c

    rows = stock_rows(periods, build)
    return finish("cla_sdq", rows, tables, periods, by, SDQ_COLUMNS, count_only=False)


PEP_COLUMNS = [*BASE_COLUMNS, "age", "period_of_care_start", "last_pep_date", "window_start"]


def compute_pep(tables, periods, by, settings: MetricSettings) -> MeasureResult:
    src = _Sources(tables)
    src.in_care_at([p.end for p in periods])
    e = tables["ext_cla_pep"]
    peps = pd.DataFrame({"person_id": text(e["pepr_person_id"]), "date": day(e["pepr_pep_date"])})
    peps = peps[peps["date"].notna().to_numpy()]

    def build(p: Period) -> pd.DataFrame:
        c = _with_age(src.in_care_on(p.end, labels=True), tables, p.end)
        c = c[((c["age"] >= PEP_AGES[0]) & (c["age"] <= PEP_AGES[1])).to_numpy(dtype=bool)].reset_index(drop=True)
        c["last_pep_date"] = _latest_check(peps, c, p.end)
        c["window_start"] = months_before(p.end, settings.pep_window_months)
        c["in_denominator"] = True
        c["in_numerator"] = (c["last_pep_date"] >= c["window_start"]).fillna(False).to_numpy(dtype=bool)
        return c

    rows = stock_rows(periods, build)
    return finish("cla_pep", rows, tables, periods, by, PEP_COLUMNS, count_only=False)


# ---- placements: 3+ moves, long-term stability, residential ---------------------------------

THREE_PLUS_COLUMNS = [*BASE_COLUMNS, "placements_in_window", "window_start", "latest_placement_start",
                      "placement_type"]


def compute_3plus(tables, periods, by, settings) -> MeasureResult:
    src = _Sources(tables)
    src.in_care_at([p.end for p in periods])
    stints = src.placements.drop_duplicates(["person_id", "stint"])[["person_id", "stint_start"]]

    def build(p: Period) -> pd.DataFrame:
        c = src.in_care_on(p.end, labels=True)
        w0 = months_before(p.end, PLACEMENT_WINDOW_MONTHS)
        s = stints[((stints["stint_start"] >= w0) & (stints["stint_start"] <= p.end)).to_numpy(dtype=bool)]
        s = s[member(s["person_id"], c["person_id"])]
        counts = s.groupby("person_id", sort=False)["stint_start"].agg(["size", "max"])
        c["placements_in_window"] = counts["size"].reindex(c["person_id"].to_numpy(dtype=object)).fillna(0).astype(int).to_numpy()
        c["latest_placement_start"] = pd.to_datetime(counts["max"].reindex(c["person_id"].to_numpy(dtype=object))).to_numpy()
        c["window_start"] = w0
        c["in_denominator"] = True
        c["in_numerator"] = c["placements_in_window"] >= PLACEMENTS_THRESHOLD
        return c

    rows = stock_rows(periods, build)
    return finish("cla_3plus", rows, tables, periods, by, THREE_PLUS_COLUMNS, count_only=False)


STABILITY_COLUMNS = [*BASE_COLUMNS, "age", "period_of_care_start", "placement_type", "placement_start",
                     "same_placement_since", "years_in_placement"]


def compute_stability(tables, periods, by, settings) -> MeasureResult:
    src = _Sources(tables)
    src.in_care_at([p.end for p in periods])

    def build(p: Period) -> pd.DataFrame:
        c = _continuous_cohort(src, tables, p, STABILITY_CARE_MONTHS)
        c = c[(c["age"] < STABILITY_UNDER_AGE).to_numpy(dtype=bool)].reset_index(drop=True)
        since = pd.to_datetime(c["same_placement_since"])
        c["years_in_placement"] = ((p.end - since).dt.days / 365.25).round(2).to_numpy()
        c["in_denominator"] = True
        c["in_numerator"] = (since <= months_before(p.end, STABILITY_PLACEMENT_MONTHS)).fillna(False).to_numpy(dtype=bool)
        return c

    rows = stock_rows(periods, build)
    return finish("cla_long_term_stability", rows, tables, periods, by, STABILITY_COLUMNS, count_only=False)


RESIDENTIAL_COLUMNS = [*BASE_COLUMNS, "placement_id", "placement_type", "placement_provider",
                       "placement_start", "placement_urn"]


def is_private_residential(placement_type, provider) -> np.ndarray:
    t = upper(placement_type)
    pr = upper(provider)
    private = member(pr, PRIVATE_PROVIDER_CODES) | pr.str.contains("PRIVATE", regex=False).to_numpy(dtype=bool)
    return member(t, RESIDENTIAL_PLACEMENT_TYPES) & private


def compute_residential(tables, periods, by, settings) -> MeasureResult:
    src = _Sources(tables)
    src.in_care_at([p.end for p in periods])

    def build(p: Period) -> pd.DataFrame:
        c = src.in_care_on(p.end, labels=True)
        c = c[is_private_residential(c["placement_type"], c["placement_provider"])].reset_index(drop=True)
        c["in_denominator"] = True
        c["in_numerator"] = True
        return c

    rows = stock_rows(periods, build)
    return finish("cla_residential", rows, tables, periods, by, RESIDENTIAL_COLUMNS, count_only=True)


DISTANCE_COLUMNS = [*BASE_COLUMNS, "placement_id", "placement_type", "placement_provider",
                    "placement_postcode", "placement_start", "placement_distance", "distance_recorded",
                    "over_20_miles"]


def compute_distance(tables, periods, by, settings) -> MeasureResult:
    """Children in care at the period end placed more than ``DISTANCE_MILES`` from home.

    Denominator: every child in care at the period end (as the DfE's LACDistance). Numerator: the
    placement on that day (the placement open on the day, else the one the episode points at) has a
    recorded distance from home strictly greater than 20 miles; exactly 20 is not counted. A child
    with no placement or no distance recorded stays in the denominator, flagged
    ``distance_recorded`` False.

    Outside the authority: SSD 1.4.5 ``ssd_cla_placement`` records no placement local authority or
    in/out-of-area flag (only distance, postcode, provider and URN), and postcode areas do not follow
    local authority boundaries. So a placement more than 20 miles from home is taken to be outside the
    authority. For nearly every authority that is the same thing; for a geographically large one a
    20+ mile placement inside the boundary is counted here but not by the DfE, so the figure can only
    be higher than the published one. The placement postcode is listed so such cases can be checked.
    """
    src = _Sources(tables)
    src.in_care_at([p.end for p in periods])

    def build(p: Period) -> pd.DataFrame:
        c = src.in_care_on(p.end, labels=True)
        miles = pd.to_numeric(c["placement_distance"], errors="coerce")
        c["distance_recorded"] = miles.notna().to_numpy(dtype=bool)
        c["over_20_miles"] = (miles > DISTANCE_MILES).fillna(False).to_numpy(dtype=bool)
        c["in_denominator"] = True
        c["in_numerator"] = c["over_20_miles"]
        return c

    rows = stock_rows(periods, build)
    return finish("cla_distance", rows, tables, periods, by, DISTANCE_COLUMNS, count_only=False)


# ---- missing ---------------------------------------------------------------------------------

def missing_episodes(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Missing episodes (type "Missing", or no type; "Absent" episodes are not missing): episode_id,
    person_id, start, end, type, rhi_offered, rhi_accepted."""
    m = tables["ssd_missing"]
    kind = upper(m["miss_missing_episode_type"])
    out = pd.DataFrame({
        "episode_id": text(m["miss_table_id"]), "person_id": text(m["miss_person_id"]),
        "start": day(m["miss_missing_episode_start_date"]), "end": day(m["miss_missing_episode_end_date"]),
        "type": kind.to_numpy(dtype=object),
        "rhi_offered": yes(m["miss_missing_rhi_offered"]), "rhi_accepted": yes(m["miss_missing_rhi_accepted"]),
    })
    keep = ((kind == "") | kind.str.startswith("M")).to_numpy(dtype=bool) & out["start"].notna().to_numpy()
    return out[keep].reset_index(drop=True)


MISSING_COLUMNS = [*BASE_COLUMNS, "episodes", "first_missing_start", "last_missing_start",
                   "rhi_offered", "rhi_accepted", "looked_after_at_first_start"]


def compute_missing(tables, periods, by, settings) -> MeasureResult:
    src = _Sources(tables)
    eps = missing_episodes(tables)
    parts = []
    for p in periods:
        e = eps[p.contains(eps["start"]).fillna(False).to_numpy(dtype=bool)]
        g = e.groupby("person_id", sort=True).agg(
            episodes=("episode_id", "size"), first_missing_start=("start", "min"),
            last_missing_start=("start", "max"), rhi_offered=("rhi_offered", "sum"),
            rhi_accepted=("rhi_accepted", "sum")).reset_index()
        g.insert(0, "period", p.label)
        parts.append(g)
    rows = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["period", "person_id", "first_missing_start"])
    e = src.episodes
    ic = on_dates(e.rename(columns={"ceased": "end"}).assign(flag=True), rows["person_id"],
                  rows["first_missing_start"], ["flag"])
    rows["looked_after_at_first_start"] = ic["flag"].notna().to_numpy(dtype=bool)
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return finish("missing_children", rows, tables, periods, by, MISSING_COLUMNS, count_only=True,
                  date_col="first_missing_start")


def missing_summary(rows: pd.DataFrame) -> pd.DataFrame:
    """Per period: children who went missing, missing episodes, and the share of episodes with a
    return home interview accepted (from ``missing_children`` rows)."""
    g = rows.groupby("period", sort=False).agg(children=("person_id", "nunique"), episodes=("episodes", "sum"),
                                               rhi_accepted=("rhi_accepted", "sum")).reset_index()
    g["pct_rhi_accepted"] = np.where(g["episodes"] > 0, g["rhi_accepted"] / g["episodes"].where(g["episodes"] > 0, 1), np.nan)
    return g


# ---- registration -------------------------------------------------------------------------

_CLA = ("ssd_cla_episodes", *ORG_TABLES)
_OPTIONAL = ("ssd_involvements", "ssd_cla_placement", "ssd_legal_status")
_COHORT_12 = (
    "Children in care at the period end who have been looked after continuously for at least 12 "
    "months (their period of care started on or before the day after the same date a year "
    "earlier, e.g. by 1 April 2025 for 31 March 2026)"
)

register(Measure(
    id="cla", title="Children looked after", unit="count", polarity="none", kind="stock",
    definition=(
        "The number of distinct children in care at the end of the period: a looked-after episode "
        "started on or before the last day of the period and had not ceased on or before it (a child "
        "whose care ended on the last day is counted as ceasing care, not as in care). Children are "
        "shown under the worker and team holding their case at the period end."
    ),
    source_tables=_CLA, optional_tables=_OPTIONAL, compute=compute_cla, benchmark_key="LACnum",
))

register(Measure(
    id="cla_starts", title="Children starting care", unit="count", polarity="none", kind="flow",
    definition=(
        "Periods of care starting in the period. A period of care is a run of looked-after episodes "
        "with no gap between them; it starts on the first episode's start date (or the recorded date "
        "the child entered care, if earlier). A child who starts care twice in the period counts "
        "twice. Each start shows the child's age band at the start (under 1, 1-4, 5-9, 10-15, 16+), "
        "the legal status on that day and the reason for the new episode."
    ),
    source_tables=("ssd_cla_episodes", "ssd_legal_status", *ORG_TABLES),
    optional_tables=("ssd_involvements", "ssd_cla_placement"), compute=compute_starts,
    benchmark_key="LACnum_Start",
))

register(Measure(
    id="cla_ceased", title="Children ceasing care", unit="count", polarity="none", kind="flow",
    definition=(
        "Periods of care ending in the period: the last episode of a period of care ceased on a date "
        "in the period. A child who leaves care twice in the period counts twice. Each shows the "
        "child's age band on the day care ended (under 1, 1-4, 5-9, 10-15, 16+), the legal status on "
        "their last day in care and the reason care ceased."
    ),
    source_tables=("ssd_cla_episodes", "ssd_legal_status", *ORG_TABLES),
    optional_tables=("ssd_involvements",), compute=compute_ceased, benchmark_key="LACceased",
))

register(Measure(
    id="cla_health", title="Annual health assessment up to date", unit="percent", polarity="high",
    kind="stock",
    definition=(
        f"{_COHORT_12}: the share with a health assessment in the last 12 months up to the period end "
        "(the last 6 months for children under 5 at the period end). Health checks whose status says "
        "they did not happen (refused, cancelled, not attended, booked) are not counted."
    ),
    source_tables=("ssd_cla_episodes", "ssd_cla_health", *ORG_TABLES), optional_tables=_OPTIONAL,
    compute=compute_health, benchmark_key="LACHealth%",
))

register(Measure(
    id="cla_dental", title="Dental check up to date", unit="percent", polarity="high", kind="stock",
    definition=(
        f"{_COHORT_12}: the share with a dental check in the last 12 months up to the period end. "
        "Checks whose status says they did not happen are not counted."
    ),
    source_tables=("ssd_cla_episodes", "ssd_cla_health", *ORG_TABLES), optional_tables=_OPTIONAL,
    compute=compute_dental, benchmark_key="LACDental%",
))

register(Measure(
    id="cla_sdq", title="SDQ up to date", unit="percent", polarity="high", kind="stock",
    definition=(
        f"{_COHORT_12}, aged 4 to 16 at the period end: the share with a Strengths and Difficulties "
        "Questionnaire score recorded in the last 12 months up to the period end. Records with a "
        "reason but no score are not counted."
    ),
    source_tables=("ssd_cla_episodes", "ssd_sdq_scores", *ORG_TABLES), optional_tables=_OPTIONAL,
    compute=compute_sdq,
))

register(Measure(
    id="cla_pep", title="PEP up to date", unit="percent", polarity="high", kind="stock",
    definition=(
        "Children in care at the period end of school age (5 to 16 at the period end): the share "
        "with a personal education plan (PEP) dated in the current school term, taken as the last "
        "4 months up to the period end (a setting, pep_window_months). Needs the PEP extension table."
    ),
    source_tables=("ssd_cla_episodes", "ext_cla_pep", *ORG_TABLES), optional_tables=_OPTIONAL,
    compute=compute_pep,
))

register(Measure(
    id="cla_3plus", title="Three or more placements in 12 months", unit="percent", polarity="low",
    kind="stock",
    definition=(
        "Children in care at the period end: the share with 3 or more placements starting in the 12 "
        "months up to the period end. Only moves count: a placement record that carries on the "
        "previous one unchanged (starting the day it ended, with the same placement type, provider, "
        "URN and postcode, e.g. split by a legal-status change) is the same placement."
    ),
    source_tables=("ssd_cla_episodes", "ssd_cla_placement", *ORG_TABLES),
    optional_tables=("ssd_involvements", "ssd_legal_status"), compute=compute_3plus,
    benchmark_key="LACStable_2016on",
))

register(Measure(
    id="cla_long_term_stability", title="Long-term placement stability", unit="percent",
    polarity="high", kind="stock",
    definition=(
        "Children in care at the period end, under 16, looked after continuously for at least 2.5 "
        "years: the share who have been in the same placement for at least 2 years (placement "
        "records that carry on unchanged count as one placement; a child placed for adoption counts "
        "the adoptive placement together with the placement just before it, as the DfE does)."
    ),
    source_tables=("ssd_cla_episodes", "ssd_cla_placement", *ORG_TABLES),
    optional_tables=("ssd_involvements", "ssd_legal_status"), compute=compute_stability,
))

register(Measure(
    id="cla_residential", title="Children in purchased residential placements", unit="count",
    polarity="low", kind="stock",
    definition=(
        "Children in care at the period end whose placement on that day is residential (SSDA903 "
        "placement types K1, K2 secure units and children's homes; R1, R2, R3 residential care, "
        "health and family-centre settings; S1 residential schools) and provided by a private "
        "provider (PR4)."
    ),
    source_tables=("ssd_cla_episodes", "ssd_cla_placement", *ORG_TABLES),
    optional_tables=("ssd_involvements", "ssd_legal_status"), compute=compute_residential,
))

register(Measure(
    id="cla_distance", title="Placed more than 20 miles from home and outside the authority",
    unit="percent", polarity="low", kind="stock",
    definition=(
        "Of the children in care at the period end, the share whose placement on that day is more "
        "than 20 miles from their home (the distance recorded on the placement; exactly 20 miles is "
        "not counted). Children with no distance recorded stay in the count of children in care but "
        "are not counted as placed far away. The source records no placement local authority, so a "
        "placement more than 20 miles away is taken to be outside the authority: for a "
        "geographically large authority this can be higher than the DfE figure, which also needs the "
        "placement to be outside the boundary."
    ),
    source_tables=("ssd_cla_episodes", "ssd_cla_placement", *ORG_TABLES),
    optional_tables=("ssd_involvements", "ssd_legal_status"), compute=compute_distance,
    benchmark_key="LACDistance",
))

register(Measure(
    id="missing_children", title="Children who went missing", unit="count", polarity="low", kind="flow",
    definition=(
        "Distinct children with a missing episode starting in the period (episodes recorded as "
        "'absent' are not counted). Each child shows their number of missing episodes in the period "
        "and how many return home interviews were offered and accepted."
    ),
    source_tables=("ssd_missing", "ssd_cla_episodes", *ORG_TABLES), optional_tables=("ssd_involvements",),
    compute=compute_missing, benchmark_key="Children_missing",
))
