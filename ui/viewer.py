"""Who is looking. Sign-in arrives with the access issue; until then the single demo viewer has
full access, and every page already asks this module and passes the scope to data loading."""

from __future__ import annotations

from dataclasses import dataclass

from data_access.scope import Scope


@dataclass(frozen=True)
class Viewer:
    username: str
    display_name: str
    role: str
    worker_id: str | None
    scope: Scope


def current_viewer() -> Viewer:
    return Viewer(
        username="demo",
        display_name="Demo viewer (sees everything)",
        role="senior_leader",
        worker_id=None,
        scope=Scope.everything(),
    )
