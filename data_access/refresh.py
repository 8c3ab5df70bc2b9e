"""Extract the source database into a new validated Parquet cache extract.

:func:`refresh` reads every schema table, types and validates it, and only when nothing is wrong
writes the tables into a staging folder and publishes it atomically (:mod:`data_access.cache`).
On any problem the staging folder is discarded and :class:`RefreshError` is raised: the live
extract (``CURRENT``) and its files are never touched.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

import pandas as pd
import sqlalchemy as sa

from data_access import cache
from data_access.config import PortalConfig, redact_url
from data_access.schema import SCHEMA_VERSION, TABLES
from data_access.validate import (
    CONNECTION, READ_FAILED, WRITE_FAILED, Problem, check_tables, errors,
)

CHUNK_ROWS = 250_000

# The tables and dates that say how far the source reaches (for the data's "as at" date).
MAIN_EVENT_DATES: dict[str, tuple[str, ...]] = {
    "ssd_contacts": ("cont_contact_date",),
    "ssd_cin_episodes": ("cine_referral_date", "cine_close_date"),
    "ssd_cin_assessments": ("cina_assessment_start_date", "cina_assessment_auth_date"),
    "ssd_s47_enquiry": ("s47e_s47_start_date", "s47e_s47_end_date"),
    "ssd_initial_cp_conference": ("icpc_icpc_date",),
    "ssd_cp_plans": ("cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
    "ssd_cla_episodes": ("clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
    "ssd_cin_visits": ("cinv_cin_visit_date",),
    "ssd_cp_visits": ("cppv_cp_visit_date",),
    "ssd_cla_visits": ("clav_cla_visit_date",),
}


class RefreshError(RuntimeError):
    """The refresh was aborted; ``problems`` says why. The live extract is untouched."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        first = self.problems[0].message if self.problems else "unknown error"
        super().__init__(f"refresh aborted: {n} problem{'' if n == 1 else 's'}; first: {first}")


@dataclass(frozen=True)
class RefreshResult:
    folder: Path
    manifest: dict
    seconds: float
    notes: list[Problem] = field(default_factory=list)  # information, e.g. absent ext_* tables

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def total_rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"].values())


def _say(progress: Callable[[str], None] | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _scrub(text: str, url: str) -> str:
    """An error message with any password of the URL removed."""
    try:
        password = sa.engine.make_url(url).password
    except Exception:
        password = None
    if password:
        text = text.replace(str(password), "***")
    return text


def _connection_problem(url: str, exc: BaseException | str) -> Problem:
    detail = exc if isinstance(exc, str) else (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    detail = _scrub(str(detail), url)[:300]
    return Problem("(source)", None, CONNECTION,
                   f"cannot connect to the source database {redact_url(url)}: {detail}")


def _sqlite_file(url: str) -> Path | None:
    """The database file of a file-based SQLite URL (None for other URLs / in-memory)."""
    try:
        u = sa.engine.make_url(url)
    except Exception:
        return None
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    if u.database.startswith("file:"):
        return None
    return Path(u.database)


def _engine(url: str) -> sa.Engine:
    db = _sqlite_file(url)
    if db is not None and not db.is_file():
        # SQLite would silently create an empty database: refuse instead.
        raise FileNotFoundError(f"no database file at {db}")
    return sa.create_engine(url)


def _read_table(conn, actual: str, schema: str | None, cols: list[str]) -> pd.DataFrame:
    # A lightweight table clause: quoted correctly for the dialect, no result type processing
    # (dates come as the driver gives them and are parsed once, by validate).
    stmt = sa.select(*[sa.column(c) for c in cols]).select_from(sa.table(actual, schema=schema))
    chunks = list(pd.read_sql_query(stmt, conn, chunksize=CHUNK_ROWS, coerce_float=False))
    if not chunks:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def read_source(cfg: PortalConfig, progress: Callable[[str], None] | None = None
                ) -> dict[str, pd.DataFrame]:
    """Every schema table the source has (schema column names; extra columns not read).
    Raises RefreshError on connection failure."""
    url, schema = cfg.source_url, cfg.source_schema
    try:
        engine = _engine(url)
        conn = engine.connect()
    except Exception as exc:
        raise RefreshError([_connection_problem(url, exc)]) from exc
    frames: dict[str, pd.DataFrame] = {}
    try:
        with conn:
            try:
                insp = sa.inspect(conn)
                names = list(insp.get_table_names(schema=schema))
                try:
                    names += list(insp.get_view_names(schema=schema))
                except NotImplementedError:
                    pass
            except Exception as exc:
                raise RefreshError([_connection_problem(url, exc)]) from exc
            by_lower = {n.lower(): n for n in names}
            for name, spec in TABLES.items():
                actual = by_lower.get(name.lower())
                if actual is None:
                    _say(progress, f"{name}: not in the source" + (" (optional)" if spec.optional else ""))
                    continue
                try:
                    src_cols = {c["name"].lower(): c["name"]
                                for c in insp.get_columns(actual, schema=schema)}
                    wanted = [(c, src_cols[c.lower()]) for c in spec.columns if c.lower() in src_cols]
                    if wanted:
                        frame = _read_table(conn, actual, schema, [a for _, a in wanted])
                        frame.columns = [c for c, _ in wanted]
                    else:
                        frame = pd.DataFrame()
                except Exception as exc:
                    detail = _scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else
                                    type(exc).__name__, url)[:300]
                    raise RefreshError([Problem(name, None, READ_FAILED,
                                                f"reading {name} failed: {detail}")]) from exc
                frames[name] = frame
                _say(progress, f"Reading {name}… {len(frame):,} row{'' if len(frame) == 1 else 's'}")
    finally:
        engine.dispose()
    return frames


def data_as_at(tables: dict[str, pd.DataFrame], today: date | None = None) -> date:
    """The latest date found in the main event tables, or today, whichever is earlier."""
    today = today or datetime.now(timezone.utc).date()
    latest = None
    for name, cols in MAIN_EVENT_DATES.items():
        frame = tables.get(name)
        if frame is None:
            continue
        for col in cols:
            if col in frame.columns:
                m = frame[col].max()
                if pd.notna(m) and (latest is None or m > latest):
                    latest = m
    if latest is None:
        return today
    return min(pd.Timestamp(latest).date(), today)


def _as_at_for(cfg: PortalConfig, tables: dict[str, pd.DataFrame]) -> date:
    """The data's "as at" date: set in the config, else the demo's own date when the source is
    the demo database (its last day may be a weekend with no events), else inferred."""
    if cfg.source_as_at:
        return pd.Timestamp(cfg.source_as_at).date()
    db = _sqlite_file(cfg.source_url)
    if db is not None and db.resolve() == Path(cfg.demo_database).resolve():
        return pd.Timestamp(cfg.demo_as_at).date()
    return data_as_at(tables)


def refresh(cfg: PortalConfig, progress: Callable[[str], None] | None = None) -> RefreshResult:
    """Extract, validate and publish a new cache extract. Raises RefreshError on any problem,
    leaving the live extract untouched."""
    started = time.monotonic()
    root = Path(cfg.cache_folder)
    returns = None
    if cfg.source_type == "returns":
        # Statutory return files instead of a database (importers.source): a malformed file
        # raises RefreshError here, before anything is written.
        from importers.source import read_returns

        returns = read_returns(cfg.source_folder, progress)
        raw = returns.tables
    else:
        raw = read_source(cfg, progress)

    _say(progress, "Validating…")
    typed, problems = check_tables(raw)
    del raw
    if returns is not None:
        # Required tables the returns cannot hold are left out of the cache (their measures say
        # "not available from this source"): information, not errors.
        problems = returns.reclassify(problems)
    bad = errors(problems)
    if bad:
        raise RefreshError(bad)
    notes = [p for p in problems if not p.is_error]

    _say(progress, "Writing cache…")
    staging: Path | None = None
    published = False
    try:
        staging = cache.new_staging_dir(root)
        tables_meta = {}
        for name, frame in typed.items():
            cache.write_table(staging, name, frame)
            tables_meta[name] = {"rows": int(len(frame)), "columns": list(frame.columns)}
        manifest = {
            "extract_time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "data_as_at": _as_at_for(cfg, typed).isoformat(),
            "source": redact_url(cfg.source_url),
            "source_schema": cfg.source_schema,
            "schema_version": SCHEMA_VERSION,
            "tables": tables_meta,
            "absent_optional_tables": [p.table for p in notes],
        }
        if returns is not None:
            manifest["data_as_at"] = returns.as_at(cfg, typed).isoformat()
            manifest.update(returns.manifest_entries())
            returns.write_report(staging)
        cache.write_manifest(staging, manifest)
        final = cache.publish(staging, root, keep=cfg.cache_keep)
        published = True
    except Exception as exc:
        detail = _scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                        cfg.source_url)[:300]
        raise RefreshError([Problem("(cache)", None, WRITE_FAILED,
                                    f"writing the cache into {root} failed: {detail}")]) from exc
    finally:
        if not published and staging is not None:
            cache.discard(staging)

    seconds = time.monotonic() - started
    total = sum(t["rows"] for t in tables_meta.values())
    _say(progress, f"Published {final.name} ({len(tables_meta)} tables, {total:,} rows) in {seconds:.1f} s")
    return RefreshResult(folder=final, manifest=manifest, seconds=seconds, notes=notes)
