"""AppTest of the strategic pages on the small demo authority, signed in as the demo senior
leader: Doing the Simple Things Well shows the twenty measures in seed 000's order with values that
agree with the measures run directly on the cache; the measure explorer opens the measure named in
the URL; the KPI scorecard lists every registered measure once. A head of service sees the pages
limited to their service; a team manager is refused."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auth.gate import NOT_AVAILABLE
from data_access.cache import load_current
from data_access.config import load_config
from metrics import registry
from metrics.periods import month
from metrics.scorecard import DSTW_MEASURES
from metrics.settings import MetricSettings
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in
from ui.format import fmt_value


def open_page(page: str, user: str = "analyst", query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=300)
    at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    apptest_sign_in(at, user)
    assert not at.exception, at.exception
    return at


def text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in (at.markdown, at.caption, at.info, at.warning, at.error,
                                               at.title, at.subheader) for e in kind)


@pytest.fixture(scope="module")
def direct(demo_portal):
    """The measures computed straight from the cache, without any page code."""
    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)
    october = month(2026, 10)

    def value(measure_id: str) -> float:
        s = registry.get(measure_id).run(cache.tables, [october], None, settings).summary
        return float(s["value"].iloc[0]) if len(s) else float("nan")

    return value


def test_dstw_shows_the_twenty_measures_in_order_with_the_measures_values(portal_env, direct):
    at = open_page("pages/strategic_dstw.py")
    frames = [d.value for d in at.dataframe if "Measure" in d.value.columns]
    assert frames, text(at)
    table = frames[0]
    titles = [registry.get(m).title for m in DSTW_MEASURES]
    assert list(table["Measure"]) == titles
    assert list(table.columns[1:4]) == ["Aug-26", "Sep-26", "Oct-26"]
    for measure_id, shown in zip(DSTW_MEASURES, table["Oct-26"]):
        m = registry.get(measure_id)
        assert shown == fmt_value(direct(measure_id), m.unit), measure_id
    # benchmark columns and the caption that says which year and that SN is a mean
    assert {"SN", "Region", "England", "Target", "RAG", "DoT"} <= set(table.columns)
    assert "mean" in text(at) and "year ending 31 March" in text(at)


def test_measure_explorer_opens_the_measure_named_in_the_url(portal_env, direct):
    at = open_page("pages/strategic_measure.py", query={"m": "cp_plans"})
    assert at.selectbox(key="measure_choice").value == "cp_plans"
    shown = {m.label: m.value for m in at.metric}
    assert shown["October 2026"] == fmt_value(direct("cp_plans"), "count")
    # an unknown measure in the URL says so and falls back to a real one
    at = open_page("pages/strategic_measure.py", query={"m": "no_such_measure"})
    assert "not in the catalogue" in text(at)


def test_scorecard_lists_every_measure_once(portal_env):
    at = open_page("pages/strategic_scorecard.py")
    listed = [t for d in at.dataframe if "Measure" in d.value.columns for t in d.value["Measure"]]
    assert sorted(listed) == sorted(m.title for m in registry.all_measures())


def test_head_of_service_sees_their_service_and_a_team_manager_is_refused(portal_env):
    at = open_page("pages/strategic_dstw.py", user="head")
    assert "you can see your service" in text(at)
    assert [d for d in at.dataframe if "Measure" in d.value.columns]
    refused = open_page("pages/strategic_dstw.py", user="manager")
    assert NOT_AVAILABLE in text(refused) and not refused.dataframe
