"""AppTest of Strategic → Inspection readiness (Annex A) on the small demo authority: as the demo
senior leader (analyst) the data-quality panel and the eleven lists render with the figures
:mod:`annex_a` gives straight from the cache, and the workbook download (recorded in the audit log
first) holds "List 1" ... "List 11"; a head of service sees only their service's children and is
told so; a team manager is refused."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from annex_a.lists import annex_a_lists
from annex_a.quality import data_quality
from annex_a.spec import LISTS
from auth.gate import NOT_AVAILABLE
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in, demo_users

PAGE = "pages/strategic_annex_a.py"


def open_page(user: str = "analyst", query: dict | None = None, served: dict | None = None) -> AppTest:
    original = DeltaGenerator.download_button

    def keep(self, label, data, *args, **kwargs):
        if served is not None:
            served[kwargs.get("file_name") or args[0]] = data
        return original(self, label, data, *args, **kwargs)

    DeltaGenerator.download_button = keep
    try:
        at = AppTest.from_file(str(ROOT / PAGE), default_timeout=300)
        at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.run()
        apptest_sign_in(at, user)
    finally:
        DeltaGenerator.download_button = original
    assert not at.exception, at.exception
    return at


def text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in (at.markdown, at.caption, at.info, at.warning, at.error, at.success,
                                               at.title, at.subheader) for e in kind)


def frames_with(at: AppTest, *columns: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]


@pytest.fixture(scope="module")
def direct(demo_portal):
    from data_access.cache import load_current
    from data_access.config import load_config

    cache = load_current(load_config(demo_portal).cache_folder)
    lists = annex_a_lists(cache.tables, cache.as_at)
    return cache, lists, data_quality(lists, cache.tables, cache.as_at)


def test_analyst_sees_the_quality_panel_the_lists_and_gets_the_workbook(portal_env, demo_portal, direct):
    cache, lists, issues = direct
    served: dict = {}
    at = open_page("analyst", served=served)
    assert at.date_input(key="annex_a_date").value == cache.as_at.date()
    assert "1. Data quality: put these right in the source first" in text(at)
    # The panel: one expander per check, titled with its list, check and count, the summary table first.
    titles = [e.label for e in at.expander]
    assert titles == [f"**{i.list_name}** · {i.check} — {i.count:,}" for i in issues]
    assert issues, "the demo authority has some data-quality problems to show"
    summary = frames_with(at, "List", "Check", "Rows")[0]
    assert list(summary["Rows"]) == [i.count for i in issues]
    assert {m.label: m.value for m in at.metric}["Rows to look at"] == f"{sum(i.count for i in issues):,}"
    # Each check's rows, with the child ID and the row on the sheet.
    issue_tables = frames_with(at, "Sheet row", "Problem", "Child ID")
    assert [len(t) for t in issue_tables] == [i.count for i in issues]
    # The lists: counts as annex_a gives them, and a preview of every list with rows.
    counts = frames_with(at, "List", "Name", "Rows", "Children")[0].set_index("List")
    assert {name: int(counts.at[name, "Rows"]) for name in LISTS} == {n: len(f) for n, f in lists.items()}
    previews = frames_with(at, "Child Unique ID", "Gender", "Ethnicity")
    assert len(previews) == sum(1 for name, f in lists.items() if LISTS[name].child_list and len(f))
    for preview, (name, frame) in zip(previews, [(n, f) for n, f in lists.items() if len(f)]):
        assert list(preview.columns) == LISTS[name].headers
        assert len(preview) == min(len(frame), 100)
    # The workbook: "List 1" ... "List 11", every list's rows, recorded in the audit log first.
    xlsx = [name for name in served if name.endswith(".xlsx") and name.startswith("annex-a-2026-10-31")]
    assert xlsx == ["annex-a-2026-10-31.xlsx"], list(served)
    data = served[xlsx[0]]
    workbook = load_workbook(io.BytesIO(data() if callable(data) else data), read_only=True)
    assert workbook.sheetnames == list(LISTS)
    for name in LISTS:
        assert workbook[name].max_row == 1 + len(lists[name]), name
    from auth.audit import AuditLog
    from auth.settings import load_settings

    events = AuditLog(load_settings(demo_portal).database).query(username="analyst", action="download")
    mine = events[events["filters"].str.contains('"file": "annex-a-2026-10-31.xlsx"', regex=False)]
    assert len(mine) >= 1 and mine["row_count"].iloc[0] == sum(len(f) for f in lists.values())
    assert set(mine["child_ids"].iloc[0].split(",")) == {
        str(i) for n, f in lists.items() if LISTS[n].child_list for i in f["Child Unique ID"]}


def test_an_earlier_reference_date_from_the_address(portal_env, demo_portal):
    from data_access.cache import load_current
    from data_access.config import load_config

    cache = load_current(load_config(demo_portal).cache_folder)
    at = open_page("analyst", query={"date": "2026-06-30"})
    assert str(at.date_input(key="annex_a_date").value) == "2026-06-30"
    counts = frames_with(at, "List", "Name", "Rows", "Children")[0].set_index("List")
    expected = annex_a_lists(cache.tables, pd.Timestamp("2026-06-30"))
    assert int(counts.at["List 1", "Rows"]) == len(expected["List 1"])
    assert "look back six months: 31 December 2025 to 30 June 2026, both included" in text(at)


def test_head_of_service_sees_their_service_only_and_is_told(portal_env, demo_portal, direct):
    from auth.identity import derive_scope

    cache, lists, _ = direct
    at = open_page("head")
    assert "These lists hold only the children of your service" in text(at)
    head = demo_users(demo_portal)["head"]
    scope, _ = derive_scope(head["role"], head.get("worker_id"), cache.tables, cache.as_at, head.get("services", ()))
    shown = set()
    for frame in frames_with(at, "Child Unique ID"):
        shown |= set(frame["Child Unique ID"].astype(str))
    for frame in frames_with(at, "Child ID", "Problem"):
        shown |= set(frame["Child ID"].astype(str))
    assert shown and shown <= set(scope.children)
    counts = frames_with(at, "List", "Name", "Rows", "Children")[0].set_index("List")
    assert all(int(counts.at[n, "Rows"]) <= len(lists[n]) for n in LISTS)
    assert any(int(counts.at[n, "Rows"]) < len(lists[n]) for n in LISTS)   # some children are outside it


def test_team_manager_is_refused(portal_env):
    at = open_page("manager")
    assert NOT_AVAILABLE in text(at)
    assert not at.dataframe and not at.expander
