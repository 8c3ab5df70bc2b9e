"""Names for the IDs measures group by: teams within services, and workers.

Labels are what users read, so they must be unique: two workers (or teams) with the same name are
shown as "Name (ID)" rather than silently merged.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

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
    name = (p["pers_forename"].fillna("").astype(str) + " " + p["pers_surname"].fillna("").astype(str)).str.strip()
    return pd.Series(name.to_numpy(), index=p["pers_person_id"].astype(str).to_numpy())


def _take(values: pd.Series, idx: np.ndarray) -> np.ndarray:
    """values[idx] where idx >= 0, None elsewhere (also when ``values`` is empty)."""
    arr = values.to_numpy(dtype=object)
    if len(arr) == 0:
        return np.full(len(idx), None, dtype=object)
    return np.where(idx >= 0, arr[np.maximum(idx, 0)], None)


def label_org(frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame], *, team_col: str,
              worker_col: str | None = None) -> pd.DataFrame:
    """Add team_id, team, service_id, service (and worker_id, worker) columns to ``frame``."""
    teams = team_lookup(tables)
    team_ids = frame[team_col].fillna("").astype(str).to_numpy()
    idx = pd.Index(teams["team_id"]).get_indexer(team_ids)
    found = idx >= 0
    other = ~found & (team_ids != "")
    out = frame.copy()
    out["team_id"] = np.where(other, OTHER_ID, team_ids)
    out["team"] = np.where(found, _take(teams["team"], idx), np.where(other, OTHER_TEAM, UNKNOWN_TEAM))
    out["service_id"] = np.where(found, _take(teams["service_id"], idx), "")
    out["service"] = np.where(found, _take(teams["service"], idx), UNKNOWN_SERVICE)
    if worker_col is not None:
        workers = worker_lookup(tables)
        worker_ids = frame[worker_col].fillna("").astype(str).to_numpy()
        widx = pd.Index(workers["worker_id"]).get_indexer(worker_ids)
        wother = (widx < 0) & (worker_ids != "")
        out["worker_id"] = np.where(wother, OTHER_ID, worker_ids)
        out["worker"] = np.where(widx >= 0, _take(workers["worker"], widx),
                                 np.where(wother, OTHER_WORKER, UNALLOCATED))
    return out
