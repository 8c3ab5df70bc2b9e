"""The Parquet cache of extracts: its layout on disk, atomic publication and loading.

Layout of the cache folder::

    cache/
      CURRENT                      name of the live extract folder (replaced atomically)
      extract-20261123T053000Z-1a2b/
        manifest.json              extract time, source, schema version, row counts, columns
        ssd_person.parquet         one file per table
        ...
      .staging-.../                a refresh in progress (never read by the app)

A refresh writes everything into a staging folder, and only when every table is valid renames it
to ``extract-...`` and replaces ``CURRENT``. Readers only ever follow ``CURRENT``, so they see the
old extract or the new one, never a mixture. The previous good extracts are kept (``keep``).
"""

from __future__ import annotations

import json
import os
import shutil
import threading
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

POINTER = "CURRENT"
MANIFEST = "manifest.json"
STALE_STAGING_SECONDS = 24 * 3600  # prune() removes staging folders older than this


class NoCacheError(RuntimeError):
    """There is no published extract yet."""


def current_dir(root: Path) -> Path | None:
    """The live extract folder, or None when nothing has been published."""
    pointer = Path(root) / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    folder = Path(root) / name
    return folder if (folder / MANIFEST).exists() else None


def read_manifest(folder: Path) -> dict:
    with open(Path(folder) / MANIFEST, encoding="utf-8") as fh:
        return json.load(fh)


def new_staging_dir(root: Path) -> Path:
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    folder = root / f".staging-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    return folder


def write_table(folder: Path, name: str, frame: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, Path(folder) / f"{name}.parquet", compression="zstd")


def write_manifest(folder: Path, manifest: dict) -> None:
    tmp = Path(folder) / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, Path(folder) / MANIFEST)


def publish(staging: Path, root: Path, keep: int = 2) -> Path:
    """Make a complete staging folder the live extract, atomically, and prune old extracts."""
    staging, root = Path(staging), Path(root)
    if not (staging / MANIFEST).exists():
        raise RuntimeError("refusing to publish an extract without a manifest")
    final = root / ("extract-" + staging.name.removeprefix(".staging-"))
    os.replace(staging, final)
    tmp = root / (POINTER + f".tmp-{uuid.uuid4().hex[:6]}")
    tmp.write_text(final.name + "\n", encoding="utf-8")
    os.replace(tmp, root / POINTER)  # the atomic switch
    prune(root, keep=keep)
    return final


def prune(root: Path, keep: int = 2) -> None:
    """Remove all but the newest ``keep`` extracts (never the live one) and stale staging folders."""
    root = Path(root)
    live = current_dir(root)
    extracts = sorted((p for p in root.glob("extract-*") if p.is_dir()), key=_extract_order)
    for old in extracts[: max(0, len(extracts) - max(keep, 1))]:
        if live is None or old.resolve() != live.resolve():
            shutil.rmtree(old, ignore_errors=True)
    # Staging folders left by a refresh that died (a running refresh's folder is recent).
    cutoff = time.time() - STALE_STAGING_SECONDS
    for stale in root.glob(".staging-*"):
        try:
            if stale.is_dir() and stale.stat().st_mtime < cutoff:
                shutil.rmtree(stale, ignore_errors=True)
        except FileNotFoundError:
            pass


def _extract_order(folder: Path) -> tuple:
    """Oldest first: by the timestamp in the name (second resolution), then by when the
    manifest was written (two extracts in the same second differ only by a random suffix)."""
    stamp = folder.name.removeprefix("extract-").split("-")[0]
    try:
        written = (folder / MANIFEST).stat().st_mtime_ns
    except OSError:
        written = 0
    return (stamp, written, folder.name)


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)


@dataclass(frozen=True)
class LoadedCache:
    """One published extract in memory. Shared by every session: treat the frames as read-only."""

    folder: Path
    manifest: dict
    tables: dict[str, pd.DataFrame]

    @property
    def key(self) -> str:
        return self.folder.name

    @property
    def extract_time(self) -> datetime:
        return datetime.fromisoformat(self.manifest["extract_time"])

    @property
    def as_at(self) -> pd.Timestamp:
        """The data's reference date (the last day the source covers)."""
        return pd.Timestamp(self.manifest.get("data_as_at") or self.manifest["extract_time"][:10])

    def has(self, table: str) -> bool:
        return table in self.tables


# ---- read-only frames ---------------------------------------------------------------------------
# Frames loaded from an extract (and the access-scoped frames cut from them) are shared by every
# session and never modified. They are registered here, by identity, so that the measures may keep
# what they derive from one of them (normalised columns, sorted indexes) for as long as the frame
# lives (metrics.memo). A frame built anywhere else (a test's hand-made table) is never registered:
# the measures then derive everything afresh, so changing such a frame in place is always safe.

_READ_ONLY: dict[int, weakref.ref] = {}
_READ_ONLY_LOCK = threading.Lock()


def _forget(key: int, ref: weakref.ref) -> None:
    with _READ_ONLY_LOCK:
        if _READ_ONLY.get(key) is ref:
            del _READ_ONLY[key]


def mark_read_only(frames) -> None:
    """Register ``frames`` (DataFrames) as read-only shared data (see above)."""
    with _READ_ONLY_LOCK:
        for frame in frames:
            if isinstance(frame, pd.DataFrame) and not is_read_only(frame):
                key = id(frame)
                _READ_ONLY[key] = weakref.ref(frame, lambda ref, key=key: _forget(key, ref))


def is_read_only(frame) -> bool:
    ref = _READ_ONLY.get(id(frame))
    return ref is not None and ref() is frame


def load_extract(folder: Path, tables: list[str] | None = None) -> LoadedCache:
    folder = Path(folder)
    manifest = read_manifest(folder)
    names = tables if tables is not None else list(manifest["tables"].keys())
    frames = {}
    for name in names:
        path = folder / f"{name}.parquet"
        if path.exists():
            frames[name] = pq.read_table(path).to_pandas()
    mark_read_only(frames.values())
    return LoadedCache(folder=folder, manifest=manifest, tables=frames)


def load_current(root: Path, tables: list[str] | None = None) -> LoadedCache:
    folder = current_dir(root)
    if folder is None:
        raise NoCacheError(
            f"No data has been extracted yet into {root}. Run `python -m data_access refresh`."
        )
    return load_extract(folder, tables)
