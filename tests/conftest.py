"""Shared fixtures: a small demo authority extracted into a Parquet cache, once per test session,
with a config file pointing at it (PORTAL_CONFIG)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

DEMO_AS_AT = "2026-10-31"


def write_config(folder: Path, *, source_url: str, cache_folder: Path, extra: str = "") -> Path:
    path = folder / "config.toml"
    path.write_text(textwrap.dedent(f"""
        [authority]
        name = "Test Borough"
        la_code = "E06000015"
        [source]
        url = "{source_url}"
        [demo]
        database = "{folder / 'demo.sqlite'}"
        size = "small"
        as_at = "{DEMO_AS_AT}"
        [cache]
        folder = "{cache_folder}"
        keep = 2
        [measures]
        assessment_timescale_working_days = 45
        assessment_start_point = "assessment_start"
        rag_tolerance = 0.05
        [targets]
        assessment_timeliness = 0.85
    """) + extra, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def demo_portal(tmp_path_factory) -> Path:
    """Config path of a small demo authority, generated and refreshed into a cache."""
    from data_access.config import load_config
    from data_access.demo import build_demo
    from data_access.refresh import refresh

    folder = tmp_path_factory.mktemp("demo-portal")
    db = folder / "demo.sqlite"
    build_demo(db, size="small", as_at=DEMO_AS_AT)
    config = write_config(folder, source_url=f"sqlite:///{db}", cache_folder=folder / "cache")
    refresh(load_config(config))
    return config


@pytest.fixture()
def portal_env(demo_portal, monkeypatch) -> Path:
    monkeypatch.setenv("PORTAL_CONFIG", str(demo_portal))
    return demo_portal
