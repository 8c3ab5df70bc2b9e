"""Source columns prepared once per extract, and the vectorised building blocks the measures use
to answer many (child, date) questions at once instead of one period at a time.

- :func:`ids`: an ID column as integer codes into its distinct values (stripped text, "" where
  missing: exactly :func:`metrics.looked_after.text`, worked out once per distinct value rather
  than per row: pandas' Arrow strings factorise fast, converting millions of them to Python
  objects does not).
- :func:`dates`: a date column at midnight (``datetime64[ns]``, NaT kept).
- :func:`open_pairs`: which rows are open (the one "open at" rule, :func:`metrics.front_door.
  open_at`) at each of several dates, as (row, date number) pairs.
- :class:`SpanIndex`: per child, the latest-starting interval open on a date, for many (child,
  date) pairs at once (a binary search per pair, then a step back past ended intervals).
- :func:`latest_before`: per (child, date), the latest event dated on or before the date.

Everything is cached per source frame with :func:`metrics.memo.derived` (so only for frames of a
loaded extract), holds numpy arrays only, and is read-only for callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from metrics.memo import derived

NEVER = np.iinfo(np.int64).max
_OFFSET = 1 << 20   # day numbers made positive
_SPAN = 1 << 21     # room for every day number within one child's block of a search key


def index_of(index: pd.Index, values) -> np.ndarray:
    """``index.get_indexer(values)`` for many string IDs: the values are handed over as an object
    Index, so pandas does not first infer (and convert them to) its string dtype, which costs more
    than the lookup itself."""
    if isinstance(values, pd.Index) and values.dtype == object:
        return index.get_indexer(values)
    arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    return index.get_indexer(pd.Index(arr, dtype=object, copy=False))


def _text(values) -> np.ndarray:
    s = pd.Series(values).reset_index(drop=True)
    return s.astype(object).where(s.notna(), "").astype(str).str.strip().to_numpy(dtype=object)


@dataclass(frozen=True)
class Ids:
    """An ID column: ``codes`` (one per row) into ``uniques`` (distinct stripped values)."""

    codes: np.ndarray
    uniques: np.ndarray
    index: pd.Index

    def strings(self, rows: np.ndarray | None = None) -> np.ndarray:
        """The IDs as an object array of str (of ``rows`` if given)."""
        c = self.codes if rows is None else self.codes[rows]
        if not len(self.uniques):
            return np.full(len(c), "", dtype=object)
        return self.uniques[c]

    def code_of(self, values) -> np.ndarray:
        """Codes of other ID strings in this column's values (-1 where absent)."""
        return index_of(self.index, values)


def _build_ids(series: pd.Series) -> Ids:
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    stripped = _text(pd.Series(np.asarray(uniques, dtype=object), dtype=object)) if len(uniques) else np.zeros(0, dtype=object)
    # missing values (code -1) read as "", like any value that strips to ""
    values = np.concatenate([stripped, np.array([""], dtype=object)])
    final, uniq = pd.factorize(values)
    codes = np.where(codes < 0, len(stripped), codes)
    out = final[codes].astype(np.int64) if len(codes) else np.zeros(0, dtype=np.int64)
    uniq = np.asarray(uniq, dtype=object)
    return Ids(out, uniq, pd.Index(uniq, dtype=object))


def ids(frame: pd.DataFrame, column: str) -> Ids:
    return derived("ids", (frame,), lambda: _build_ids(frame[column]), column)


def id_strings(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The column as stripped text ("" where missing), an object array (cached)."""
    return derived("id_strings", (frame,), lambda: ids(frame, column).strings(), column)


def dates(frame: pd.DataFrame, column: str) -> np.ndarray:
    """The column at midnight, NaT kept (``datetime64``, the column's unit)."""
    return derived("dates", (frame,),
                   lambda: pd.to_datetime(frame[column].reset_index(drop=True)).dt.normalize().to_numpy(), column)


def day_numbers(values) -> tuple[np.ndarray, np.ndarray]:
    """Dates (any datetime-like array; times dropped) as int64 day numbers and a mask of NaT."""
    arr = np.asarray(values)
    if not np.issubdtype(arr.dtype, np.datetime64):
        arr = pd.to_datetime(pd.Series(arr)).to_numpy()
    d = arr.astype("datetime64[D]")
    return d.astype(np.int64), np.isnat(d)


def open_pairs(start, end, when) -> tuple[np.ndarray, np.ndarray]:
    """(row, j) for every row open at the end of day ``when[j]`` (start on or before it; end blank
    or after it; a missing start is never open), sorted by j then row."""
    s, s_nat = day_numbers(start)
    e, e_nat = day_numbers(end)
    w, w_nat = day_numbers(when)
    e = np.where(e_nat, NEVER, e)
    ok = ~s_nat
    if len(w) == 0 or len(s) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    wv = np.where(w_nat, np.iinfo(np.int64).min, w)
    lo, hi = wv[~w_nat].min(initial=NEVER), wv[~w_nat].max(initial=np.iinfo(np.int64).min)
    cand = np.flatnonzero(ok & (s <= hi) & (e > lo))
    m = (s[cand][None, :] <= wv[:, None]) & (e[cand][None, :] > wv[:, None]) & ~w_nat[:, None]
    j, k = np.nonzero(m)
    return cand[k], j


def _person_codes(person_ids, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (and the distinct IDs they index) of the person IDs at ``pos``: from an :class:`Ids`
    as they are, else by factorising the strings."""
    if isinstance(person_ids, Ids):
        return person_ids.codes[pos], person_ids.uniques
    return pd.factorize(np.asarray(person_ids, dtype=object)[pos])


def _by_person_and_day(person_ids, dates):
    """Rows with a date, sorted by child, date, then row: (input rows, the distinct person IDs,
    the sort keys, each sorted row's person code). A row without a date is left out."""
    d, nat = day_numbers(dates)
    pos = np.flatnonzero(~nat)
    codes, people = _person_codes(person_ids, pos)
    key = codes.astype(np.int64) * _SPAN + (d[pos] + _OFFSET)
    order = np.argsort(key, kind="stable")
    return (pos[order], pd.Index(np.asarray(people, dtype=object), dtype=object), key[order],
            codes[order].astype(np.int64))


class SpanIndex:
    """Intervals (person, start, end) indexed for "the latest-starting interval open on a date".

    Open on day D: start <= D and (end blank or end > D; with ``end_inclusive``, end >= D). Of
    several open, the one that started last; of those starting the same day, the last in the given
    row order. A missing start is never open. Positions returned are rows of the input."""

    def __init__(self, person_ids, start, end, *, end_inclusive: bool = False):
        e, e_nat = day_numbers(end)
        self.rows, self.people, self.key, code = _by_person_and_day(person_ids, start)
        self.end = np.where(e_nat[self.rows], NEVER, e[self.rows])
        self.end_inclusive = end_inclusive
        self.bounds = np.searchsorted(code, np.arange(len(self.people) + 1, dtype=np.int64))

    def lookup(self, person_ids, when) -> np.ndarray:
        """Input row of the interval open on each (person, date) pair, -1 where none."""
        days, nat = when if isinstance(when, tuple) else day_numbers(when)
        n = len(days)
        res = np.full(n, -1, dtype=np.int64)
        if n == 0 or len(self.key) == 0:
            return res
        c = index_of(self.people, person_ids).astype(np.int64)
        idx = np.flatnonzero((c >= 0) & ~nat)
        if not len(idx):
            return res
        cc, dd = c[idx], days[idx]
        lo = self.bounds[cc]
        cand = np.searchsorted(self.key, cc * _SPAN + (dd + _OFFSET), side="right") - 1
        active = cand >= lo
        while active.any():
            a = np.flatnonzero(active)
            ends = self.end[cand[a]]
            good = ends >= dd[a] if self.end_inclusive else ends > dd[a]
            res[idx[a[good]]] = self.rows[cand[a[good]]]
            bad = a[~good]
            cand[bad] -= 1
            active[:] = False
            active[bad] = cand[bad] >= lo[bad]
        return res


class EventIndex:
    """Dated events per person, for "the latest event on or before a date" (ties: the last in the
    given row order) and "how many events in a date range"."""

    def __init__(self, person_ids, when):
        self.rows, self.people, self.key, _ = _by_person_and_day(person_ids, when)

    def _codes(self, person_ids) -> np.ndarray:
        return index_of(self.people, person_ids).astype(np.int64)

    def latest(self, person_ids, when) -> np.ndarray:
        """Input row of each person's latest event dated on or before the date (-1 if none)."""
        days, nat = when if isinstance(when, tuple) else day_numbers(when)
        c = self._codes(person_ids)
        ok = (c >= 0) & ~nat
        res = np.full(len(days), -1, dtype=np.int64)
        if not ok.any() or not len(self.key):
            return res
        k = np.searchsorted(self.key, c[ok] * _SPAN + (days[ok] + _OFFSET), side="right") - 1
        hit = (k >= 0) & (self.key[np.maximum(k, 0)] // _SPAN == c[ok])
        out = np.where(hit, self.rows[np.maximum(k, 0)], -1)
        res[ok] = out
        return res


def take(values: np.ndarray, rows: np.ndarray, fill=None) -> np.ndarray:
    """values[rows] where rows >= 0, ``fill`` elsewhere (an object array unless values are dates
    or numbers and fill is NaT/NaN)."""
    values = np.asarray(values)
    if not len(values):
        if np.issubdtype(values.dtype, np.datetime64):
            return np.full(len(rows), np.datetime64("NaT"), dtype=values.dtype)
        return np.full(len(rows), fill, dtype=object if not isinstance(fill, float) else float)
    got = values[np.maximum(rows, 0)]
    missing = rows < 0
    if not missing.any():
        return got
    if np.issubdtype(values.dtype, np.datetime64):
        got = got.copy()
        got[missing] = np.datetime64("NaT")
        return got
    if np.issubdtype(values.dtype, np.floating):
        got = got.copy()
        got[missing] = np.nan if fill is None else fill
        return got
    got = got.astype(object)
    got[missing] = fill
    return got


def person_dates(tables: Mapping[str, pd.DataFrame]) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """(index of person IDs (first record each), dob, death) for lookups by person ID."""
    p = tables["ssd_person"]

    def build():
        pid = id_strings(p, "pers_person_id")
        first = ~pd.Index(pid).duplicated()
        return (pd.Index(pid[first], dtype=object), dates(p, "pers_dob")[first],
                dates(p, "pers_death_date")[first])

    return derived("person_dates_arrays", (p,), build)
