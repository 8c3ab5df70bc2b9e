"""In a real browser (Playwright + Debian chromium): a team manager opens Management →
Assessments on a running portal, sees the team chart rendered, chooses a team from the URL, and
downloads the child list as an Excel workbook that opens."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from data_access.config import load_config
from tests.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server, wait_idle
from tests.conftest import browser_sign_in
from tests.independent import assessments_in_month

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def test_team_manager_sees_assessments_report_and_downloads_children(demo_portal, browser, tmp_path):
    cfg = load_config(demo_portal)
    expected = assessments_in_month(cfg.cache_folder, 2026, 10)
    team_id = expected["cina_assessment_team"].value_counts().index[0]
    team_rows = expected[expected["cina_assessment_team"] == team_id]
    team_name = team_rows["team_name"].iloc[0]
    with streamlit_server(demo_portal) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page.goto(f"{url}/management_assessments", wait_until="domcontentloaded")
        wait_idle(page)
        # a deep link on a fresh server shows the sign-in form and nothing else
        page.get_by_label("Username").wait_for()
        assert page.get_by_text("Teams compared").count() == 0
        assert page.get_by_text("Data as at").count() == 0
        browser_sign_in(page, "analyst")
        page.get_by_text("Teams compared").wait_for()
        assert page.get_by_text("Data as at").first.is_visible()
        # the plotly team chart really rendered bars in the browser (AppTest cannot see this)
        page.wait_for_selector(".js-plotly-plot .bars path", timeout=20_000)
        # the tier navigation shows all four tiers
        nav = page.locator(".st-key-portal_nav").inner_text()
        for tier in ("Client", "Worker", "Management", "Strategic"):
            assert tier in nav
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "assessments-all-teams.png"), full_page=True)

        # a shared link naming a team opens straight on that team's workers
        page.goto(f"{url}/management_assessments?team={team_name.replace(' ', '+')}", wait_until="domcontentloaded")
        wait_idle(page)
        page.get_by_text("How each worker contributed", exact=True).wait_for()
        assert page.get_by_text("Choose a team above").count() == 0
        page.get_by_text(f"{len(team_rows):,} assessments").wait_for()
        page.screenshot(path=str(ARTIFACTS / "assessments-one-team.png"), full_page=True)

        # download the children behind the figure as Excel and open it
        buttons = page.get_by_role("button", name="Download Excel")
        with page.expect_download() as info:
            buttons.last.click()
        target = tmp_path / info.value.suggested_filename
        info.value.save_as(target)
        wb = openpyxl.load_workbook(target)
        sheet = wb["Children"]
        header = [c.value for c in sheet[1]]
        assert header[:2] == ["Child ID", "Child"]
        ids = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert ids == set(team_rows["cina_person_id"])
        assert "About" in wb.sheetnames
        # the download was written to the audit log when it was handed out: who, which file, which children
        from auth.audit import AuditLog
        from auth.settings import load_settings

        log = AuditLog(load_settings(demo_portal).database).query(action="download", username="analyst")
        assert len(log) >= 1
        latest = log.iloc[0]
        assert target.name in latest["filters"]
        assert set(latest["child_ids"].split(",")) == ids
