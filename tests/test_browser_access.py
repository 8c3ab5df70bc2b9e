"""Sign-in and row-level access in a real browser (Playwright + Debian chromium) on a running
portal over the small demo authority: every page URL opened first on a fresh server shows the
sign-in form and no data; good and bad passwords; lockout and its expiry (short in this test's
config); each demo role sees its own scope and navigation; a practitioner's tampered URLs show
nothing of another team; sign-out really ends the session; the audit page lists views and
downloads."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from auth.audit import AuditLog
from auth.settings import load_settings
from data_access.config import load_config
from tests.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server, wait_idle
from tests.conftest import browser_sign_in
from tests.independent import assessments_in_month

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")

# Every page's URL is its file name: the same URL whether Streamlit serves the pages/ file itself
# (a fresh server, before any session has built the navigation) or through app.py's navigation.
FILE_URLS = [p.stem for p in sorted((ROOT / "pages").glob("*.py"))]
NAV_URLS = ["", "strategic_measure?m=cp_plans", "management_assessments?team=Anything"]
DATA_SELECTORS = "[data-testid='stDataFrame'], [data-testid='stMetric'], .js-plotly-plot"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def short_lockout_config(demo_portal: Path, folder: Path) -> Path:
    """The demo portal's config with its own audit database and a 2-failure, 15-second lockout (long enough for a loaded machine to try again while locked)."""
    text = demo_portal.read_text(encoding="utf-8")
    text = re.sub(r'database = "sqlite:///[^"]*audit\.sqlite"', f'database = "sqlite:///{folder / "audit.sqlite"}"', text)
    text += "max_failures = 2\nfailure_window_seconds = 60\nlockout_seconds = 15\n"
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def open_fresh(browser, url: str):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    return context, page


def assert_sign_in_only(page, where: str) -> None:
    page.get_by_label("Username").wait_for(timeout=20_000)
    body = page.inner_text("body")
    assert "Data as at" not in body, where
    assert page.locator(DATA_SELECTORS).count() == 0, where
    # no navigation at all before sign-in: Streamlit does not list the pages/ files
    # (client.showSidebarNavigation = false) and app.py lists nothing
    assert page.locator(".st-key-portal_nav").count() == 0, where


def test_every_page_url_first_on_a_fresh_server_shows_only_sign_in(demo_portal, browser):
    # The legacy file URLs first, as the very first requests to a fresh server...
    with streamlit_server(demo_portal) as url:
        for path in FILE_URLS + NAV_URLS:
            context, page = open_fresh(browser, f"{url}/{path}")
            assert_sign_in_only(page, path)
            context.close()


def test_good_and_bad_passwords_lockout_and_its_expiry(demo_portal, browser, tmp_path):
    config = short_lockout_config(demo_portal, tmp_path)
    with streamlit_server(config) as url:
        context, page = open_fresh(browser, f"{url}/management_assessments")
        browser_sign_in(page, "manager", "not-the-password")
        page.get_by_text("The username or password is not right.").wait_for()
        assert "Data as at" not in page.inner_text("body")
        browser_sign_in(page, "manager", "still-wrong")
        page.get_by_text("locked").first.wait_for()
        locked_at = time.monotonic()
        # the right password is refused while the username is locked, even in a new browser
        context.close()
        context, page = open_fresh(browser, f"{url}/management_assessments")
        browser_sign_in(page, "manager")
        page.get_by_text("Too many failed sign-in attempts").wait_for()
        assert "Data as at" not in page.inner_text("body")
        # ... and accepted once the lockout has expired
        time.sleep(max(0.0, 15.5 - (time.monotonic() - locked_at)))
        browser_sign_in(page, "manager")
        page.get_by_text("Teams compared").wait_for(timeout=60_000)
        context.close()
    log = AuditLog(load_settings(config).database).query(username="manager")
    actions = list(log["action"])
    assert actions.count("sign_in_failed") == 2 and "locked_out" in actions and actions[0] in ("sign_in", "list_children")


@pytest.mark.parametrize("user, sections, scope_text", [
    ("practitioner", {"Client", "Worker"}, "children listed are those allocated to you"),
    ("manager", {"Client", "Worker", "Management"}, "you can see your team"),
    ("head", {"Client", "Worker", "Management", "Strategic"}, "you can see your service"),
    ("analyst", {"Client", "Worker", "Management", "Strategic", "Administration"}, "you can see the whole authority"),
])
def test_each_role_sees_its_own_navigation_and_scope(demo_portal, browser, user, sections, scope_text):
    with streamlit_server(demo_portal) as url:
        context, page = open_fresh(browser, url)
        browser_sign_in(page, user)
        page.get_by_text(scope_text).wait_for()
        nav = page.locator(".st-key-portal_nav").inner_text()
        for name in ("Client", "Worker", "Management", "Strategic", "Administration"):
            assert (name in nav) == (name in sections), (user, name, nav)
        context.close()


def test_practitioner_tampering_with_urls_sees_nothing_of_another_team(demo_portal, browser):
    cfg = load_config(demo_portal)
    october = assessments_in_month(cfg.cache_folder, 2026, 10)
    team = october["team_name"].value_counts().index[0]
    their_children = set(october.loc[october["team_name"] == team, "cina_person_id"])
    with streamlit_server(demo_portal) as url:
        context, page = open_fresh(browser, url)
        browser_sign_in(page, "practitioner")
        for path in (f"management_assessments?team={team.replace(' ', '+')}",
                     "strategic_measure?m=assessment_timeliness", "strategic_dstw", "audit"):
            page.goto(f"{url}/{path}", wait_until="domcontentloaded")
            wait_idle(page)
            page.wait_for_timeout(500)
            body = page.inner_text("body")
            assert "Teams compared" not in body and "Children behind" not in body, path
            assert not any(cid in body for cid in their_children), path
            assert page.locator("[data-testid='stDataFrame']").count() == 0, path
        context.close()


def test_sign_out_ends_the_session_and_the_audit_page_lists_views_and_downloads(demo_portal, browser, tmp_path):
    with streamlit_server(demo_portal) as url:
        context, page = open_fresh(browser, f"{url}/management_assessments")
        browser_sign_in(page, "analyst")
        page.get_by_text("Teams compared").wait_for(timeout=60_000)
        with page.expect_download() as info:
            page.get_by_role("button", name="Download CSV").last.click()
        info.value.save_as(tmp_path / "children.csv")
        # sign out: the form comes back, and reloading the page (same browser, cookies kept) does not sign in again
        page.get_by_role("button", name="Sign out").click()
        page.get_by_label("Username").wait_for()
        page.goto(f"{url}/management_assessments", wait_until="domcontentloaded")
        wait_idle(page)
        assert_sign_in_only(page, "after sign-out")
        # the audit page lists the list shown and the download, with the file name
        browser_sign_in(page, "analyst")
        page.goto(f"{url}/audit", wait_until="domcontentloaded")
        wait_idle(page)
        page.get_by_text("Failed sign-ins").wait_for()
        page.locator("[data-testid='stDataFrame']").first.wait_for()
        context.close()
    log = AuditLog(load_settings(demo_portal).database).query(username="analyst")
    actions = set(log["action"])
    assert {"sign_in", "sign_out", "list_children", "download", "view_audit"} <= actions
    download = log[log["action"] == "download"].iloc[0]
    assert ".csv" in download["filters"] and download["child_ids"]
