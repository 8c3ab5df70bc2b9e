"""`python -m metrics` on the tiny hand-built source (tests/source_fixtures.py): A1 started Wed 7 Jan
2026 and was authorised Fri 20 Feb (32 working days: in time); A2 started Thu 12 Feb and was
authorised Fri 1 May (over 45 working days, across Easter: out of time); A3 is still open."""

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from data_access.config import load_config
from data_access.refresh import refresh
from metrics.__main__ import main
from tests.conftest import write_config
from tests.source_fixtures import minimal_source_tables, write_source

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    url = write_source(folder / "source.sqlite", minimal_source_tables())
    cfg = write_config(folder, source_url=url, cache_folder=folder / "cache")
    refresh(load_config(cfg))
    return cfg


def run(config, capsys, *args):
    code = main([*args, "--config", str(config)])
    out = capsys.readouterr()
    return code, list(csv.DictReader(io.StringIO(out.out))), out.err


def test_month(config, capsys):
    code, rows, _ = run(config, capsys, "assessment_timeliness", "--period", "2026-02")
    assert code == 0
    assert rows == [{"period": "2026-02", "group": "All", "numerator": "1", "denominator": "1", "value": "1"}]


def test_by_team_over_months(config, capsys):
    code, rows, _ = run(config, capsys, "assessment_timeliness", "--period", "2026-05", "--by", "team", "--months", "4")
    assert code == 0
    # Feb-May 2026: A1 (team T1) in February, A2 (team T2) in May; March and April have no teams.
    assert [(r["period"], r["numerator"], r["denominator"]) for r in rows] == [("2026-02", "1", "1"), ("2026-05", "0", "1")]
    assert rows[0]["group"] != rows[1]["group"] and "All" not in {r["group"] for r in rows}


def test_year_to_march(config, capsys):
    code, rows, _ = run(config, capsys, "assessments", "--period", "2026-06", "--period-type", "year")
    # 2026-27 runs from 1 April 2026: it holds A2 (May 2026) but not A1 (February 2026).
    assert code == 0 and rows[0]["period"] == "2026-27" and rows[0]["value"] == "1"


def test_unknown_measure_and_bad_period(config, capsys):
    code, _, err = run(config, capsys, "no_such_measure", "--period", "2026-02")
    assert code == 2 and "unknown measure" in err
    code, _, err = run(config, capsys, "assessments", "--period", "Feb 2026")
    assert code == 2 and "YYYY-MM" in err


def test_list_and_module_entry_point(config):
    out = subprocess.run([sys.executable, "-m", "metrics", "--list"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "assessment_timeliness" in out.stdout
    out = subprocess.run([sys.executable, "-m", "metrics", "assessment_timeliness", "--period", "2026-02",
                          "--config", str(config)], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[0] == "period,group,numerator,denominator,value"
