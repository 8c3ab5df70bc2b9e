"""Server-side sign-in sessions for the password backend.

Each sign-in creates a random session id. The browser cookie carries it inside a token signed
with the secret key; the database keeps only its SHA-256 digest with the username, expiry, a
fingerprint of the password hash it was issued for, and whether it was revoked. Every rerun
checks the record, so:

- signing out revokes the session on the server: a copied cookie, the back button or a refresh
  do not sign back in (unlike streamlit-authenticator's cookie, which stays valid until it expires);
- a session ends at its expiry even in an open tab;
- changing a user's password (a new hash in the credentials file) ends their sessions.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Callable

import sqlalchemy as sa

from auth import db


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def credential_fingerprint(password_hash: str) -> str:
    return hashlib.sha256(("credential:" + password_hash).encode()).hexdigest()[:32]


class SessionStore:
    def __init__(self, url: str, *, clock: Callable[[], float] = time.time) -> None:
        self._engine = db.engine_for(url)
        self._clock = clock

    def create(self, username: str, credential: str, lifetime_seconds: float) -> tuple[str, float]:
        """A new session; returns ``(session id, expiry epoch seconds)``."""
        sid = secrets.token_urlsafe(32)
        now = self._clock()
        expires = now + max(float(lifetime_seconds), 1.0)
        with db.writing(self._engine) as conn:
            conn.execute(sa.delete(db.sessions).where(db.sessions.c.expires < now - 86400))  # tidy
            conn.execute(sa.insert(db.sessions).values(
                sid_hash=_digest(sid), username=username, created=now, expires=expires,
                revoked=None, credential=credential))
        return sid, expires

    def is_valid(self, sid: str, username: str, credential: str) -> bool:
        if not isinstance(sid, str) or not sid:
            return False
        with self._engine.connect() as conn:
            row = conn.execute(sa.select(db.sessions).where(db.sessions.c.sid_hash == _digest(sid))).first()
        return (
            row is not None
            and row.revoked is None
            and row.username == username
            and row.credential == credential
            and row.expires > self._clock()
        )

    def revoke(self, sid: str) -> None:
        if not isinstance(sid, str) or not sid:
            return
        with db.writing(self._engine) as conn:
            conn.execute(sa.update(db.sessions).where(db.sessions.c.sid_hash == _digest(sid))
                         .values(revoked=self._clock()))

    def revoke_user(self, username: str) -> int:
        """End every session of ``username``; returns how many were open."""
        with db.writing(self._engine) as conn:
            result = conn.execute(sa.update(db.sessions).where(
                db.sessions.c.username == username, db.sessions.c.revoked.is_(None)
            ).values(revoked=self._clock()))
        return result.rowcount or 0
