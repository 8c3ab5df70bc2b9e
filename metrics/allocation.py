"""Who held a child's case on a date: the allocation (``ssd_involvements``) used to group
measures by worker, team and service when the event itself does not record them.

Rule: among the child's involvements open on the date (start on or before it; end blank or on or
after it), the one that started last (of two starting the same day, the later in the table). A
child with none is "unallocated" on that date.

Speed: the involvements are indexed once per extract (:class:`AllocationIndex`, sorted by child,
start and table order, dates as day numbers), and a lookup of many (child, date) pairs is a
binary search per pair, then a step back past any involvement that had already ended.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from metrics.lookups import label_org, org_columns
from metrics.memo import derived
from metrics.prepared import index_of

_OFFSET = 1 << 20   # day numbers (days since 1970, negative before) made positive
_SPAN = 1 << 21     # room for every day number in one child's block of the search key
_NEVER = np.iinfo(np.int64).max


def day_numbers(values) -> tuple[np.ndarray, np.ndarray]:
    """Dates (anything pandas reads; times dropped) as int64 day numbers, and a mask of the
    missing ones."""
    d = pd.to_datetime(pd.Series(np.asarray(values) if not isinstance(values, pd.Series) else values.to_numpy())
                       ).to_numpy().astype("datetime64[D]")
    nat = np.isnat(d)
    return d.astype(np.int64), nat


def as_id_strings(values) -> np.ndarray:
    """IDs as an object array of str, as ``pd.Series(values).astype(str)`` gives them."""
    arr = values.to_numpy(dtype=object) if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values, dtype=object)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if len(arr) and pd.api.types.infer_dtype(arr, skipna=False) != "string":
        arr = pd.Series(arr, dtype=object).astype(str).to_numpy(dtype=object)
    return arr


class AllocationIndex:
    """The involvements of one extract, ready for many lookups. Holds numpy arrays only."""

    def __init__(self, inv: pd.DataFrame | None):
        if inv is None or inv.empty:
            self.people = pd.Index([], dtype=object)
            self.key = np.zeros(0, dtype=np.int64)
            self.end = np.zeros(0, dtype=np.int64)
            self.worker = np.zeros(0, dtype=object)
            self.team = np.zeros(0, dtype=object)
            self.bounds = np.zeros(1, dtype=np.int64)
            return
        all_codes, all_people = pd.factorize(inv["invo_person_id"].astype(str))
        start, start_nat = day_numbers(inv["invo_involvement_start_date"])
        end, end_nat = day_numbers(inv["invo_involvement_end_date"])
        worker = inv["invo_professional_id"].fillna("").astype(str).to_numpy(dtype=object)
        team = inv["invo_professional_team"].fillna("").astype(str).to_numpy(dtype=object)
        keep = ~start_nat  # an involvement without a start is never open
        if pd.isna(inv["invo_person_id"]).any():
            keep &= ~pd.isna(inv["invo_person_id"]).to_numpy()
        pos = np.flatnonzero(keep)
        # codes of the IDs in use only, numbered in order of first use (as factorising them would)
        codes, used = pd.factorize(all_codes[pos])
        people = np.asarray(all_people, dtype=object)[used] if len(used) else np.zeros(0, dtype=object)
        key = codes.astype(np.int64) * _SPAN + (start[pos] + _OFFSET)
        order = np.argsort(key, kind="stable")  # by child, start, then table order
        sel = pos[order]
        self.people = pd.Index(people, dtype=object)
        code = codes[order].astype(np.int64)
        self.key = key[order]
        self.end = np.where(end_nat[sel], _NEVER, end[sel])
        self.worker = worker[sel]
        self.team = team[sel]
        self.bounds = np.searchsorted(code, np.arange(len(people) + 1, dtype=np.int64))

    def positions(self, person_ids, days: np.ndarray, nat: np.ndarray) -> np.ndarray:
        """Index (into worker/team) of the allocation of each (person, day) pair; -1 for none."""
        n = len(days)
        res = np.full(n, -1, dtype=np.int64)
        if n == 0 or len(self.key) == 0:
            return res
        c = index_of(self.people, as_id_strings(person_ids)).astype(np.int64)
        ok = (c >= 0) & ~nat
        idx = np.flatnonzero(ok)
        if not len(idx):
            return res
        cc, dd = c[idx], days[idx]
        lo = self.bounds[cc]
        cand = np.searchsorted(self.key, cc * _SPAN + (dd + _OFFSET), side="right") - 1
        active = cand >= lo
        while active.any():
            a = np.flatnonzero(active)
            good = self.end[cand[a]] >= dd[a]
            res[idx[a[good]]] = cand[a[good]]
            bad = a[~good]
            cand[bad] -= 1
            active[:] = False
            active[bad] = cand[bad] >= lo[bad]
        return res

    def lookup(self, person_ids, dates) -> tuple[np.ndarray, np.ndarray]:
        """(worker_id, team_id) object arrays, "" where unallocated."""
        days, nat = day_numbers(dates) if not isinstance(dates, tuple) else dates
        pos = self.positions(person_ids, days, nat)
        found = pos >= 0
        take = np.where(found, pos, 0)
        if len(self.worker):
            worker = np.where(found, self.worker[take], "").astype(object)
            team = np.where(found, self.team[take], "").astype(object)
        else:
            worker = np.full(len(pos), "", dtype=object)
            team = np.full(len(pos), "", dtype=object)
        return worker, team


def allocation_index(tables: Mapping[str, pd.DataFrame]) -> AllocationIndex:
    inv = tables.get("ssd_involvements")
    return derived("allocation_index", (inv,), lambda: AllocationIndex(inv))


def allocation_arrays(tables: Mapping[str, pd.DataFrame], person_ids, dates) -> tuple[np.ndarray, np.ndarray]:
    """(worker_id, team_id) object arrays for each (person_id, date) pair ("" when unallocated).
    ``dates`` may be a (day numbers, missing mask) pair."""
    return allocation_index(tables).lookup(person_ids, dates)


def allocation_on(tables: Mapping[str, pd.DataFrame], person_ids, dates) -> pd.DataFrame:
    """For each (person_id, date) pair, in order: worker_id, team_id ("" when unallocated)."""
    worker, team = allocation_arrays(tables, person_ids, dates)
    return pd.DataFrame({"worker_id": pd.array(worker, dtype="str"), "team_id": pd.array(team, dtype="str")})


def label_by_allocation(rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, date_col: str,
                        person_col: str = "person_id") -> pd.DataFrame:
    """``rows`` with worker_id, worker, team_id, team, service_id, service added from the child's
    allocation on ``date_col``."""
    worker, team = allocation_arrays(tables, rows[person_col], rows[date_col])
    out = rows.reset_index(drop=True).copy(deep=False)  # copy-on-write: ``rows`` is never changed
    for c, values in org_columns(tables, team, worker).items():
        out[c] = values
    return out
