"""The audit log (auth.audit.AuditLog): append and query, IDs only."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from auth.audit import ACTIONS, COLUMNS, AuditLog


@pytest.fixture()
def log(tmp_path):
    return AuditLog(f"sqlite:///{tmp_path / 'audit.sqlite'}")


def test_append_and_query(log):
    log.record(username="manager", role="team_manager", action="list_children", page="Caseload",
               child_ids=["P1", "P2", "P3"], filters={"team": "T1", "month": "2026-10"}, row_count=3)
    log.record(username="practitioner", role="practitioner", action="view_child", page="Client summary",
               child_ids="P2")
    log.record(username="manager", role="team_manager", action="download", page="Caseload",
               child_ids=[], filters={"format": "xlsx"}, row_count=0)
    frame = log.query()
    assert list(frame.columns) == COLUMNS
    assert list(frame["action"]) == ["download", "view_child", "list_children"]  # newest first
    listed = frame[frame["action"] == "list_children"].iloc[0]
    assert listed["child_ids"] == "P1,P2,P3"
    assert json.loads(listed["filters"]) == {"month": "2026-10", "team": "T1"}
    assert listed["row_count"] == 3 and listed["page"] == "Caseload" and listed["role"] == "team_manager"
    assert str(frame["at"].dt.tz) == "UTC"
    assert frame["at"].max() <= pd.Timestamp.now(tz="UTC")


def test_query_filters(log):
    old = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)
    log.record(username="a", action="sign_in", at=old)
    log.record(username="a", action="sign_out", at=old + timedelta(hours=1))
    log.record(username="b", action="sign_in", at=old + timedelta(days=1))
    assert len(log.query(username="a")) == 2
    assert list(log.query(action="sign_in")["username"]) == ["b", "a"]
    assert list(log.query(since=old + timedelta(minutes=30))["action"]) == ["sign_in", "sign_out"]
    assert list(log.query(until=old + timedelta(hours=1))["action"]) == ["sign_in"]
    assert len(log.query(limit=1)) == 1
    assert log.query(username="nobody").empty


def test_actions_and_ids_are_checked(log):
    assert ACTIONS == {"view_child", "list_children", "download", "sign_in", "sign_in_failed",
                       "locked_out", "sign_out", "view_audit"}
    with pytest.raises(ValueError):
        log.record(username="a", action="delete_everything")
    with pytest.raises(ValueError):
        log.record(username="a", action="view_child", child_ids=["P1,P2"])


def test_two_logs_on_one_database_see_the_same_rows(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    AuditLog(url).record(username="a", action="sign_in")
    assert len(AuditLog(url).query()) == 1
