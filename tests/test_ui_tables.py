"""ui.tables.data_table: a table longer than LAZY_ROWS goes to the browser as the reader scrolls
(Streamlit's lazy dataframes) with a line saying so; shorter tables, tables whose rows can be
selected and Styler tables are sent whole. In a real browser: the long table's first view carries
a small part of its rows, and scrolling to its end fetches and shows the last row."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from ui import tables


@pytest.fixture
def calls(monkeypatch):
    seen = {"dataframe": [], "caption": []}
    monkeypatch.setattr(tables.st, "dataframe", lambda data, **kw: seen["dataframe"].append(kw) or "drawn")
    monkeypatch.setattr(tables.st, "caption", lambda text: seen["caption"].append(text))
    return seen


def frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"n": range(n)})


def test_a_long_table_is_sent_as_the_reader_scrolls_and_says_so(calls):
    assert tables.data_table(frame(tables.LAZY_ROWS + 1), hide_index=True, key="t") == "drawn"
    assert calls["dataframe"] == [{"hide_index": True, "key": "t", "lazy": True}]
    assert calls["caption"] == [tables.LAZY_NOTE]


def test_a_table_of_lazy_rows_or_fewer_is_sent_whole(calls):
    tables.data_table(frame(tables.LAZY_ROWS), key="t")
    tables.data_table(frame(0), key="u")
    assert calls["dataframe"] == [{"key": "t"}, {"key": "u"}]
    assert calls["caption"] == []


def test_selectable_rows_and_the_callers_choice_are_kept(calls):
    long = frame(tables.LAZY_ROWS + 1)
    tables.data_table(long, on_select="rerun", selection_mode="single-row")
    tables.data_table(long, lazy=False)
    tables.data_table(long.style, key="styled")  # a Styler is always whole
    assert calls["dataframe"] == [{"on_select": "rerun", "selection_mode": "single-row"}, {"lazy": False},
                                  {"key": "styled"}]
    assert calls["caption"] == []


# ---- in a real browser ---------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def long_table_app():
    from tests.browser import ROOT, streamlit_server

    with streamlit_server(None, script=ROOT / "tests" / "apps" / "long_table.py") as url:
        yield url


@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")
def test_in_a_browser_the_long_table_arrives_in_parts_and_scrolls_to_its_last_row(long_table_app):
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, wait_idle

    rows = tables.LAZY_ROWS * 2 + 500
    received = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: received.append(len(payload))))
            page.goto(long_table_app)
            page.get_by_text(f"rows: {rows}").wait_for(timeout=60_000)
            wait_idle(page)
            assert page.get_by_text(tables.LAZY_NOTE).is_visible()
            cells = "[data-testid='stDataFrame'] td[aria-colindex='2']"
            page.wait_for_selector(cells, state="attached")
            first_view = sum(received)
            shown = page.eval_on_selector_all(cells, "tds => tds.map(td => td.innerText)")
            assert "row 00000" in shown and f"row {rows - 1:05d}" not in shown
            # Whole, the label column alone is over 10 bytes a row; the first view carried one page.
            assert first_view < rows * 10, first_view
            grid = page.locator("[data-testid='stDataFrame']").first.bounding_box()
            page.mouse.move(grid["x"] + grid["width"] / 2, grid["y"] + grid["height"] / 2)
            for _ in range(60):
                page.mouse.wheel(0, 5_000)
                page.wait_for_timeout(100)
                shown = page.eval_on_selector_all(cells, "tds => tds.map(td => td.innerText)")
                if f"row {rows - 1:05d}" in shown:
                    break
            assert f"row {rows - 1:05d}" in shown, shown[-3:]
            assert sum(received) > first_view  # the later rows came when asked for
        finally:
            browser.close()
