"""Who held a child's case on a date: the allocation (``ssd_involvements``) used to group
measures by worker, team and service when the event itself does not record them.

Rule: among the child's involvements open on the date (start on or before it; end blank or on or
after it), the one that started last. A child with none is "unallocated" on that date.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from metrics.lookups import label_org


def allocation_on(tables: Mapping[str, pd.DataFrame], person_ids, dates) -> pd.DataFrame:
    """For each (person_id, date) pair, in order: worker_id, team_id ("" when unallocated)."""
    pairs = pd.DataFrame({
        "person_id": pd.Series(person_ids).astype(str).to_numpy(),
        "date": pd.to_datetime(pd.Series(dates)).dt.normalize().to_numpy(),
    })
    pairs["_i"] = np.arange(len(pairs))
    inv = tables.get("ssd_involvements")
    out = pd.DataFrame({"worker_id": [""] * len(pairs), "team_id": [""] * len(pairs)})
    if inv is None or inv.empty or pairs.empty:
        return out
    inv = pd.DataFrame({
        "person_id": inv["invo_person_id"].astype(str).to_numpy(),
        "start": inv["invo_involvement_start_date"].dt.normalize().to_numpy(),
        "end": inv["invo_involvement_end_date"].dt.normalize().to_numpy(),
        "w": inv["invo_professional_id"].fillna("").astype(str).to_numpy(),
        "t": inv["invo_professional_team"].fillna("").astype(str).to_numpy(),
    })
    m = pairs.merge(inv, on="person_id", how="inner")
    m = m[(m["start"] <= m["date"]) & (m["end"].isna() | (m["end"] >= m["date"]))]
    m = m.sort_values(["_i", "start"]).drop_duplicates("_i", keep="last")
    out.loc[m["_i"].to_numpy(), "worker_id"] = m["w"].to_numpy()
    out.loc[m["_i"].to_numpy(), "team_id"] = m["t"].to_numpy()
    return out


def label_by_allocation(rows: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, date_col: str,
                        person_col: str = "person_id") -> pd.DataFrame:
    """``rows`` with worker_id, worker, team_id, team, service_id, service added from the child's
    allocation on ``date_col``."""
    alloc = allocation_on(tables, rows[person_col], rows[date_col])
    tmp = rows.reset_index(drop=True).copy()
    tmp["_team"] = alloc["team_id"].to_numpy()
    tmp["_worker"] = alloc["worker_id"].to_numpy()
    out = label_org(tmp, tables, team_col="_team", worker_col="_worker")
    return out.drop(columns=["_team", "_worker"])
