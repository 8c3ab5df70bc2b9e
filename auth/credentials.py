"""User accounts of the password backend: a YAML file of bcrypt hashes.

Layout (close to streamlit-authenticator's, plus our role, worker and services)::

    credentials:
      usernames:
        jbloggs:
          name: Jo Bloggs                  # or first_name / last_name
          email: jo.bloggs@council.gov.uk  # optional
          password: "$2b$12$..."           # bcrypt hash only: python -m auth hash-password
          role: team_manager               # practitioner | team_manager | head_of_service | senior_leader
          worker_id: W0042                 # ssd_professionals.prof_professional_id
          services: [S1]                   # optional, head of service only

The file is only read, never written back (streamlit-authenticator 0.4.2 writes its YAML on every
sign-in and failure). A plain-text password, an unknown role or a malformed entry makes the whole
file invalid: the portal then says so instead of signing anyone in. No ``cookie`` section: the
signing key is a secret (:mod:`auth.keys`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

import yaml

from auth.identity import Role
from auth.lockout import normalise_username


def _hasher():
    # streamlit-authenticator's bcrypt helper. Imported on use: importing the library runs Streamlit
    # calls at import time, which only makes noise in a command-line tool.
    from streamlit_authenticator.utilities.hasher import Hasher

    return Hasher


class CredentialsError(ValueError):
    """The credentials file is missing or invalid (the message holds no password or hash)."""


@dataclass(frozen=True)
class Account:
    """A user as the sign-in backends know them, before a scope is derived."""

    username: str
    display_name: str
    role: Role
    worker_id: str | None = None
    email: str | None = None
    services: tuple[str, ...] = ()
    password_hash: str | None = field(default=None, repr=False, compare=False)


def _role(entry: Mapping[str, Any], username: str) -> Role:
    raw = entry.get("role")
    if raw is None and entry.get("roles"):
        roles = entry["roles"] if isinstance(entry["roles"], list) else [entry["roles"]]
        try:
            return max((Role.parse(r) for r in roles), key=lambda r: r.rank)
        except ValueError as exc:
            raise CredentialsError(f"user {username!r}: {exc}") from None
    if raw is None:
        raise CredentialsError(f"user {username!r} has no role")
    try:
        return Role.parse(raw)
    except ValueError as exc:
        raise CredentialsError(f"user {username!r}: {exc}") from None


def _opt(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def parse_credentials(data: Any) -> dict[str, Account]:
    """Accounts keyed by normalised (lower-case) username."""
    try:
        users = data["credentials"]["usernames"]
    except (TypeError, KeyError):
        raise CredentialsError("the credentials file has no credentials: usernames: section") from None
    if not isinstance(users, Mapping):
        raise CredentialsError("credentials: usernames: must map usernames to users")
    accounts: dict[str, Account] = {}
    for raw_name, entry in users.items():
        username = normalise_username(raw_name)
        if not username or not isinstance(entry, Mapping):
            raise CredentialsError(f"user {raw_name!r} is malformed")
        if username in accounts:
            raise CredentialsError(f"user {username!r} appears twice")
        password = entry.get("password")
        if not isinstance(password, str) or not _hasher().is_hash(password):
            raise CredentialsError(
                f"user {username!r} has no bcrypt password hash (plain-text passwords are refused; "
                "use `python -m auth hash-password`)")
        services = entry.get("services") or ()
        if isinstance(services, str):
            services = [services]
        name = _opt(entry.get("name")) or " ".join(
            p for p in (_opt(entry.get("first_name")), _opt(entry.get("last_name"))) if p) or username
        accounts[username] = Account(
            username=username,
            display_name=name,
            role=_role(entry, username),
            worker_id=_opt(entry.get("worker_id")),
            email=_opt(entry.get("email")),
            services=tuple(str(s).strip() for s in services if str(s).strip()),
            password_hash=password,
        )
    return accounts


@lru_cache(maxsize=8)
def _load(path: str, _stamp: int) -> dict[str, Account]:
    with open(path, encoding="utf-8") as fh:
        try:
            data = yaml.safe_load(fh)
        except yaml.YAMLError:
            raise CredentialsError(f"{Path(path).name} is not valid YAML") from None
    return parse_credentials(data)


def load_accounts(path: str | Path) -> dict[str, Account]:
    """The accounts in ``path``, re-read when the file changes."""
    path = str(Path(path).resolve())
    try:
        stamp = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        raise CredentialsError(
            f"no user accounts: {path} does not exist (for the demo: `python -m auth demo-users`)"
        ) from None
    return _load(path, stamp)


def hash_password(password: str, rounds: int = 12) -> str:
    import bcrypt

    data = password.encode()
    if len(data) > 72:
        raise ValueError("bcrypt passwords are limited to 72 bytes")
    return bcrypt.hashpw(data, bcrypt.gensalt(rounds)).decode()


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not a real password, only for equal timing", rounds=12)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when ``password`` matches ``password_hash``. With no hash (unknown user) a dummy
    check runs anyway, so the response time does not tell which usernames exist."""
    usable = isinstance(password, str) and bool(password) and len(password.encode()) <= 72
    try:
        ok = _hasher().check_pw(password if usable else "x", password_hash or _dummy_hash())
    except ValueError:  # malformed hash
        return False
    return bool(ok and usable and password_hash)
