"""The page timings file (ui/timings.py): written only when PORTAL_TIMINGS is set, one line per
page run with the page and role, also when the run stops early, and nothing personal.

(AppTest reruns a multipage app's page file directly after its first run, not app.py, so the
wrapper in app.py is checked in a real browser: tests/test_browser_worker.py.)"""

from __future__ import annotations

import pytest

from ui import timings


class Stop(Exception):
    """Stands in for Streamlit's StopException / RerunException."""


def test_a_run_is_written_with_page_role_and_seconds(tmp_path, monkeypatch):
    log = tmp_path / "t.tsv"
    monkeypatch.setenv(timings.ENV, str(log))
    with timings.timed_run("pages/management_assessments.py", "team_manager"):
        pass
    with pytest.raises(Stop):
        with timings.timed_run("", "senior_leader"):
            raise Stop
    rows = timings.read(log)
    assert [(r["page"], r["role"]) for r in rows] == [("management_assessments", "team_manager"),
                                                      ("", "senior_leader")]
    for r in rows:
        assert 0 <= r["seconds"] < 5 and r["end"] >= r["start"]
    assert len(log.read_text(encoding="utf-8").splitlines()) == 2


def test_nothing_is_written_when_unset(tmp_path, monkeypatch):
    monkeypatch.delenv(timings.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    with timings.timed_run("pages/home.py", "practitioner"):
        pass
    assert list(tmp_path.iterdir()) == []
    assert timings.read(tmp_path / "missing.tsv") == []
