"""`python -m auth demo-users`: four demo accounts tied to real workers and teams of the extract."""

from __future__ import annotations

import pandas as pd

from auth.__main__ import main
from auth.credentials import load_accounts, verify_password
import auth.demo_users as demo_users
from auth.credentials import hash_password
from auth.demo_users import DEMO_PASSWORDS, choose_demo_users
from auth.identity import Role
from data_access.config import load_config
from data_access.refresh import refresh
from tests.conftest import write_config
from tests.source_fixtures import _frame, minimal_source_tables, write_source
from tests.test_auth_scope import AS_AT, org_tables


def test_choice_on_the_hand_built_organisation():
    users = {u.username: u for u in choose_demo_users(org_tables(), AS_AT)}
    assert list(users) == ["practitioner", "manager", "head", "analyst"]
    # W1 has the most open cases (C2, C7) and is now in T2, whose other worker is W3
    assert (users["practitioner"].worker_id, users["practitioner"].team) == ("W1", "T2")
    assert (users["manager"].worker_id, users["manager"].role) == ("W3", Role.TEAM_MANAGER)
    assert (users["head"].worker_id, users["head"].services) == ("WH", ("S1",))  # "Head of Service"
    assert users["analyst"].worker_id is None and users["analyst"].role is Role.SENIOR_LEADER
    assert choose_demo_users(org_tables(), AS_AT) == list(users.values())  # deterministic


def test_command_writes_working_accounts(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(demo_users, "hash_password", lambda pw, rounds=12: hash_password(pw, 4))  # speed
    tables = minimal_source_tables()
    prof = tables["ssd_professionals"]
    extra = _frame("ssd_professionals", [
        {"prof_professional_id": "W3", "prof_professional_name": "Manager Person",
         "prof_professional_job_title": "Team Manager", "prof_professional_department": "T1"},
        {"prof_professional_id": "W4", "prof_professional_name": "Another Worker",
         "prof_professional_job_title": "Social Worker", "prof_professional_department": "T1"},
    ])
    tables["ssd_professionals"] = pd.concat([prof, extra], ignore_index=True)
    url = write_source(tmp_path / "source.sqlite", tables)
    config = write_config(tmp_path, source_url=url, cache_folder=tmp_path / "cache")
    refresh(load_config(config))

    assert main(["demo-users", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "demo" / "users.yaml"  # default [auth] credentials, relative to the config
    assert str(path) in out and "FOR THE DEMO ONLY" in out
    accounts = load_accounts(path)
    assert {u: (a.role, a.worker_id, a.services) for u, a in accounts.items()} == {
        "practitioner": (Role.PRACTITIONER, "W1", ()),   # W1 has the open case P1, team T1
        "manager": (Role.TEAM_MANAGER, "W3", ()),        # the "Team Manager" of T1
        "head": (Role.HEAD_OF_SERVICE, None, ("S1",)),   # no head-like worker: the service itself
        "analyst": (Role.SENIOR_LEADER, None, ()),
    }
    for username, account in accounts.items():
        assert verify_password(DEMO_PASSWORDS[username], account.password_hash)
    assert "Manager Person" not in out  # the command prints IDs, not names
