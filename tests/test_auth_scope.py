"""Scope derivation (auth.identity.derive_scope) on a hand-built organisation.

    service S1: teams T1, T2          service S2: team T3
    W1  T1 -> moves to T2 (latest involvement in T2)
    W2  T1      W3  T2      W4  T3      W5  T1 (department only, no involvements)
    WH  head of service, department T1 (no involvements)     W6  no department, no involvements
    children: C1 W1/T1 ended   C2 W1/T2 open      C3 W2/T1 open   C4 W3/T2 ended
              C5 W4/T3 open    C6 unallocated     C7 W1/T2 ends on as_at   C8 W1/T2 ended before
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from auth.identity import ALL_ROLES, Role, User, build_org_index, derive_scope

AS_AT = pd.Timestamp("2026-10-31")


def _str(values):
    return pd.Series(values, dtype="str")


def org_tables() -> dict[str, pd.DataFrame]:
    dept = pd.DataFrame({
        "dept_team_id": _str(["S1", "S2", "T1", "T2", "T3"]),
        "dept_team_name": _str(["Service one", "Service two", "Team one", "Team two", "Team three"]),
        "dept_team_parent_id": _str([None, None, "S1", "S1", "S2"]),
        "dept_team_parent_name": _str([None, None, "Service one", "Service one", "Service two"]),
    })
    prof = pd.DataFrame({
        "prof_professional_id": _str(["W1", "W2", "W3", "W4", "W5", "WH", "W6"]),
        "prof_professional_name": _str(["A", "B", "C", "D", "E", "H", "F"]),
        "prof_professional_job_title": _str(["Social Worker"] * 5 + ["Head of Service", "Social Worker"]),
        "prof_professional_department": _str(["T1", "T1", "T2", "T3", "T1", "T1", None]),
    })
    rows = [  # id, worker, team, start, end, child
        ("I1", "W1", "T1", "2025-01-01", "2025-12-31", "C1"),
        ("I2", "W1", "T2", "2026-03-01", None, "C2"),
        ("I3", "W2", "T1", "2026-02-01", None, "C3"),
        ("I4", "W3", "T2", "2025-05-01", "2025-09-01", "C4"),
        ("I5", "W4", "T3", "2026-01-01", None, "C5"),
        ("I6", "W1", "T2", "2026-04-01", "2026-10-31", "C7"),
        ("I7", "W1", "T2", "2026-02-01", "2026-10-30", "C8"),
    ]
    inv = pd.DataFrame({
        "invo_involvements_id": _str([r[0] for r in rows]),
        "invo_professional_id": _str([r[1] for r in rows]),
        "invo_professional_team": _str([r[2] for r in rows]),
        "invo_involvement_start_date": pd.to_datetime([r[3] for r in rows]).astype("datetime64[ns]"),
        "invo_involvement_end_date": pd.to_datetime([r[4] for r in rows]).astype("datetime64[ns]"),
        "invo_person_id": _str([r[5] for r in rows]),
    })
    return {"ssd_department": dept, "ssd_professionals": prof, "ssd_involvements": inv}


@pytest.fixture(scope="module")
def tables():
    return org_tables()


def test_roles_have_labels_and_parse():
    assert Role.TEAM_MANAGER.label == "Team manager"
    assert Role.parse("Head of service") is Role.HEAD_OF_SERVICE
    assert Role.parse("SENIOR-LEADER") is Role.SENIOR_LEADER
    assert Role("practitioner") is Role.PRACTITIONER and Role.PRACTITIONER == "practitioner"
    assert ALL_ROLES == set(Role)
    with pytest.raises(ValueError):
        Role.parse("admin")


def test_worker_moving_team_belongs_to_the_team_of_the_latest_involvement(tables):
    index = build_org_index(tables)
    assert index.worker_team["W1"] == "T2"  # moved: latest involvement (I6, April 2026) is in T2
    assert index.worker_team["W5"] == "T1"  # no involvement: department
    assert "W6" not in index.worker_team


def test_practitioner_sees_only_open_allocations_and_team_aggregates(tables):
    scope, aggregate = derive_scope(Role.PRACTITIONER, "W1", tables, AS_AT)
    assert scope.children == {"C2", "C7"}  # C1 and C8 ended, C7 ends on the as-at date
    assert scope.workers == {"W1"} and scope.teams == {"T2"} and not scope.all_access
    # aggregates: the whole (current) team, including ended and other workers' children
    assert aggregate.children == {"C2", "C4", "C7", "C8"}
    assert aggregate.workers == {"W1", "W3"} and aggregate.teams == {"T2"}


def test_ended_allocations_leave_a_practitioners_scope_as_at_moves():
    t = org_tables()
    scope, _ = derive_scope("practitioner", "W1", t, pd.Timestamp("2026-11-01"))
    assert scope.children == {"C2"}


def test_team_manager_sees_every_child_ever_in_the_team_and_its_current_workers(tables):
    scope, aggregate = derive_scope(Role.TEAM_MANAGER, "W2", tables, AS_AT)
    assert scope == aggregate
    assert scope.teams == {"T1"} and not scope.services
    assert scope.children == {"C1", "C3"}  # C1: W1's historical involvement in T1
    assert scope.workers == {"W2", "W5", "WH"}  # W1 moved to T2


def test_head_of_service_sees_both_teams_of_the_service_but_not_the_third(tables):
    scope, aggregate = derive_scope(Role.HEAD_OF_SERVICE, "WH", tables, AS_AT)
    assert scope == aggregate
    assert scope.services == {"S1"}
    assert scope.teams == {"T1", "T2"}
    assert "T3" not in scope.teams and not scope.allows_team("T3")
    assert scope.children == {"C1", "C2", "C3", "C4", "C7", "C8"}
    assert "C5" not in scope.children
    assert scope.workers == {"W1", "W2", "W3", "W5", "WH"}


def test_head_of_service_with_configured_services_only(tables):
    scope, _ = derive_scope(Role.HEAD_OF_SERVICE, None, tables, AS_AT, services=["S2"])
    assert scope.services == {"S2"} and scope.teams == {"T3"} and scope.children == {"C5"}
    both, _ = derive_scope(Role.HEAD_OF_SERVICE, "WH", tables, AS_AT, services=["S2", "T1", "NOPE"])
    assert both.services == {"S1", "S2"}  # team IDs and unknown IDs are not services
    assert both.teams == {"T1", "T2", "T3"}


def test_unallocated_children_are_in_nobodys_team_scope(tables):
    for role, worker in [(Role.PRACTITIONER, "W1"), (Role.TEAM_MANAGER, "W2"), (Role.TEAM_MANAGER, "W3"),
                         (Role.TEAM_MANAGER, "W4"), (Role.HEAD_OF_SERVICE, "WH")]:
        scope, aggregate = derive_scope(role, worker, tables, AS_AT)
        assert "C6" not in scope.children and "C6" not in aggregate.children


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE])
@pytest.mark.parametrize("worker", ["NOBODY", "W6", None, ""])
def test_unknown_worker_or_no_team_sees_nothing(tables, role, worker):
    scope, aggregate = derive_scope(role, worker, tables, AS_AT)
    for s in (scope, aggregate):
        assert not s.all_access and not s.children and not s.teams and not s.workers and not s.services


def test_senior_leader_sees_everything(tables):
    scope, aggregate = derive_scope(Role.SENIOR_LEADER, None, tables, AS_AT)
    assert scope.all_access and aggregate.all_access


def test_index_reuse_gives_the_same_scopes(tables):
    index = build_org_index(tables)
    for role in Role:
        assert derive_scope(role, "W1", tables, AS_AT, index=index) == derive_scope(role, "W1", tables, AS_AT)
    # team scopes are shared, not recomputed per user
    assert index.team_scope("T2") is derive_scope(Role.PRACTITIONER, "W1", tables, AS_AT, index=index)[1]


def test_user_is_frozen(tables):
    scope, aggregate = derive_scope(Role.PRACTITIONER, "W1", tables, AS_AT)
    user = User("u", "U", Role.PRACTITIONER, "W1", None, scope, aggregate)
    with pytest.raises(Exception):
        user.role = Role.SENIOR_LEADER  # type: ignore[misc]


def _big_tables(n_children=250_000, n_involvements=1_500_000, n_workers=2_000, n_teams=60, n_services=6):
    rng = np.random.default_rng(7)

    def ids(prefix, codes, n):
        cats = pd.Index([f"{prefix}{i:06d}" for i in range(n)])
        return pd.Series(pd.Categorical.from_codes(codes, categories=cats)).astype("str")

    team_of_worker = rng.integers(0, n_teams, n_workers)
    worker = rng.integers(0, n_workers, n_involvements)
    team = team_of_worker[worker].copy()
    moved = rng.random(n_involvements) < 0.1
    team[moved] = rng.integers(0, n_teams, moved.sum())
    start = np.datetime64("2015-01-01", "ns") + rng.integers(0, 4000, n_involvements).astype("timedelta64[D]")
    end = start + rng.integers(1, 800, n_involvements).astype("timedelta64[D]")
    end[rng.random(n_involvements) < 0.15] = np.datetime64("NaT")
    inv = pd.DataFrame({
        "invo_professional_id": ids("W", worker, n_workers),
        "invo_professional_team": ids("T", team, n_teams),
        "invo_involvement_start_date": start,
        "invo_involvement_end_date": end,
        "invo_person_id": ids("P", rng.integers(0, n_children, n_involvements), n_children),
    })
    prof = pd.DataFrame({
        "prof_professional_id": _str([f"W{i:06d}" for i in range(n_workers)]),
        "prof_professional_department": _str([f"T{t:06d}" for t in team_of_worker]),
    })
    dept = pd.DataFrame({
        "dept_team_id": _str([f"S{i}" for i in range(n_services)] + [f"T{i:06d}" for i in range(n_teams)]),
        "dept_team_parent_id": _str([None] * n_services + [f"S{i % n_services}" for i in range(n_teams)]),
    })
    return {"ssd_involvements": inv, "ssd_professionals": prof, "ssd_department": dept}


def test_derivation_is_fast_at_county_scale():
    tables = _big_tables()
    as_at = pd.Timestamp("2025-06-30")
    for role in Role:
        started = time.perf_counter()
        scope, aggregate = derive_scope(role, "W000010", tables, as_at)
        elapsed = time.perf_counter() - started
        assert elapsed < 0.9, f"{role}: {elapsed:.2f}s"
        assert role is Role.SENIOR_LEADER or aggregate.children
