"""`python -m metrics MEASURE --period YYYY-MM [--by team] [--period-type ...]` for every registered
measure on the small demo authority: the CSV has the header ``period,group,numerator,denominator,value``
and its numbers are the measure's own, run directly on the same extract with the same settings.

Each measure goes once through the real command (a subprocess: the module entry point, argument
parsing, config and cache loading, CSV writing); the other variants (by team; quarter, year to 31
March and rolling 12 months) call the same ``main`` in-process, which is what the subprocess runs,
to keep the file's run time reasonable on a shared machine.
"""

from __future__ import annotations

import csv
import io
import math
import subprocess
import sys

import pandas as pd
import pytest

from data_access.cache import load_current
from data_access.config import load_config
from metrics import registry
from metrics.__main__ import main
from metrics.periods import period_for
from metrics.settings import MetricSettings
from tests.conftest import ROOT

HEADER = ["period", "group", "numerator", "denominator", "value"]
MEASURE_IDS = [m.id for m in registry.all_measures()]
# (period type, --period, the label the CSV should carry)
PERIOD_TYPES = [
    ("quarter", "2026-09", "2026-Q3"),
    ("year", "2026-03", "2025-26"),
    ("rolling12", "2026-10", "R12-2026-10"),
]


@pytest.fixture(scope="module")
def direct(demo_portal):
    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)

    def run(measure_id: str, label: str, kind: str = "month", by: str | None = None) -> pd.DataFrame | None:
        try:
            result = registry.get(measure_id).run(cache.tables, [period_for(label, kind)], by, settings)
        except registry.MeasureUnavailable:
            return None
        return result.summary

    return run


def parse(text: str) -> tuple[list[str], list[dict]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def number(text: str) -> float:
    return math.nan if text == "" else float(text)


def same(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9)  # the CLI writes 6 significant figures


def assert_matches(rows: list[dict], summary: pd.DataFrame, measure_id: str) -> None:
    expected = [
        (str(r.period), str(r.group), float(r.numerator), float(r.denominator), float(r.value))
        for r in summary[["period", "group", "numerator", "denominator", "value"]].itertuples(index=False)
    ]
    got = [(r["period"], r["group"], number(r["numerator"]), number(r["denominator"]), number(r["value"]))
           for r in rows]
    assert [g[:2] for g in got] == [e[:2] for e in expected], measure_id
    for g, e in zip(got, expected):
        assert all(same(x, y) for x, y in zip(g[2:], e[2:])), (measure_id, g, e)


def run_main(capsys, config, *args) -> tuple[int, str, str]:
    code = main([*args, "--config", str(config)])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_every_measure_is_listed():
    assert len(MEASURE_IDS) >= 40  # the whole catalogue of measures.md, not a handful
    out = subprocess.run([sys.executable, "-m", "metrics", "--list"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert [line.split("\t")[0] for line in out.splitlines()] == MEASURE_IDS


@pytest.mark.parametrize("measure_id", MEASURE_IDS)
def test_month_through_the_command(measure_id, demo_portal, direct):
    out = subprocess.run(
        [sys.executable, "-m", "metrics", measure_id, "--period", "2026-10", "--config", str(demo_portal)],
        cwd=ROOT, capture_output=True, text=True,
    )
    expected = direct(measure_id, "2026-10")
    if expected is None:  # the demo source lacks an ext_* table: the command says so, exit 3
        assert out.returncode == 3 and "not available from this source" in out.stderr
        return
    assert out.returncode == 0, out.stderr
    header, rows = parse(out.stdout)
    assert header == HEADER
    assert len(rows) == 1 and rows[0]["period"] == "2026-10" and rows[0]["group"] == "All"
    assert_matches(rows, expected, measure_id)


@pytest.mark.parametrize("measure_id", MEASURE_IDS)
def test_by_team_and_every_period_type(measure_id, demo_portal, direct, capsys):
    expected = direct(measure_id, "2026-10", by="team")
    code, out, err = run_main(capsys, demo_portal, measure_id, "--period", "2026-10", "--by", "team")
    if expected is None:
        assert code == 3 and "not available from this source" in err
        return
    assert code == 0, err
    header, rows = parse(out)
    assert header == HEADER
    assert "All" not in {r["group"] for r in rows}
    assert_matches(rows, expected, measure_id)

    for kind, given, label in PERIOD_TYPES:
        code, out, err = run_main(capsys, demo_portal, measure_id, "--period", given, "--period-type", kind)
        assert code == 0, (kind, err)
        header, rows = parse(out)
        assert header == HEADER
        assert [r["period"] for r in rows] == [label], (measure_id, kind)
        assert_matches(rows, direct(measure_id, given, kind), f"{measure_id} {kind}")


def test_series_of_months_and_other_groupings(demo_portal, direct, capsys):
    # --months 3: one block per month, each equal to that month run on its own.
    code, out, err = run_main(capsys, demo_portal, "assessment_timeliness", "--period", "2026-10", "--months", "3")
    assert code == 0, err
    _, rows = parse(out)
    assert [r["period"] for r in rows] == ["2026-08", "2026-09", "2026-10"]
    for r in rows:
        assert_matches([r], direct("assessment_timeliness", r["period"]), r["period"])
    for by in ("service", "worker"):
        code, out, err = run_main(capsys, demo_portal, "cla", "--period", "2026-10", "--by", by)
        assert code == 0, err
        _, rows = parse(out)
        assert rows, by
        assert_matches(rows, direct("cla", "2026-10", by=by), f"cla by {by}")
