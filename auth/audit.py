"""The audit log: who looked at which children, listed or downloaded what, and sign-in events.

Rows go to the ``audit_events`` table of the portal database. Only identifiers are stored: child
IDs (comma-joined), the filter values used, a row count. Never names or dates of birth, and
nothing here writes to the Python application log.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

import pandas as pd
import sqlalchemy as sa

from auth import db

ACTIONS = frozenset({
    "view_child", "list_children", "download", "sign_in", "sign_in_failed", "locked_out", "sign_out",
    "view_audit",
})

COLUMNS = ["id", "at", "username", "role", "action", "page", "child_ids", "filters", "row_count"]


def _utc_naive(value: datetime | str | pd.Timestamp) -> datetime:
    ts = pd.Timestamp(value)
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    return ts.to_pydatetime()


def _child_ids(child_ids: Iterable[str] | str | None) -> str | None:
    if child_ids is None:
        return None
    ids = [child_ids] if isinstance(child_ids, str) else list(child_ids)
    clean = []
    for cid in ids:
        if cid is None or (not isinstance(cid, str) and pd.isna(cid)):
            continue
        text = str(cid).strip()
        if "," in text:
            raise ValueError("child IDs may not contain commas")
        if text:
            clean.append(text)
    return ",".join(clean)


class AuditLog:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine = db.engine_for(url)

    def record(
        self,
        *,
        username: str,
        action: str,
        role: str | None = None,
        page: str | None = None,
        child_ids: Iterable[str] | str | None = None,
        filters: Mapping[str, Any] | None = None,
        row_count: int | None = None,
        at: datetime | None = None,
    ) -> None:
        """Append one event. ``child_ids`` are IDs only; ``filters`` the filter *values* (IDs,
        dates, codes) as JSON."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        row = {
            "at": _utc_naive(at) if at is not None else datetime.now(timezone.utc).replace(tzinfo=None),
            "username": str(username)[:200],
            "role": None if role is None else str(role),
            "action": action,
            "page": None if page is None else str(page)[:200],
            "child_ids": _child_ids(child_ids),
            "filters": None if filters is None else json.dumps(dict(filters), default=str, sort_keys=True),
            "row_count": None if row_count is None else int(row_count),
        }
        with db.writing(self._engine) as conn:
            conn.execute(sa.insert(db.audit_events).values(**row))

    def query(
        self,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
        username: str | None = None,
        action: str | None = None,
        limit: int | None = 10_000,
    ) -> pd.DataFrame:
        """Events, newest first: ``since`` inclusive, ``until`` exclusive (UTC when naive).
        ``at`` comes back as a UTC timestamp."""
        t = db.audit_events
        stmt = sa.select(*[t.c[c] for c in COLUMNS]).order_by(t.c.id.desc())
        if since is not None:
            stmt = stmt.where(t.c.at >= _utc_naive(since))
        if until is not None:
            stmt = stmt.where(t.c.at < _utc_naive(until))
        if username is not None:
            stmt = stmt.where(t.c.username == username)
        if action is not None:
            stmt = stmt.where(t.c.action == action)
        if limit is not None:
            stmt = stmt.limit(int(limit))
        with self._engine.connect() as conn:
            rows = conn.execute(stmt).all()
        frame = pd.DataFrame([tuple(r) for r in rows], columns=COLUMNS)
        frame["at"] = pd.to_datetime(frame["at"]).dt.tz_localize("UTC")
        frame["row_count"] = frame["row_count"].astype("Int64")
        return frame
