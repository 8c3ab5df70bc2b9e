"""The portal's own small database: lockout counters, sign-in sessions and the audit log.

One SQLAlchemy engine per URL per process (engines are thread-safe and pool their connections).
On SQLite a writing transaction (:func:`writing`) starts with ``BEGIN IMMEDIATE`` (after the
SQLAlchemy-documented recipe), so a read-then-write such as "count the failures, then lock" is
atomic across threads *and* processes; reads use a plain ``BEGIN``, and the file is in WAL mode so
readers do not block the writer.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url

metadata = sa.MetaData()

failures = sa.Table(
    "auth_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_key", sa.String(64), nullable=False, index=True),  # sha256 of the username
    sa.Column("at", sa.Float, nullable=False),  # epoch seconds
)

lockouts = sa.Table(
    "auth_lockouts", metadata,
    sa.Column("user_key", sa.String(64), primary_key=True),
    sa.Column("locked_until", sa.Float, nullable=False),
)

sessions = sa.Table(
    "auth_sessions", metadata,
    sa.Column("sid_hash", sa.String(64), primary_key=True),  # sha256 of the random session id
    sa.Column("username", sa.String(200), nullable=False, index=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("expires", sa.Float, nullable=False),
    sa.Column("revoked", sa.Float, nullable=True),
    sa.Column("credential", sa.String(64), nullable=False),  # fingerprint of the password hash
)

audit_events = sa.Table(
    "audit_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),  # UTC
    sa.Column("username", sa.String(200), nullable=False, index=True),
    sa.Column("role", sa.String(40), nullable=True),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("page", sa.String(200), nullable=True),
    sa.Column("child_ids", sa.Text, nullable=True),
    sa.Column("filters", sa.Text, nullable=True),
    sa.Column("row_count", sa.Integer, nullable=True),
)

_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


def engine_for(url: str) -> sa.Engine:
    """The process-wide engine for ``url``, with the tables created."""
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create(url)
            try:
                metadata.create_all(engine)
            except sa.exc.OperationalError:  # another process created them at the same moment
                metadata.create_all(engine)
            _engines[url] = engine
        return engine


def _create(url: str) -> sa.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return sa.create_engine(url, pool_pre_ping=True)
    database = parsed.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let BEGIN below control transactions
        cursor = dbapi_connection.cursor()
        if database and database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE) else "BEGIN")

    return engine


_WRITE = "portal_write"


@contextmanager
def writing(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A transaction that takes SQLite's write lock at its start (``BEGIN IMMEDIATE``) and
    commits at the end (rolls back on error)."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn


def dispose_all() -> None:
    """Close every engine (tests)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
