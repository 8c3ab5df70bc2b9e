"""The KPI scorecard workbook for the performance board pack, opened back with openpyxl.

AppTest cannot click a download button, so the test runs pages/strategic_scorecard.py in AppTest
as the demo analyst with Streamlit's ``download_button`` wrapped to keep the ``data`` callable the
page hands it; calling that callable is what a click does (it writes the download to the audit log
and builds the file). The workbook checked is therefore the very file the page serves: one sheet
per catalogue section plus "About", the header styled, each row's number format following its
measure's unit, the target and the plain-English definition on every row, and the figures equal to
the measures run directly on the extract.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from data_access.cache import load_current
from data_access.config import load_config
from metrics import registry
from metrics.periods import month
from metrics.sections import measures_by_section
from metrics.settings import MetricSettings
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in

UNIT_FORMAT = {"percent": "0.0%", "count": "#,##0"}  # the formats the board pack needs
MONTHS = ["Aug-26", "Sep-26", "Oct-26"]


@pytest.fixture(scope="module")
def workbook(demo_portal):
    import os

    served: dict[str, object] = {}
    original = DeltaGenerator.download_button

    def keep(self, label, data, *args, **kwargs):
        served[kwargs.get("file_name") or args[0]] = data
        return original(self, label, data, *args, **kwargs)

    old_env = os.environ.get("PORTAL_CONFIG")
    os.environ["PORTAL_CONFIG"] = str(demo_portal)
    DeltaGenerator.download_button = keep
    try:
        at = AppTest.from_file(str(ROOT / "pages/strategic_scorecard.py"), default_timeout=300)
        at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
        at.run()
        apptest_sign_in(at, "analyst")
        assert not at.exception, at.exception
        data = served["kpi-scorecard-2026-10.xlsx"]
        content = data() if callable(data) else data
    finally:
        DeltaGenerator.download_button = original
        if old_env is None:
            os.environ.pop("PORTAL_CONFIG", None)
        else:
            os.environ["PORTAL_CONFIG"] = old_env
    return load_workbook(io.BytesIO(content))


@pytest.fixture(scope="module")
def direct(demo_portal):
    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)

    def value(measure_id: str, period=month(2026, 10)):
        try:
            s = registry.get(measure_id).run(cache.tables, [period], None, settings).summary
        except registry.MeasureUnavailable:
            return None
        return float(s["value"].iloc[0]) if len(s) else float("nan")

    return value


def sheet_rows(ws) -> tuple[list[str], list[dict]]:
    values = list(ws.iter_rows(values_only=True))
    header = list(values[0])
    return header, [dict(zip(header, row)) for row in values[1:]]


def test_one_sheet_per_section_and_an_about_sheet(workbook):
    sections = measures_by_section()
    assert workbook.sheetnames == [s[:31] for s in sections] + ["About"]
    # every registered measure exactly once, in the section the catalogue gives it
    for section, measures in sections.items():
        _, rows = sheet_rows(workbook[section[:31]])
        assert [r["Id"] for r in rows] == [m.id for m in measures], section
    every = [r["Id"] for s in sections for r in sheet_rows(workbook[s[:31]])[1]]
    assert sorted(every) == sorted(m.id for m in registry.all_measures())


def test_columns_header_style_and_definitions(workbook):
    for name in workbook.sheetnames[:-1]:
        ws = workbook[name]
        header, rows = sheet_rows(ws)
        assert header[:2] == ["Measure", "Id"] and header[2:5] == MONTHS
        assert {"Target", "RAG", "DoT", "Good performance", "SN", "Region", "England", "Benchmark year",
                "Definition"} <= set(header)
        assert ws.freeze_panes == "A2"
        for cell in ws[1]:
            assert cell.font.bold and cell.fill.fgColor.rgb.endswith("1D70B8"), (name, cell.value)
        for r in rows:
            m = registry.get(r["Id"])
            assert r["Measure"] == m.title
            assert r["Definition"] == m.definition and len(r["Definition"]) > 20
            assert r["Good performance"] == {"high": "High", "low": "Low", "none": None}[m.polarity]


def test_number_formats_follow_each_measures_unit(workbook):
    checked = set()
    for name in workbook.sheetnames[:-1]:
        ws = workbook[name]
        header, rows = sheet_rows(ws)
        columns = [header.index(c) + 1 for c in (*MONTHS, "Target")]
        for i, r in enumerate(rows, start=2):
            unit = registry.get(r["Id"]).unit
            if unit not in UNIT_FORMAT:
                continue
            for col in columns:
                assert ws.cell(row=i, column=col).number_format == UNIT_FORMAT[unit], (name, r["Id"], col)
            checked.add(unit)
    assert checked == {"percent", "count"}


def test_figures_targets_and_benchmarks_are_the_measures(workbook, direct, demo_portal):
    cfg = load_config(demo_portal)
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)
    rows = {r["Id"]: r for n in workbook.sheetnames[:-1] for r in sheet_rows(workbook[n])[1]}
    for mid, r in rows.items():
        expected = direct(mid)
        if expected is None:
            assert r["Status"] == "Not available from this source" and r["Oct-26"] is None
            continue
        if expected != expected:  # NaN: no denominator this month, an empty cell
            assert r["Oct-26"] is None, mid
        else:
            assert r["Oct-26"] == pytest.approx(expected), mid
        assert r["Sep-26"] is None or r["Sep-26"] == pytest.approx(direct(mid, month(2026, 9))), mid
        m = registry.get(mid)
        target = settings.target(mid) if settings.target(mid) is not None else m.default_target
        assert (r["Target"] is None) if target is None else r["Target"] == pytest.approx(target), mid
    # the configured target (0.85 in the test config) and a benchmark read from the DfE file
    assert rows["assessment_timeliness"]["Target"] == 0.85
    assert rows["re_referrals"]["England"] not in (None, "", "N/A")
    assert rows["re_referrals"]["Benchmark year"]


def test_about_sheet_says_what_when_and_where(workbook):
    lines = [row[0] for row in workbook["About"].iter_rows(values_only=True)]
    assert lines[0] == "KPI scorecard, October 2026"
    assert workbook["About"]["A1"].font.bold
    assert any(str(l).startswith("Data as at 31 October 2026") for l in lines)
    assert "Test Borough" in lines
