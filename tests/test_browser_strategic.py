"""In a real browser (Playwright + Debian chromium) on a running portal over the small demo
authority: the analyst signs in on Doing the Simple Things Well, the table lists the twenty
measures with a drawn 13-month sparkline on each row, and selecting a row opens the measure page
for that measure (dataframe row selection -> st.switch_page) with the measure's own figure; the
same row chosen a second time in the session opens the same measure again, and another row its
own measure."""

from __future__ import annotations

import io
import os

import pytest

from data_access.cache import load_current
from data_access.config import load_config
from metrics import registry
from metrics.periods import month
from metrics.scorecard import DSTW_MEASURES
from metrics.settings import MetricSettings
from tests.browser import CHROMIUM, CHROMIUM_ARGS, ROOT, streamlit_server, wait_idle
from ui.format import fmt_value

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")
ARTIFACTS = ROOT / "test-artifacts"
SLOW = 300_000  # a cold server calculates twenty measures over 13 months on a shared machine
HEADER_PX, ROW_PX = 35, 35  # st.dataframe's header and row heights
SPARK_BLUE = (29, 112, 184)  # the theme's primary colour (#1d70b8), which LineChartColumn draws in


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def october(demo_portal):
    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)

    def value(measure_id: str) -> str:
        m = registry.get(measure_id)
        s = m.run(cache.tables, [month(2026, 10)], None, settings).summary
        return fmt_value(float(s["value"].iloc[0]), m.unit)

    return value


def sign_in_slowly(page, username: str) -> None:
    from auth.demo_users import DEMO_PASSWORDS

    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORDS[username])
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page, SLOW)


def grid_cells(page, column: int) -> list[str]:
    """The text of one column of the first st.dataframe, from the grid's accessible table."""
    return page.evaluate(
        """(col) => Array.from(document.querySelectorAll(
               "[data-testid='stDataFrame'] td[aria-colindex='" + col + "']")).map(td => td.innerText)""",
        column)


def rows_with_sparkline(page, rows: int) -> int:
    """How many row bands of the grid's canvas have the sparkline colour drawn in them."""
    from PIL import Image

    img = Image.open(io.BytesIO(page.locator("[data-testid='stDataFrame']").first.screenshot())).convert("RGB")
    px, (w, h) = img.load(), img.size
    drawn = 0
    for i in range(rows):
        top = HEADER_PX + ROW_PX * i
        band = ((x, y) for x in range(w) for y in range(top + 2, min(top + ROW_PX - 2, h)))
        if sum(1 for x, y in band if all(abs(a - b) < 40 for a, b in zip(px[x, y], SPARK_BLUE))) >= 5:
            drawn += 1
    return drawn


def choose_row(page, index: int) -> None:
    """Tick the row's selection box (the grid's first, unnamed column) and wait for the page it opens."""
    box = page.locator("[data-testid='stDataFrame']").first.bounding_box()
    page.mouse.click(box["x"] + 14, box["y"] + HEADER_PX + ROW_PX * index + ROW_PX / 2)
    page.wait_for_url("**/strategic_measure?**", timeout=SLOW)
    wait_idle(page, SLOW)


def back_to_dashboard(page) -> None:
    page.locator(".st-key-portal_nav").get_by_text("Doing the Simple Things Well").click()
    page.wait_for_url("**/strategic_dstw**", timeout=SLOW)
    page.wait_for_timeout(500)
    wait_idle(page, SLOW)
    page.wait_for_selector("[data-testid='stDataFrame'] td[aria-colindex='5']", state="attached", timeout=SLOW)


def assert_measure_page(page, measure_id: str, october) -> None:
    assert page.url.split("?", 1)[1].startswith(f"m={measure_id}"), page.url
    title = registry.get(measure_id).title
    assert page.get_by_role("combobox", name="Measure").input_value() == title
    first_metric = page.locator("[data-testid='stMetric']").first.inner_text()
    assert first_metric.startswith("October 2026") and october(measure_id) in first_metric, first_metric


def test_dashboard_sparklines_and_row_click_open_the_measure(demo_portal, browser, october):
    titles = [registry.get(m).title for m in DSTW_MEASURES]
    with streamlit_server(demo_portal) as url:
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(f"{url}/strategic_dstw", wait_until="domcontentloaded")
        wait_idle(page)
        sign_in_slowly(page, "analyst")
        page.wait_for_selector("[data-testid='stDataFrame'] td[aria-colindex='5']", state="attached", timeout=SLOW)
        wait_idle(page, SLOW)

        # the twenty measures in seed 000's order, each with 13 values behind its sparkline ...
        assert grid_cells(page, 1) == titles
        trend = grid_cells(page, 5)
        assert len(trend) == 20 and all(len(t.split(",")) == 13 for t in trend), trend[:2]
        # ... and the sparkline really drawn on the canvas, row by row (AppTest cannot see this)
        assert rows_with_sparkline(page, 20) >= 18
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dstw-analyst.png"), full_page=True)

        first = DSTW_MEASURES.index("assessment_timeliness")
        choose_row(page, first)
        assert_measure_page(page, "assessment_timeliness", october)
        page.screenshot(path=str(ARTIFACTS / "dstw-row-opens-measure.png"), full_page=True)

        # the same row again in the same session: the same measure (not the first in the list)
        back_to_dashboard(page)
        choose_row(page, first)
        assert_measure_page(page, "assessment_timeliness", october)

        # and another row: its own measure
        back_to_dashboard(page)
        choose_row(page, DSTW_MEASURES.index("cp_plans"))
        assert_measure_page(page, "cp_plans", october)
        page.close()
