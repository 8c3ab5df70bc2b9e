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
    # [source] type: "database" (a SQLAlchemy URL of ssd_* tables, the default) or "returns" (the
    # statutory return files in [source] folder, read by importers.source).
    source_type: str = "database"
    source_folder: Path | None = None
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


SOURCE_TYPES = ("database", "returns")


def _source_type(source: dict, base: Path) -> tuple[str, Path | None]:
    """[source] type and folder; a returns source must name its folder."""
    kind = str(source.get("type") or "database").strip().lower()
    if kind not in SOURCE_TYPES:
        raise ValueError(f'[source] type must be "database" or "returns" (got {kind!r})')
    folder = str(source.get("folder") or "").strip()
    resolved = (base / folder).resolve() if folder else None
    if kind == "returns" and resolved is None:
        raise ValueError('[source] type = "returns" needs [source] folder: the folder holding the '
                         "SSDA903, CIN census and Annex A files")
    return kind, resolved


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
    source_type, source_folder = _source_type(source, base)
    source_url = _resolve_sqlite_url(source.get("url", "sqlite:///demo/demo.sqlite"), base)
    if source_type == "returns":
        # Not a database: a URL nothing will try to open (and that no SQLite check mistakes for
        # the demo database). The refresh reads source_folder instead.
        source_url = f"returns:{source_folder}"
    return PortalConfig(
        path=path,
        authority_name=authority.get("name", "Local authority"),
        la_code=str(authority.get("la_code", "")),
        source_url=source_url,
        source_schema=source.get("schema") or None,
        demo_database=(base / demo.get("database", "demo/demo.sqlite")).resolve(),
        demo_size=demo.get("size", "medium"),
        demo_as_at=str(demo.get("as_at", "2026-10-31")),
        cache_folder=(base / cache.get("folder", "cache")).resolve(),
        cache_keep=int(cache.get("keep", 2)),
        source_as_at=str(source.get("data_as_at") or "") or None,
        source_type=source_type,
        source_folder=source_folder,
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
