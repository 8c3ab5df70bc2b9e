"""Who held a child's case on a date: the allocation (``ssd_involvements``) used to group
measures by worker, team and service when the event itself does not record them.

Rule: among the child's involvements open on the date (start on or before it; end blank or on or
after it), the one that started last (of two starting the same day, the later in the table). A
child with none is "unallocated" on that date.

Speed: the involvements are indexed once per extract (:class:`AllocationIndex`, on the shared
:class:`metrics.prepared.SpanIndex`: sorted by child, start and table order, dates as day numbers),
and a lookup of many (child, date) pairs is a binary search per pair, then a step back past any
involvement that had already ended.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from metrics.lookups import org_columns
from metrics.memo import derived
from metrics.prepared import SpanIndex, day_numbers


def as_id_strings(values) -> np.ndarray:
    """IDs as an object array of str, as ``pd.Series(values).astype(str)`` gives them."""
    arr = values.to_numpy(dtype=object) if isinstance(values, (pd.Series, pd.Index)) else np.asarray(values, dtype=object)
    if arr.ndim != 1:
        arr = arr.reshape(-1)
    if len(arr) and pd.api.types.infer_dtype(arr, skipna=False) != "string":
        arr = pd.Series(arr, dtype=object).astype(str).to_numpy(dtype=object)
    return arr


class AllocationIndex:
    """The involvements of one extract, ready for many lookups (a :class:`metrics.prepared.SpanIndex`
    with the end day included). Holds numpy arrays only."""

    def __init__(self, inv: pd.DataFrame | None):
        if inv is None or inv.empty:
            inv = pd.DataFrame({c: pd.Series(dtype=object) for c in (
                "invo_person_id", "invo_involvement_start_date", "invo_involvement_end_date",
                "invo_professional_id", "invo_professional_team")})
        start = pd.to_datetime(inv["invo_involvement_start_date"]).to_numpy()
        # an involvement without a start, or without a child, is never open
        start = np.where(pd.isna(inv["invo_person_id"]).to_numpy(), np.datetime64("NaT"), start)
        self.span = SpanIndex(as_id_strings(inv["invo_person_id"]), start, inv["invo_involvement_end_date"],
                              end_inclusive=True)
        self.worker = inv["invo_professional_id"].fillna("").astype(str).to_numpy(dtype=object)
        self.team = inv["invo_professional_team"].fillna("").astype(str).to_numpy(dtype=object)

    def positions(self, person_ids, days: np.ndarray, nat: np.ndarray) -> np.ndarray:
        """Row (into worker/team) of the allocation of each (person, day) pair; -1 for none."""
        return self.span.lookup(as_id_strings(person_ids), (days, nat))

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
