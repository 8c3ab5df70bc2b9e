"""The running app's view of the cache: loaded once per server process, shared by every session,
reloaded when a newer extract is published.

Every page gets its tables through :func:`scoped_tables`, so the viewer's access scope is applied
before any measure or page sees a row.
"""

from __future__ import annotations

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


@st.cache_resource(show_spinner="Loading the latest extract…", max_entries=1)
def _load(folder: str) -> cache_mod.LoadedCache:
    # max_entries=1: publishing a newer extract evicts the old one from memory.
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
