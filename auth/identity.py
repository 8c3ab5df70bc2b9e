"""Who a signed-in user is and what they may see.

:func:`derive_scope` turns a role and a worker ID into two :class:`~data_access.scope.Scope`
values, computed from the *current* cache tables, so a worker who moves team sees their new team
at the next refresh:

- ``scope``: the rows the user may see record by record (child lists, client summary);
- ``aggregate_scope``: the rows behind aggregate figures. A practitioner sees figures for their
  whole team but child records only for the children allocated to them; for every other role the
  two are the same.

A worker's team is the team of their most recent involvement (``invo_professional_team``), or
``prof_professional_department`` when they have no involvement; the team's service is its
``dept_team_parent_id`` (a department row with no parent is itself a service). An unknown worker,
or a worker with no team, gets an empty scope: nothing, never everything.

Speed: the involvements table can hold millions of rows with pandas' Arrow-backed ``str`` columns,
on which ``Series.isin`` with long lists is very slow. Everything here works on integer codes from
one ``pd.factorize`` per column (:class:`OrgIndex`, built once per extract and reusable), numpy
masks and small Python sets.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from data_access.scope import Scope

INVOLVEMENTS = "ssd_involvements"
PROFESSIONALS = "ssd_professionals"
DEPARTMENT = "ssd_department"

_I8_MIN = np.iinfo(np.int64).min
_I8_MAX = np.iinfo(np.int64).max


class Role(StrEnum):
    """The four access roles of the portal ("Who sees what" in the reports spec)."""

    PRACTITIONER = "practitioner"
    TEAM_MANAGER = "team_manager"
    HEAD_OF_SERVICE = "head_of_service"
    SENIOR_LEADER = "senior_leader"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def rank(self) -> int:
        """Breadth of access: practitioner 0 … senior leader 3."""
        return list(Role).index(self)

    @classmethod
    def parse(cls, value: "str | Role") -> "Role":
        """A role from its value, name or label, ignoring case, spaces and hyphens."""
        if isinstance(value, Role):
            return value
        text = str(value).strip().lower().replace("-", "_").replace(" ", "_")
        for role in cls:
            if text in (role.value, role.label.lower().replace(" ", "_")):
                return role
        raise ValueError(f"unknown role {value!r}; expected one of {', '.join(r.value for r in cls)}")


_LABELS = {
    Role.PRACTITIONER: "Practitioner",
    Role.TEAM_MANAGER: "Team manager",
    Role.HEAD_OF_SERVICE: "Head of service",
    Role.SENIOR_LEADER: "Senior leader",
}

ALL_ROLES: frozenset[Role] = frozenset(Role)


@dataclass(frozen=True)
class User:
    """The signed-in user, as every page receives it from :func:`auth.gate.require_user`."""

    username: str
    display_name: str
    role: Role
    worker_id: str | None
    email: str | None
    scope: Scope
    aggregate_scope: Scope

    @property
    def role_label(self) -> str:
        return self.role.label


# ---------------------------------------------------------------------------------------------
# The organisation index: one pass over the involvements per extract.


def _codes(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for blank) and the distinct values (a numpy object array of str)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = np.asarray(uniques, dtype=object)
    blank = np.array([not isinstance(v, str) or not v.strip() for v in values], dtype=bool)
    if blank.any():  # "" and whitespace count as blank too
        codes = np.where(blank[np.maximum(codes, 0)] & (codes >= 0), -1, codes)
    return np.asarray(codes, dtype=np.int64), values


def _i8(series: pd.Series, blank: int) -> np.ndarray:
    """Dates as int64 nanoseconds, with blank (NaT) as ``blank``."""
    values = pd.to_datetime(series).to_numpy(dtype="datetime64[ns]")
    out = values.view(np.int64)
    nat = np.isnat(values)
    return np.where(nat, blank, out) if nat.any() else out


def _text(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    value = str(value).strip()
    return value or None


@dataclass(frozen=True, eq=False)
class OrgIndex:
    """The organisation as the current extract describes it. Build with :func:`build_org_index`;
    read-only and safe to share between sessions."""

    worker_team: Mapping[str, str]  # every known worker with a team -> their current team
    known_workers: frozenset[str]
    team_parent: Mapping[str, str]  # team -> its service
    service_ids: frozenset[str]  # department rows that are services (a parent, or no parent)
    department_ids: frozenset[str]
    # involvements as codes
    _prof_codes: np.ndarray = field(repr=False)
    _prof_values: np.ndarray = field(repr=False)
    _team_codes: np.ndarray = field(repr=False)
    _team_values: np.ndarray = field(repr=False)
    _end: np.ndarray = field(repr=False)
    _person: pd.Series = field(repr=False)
    # Team and service scopes, shared by every user of the same team or service (a practitioner's
    # aggregate scope is their team's: one copy per team, not one per practitioner).
    _memo: dict = field(default_factory=dict, repr=False)
    _memo_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _memoised(self, key, compute):
        with self._memo_lock:
            if key in self._memo:
                return self._memo[key]
        value = compute()
        with self._memo_lock:
            return self._memo.setdefault(key, value)

    def team_scope(self, team: str) -> Scope:
        """A team manager's scope: the team, its current workers, every child with any
        involvement (open or historical) in it. No service: a team manager does not see the rest
        of the service."""
        return self._memoised(("team", team), lambda: Scope(
            teams=frozenset({team}),
            workers=self.workers_in({team}),
            children=self.children_of_teams({team}),
        ))

    def service_scope(self, services: frozenset[str]) -> Scope:
        """A head of service's scope: the services, all their teams, every worker whose team is in
        them, every child with any involvement (open or historical) in those teams."""
        def compute() -> Scope:
            teams = self.teams_in(services)
            return Scope(
                services=frozenset(services),
                teams=teams,
                workers=self.workers_in(teams | services),
                children=self.children_of_teams(teams | services),
            )
        return self._memoised(("services", frozenset(services)), compute)

    def service_of(self, team: str) -> str | None:
        if team in self.team_parent:
            return self.team_parent[team]
        return team if team in self.service_ids else None

    def teams_in(self, services: Iterable[str]) -> frozenset[str]:
        wanted = set(services)
        return frozenset(t for t, s in self.team_parent.items() if s in wanted)

    def workers_in(self, teams: Iterable[str]) -> frozenset[str]:
        wanted = set(teams)
        return frozenset(w for w, t in self.worker_team.items() if t in wanted)

    def _people(self, mask: np.ndarray) -> frozenset[str]:
        if not mask.any():
            return frozenset()
        people = set(self._person[mask].dropna().unique().tolist())
        people.discard("")
        return frozenset(people)

    def children_of_teams(self, teams: Iterable[str]) -> frozenset[str]:
        """Children with any involvement, open or ended, in one of ``teams``."""
        wanted = np.isin(self._team_values, list(set(teams)))
        if not wanted.any():
            return frozenset()
        # A lookup table over the codes; the extra last slot answers code -1 (blank team).
        return self._people(np.append(wanted, False)[self._team_codes])

    def open_children_of_worker(self, worker_id: str, as_at) -> frozenset[str]:
        """Children with an involvement with ``worker_id`` still open at ``as_at`` (end blank or on
        or after ``as_at``)."""
        codes = np.flatnonzero(self._prof_values == worker_id)
        if not len(codes):
            return frozenset()
        at = pd.Timestamp(as_at).as_unit("ns").value
        return self._people((self._prof_codes == codes[0]) & (self._end >= at))


def build_org_index(tables: Mapping[str, pd.DataFrame]) -> OrgIndex:
    # A source without allocations (e.g. statutory returns with no worker episodes) has an empty
    # organisation: nobody below senior leader is given any child, rather than a crash at sign-in.
    from data_access.schema import TABLES

    inv = tables.get(INVOLVEMENTS)
    if inv is None:
        inv = pd.DataFrame({c: pd.Series(dtype=object) for c in TABLES[INVOLVEMENTS].columns})
    prof = tables[PROFESSIONALS]
    dept = tables[DEPARTMENT]

    pcodes, pvalues = _codes(inv["invo_professional_id"])
    tcodes, tvalues = _codes(inv["invo_professional_team"])
    start = _i8(inv["invo_involvement_start_date"], _I8_MIN)
    end = _i8(inv["invo_involvement_end_date"], _I8_MAX)

    # Most recent involvement (with a team) per worker: the latest start; among equal starts the
    # open one / latest end; then the last row. np.maximum.at finds the latest start per worker
    # in one pass; only the few rows that reach it are sorted.
    worker_team: dict[str, str] = {}
    ok = (pcodes >= 0) & (tcodes >= 0)
    if ok.any():
        latest = np.full(len(pvalues), _I8_MIN, dtype=np.int64)
        np.maximum.at(latest, pcodes[ok], start[ok])
        cand = np.flatnonzero(ok & (start == latest[np.maximum(pcodes, 0)]))
        order = cand[np.lexsort((cand, end[cand], pcodes[cand]))]
        grouped = pcodes[order]
        last = order[np.r_[grouped[1:] != grouped[:-1], True]]
        worker_team = dict(zip(pvalues[pcodes[last]].tolist(), tvalues[tcodes[last]].tolist()))

    known = set(worker_team)
    for wid, home in zip(prof["prof_professional_id"].tolist(), prof["prof_professional_department"].tolist()):
        wid = _text(wid)
        if wid is None:
            continue
        known.add(wid)
        home = _text(home)
        if wid not in worker_team and home is not None:
            worker_team[wid] = home

    team_parent: dict[str, str] = {}
    no_parent: set[str] = set()
    department_ids: set[str] = set()
    for team, parent in zip(dept["dept_team_id"].tolist(), dept["dept_team_parent_id"].tolist()):
        team, parent = _text(team), _text(parent)
        if team is None:
            continue
        department_ids.add(team)
        if parent is None:
            no_parent.add(team)
        else:
            team_parent[team] = parent
    services = frozenset(no_parent | set(team_parent.values()))

    return OrgIndex(
        worker_team=worker_team,
        known_workers=frozenset(known),
        team_parent=team_parent,
        service_ids=services,
        department_ids=frozenset(department_ids),
        _prof_codes=pcodes,
        _prof_values=pvalues,
        _team_codes=tcodes,
        _team_values=tvalues,
        _end=end,
        _person=inv["invo_person_id"],
    )


# ---------------------------------------------------------------------------------------------

NOTHING = Scope()


def derive_scope(
    role: Role | str,
    worker_id: str | None,
    tables: Mapping[str, pd.DataFrame],
    as_at,
    services: Iterable[str] = (),
    *,
    index: OrgIndex | None = None,
) -> tuple[Scope, Scope]:
    """``(scope, aggregate_scope)`` for a user, from the current cache tables.

    ``services`` are extra services configured for a head of service (ignored for other roles).
    ``index`` is an :class:`OrgIndex` already built from the same ``tables`` (saves ~0.1 s on a
    large authority); it is built here when not given.
    """
    role = Role.parse(role)
    if role is Role.SENIOR_LEADER:
        return Scope.everything(), Scope.everything()
    idx = index if index is not None else build_org_index(tables)
    worker_id = _text(worker_id)
    team = idx.worker_team.get(worker_id) if worker_id is not None else None

    if role is Role.HEAD_OF_SERVICE:
        chosen: set[str] = {s for s in (_text(x) for x in services) if s in idx.service_ids}
        own = idx.service_of(team) if team is not None else None
        if own is not None:
            chosen.add(own)
        if not chosen:
            return NOTHING, NOTHING
        scope = idx.service_scope(frozenset(chosen))
        return scope, scope

    if team is None:  # unknown worker, or a worker with no team: nothing
        return NOTHING, NOTHING
    managed = idx.team_scope(team)
    if role is Role.TEAM_MANAGER:
        return managed, managed
    own_cases = Scope(
        teams=frozenset({team}),
        workers=frozenset({worker_id}),
        children=idx.open_children_of_worker(worker_id, as_at),
    )
    return own_cases, managed
