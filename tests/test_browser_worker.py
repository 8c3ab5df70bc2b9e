"""In a real browser (Playwright + Debian chromium) on a running portal over the small demo
authority: a practitioner signs in, opens Caseload from the menu, sees their own children (the
count, and the caseload workbook lists exactly them), chooses the most urgent child and lands on
their Client Summary, then opens Weekly planning and exports the
plan to Excel; the file opens with openpyxl and holds their tasks, overdue or due in four weeks,
as the task engine works them out on their record scope."""

from __future__ import annotations

import os
import re

import openpyxl
import pytest

from auth.identity import Role, derive_scope
from data_access.cache import load_current
from data_access.config import load_config
from data_access.scope import apply_scope
from metrics.settings import MetricSettings
from metrics.tasks import caseload_table, plan, worklist
from tests.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server, wait_idle
from tests.conftest import browser_sign_in, demo_users
from ui import timings

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


def expected_for_practitioner(demo_portal):
    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    user = demo_users(demo_portal)["practitioner"]
    scope, _ = derive_scope(Role.PRACTITIONER, user["worker_id"], cache.tables, cache.as_at)
    wl = worklist(apply_scope(cache.tables, scope), cache.as_at, MetricSettings.from_config(cfg.measures, cfg.targets))
    mine = wl.children[wl.children["worker_id"] == user["worker_id"]]
    tasks = wl.tasks[wl.tasks["worker_id"] == user["worker_id"]]
    return mine, plan(tasks, cache.as_at, 4), wl.tasks


def download(page, tmp_path, button_index: int = 0):
    buttons = page.get_by_role("button", name="Download Excel")
    with page.expect_download() as info:
        buttons.nth(button_index).click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return openpyxl.load_workbook(target), target


def test_practitioner_opens_caseload_and_exports_the_weekly_plan(demo_portal, browser, tmp_path):
    children, expected_plan, tasks = expected_for_practitioner(demo_portal)
    assert len(children) and len(expected_plan)
    timings_file = tmp_path / "timings.tsv"
    with streamlit_server(demo_portal, env_extra={timings.ENV: str(timings_file)}) as url:
        context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        wait_idle(page)
        browser_sign_in(page, "practitioner")
        nav = page.locator(".st-key-portal_nav")
        nav.get_by_text("Caseload", exact=True).click()
        wait_idle(page)
        page.get_by_text("Your caseload: the children allocated to you.").wait_for(timeout=30_000)
        assert "/worker_caseload" in page.url
        # app.py timed both signed-in page runs (PORTAL_TIMINGS): page and role only
        runs = [(r["page"], r["role"]) for r in timings.read(timings_file)]
        assert ("home", "practitioner") in runs and ("worker_caseload", "practitioner") in runs
        assert {r["role"] for r in timings.read(timings_file)} <= {role.value for role in Role}
        page.get_by_text(f"{len(children):,} children, most urgent first").wait_for()
        # the grid really rendered in the browser
        page.locator("[data-testid='stDataFrame']").first.wait_for()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "worker-caseload.png"), full_page=True)
        # the caseload workbook lists exactly the practitioner's children
        wb, _ = download(page, tmp_path)
        ws = wb["Caseload"]
        header = [c.value for c in ws[1]]
        assert header[:3] == ["Child ID", "Child", "Status"]
        assert {r[0] for r in ws.iter_rows(min_row=2, values_only=True)} == set(children["person_id"])

        # choosing the first (most urgent) child opens their Client Summary
        first = caseload_table(children, tasks)["person_id"].iloc[0]
        grid = page.locator("[data-testid='stDataFrame']").first
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the row's selection box (header ~35px)
        page.wait_for_url(re.compile(rf"/client_summary\?child={first}$"), timeout=30_000)
        wait_idle(page)
        page.get_by_text(first).first.wait_for()
        page.screenshot(path=str(ARTIFACTS / "worker-caseload-to-summary.png"), full_page=True)

        # Weekly planning: export the plan and open it
        nav.get_by_text("Weekly planning", exact=True).click()
        wait_idle(page)
        page.get_by_text("Your tasks").first.wait_for(timeout=30_000)
        assert "/worker_planning" in page.url
        page.screenshot(path=str(ARTIFACTS / "worker-weekly-plan.png"), full_page=True)
        wb, target = download(page, tmp_path)
        assert target.name.startswith("weekly-plan-") and target.suffix == ".xlsx"
        worker = expected_plan["worker"].iloc[0]
        assert wb.sheetnames == [worker[:31], "About"]
        ws = wb[worker[:31]]
        header = [c.value for c in ws[1]]
        assert header[:3] == ["Week", "Due", "Status"]
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(expected_plan)
        col = header.index("Child ID")
        assert [r[col] for r in rows] == list(expected_plan["person_id"])
        assert [r[header.index("Task")] for r in rows] == list(expected_plan["task"])
        due = [r[1].date() if r[1] is not None else None for r in rows]
        assert due == [d.date() if d == d else None for d in expected_plan["next_due"]]
        assert "OFFICIAL-SENSITIVE" in " ".join(str(c.value) for c in wb["About"]["A"])

        # the print-friendly layout: plain tables, no chart
        page.get_by_text("Print-friendly layout").click()
        wait_idle(page)
        page.locator("[data-testid='stTable']").first.wait_for()
        assert page.locator(".js-plotly-plot").count() == 0
        assert "print=true" in page.url
        page.screenshot(path=str(ARTIFACTS / "worker-weekly-plan-print.png"), full_page=True)
        # printed, the page keeps the tables and drops the menu, the toggle and the export
        page.emulate_media(media="print")
        assert not page.locator("[data-testid='stSidebar']").is_visible()
        assert not page.get_by_text("Print-friendly layout").is_visible()
        assert not page.get_by_role("button", name="Download Excel").first.is_visible()
        assert page.locator("[data-testid='stTable']").first.is_visible()
        page.pdf(path=str(ARTIFACTS / "worker-weekly-plan.pdf"))
        page.emulate_media(media="screen")
        context.close()
