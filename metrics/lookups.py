"""Names for the IDs measures group by: teams within services, and workers.

Labels are what users read, so they must be unique: two workers (or teams) with the same name are
shown as "Name (ID)" rather than silently merged.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from metrics.memo import derived
from metrics.prepared import index_of

UNKNOWN_TEAM = "Team not recorded"
UNKNOWN_SERVICE = "Service not recorded"
UNALLOCATED = "Worker not recorded"
# A team or worker ID that is recorded but not in the (access-scoped) organisation tables: the row
# belongs to a child the viewer may see, but the team or worker is outside their access. All such
# teams (workers) are shown as one group, under one ID, so nothing of them is revealed.
OTHER_ID = "~other"
OTHER_TEAM = "Another team (outside your access)"
OTHER_WORKER = "Another worker (outside your access)"


def _unique_labels(ids: pd.Series, names: pd.Series) -> pd.Series:
    names = names.fillna("").astype(str).str.strip()
    names = names.where(names != "", ids.astype(str))
    dup = names.duplicated(keep=False)
    return names.where(~dup, names + " (" + ids.astype(str) + ")")


def team_lookup(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per team: team_id, team, service_id, service.

    ``ssd_department`` holds services (no parent) and teams (parent = their service). A team whose
    parent is missing is its own service; a unit with no parent that is nobody's parent is treated
    as a team in a service of the same name.
    """
    dept = tables["ssd_department"]
    return derived("team_lookup", (dept,), lambda: _team_lookup(dept)).copy(deep=False)


def _team_lookup(dept: pd.DataFrame) -> pd.DataFrame:
    ids = dept["dept_team_id"].astype(str)
    parent = dept["dept_team_parent_id"].fillna("").astype(str)
    name = _unique_labels(ids, dept["dept_team_name"])
    parents = set(parent[parent != ""])
    is_service = (parent == "") & ids.isin(list(parents)) if parents else pd.Series(False, index=dept.index)
    names = dict(zip(ids, name))
    teams = pd.DataFrame({
        "team_id": ids[~is_service].to_numpy(),
        "team": name[~is_service].to_numpy(),
        "service_id": parent[~is_service].to_numpy(),
    })
    no_parent = teams["service_id"] == ""
    teams.loc[no_parent, "service_id"] = teams.loc[no_parent, "team_id"]
    service_names = dict(names)
    parent_names = dept.set_index(ids)["dept_team_parent_name"].to_dict() if "dept_team_parent_name" in dept else {}
    teams["service"] = [
        service_names.get(s) or parent_names.get(t) or UNKNOWN_SERVICE
        for s, t in zip(teams["service_id"], teams["team_id"])
    ]
    return teams.sort_values(["service", "team"], ignore_index=True)


def worker_lookup(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per worker: worker_id, worker (unique label), job_title, team_id (their department)."""
    prof = tables["ssd_professionals"]
    return derived("worker_lookup", (prof,), lambda: _worker_lookup(prof)).copy(deep=False)


def _worker_lookup(prof: pd.DataFrame) -> pd.DataFrame:
    ids = prof["prof_professional_id"].astype(str)
    return pd.DataFrame({
        "worker_id": ids.to_numpy(),
        "worker": _unique_labels(ids, prof["prof_professional_name"]).to_numpy(),
        "job_title": prof["prof_professional_job_title"].to_numpy(),
        "team_id": prof["prof_professional_department"].to_numpy(),
    })


def child_names(tables: Mapping[str, pd.DataFrame]) -> pd.Series:
    """Display name per person_id ("Forename Surname")."""
    p = tables["ssd_person"]
    return derived("child_names", (p,), lambda: _child_names(p)).copy(deep=False)


def _child_names(p: pd.DataFrame) -> pd.Series:
    name = (p["pers_forename"].fillna("").astype(str) + " " + p["pers_surname"].fillna("").astype(str)).str.strip()
    return pd.Series(name.to_numpy(), index=p["pers_person_id"].astype(str).to_numpy())


def _name_index(p: pd.DataFrame) -> tuple[pd.Index, np.ndarray]:
    names = _child_names(p)
    names = names[~names.index.duplicated()]
    return pd.Index(names.index, dtype=object), names.to_numpy(dtype=object)


def child_name_array(tables: Mapping[str, pd.DataFrame], person_ids) -> np.ndarray:
    """The display name of each person ID in ``person_ids`` (first record per ID; "" if none), as
    an object array: ``child_names(tables)`` without repeated IDs, reindexed."""
    p = tables["ssd_person"]
    index, names = derived("child_name_index", (p,), lambda: _name_index(p))
    ids = np.asarray(person_ids.to_numpy(dtype=object) if isinstance(person_ids, pd.Series) else person_ids, dtype=object)
    k = index_of(index, ids)
    out = np.where(k >= 0, names[np.maximum(k, 0)] if len(names) else "", "").astype(object)
    # a recorded name that is missing (None/NaN) reads as "", as reindex(...).fillna("") gives
    if len(out):
        bad = pd.isna(out)
        if bad.any():
            out[bad] = ""
    return out


def _take(values, idx: np.ndarray) -> np.ndarray:
    """values[idx] where idx >= 0, None elsewhere (also when ``values`` is empty)."""
    arr = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else np.asarray(values, dtype=object)
    if len(arr) == 0:
        return np.full(len(idx), None, dtype=object)
    return np.where(idx >= 0, arr[np.maximum(idx, 0)], None)


def _org_arrays(dept: pd.DataFrame, prof: pd.DataFrame | None):
    teams = _team_lookup(dept)
    out = {"team_index": pd.Index(teams["team_id"].to_numpy(dtype=object), dtype=object), "team": teams["team"].to_numpy(dtype=object),
           "service_id": teams["service_id"].to_numpy(dtype=object),
           "service": teams["service"].to_numpy(dtype=object)}
    if prof is not None:
        workers = _worker_lookup(prof)
        out["worker_index"] = pd.Index(workers["worker_id"].to_numpy(dtype=object), dtype=object)
        out["worker"] = workers["worker"].to_numpy(dtype=object)
    return out


def _ids(values) -> np.ndarray:
    """IDs as strings, "" where missing (as ``fillna("").astype(str)``)."""
    if not isinstance(values, pd.Series):
        values = pd.Series(np.asarray(values, dtype=object), dtype=object)
    if values.dtype == object:
        arr = values.to_numpy()
        if pd.api.types.infer_dtype(arr, skipna=False) == "string":
            return arr
    return values.fillna("").astype(str).to_numpy()


def org_columns(tables: Mapping[str, pd.DataFrame], team_ids, worker_ids=None) -> dict[str, np.ndarray]:
    """The columns :func:`label_org` adds, in its order, for arrays of team and worker IDs."""
    dept = tables["ssd_department"]
    prof = tables["ssd_professionals"] if worker_ids is not None else None
    org = derived("org_arrays", (dept, prof), lambda: _org_arrays(dept, prof))
    team_ids = _ids(team_ids)
    idx = index_of(org["team_index"], team_ids)
    found = idx >= 0
    other = ~found & (team_ids != "")
    out = {
        "team_id": np.where(other, OTHER_ID, team_ids),
        "team": np.where(found, _take(org["team"], idx), np.where(other, OTHER_TEAM, UNKNOWN_TEAM)),
        "service_id": np.where(found, _take(org["service_id"], idx), ""),
        "service": np.where(found, _take(org["service"], idx), UNKNOWN_SERVICE),
    }
    if worker_ids is not None:
        worker_ids = _ids(worker_ids)
        widx = index_of(org["worker_index"], worker_ids)
        wother = (widx < 0) & (worker_ids != "")
        out["worker_id"] = np.where(wother, OTHER_ID, worker_ids)
        out["worker"] = np.where(widx >= 0, _take(org["worker"], widx), np.where(wother, OTHER_WORKER, UNALLOCATED))
    return out


def label_org(frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, team_col: str,
              worker_col: str | None = None) -> pd.DataFrame:
    """Add team_id, team, service_id, service (and worker_id, worker) columns to ``frame``."""
    cols = org_columns(tables, frame[team_col], None if worker_col is None else frame[worker_col])
    out = frame.copy(deep=False)  # copy-on-write: the caller's frame is never changed
    for c, values in cols.items():
        out[c] = values
    return out
