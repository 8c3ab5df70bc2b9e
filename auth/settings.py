"""Sign-in settings: the ``[auth]`` section of the portal's config file.

Read from the same file as :func:`data_access.config.load_config` (``PORTAL_CONFIG`` or the
project's ``config.toml``), by this small loader of its own. Relative paths and relative
``sqlite:///`` URLs are resolved against the config file's folder. Every key is optional::

    [auth]
    backend = "password"                          # "password" or "oidc"
    credentials = "demo/users.yaml"               # password backend: YAML of users (bcrypt hashes)
    database = "sqlite:///audit/portal.sqlite"    # lockout, sign-in sessions and the audit log
    max_failures = 5                              # failed sign-ins on one username ...
    failure_window_seconds = 900                  # ... within this window ...
    lockout_seconds = 900                         # ... refuse that username for this long
    session_hours = 8                             # sign-in lifetime (server-side and cookie)
    cookie_name = "csc_portal_session"

    [auth.oidc]
    provider = ""                # name of [auth.<provider>] in .streamlit/secrets.toml; "" = [auth]
    role_claim = "roles"         # claim holding the user's app roles
    email_claim = "email"
    worker_claim = ""            # optional claim carrying the SSD worker ID directly
    button_label = "Sign in with your council account"

    [auth.oidc.roles]            # claim value -> portal role (default: the role names themselves)
    "CSC.Practitioner" = "practitioner"

    [auth.oidc.workers]          # e-mail -> SSD worker ID (ssd_professionals has no e-mail column)
    "jo.bloggs@council.gov.uk" = "W0001"

    [auth.oidc.services]         # optional: e-mail -> extra services for a head of service
    "sam.head@council.gov.uk" = ["S1", "S2"]

The cookie signing key is a secret, never in this file: ``auth_cookie_key`` in
``.streamlit/secrets.toml`` (see :mod:`auth.keys`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from data_access.config import config_path

from auth.identity import Role

BACKENDS = ("password", "oidc")
DEFAULT_CREDENTIALS = "demo/users.yaml"
DEFAULT_DATABASE = "sqlite:///audit/portal.sqlite"


class SettingsError(ValueError):
    """The [auth] section is invalid. The message names the key; it never holds a secret."""


@dataclass(frozen=True)
class OidcSettings:
    provider: str | None = None
    role_claim: str = "roles"
    email_claim: str = "email"
    worker_claim: str | None = None
    button_label: str = "Sign in with your council account"
    roles: Mapping[str, Role] = field(default_factory=lambda: {r.value: r for r in Role})
    workers: Mapping[str, str] = field(default_factory=dict)  # lower-case e-mail -> worker ID
    services: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # lower-case e-mail -> ids


@dataclass(frozen=True)
class AuthSettings:
    config_file: Path
    backend: str = "password"
    credentials: Path = Path(DEFAULT_CREDENTIALS)
    database: str = DEFAULT_DATABASE
    max_failures: int = 5
    failure_window_seconds: float = 900.0
    lockout_seconds: float = 900.0
    session_hours: float = 8.0
    cookie_name: str = "csc_portal_session"
    oidc: OidcSettings = field(default_factory=OidcSettings)


def resolve_url(url: str, base: Path) -> str:
    """A relative ``sqlite:///relative/path`` URL made absolute against ``base``."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix):]
        if rest and not rest.startswith(":memory:") and not Path(rest).is_absolute():
            return prefix + str((base / rest).resolve())
    return url


def _number(section: Mapping[str, Any], key: str, default: float, minimum: float) -> float:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise SettingsError(f"[auth] {key} must be a number ≥ {minimum:g}")
    return float(value)


def _oidc(section: Mapping[str, Any]) -> OidcSettings:
    if not isinstance(section, Mapping):
        raise SettingsError("[auth.oidc] must be a table")
    roles_raw = section.get("roles")
    if roles_raw is None:
        roles = {r.value: r for r in Role}
    else:
        if not isinstance(roles_raw, Mapping):
            raise SettingsError("[auth.oidc.roles] must map claim values to roles")
        roles = {}
        for claim_value, role in roles_raw.items():
            try:
                roles[str(claim_value)] = Role.parse(role)
            except ValueError as exc:
                raise SettingsError(f"[auth.oidc.roles] {claim_value!r}: {exc}") from None
    workers_raw = section.get("workers", {})
    services_raw = section.get("services", {})
    if not isinstance(workers_raw, Mapping) or not isinstance(services_raw, Mapping):
        raise SettingsError("[auth.oidc.workers] and [auth.oidc.services] must be tables keyed by e-mail")
    services = {}
    for email, ids in services_raw.items():
        ids = [ids] if isinstance(ids, str) else ids
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise SettingsError("[auth.oidc.services] values must be lists of service IDs")
        services[str(email).strip().lower()] = tuple(ids)
    text = lambda key, default: (str(section.get(key) or "").strip() or default)  # noqa: E731
    return OidcSettings(
        provider=text("provider", None),
        role_claim=text("role_claim", "roles"),
        email_claim=text("email_claim", "email"),
        worker_claim=text("worker_claim", None),
        button_label=text("button_label", OidcSettings.button_label),
        roles=roles,
        workers={str(k).strip().lower(): str(v).strip() for k, v in workers_raw.items()},
        services=services,
    )


def settings_from(raw: Mapping[str, Any], config_file: Path) -> AuthSettings:
    section = raw.get("auth", {})
    if not isinstance(section, Mapping):
        raise SettingsError("[auth] must be a table")
    base = Path(config_file).parent
    backend = str(section.get("backend", "password")).strip().lower()
    if backend not in BACKENDS:
        raise SettingsError(f"[auth] backend must be one of {', '.join(BACKENDS)}")
    max_failures = section.get("max_failures", 5)
    if isinstance(max_failures, bool) or not isinstance(max_failures, int) or max_failures < 1:
        raise SettingsError("[auth] max_failures must be a whole number ≥ 1")
    cookie_name = str(section.get("cookie_name", "csc_portal_session")).strip()
    if not cookie_name or not all(c.isalnum() or c in "_-" for c in cookie_name):
        raise SettingsError("[auth] cookie_name may hold only letters, digits, '_' and '-'")
    return AuthSettings(
        config_file=Path(config_file),
        backend=backend,
        credentials=(base / str(section.get("credentials", DEFAULT_CREDENTIALS))).resolve(),
        database=resolve_url(str(section.get("database", DEFAULT_DATABASE)), base),
        max_failures=max_failures,
        failure_window_seconds=_number(section, "failure_window_seconds", 900, 0.001),
        lockout_seconds=_number(section, "lockout_seconds", 900, 0.001),
        session_hours=_number(section, "session_hours", 8, 1 / 3600),
        cookie_name=cookie_name,
        oidc=_oidc(section.get("oidc", {})),
    )


_cache: dict[tuple[str, int], AuthSettings] = {}


def load_settings(path: str | Path | None = None) -> AuthSettings:
    """The [auth] settings of ``path`` (default: the portal's config file). Re-read when the file
    changes."""
    path = Path(path).resolve() if path else config_path()
    try:
        stamp = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        raise SettingsError(f"the portal config file {path} does not exist") from None
    key = (str(path), stamp)
    if key not in _cache:
        with open(path, "rb") as fh:
            try:
                raw = tomllib.load(fh)
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"{path.name} is not valid TOML: {exc}") from None
        if len(_cache) > 16:
            _cache.clear()
        _cache[key] = settings_from(raw, path)
    return _cache[key]
