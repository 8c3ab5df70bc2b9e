"""AppTest of the Monthly Highlight Report and the Children in Care report on the small demo
authority: as the demo analyst (whole authority) the figures are the registered measures' own and
the narratives are metrics/narrative.py's sentences for those figures; as the head of service the
pages show their service; a team manager is refused."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auth.gate import NOT_AVAILABLE
from data_access.cache import load_current
from data_access.config import load_config
from metrics import cic, registry
from metrics.benchmarks import benchmark_series
from metrics.narrative import HIGHLIGHT_MEASURES, benchmarks_by_month, narrative
from metrics.periods import month, period_for, trailing_months
from metrics.settings import MetricSettings
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in
from ui.format import fmt_value

HIGHLIGHT = "pages/strategic_highlight.py"
CIC = "pages/strategic_cic.py"
LA = "E06000015"  # the test config's authority code


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


def frames(at: AppTest, column: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if column in d.value.columns]


@pytest.fixture(scope="module")
def direct(demo_portal):
    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)

    def run(measure_id: str, periods):
        return registry.get(measure_id).run(cache.tables, periods, None, settings)

    return run, cache.tables


@pytest.fixture(scope="module")
def highlight(portal_env_module):
    return open_page(HIGHLIGHT)


@pytest.fixture(scope="module")
def cic_page(portal_env_module):
    return open_page(CIC, query={"ptype": "Rolling 12 months", "period": "October 2026"})


@pytest.fixture(scope="module")
def portal_env_module(demo_portal):
    mp = pytest.MonkeyPatch()
    mp.setenv("PORTAL_CONFIG", str(demo_portal))
    yield demo_portal
    mp.undo()


# ---- Monthly Highlight Report --------------------------------------------------------------

def test_highlight_shows_every_indicator_with_the_measures_figures(highlight, direct):
    run, _ = direct
    months = trailing_months(month(2026, 10), 13)
    table = frames(highlight, "Highlight")[0]
    assert list(table["Measure"]) == [registry.get(m).title for m in HIGHLIGHT_MEASURES]
    assert "Highlights for October 2026" in text(highlight)
    for measure_id, (_, row) in zip(HIGHLIGHT_MEASURES, table.iterrows()):
        m = registry.get(measure_id)
        s = run(measure_id, months).summary.set_index("period")["value"].reindex([p.label for p in months])
        assert row["Oct-26"] == fmt_value(s.iloc[-1], m.unit), measure_id
        assert row["Sep-26"] == fmt_value(s.iloc[-2], m.unit), measure_id
        # the narrative is the one written from those numbers and the benchmark in force
        b = benchmarks_by_month(benchmark_series(measure_id, LA) if row["England"] != "–" else None,
                                [months[-1].end]).iloc[-1]
        comparators = [("England", b["england"]), ("statistical neighbours", b["neighbours_mean"]),
                       ("East Midlands", b["region"])]
        assert row["Highlight"] == narrative(list(s), m.unit, comparators), measure_id
        assert row["Highlight"] in text(highlight)
    # one trend chart per indicator with a figure in the 13 months (all but at most one or two)
    with_figures = [m for m in HIGHLIGHT_MEASURES
                    if run(m, months).summary["value"].notna().any()]
    assert len(highlight.get("plotly_chart")) == len(with_figures) >= len(HIGHLIGHT_MEASURES) - 2


def test_highlight_benchmarks_are_the_dfe_figures(highlight):
    row = frames(highlight, "Highlight")[0].set_index("Measure").loc[registry.get("re_referrals").title]
    # England re-referrals 2024-25, read by hand from the DfE file: 22.6%; East Midlands 24.7%
    assert (row["England"], row["Region"], row["Benchmark year"]) == ("22.6%", "24.7%", "2024-25")
    assert "England (22.6%)" in row["Highlight"]
    cla = frames(highlight, "Highlight")[0].set_index("Measure").loc[registry.get("cla").title]
    assert cla["England"] == "–"  # a count: the England total is not comparable, so no line
    assert "mean" in text(highlight) and "2024-25" in text(highlight)


def test_highlight_for_an_earlier_month_from_the_url(portal_env_module, direct):
    run, _ = direct
    at = open_page(HIGHLIGHT, query={"month": "June 2026"})  # the URL holds the label shown
    table = frames(at, "Highlight")[0]
    assert "Jun-26" in table.columns and "Oct-26" not in table.columns
    v = run("assessment_timeliness", [month(2026, 6)]).summary["value"].iloc[0]
    row = table.set_index("Measure").loc[registry.get("assessment_timeliness").title]
    assert row["Jun-26"] == fmt_value(v, "percent")


# ---- Children in Care report -----------------------------------------------------------------

def test_cic_numbers_in_care_starters_and_leavers(cic_page, direct):
    run, tables = direct
    months = trailing_months(month(2026, 10), 13)
    through = frames(cic_page, "Started")
    monthly = [f for f in through if "Children in care at month end" in f.columns][0]
    expected = cic.throughput(run("cla", months).summary, run("cla_starts", months).summary,
                              run("cla_ceased", months).summary)
    assert monthly["Children in care at month end"].tolist() == expected["in_care"].astype(int).tolist()
    assert monthly["Started"].tolist() == expected["started"].astype(int).tolist()
    assert monthly["Ceased"].tolist() == expected["ceased"].astype(int).tolist()

    # the rolling 12 months to October 2026 from the URL: starters and leavers by age band
    year = period_for("2026-10", "rolling12")
    starts = run("cla_starts", [year]).rows
    ceased = cic.placement_on_leaving(run("cla_ceased", [year]).rows, tables)
    shown = [f for f in through if "Age band" in f.columns][0]
    pd.testing.assert_frame_equal(shown.reset_index(drop=True),
                                  cic.starters_and_leavers(starts, ceased, "age_band"), check_dtype=False)
    for label, kind in (("Legal status", "legal_status"), ("Placement type", "placement_group")):
        shown = [f for f in frames(cic_page, label) if "Started" in f.columns][0]
        pd.testing.assert_frame_equal(shown.reset_index(drop=True),
                                      cic.starters_and_leavers(starts, ceased, kind), check_dtype=False)
    assert "12 months to October 2026" in text(cic_page)


def test_cic_in_care_moves_and_indicators(cic_page, direct):
    run, tables = direct
    cla_rows = run("cla", [month(2026, 10)]).rows
    shown = [f for f in frames(cic_page, "Children") if "Share" in f.columns and "Age band" in f.columns][0]
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), cic.in_care_breakdown(cla_rows, "age_band"),
                                  check_dtype=False)
    moves = frames(cic_page, "Reason for placement change")[0]
    expected = cic.moves_by_reason(cic.placement_moves(tables, period_for("2026-10", "rolling12")))
    assert moves["Moves"].tolist() == expected["Moves"].tolist()
    assert moves.iloc[-1]["Moves"] > 0  # the demo has moves to show
    # health, dental, SDQ, PEP, stability, distance and residential over 13 months, as the measures
    months = trailing_months(month(2026, 10), 13)
    trend = frames(cic_page, "Oct-26")
    table = pd.concat(trend).set_index("Measure")
    for measure_id in ("cla_health", "cla_dental", "cla_sdq", "cla_pep", "cla_3plus", "cla_long_term_stability",
                       "cla_distance", "cla_residential"):
        m = registry.get(measure_id)
        s = run(measure_id, months).summary.set_index("period")["value"]
        assert table.loc[m.title, "Oct-26"] == fmt_value(s["2026-10"], m.unit), measure_id
        assert table.loc[m.title, "Nov-25"] == fmt_value(s["2025-11"], m.unit), measure_id


def test_cic_lists_children_in_purchased_residential_placements(cic_page, direct):
    run, _ = direct
    rows = run("cla_residential", [month(2026, 10)]).rows
    listed = frames(cic_page, "Child ID")
    if len(rows):
        assert listed and set(listed[0]["Child ID"]) == set(rows["person_id"])
    else:
        assert "No children are counted" in text(cic_page)


# ---- who may open them -------------------------------------------------------------------

@pytest.mark.parametrize("page", [HIGHLIGHT, CIC])
def test_head_of_service_sees_their_service_and_a_manager_is_refused(page, portal_env_module):
    at = open_page(page, user="head")
    assert "you can see your service" in text(at)
    assert frames(at, "Measure") or frames(at, "Started")
    refused = open_page(page, user="manager")
    assert NOT_AVAILABLE in text(refused) and not refused.dataframe and not refused.get("plotly_chart")
