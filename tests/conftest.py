"""Shared fixtures: a small demo authority extracted into a Parquet cache, once per test session,
with a config file pointing at it (PORTAL_CONFIG), the four demo accounts tied to its workers, a
private audit database, and helpers that sign in through the real form (AppTest and browser)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

DEMO_AS_AT = "2026-10-31"
ROOT = Path(__file__).resolve().parent.parent
# A fixed, random-looking signing key for AppTest runs (never a real deployment's key).
TEST_COOKIE_KEY = "t3st-Kq8ZrW1xVn5Lb0Jc7Hs2Md9Pf4Gy6Tu-QeAoXiN"


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

    from auth.demo_users import write_demo_users
    from data_access.cache import load_current

    folder = tmp_path_factory.mktemp("demo-portal")
    db = folder / "demo.sqlite"
    build_demo(db, size="small", as_at=DEMO_AS_AT)
    auth = (f'\n[auth]\nbackend = "password"\ncredentials = "{folder / "users.yaml"}"\n'
            f'database = "sqlite:///{folder / "audit.sqlite"}"\n')
    config = write_config(folder, source_url=f"sqlite:///{db}", cache_folder=folder / "cache", extra=auth)
    cfg = load_config(config)
    refresh(cfg)
    cache = load_current(cfg.cache_folder, ["ssd_involvements", "ssd_professionals", "ssd_department"])
    write_demo_users(folder / "users.yaml", cache.tables, cache.as_at, rounds=4)
    ensure_secrets()
    return config


def ensure_secrets() -> None:
    """The real server (browser tests) reads .streamlit/secrets.toml: give it a signing key when
    it has none, as the README's commands do (the file is git-ignored)."""
    import subprocess
    import sys

    subprocess.run([sys.executable, "-m", "auth", "init-secrets"], cwd=ROOT, check=True,
                   capture_output=True)


def demo_users(config: Path):
    """{username: DemoUser} of the demo accounts written for ``config``'s extract."""
    import yaml

    from auth.demo_users import DEMO_PASSWORDS
    from auth.settings import load_settings

    data = yaml.safe_load(load_settings(config).credentials.read_text(encoding="utf-8"))
    return {name: {**entry, "password_plain": DEMO_PASSWORDS[name]}
            for name, entry in data["credentials"]["usernames"].items()}


def apptest_sign_in(at, username: str, password: str | None = None):
    """Sign ``at`` in through the real form (the page must be showing it) and rerun."""
    from auth.demo_users import DEMO_PASSWORDS

    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password or DEMO_PASSWORDS[username])
    at.button(key="auth_submit").click()
    at.run()
    assert not at.exception, at.exception
    return at


def browser_sign_in(page, username: str, password: str | None = None) -> None:
    """Fill the sign-in form the page is showing and wait for the page to run."""
    from auth.demo_users import DEMO_PASSWORDS
    from tests.browser import wait_idle

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password or DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)


@pytest.fixture()
def portal_env(demo_portal, monkeypatch) -> Path:
    monkeypatch.setenv("PORTAL_CONFIG", str(demo_portal))
    return demo_portal
