"""Access scope: which services, teams, workers and children a viewer may see.

Applied in exactly one place, :func:`apply_scope`, before any page or measure sees the data.
Until sign-in exists, the app passes :meth:`Scope.everything` for its single demo viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import pandas as pd

from data_access.cache import is_read_only, mark_read_only
from data_access.schema import PERSON, PROF, TEAM, TABLES


@dataclass(frozen=True)
class Scope:
    all_access: bool = False
    services: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    workers: frozenset[str] = frozenset()
    children: frozenset[str] = frozenset()

    @classmethod
    def everything(cls) -> "Scope":
        return cls(all_access=True)

    @property
    def key(self) -> str:
        """A stable key for caches: results computed for one scope never serve another."""
        if self.all_access:
            return "all"
        import hashlib

        h = hashlib.sha256()
        for part in (self.services, self.teams, self.workers, self.children):
            h.update(("|".join(sorted(part)) + "#").encode())
        return h.hexdigest()[:16]

    def allows_team(self, team_id: str) -> bool:
        return self.all_access or team_id in self.teams

    def allows_worker(self, worker_id: str) -> bool:
        return self.all_access or worker_id in self.workers

    def allows_child(self, person_id: str) -> bool:
        return self.all_access or person_id in self.children


def _columns_referencing(ref: str) -> dict[str, list[str]]:
    table, column = ref.split(".")
    out: dict[str, list[str]] = {}
    for spec in TABLES.values():
        cols = [fk.column for fk in spec.foreign_keys if (fk.ref_table, fk.ref_column) == (table, column)]
        if spec.name == table:
            cols.append(column)
        if cols:
            out[spec.name] = cols
    return out


_PERSON_COLUMNS = _columns_referencing(PERSON)
# Tables linked to a child only through another row: (their column, parent table, parent column).
# A row is visible when its parent row is (a review of a visible period of care, a factor of a
# visible assessment, the decision on a visible contact).
_LINKED_TABLES = {
    "ssd_cla_reviews": ("clar_cla_id", "ssd_cla_episodes", "clae_cla_id"),
    **{
        spec.name: (fk.column, fk.ref_table, fk.ref_column)
        for spec in TABLES.values()
        if spec.name not in _PERSON_COLUMNS
        for fk in spec.foreign_keys[:1]
        if fk.ref_table in _PERSON_COLUMNS and fk.ref_table != spec.name
    },
}


def apply_scope(tables: Mapping[str, pd.DataFrame], scope: Scope) -> dict[str, pd.DataFrame]:
    """The tables limited to what ``scope`` may see. Full access returns the same frames, uncopied."""
    if scope.all_access:
        return dict(tables)
    children = list(scope.children)
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        if name in _LINKED_TABLES:
            continue
        if name == "ssd_department":
            keep = frame["dept_team_id"].isin(list(scope.teams | scope.services))
            out[name] = frame[keep]
        elif name == "ssd_professionals":
            out[name] = frame[frame["prof_professional_id"].isin(list(scope.workers))]
        elif name in _PERSON_COLUMNS:
            # A row is visible when its child is in scope (first person column is the subject).
            col = _PERSON_COLUMNS[name][0] if name != "ssd_person" else "pers_person_id"
            out[name] = frame[frame[col].isin(children)]
        else:
            out[name] = frame.iloc[0:0]  # unknown linkage: show nothing rather than too much
    for name, (column, parent, parent_column) in _LINKED_TABLES.items():
        if name not in tables:
            continue
        frame = tables[name]
        if parent in out:
            ids = pd.Index(out[parent][parent_column].dropna().unique())
            out[name] = frame[ids.get_indexer(frame[column]) >= 0]
        else:
            out[name] = frame.iloc[0:0]
    if all(is_read_only(f) for f in tables.values()):
        # Cut from a shared extract: just as read-only (each scope's frames are cached once).
        mark_read_only(out.values())
    return out
