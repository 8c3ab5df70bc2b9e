"""The portal's own settings, read from ``config.toml`` at the project root.

``PORTAL_CONFIG`` names another file (tests and deployments use it). Relative paths in the file
are resolved against the file's own folder, so the portal behaves the same from any working
directory.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config.toml"


@dataclass(frozen=True)
class PortalConfig:
    path: Path
    authority_name: str
    la_code: str
    source_url: str
    source_schema: str | None
    demo_database: Path
    demo_size: str
    demo_as_at: str
    cache_folder: Path
    cache_keep: int
    # The date the source's data runs to, when the source says so ([source] data_as_at); else the
    # refresh works it out (the demo database's own as_at, or the latest event date).
    source_as_at: str | None = None
    measures: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


def _resolve_sqlite_url(url: str, base: Path) -> str:
    """Make a relative ``sqlite:///relative/path`` URL absolute against the config's folder."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith("sqlite:////"):
        rest = url[len(prefix):]
        if rest and not rest.startswith(":memory:"):
            return prefix + str((base / rest).resolve())
    return url


def config_path() -> Path:
    return Path(os.environ.get("PORTAL_CONFIG", DEFAULT_CONFIG)).resolve()


def load_config(path: str | Path | None = None) -> PortalConfig:
    path = Path(path).resolve() if path else config_path()
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    base = path.parent
    authority = raw.get("authority", {})
    source = raw.get("source", {})
    demo = raw.get("demo", {})
    cache = raw.get("cache", {})
    return PortalConfig(
        path=path,
        authority_name=authority.get("name", "Local authority"),
        la_code=str(authority.get("la_code", "")),
        source_url=_resolve_sqlite_url(source.get("url", "sqlite:///demo/demo.sqlite"), base),
        source_schema=source.get("schema") or None,
        demo_database=(base / demo.get("database", "demo/demo.sqlite")).resolve(),
        demo_size=demo.get("size", "medium"),
        demo_as_at=str(demo.get("as_at", "2026-10-31")),
        cache_folder=(base / cache.get("folder", "cache")).resolve(),
        cache_keep=int(cache.get("keep", 2)),
        source_as_at=str(source.get("data_as_at") or "") or None,
        measures=dict(raw.get("measures", {})),
        targets={k: float(v) for k, v in raw.get("targets", {}).items()},
        raw=raw,
    )


def redact_url(url: str) -> str:
    """A source URL safe to print or store: the password is replaced."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy understands: say nothing of it
        return "<unparseable URL>"
