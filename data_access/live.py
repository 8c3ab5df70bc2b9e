"""The running app's view of the cache: loaded once per server process, shared by every session,
reloaded when a newer extract is published.

Every page gets its tables through :func:`scoped_tables`, so the viewer's access scope is applied
before any measure or page sees a row.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import streamlit as st

from data_access import cache as cache_mod
from data_access.config import PortalConfig, config_path, load_config
from data_access.scope import Scope, apply_scope


@st.cache_resource(show_spinner=False, max_entries=4)
def _config(path: str) -> PortalConfig:
    return load_config(path)


def get_config() -> PortalConfig:
    return _config(str(config_path()))


# Reading a large authority's extract takes seconds. A freshly started server begins reading it
# in the background when it first shows the sign-in form (preload), so the user's typing overlaps
# it; the first signed-in page then takes the finished (or finishing) read instead of starting one.
_PRELOAD: dict[str, Future] = {}
_LOADED: set[str] = set()
_PRELOAD_LOCK = threading.Lock()
_READER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract-preload")


def preload(config: PortalConfig | None = None) -> None:
    """Start reading the live extract in the background, unless it is loaded or being read."""
    folder = cache_mod.current_dir((config or get_config()).cache_folder)
    if folder is None:
        return
    key = str(folder)
    with _PRELOAD_LOCK:
        if key in _LOADED or key in _PRELOAD:
            return
        _PRELOAD.clear()  # an older extract's read is no longer wanted
        _PRELOAD[key] = _READER.submit(cache_mod.load_extract, Path(key))


@st.cache_resource(show_spinner="Loading the latest extract…", max_entries=1)
def _load(folder: str) -> cache_mod.LoadedCache:
    # max_entries=1: publishing a newer extract evicts the old one from memory.
    with _PRELOAD_LOCK:
        pending = _PRELOAD.pop(folder, None)
        _LOADED.clear()
        _LOADED.add(folder)
    if pending is not None:
        try:
            return pending.result()
        except Exception:  # noqa: BLE001  (read it again here, where an error is shown to the user)
            pass
    return cache_mod.load_extract(Path(folder))


def current_cache() -> cache_mod.LoadedCache | None:
    """The live extract. Reads the small CURRENT pointer on every run, so a refresh is noticed
    at the next interaction without restarting the server."""
    folder = cache_mod.current_dir(get_config().cache_folder)
    if folder is None:
        return None
    return _load(str(folder))


@st.cache_resource(show_spinner=False, max_entries=64)
def _scoped(cache_key: str, scope_key: str, _cache: cache_mod.LoadedCache, _scope: Scope) -> dict[str, pd.DataFrame]:
    # Keyed by extract and scope: one viewer's rows never serve another scope.
    return apply_scope(_cache.tables, _scope)


def scoped_tables(cache: cache_mod.LoadedCache, scope: Scope) -> dict[str, pd.DataFrame]:
    if scope.all_access:
        return dict(cache.tables)
    return _scoped(cache.key, scope.key, cache, scope)
