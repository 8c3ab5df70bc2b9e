"""Server-side sign-in lockout, kept in the portal database.

After ``max_failures`` failed sign-ins on one username within ``window_seconds``, that username
is refused for ``lockout_seconds`` (also with the right password), then accepted again: a lockout
is never permanent, so a stranger who knows a username can delay but not disable its owner.
A successful sign-in clears the failures. Counters live in the database, not in the browser
session, so they survive reruns, new sessions, other browsers and server restarts.

Usernames are stored only as SHA-256 digests of their normalised form (a password typed into the
username box does not end up in the database in clear). Unknown usernames are counted the same
way, so the lockout does not reveal which usernames exist.
"""

from __future__ import annotations

import hashlib
import threading
import time
from typing import Callable

import sqlalchemy as sa

from auth import db


def normalise_username(username: str) -> str:
    return str(username or "").strip().lower()


def user_key(username: str) -> str:
    return hashlib.sha256(("portal-user:" + normalise_username(username)).encode()).hexdigest()


class LockoutStore:
    def __init__(
        self,
        url: str,
        *,
        max_failures: int = 5,
        window_seconds: float = 900.0,
        lockout_seconds: float = 900.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_failures < 1 or window_seconds <= 0 or lockout_seconds <= 0:
            raise ValueError("max_failures, window_seconds and lockout_seconds must be positive")
        self.url = url
        self.max_failures = int(max_failures)
        self.window_seconds = float(window_seconds)
        self.lockout_seconds = float(lockout_seconds)
        self._clock = clock
        self._engine = db.engine_for(url)
        self._lock = threading.Lock()

    def locked_until(self, username: str) -> float | None:
        """Epoch seconds until which ``username`` is refused, or None when it is not locked."""
        now = self._clock()
        with self._engine.connect() as conn:
            until = conn.execute(
                sa.select(db.lockouts.c.locked_until).where(db.lockouts.c.user_key == user_key(username))
            ).scalar()
        return until if until is not None and until > now else None

    def is_locked(self, username: str) -> bool:
        return self.locked_until(username) is not None

    def seconds_left(self, username: str) -> float:
        until = self.locked_until(username)
        return 0.0 if until is None else max(0.0, until - self._clock())

    def record_failure(self, username: str) -> bool:
        """Count a failed sign-in. True when this failure locked the username."""
        key, now = user_key(username), self._clock()
        with self._lock, db.writing(self._engine) as conn:
            until = conn.execute(
                sa.select(db.lockouts.c.locked_until).where(db.lockouts.c.user_key == key)
            ).scalar()
            if until is not None and until > now:
                return False  # already locked: refused attempts do not extend the lock
            conn.execute(sa.delete(db.failures).where(
                db.failures.c.user_key == key, db.failures.c.at <= now - self.window_seconds))
            conn.execute(sa.insert(db.failures).values(user_key=key, at=now))
            count = conn.execute(
                sa.select(sa.func.count()).select_from(db.failures).where(db.failures.c.user_key == key)
            ).scalar_one()
            if count < self.max_failures:
                return False
            conn.execute(sa.delete(db.lockouts).where(db.lockouts.c.user_key == key))
            conn.execute(sa.insert(db.lockouts).values(user_key=key, locked_until=now + self.lockout_seconds))
            # The lock starts a fresh count: after it expires, another max_failures are allowed.
            conn.execute(sa.delete(db.failures).where(db.failures.c.user_key == key))
            return True

    def failures(self, username: str) -> int:
        """Failed attempts counted within the window (for tests and the admin command)."""
        now = self._clock()
        with self._engine.connect() as conn:
            return conn.execute(
                sa.select(sa.func.count()).select_from(db.failures).where(
                    db.failures.c.user_key == user_key(username),
                    db.failures.c.at > now - self.window_seconds)
            ).scalar_one()

    def record_success(self, username: str) -> None:
        """A successful sign-in: forget the failures (and any expired lock)."""
        self.clear(username)

    def clear(self, username: str) -> None:
        """Forget failures and lock of ``username`` (``python -m auth unlock``)."""
        key = user_key(username)
        with self._lock, db.writing(self._engine) as conn:
            conn.execute(sa.delete(db.failures).where(db.failures.c.user_key == key))
            conn.execute(sa.delete(db.lockouts).where(db.lockouts.c.user_key == key))
