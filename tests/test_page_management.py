"""AppTest of the management pages (Caseload, Visits, Reviews, Missing children, Staff supervision,
Weekly activity) on the small demo authority, signed in as the demo team manager and head of service
(and the senior leader where the whole authority matters). The figures each page shows are checked
against the registered measures run directly on the same rows the page may count (the user's scope,
derived here from the cache with auth.identity + data_access.scope, no page code); a team manager
sees only their own team, whatever the URL says."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auth.identity import build_org_index, derive_scope
from data_access.cache import load_current
from data_access.config import load_config
from data_access.scope import apply_scope
from metrics import registry
from metrics.lookups import team_lookup
from metrics.periods import Period, month, period_for
from metrics.settings import MetricSettings
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in, demo_users
from ui.format import fmt_value

OCTOBER = month(2026, 10)


def open_page(page: str, user: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=300)
    at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    apptest_sign_in(at, user)
    assert not at.exception, at.exception
    return at


def frame(at: AppTest, *columns: str, nth: int = 0) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if all(c in d.value.columns for c in columns)]
    assert len(found) > nth, f"no table with columns {columns}"
    return found[nth]


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in (at.markdown, at.caption, at.info, at.success, at.warning,
                                               at.subheader) for e in kind)


class World:
    """The demo cache, the demo users and the measures run directly on what each user may count."""

    def __init__(self, config):
        cfg = load_config(config)
        self.cache = load_current(cfg.cache_folder)
        self.settings = MetricSettings.from_config(cfg.measures, cfg.targets)
        self.users = demo_users(config)
        self.index = build_org_index(self.cache.tables)
        self.teams = team_lookup(self.cache.tables)
        self._tables: dict[str, dict] = {}

    def tables(self, user: str) -> dict:
        if user not in self._tables:
            u = self.users[user]
            _, aggregate = derive_scope(u["role"], u.get("worker_id"), self.cache.tables, self.cache.as_at,
                                        u.get("services") or (), index=self.index)
            self._tables[user] = apply_scope(self.cache.tables, aggregate)
        return self._tables[user]

    def run(self, user: str, measure_id: str, periods, by=None):
        return registry.get(measure_id).run(self.tables(user), periods, by, self.settings)

    def by_team(self, user: str, measure_id: str, periods=(OCTOBER,)) -> pd.DataFrame:
        s = self.run(user, measure_id, list(periods), "team").summary
        return s.set_index("group")

    @property
    def manager_team(self) -> tuple[str, str]:
        team = self.index.worker_team[self.users["manager"]["worker_id"]]
        return team, self.teams.set_index("team_id").at[team, "team"]

    @property
    def head_service(self) -> str:
        return self.users["head"]["services"][0]

    def service_teams(self, service: str) -> list[str]:
        return sorted(self.teams.loc[self.teams["service_id"] == service, "team"])


@pytest.fixture(scope="module")
def world(demo_portal) -> World:
    return World(demo_portal)


def same(a, b) -> bool:
    if (a is None or (isinstance(a, float) and math.isnan(a))) and (b is None or (isinstance(b, float) and math.isnan(b))):
        return True
    return a == pytest.approx(b)


def check_percent_teams(table: pd.DataFrame, expected: pd.DataFrame, prefix: str) -> None:
    """Each team row: '<prefix> % on time', '<prefix> on time', '<prefix> children' against the
    measure's value, numerator and denominator."""
    table = table.set_index("Team")
    for team, row in table.iterrows():
        if team not in expected.index:
            assert row[f"{prefix} children"] == 0, team
            continue
        e = expected.loc[team]
        assert row[f"{prefix} on time"] == e["numerator"], (prefix, team)
        assert row[f"{prefix} children"] == e["denominator"], (prefix, team)
        assert same(row[f"{prefix} % on time"], e["value"]), (prefix, team)


# ---- visits ---------------------------------------------------------------------------------------

def test_visits_for_a_head_of_service_match_the_measures_by_team(portal_env, world):
    at = open_page("management_visits.py", "head")
    teams = frame(at, "Team", "CP % on time")
    assert sorted(teams["Team"]) == world.service_teams(world.head_service)
    for prefix, mid in (("CP", "cp_visits"), ("CIN", "cin_visits"), ("CLA", "cla_visits")):
        check_percent_teams(teams, world.by_team("head", mid), prefix)
        # the headline is the service's figure
        s = world.run("head", mid, [OCTOBER], "service").summary.set_index("group_id")
        shown = metrics(at)[f"{prefix} visited on time"]
        expected = s.loc[world.head_service, "value"] if world.head_service in s.index else float("nan")
        assert shown == fmt_value(expected, "percent"), prefix
    assert sum(teams["CP children"]) > 0
    # children overdue now: every one in the head's scope, overdue by at least a day
    overdue = [d.value for d in at.dataframe if "Days overdue" in d.value.columns]
    scope, _ = derive_scope("head_of_service", None, world.cache.tables, world.cache.as_at, [world.head_service],
                            index=world.index)
    for table in overdue:
        assert (table["Days overdue"] > 0).all()
        assert set(table["Child ID"]) <= set(scope.children)
    # the children behind the CP figure: one row per child counted
    cp = world.run("head", "cp_visits", [OCTOBER]).rows
    cp = cp[cp["service_id"] == world.head_service]
    children = frame(at, "Child ID", "Counted as met")
    assert len(children) == len(cp) and set(children["Child ID"]) == set(cp["person_id"])


def test_visits_for_a_team_manager_show_only_their_team_and_its_workers(portal_env, world):
    team_id, team_name = world.manager_team
    other = next(t for t in world.teams["team"] if t != team_name)
    at = open_page("management_visits.py", "manager", {"team": other})
    box = at.selectbox(key="team")
    assert set(box.options) == {"All teams", team_name} and box.value == "all"
    teams = frame(at, "Team", "CP % on time")
    assert list(teams["Team"]) == [team_name]
    expected = world.by_team("manager", "cp_visits")
    check_percent_teams(teams, expected, "CP")
    # one team: its workers are shown without choosing it, and add up to the team
    workers = frame(at, "Worker", "CP % on time")
    assert workers["CP children"].sum() == expected.loc[team_name, "denominator"]
    # no other team is named anywhere on the page
    names = set(world.teams["team"]) - {team_name}
    for d in at.dataframe:
        for col in ("Team",):
            if col in d.value.columns:
                assert not names & set(d.value[col])


# ---- reviews ----------------------------------------------------------------------------------------

def test_reviews_by_team_and_due_in_the_coming_weeks(portal_env, world):
    at = open_page("management_reviews.py", "head", {"weeks": "The next 8 weeks"})
    teams = frame(at, "Team", "CP % on time")
    for prefix, mid in (("CP", "cp_reviews"), ("CLA", "cla_reviews"), ("CIN", "cin_reviews")):
        check_percent_teams(teams, world.by_team("head", mid), prefix)
    assert at.selectbox(key="weeks").value == 8
    due = frame(at, "Child ID", "Days until due")
    as_at = world.cache.as_at
    assert len(due) > 0, "the demo should have reviews due in the 8 weeks after 31 October 2026"
    assert (pd.to_datetime(due["Due"]) > as_at).all()
    assert (pd.to_datetime(due["Due"]) <= as_at + pd.Timedelta(weeks=8)).all()
    assert set(due["Team"]) <= set(world.service_teams(world.head_service))
    # the per-week counts add up to the list
    per_week = frame(at, "Week ending (Sunday)")
    assert int(per_week.drop(columns="Week ending (Sunday)").to_numpy().sum()) == len(due)


def test_reviews_for_a_team_manager(portal_env, world):
    _, team_name = world.manager_team
    at = open_page("management_reviews.py", "manager")
    teams = frame(at, "Team", "CP % on time")
    assert list(teams["Team"]) == [team_name]
    check_percent_teams(teams, world.by_team("manager", "cp_reviews"), "CP")
    for d in at.dataframe:
        if "Team" in d.value.columns and "Child ID" in d.value.columns:
            assert set(d.value["Team"]) <= {team_name}


# ---- supervision ------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", ["head", "manager"])
def test_supervision_by_team_and_worker(portal_env, world, user):
    at = open_page("management_supervision.py", user)
    expected = world.by_team(user, "case_supervision")
    teams = frame(at, "Team", "% up to date").set_index("Team")
    wanted = world.service_teams(world.head_service) if user == "head" else [world.manager_team[1]]
    assert sorted(teams.index) == sorted(t for t in wanted if t in expected.index)
    for team, row in teams.iterrows():
        assert row["Open cases"] == expected.loc[team, "denominator"]
        assert row["Up to date"] == expected.loc[team, "numerator"]
        assert row["% up to date"] == pytest.approx(expected.loc[team, "value"])
    shown = metrics(at)
    total = teams["Open cases"].sum()
    assert shown["Open cases"] == f"{total:,}"
    assert shown["Case supervision up to date"] == fmt_value(teams["Up to date"].sum() / total, "percent")
    if user == "manager":
        workers = frame(at, "Worker", "% up to date")
        assert workers["Open cases"].sum() == teams["Open cases"].sum()
        assert (workers["Longest since supervision (days)"].dropna() >= 0).all()


# ---- missing -----------------------------------------------------------------------------------------

YEAR_2025_26 = {"ptype": "Year to 31 March", "period": "March 2026"}


def test_missing_children_for_the_whole_authority_and_a_service(portal_env, world):
    year = period_for("2025-26", "year")
    at = open_page("management_missing.py", "analyst", YEAR_2025_26)
    assert at.selectbox(key="ptype").value == "year" and at.selectbox(key="period").value == "2026-03"
    rows = world.run("analyst", "missing_children", [year]).rows
    assert len(rows) > 0, "the small demo has missing episodes in 2025-26"
    shown = metrics(at)
    assert shown["Children who went missing"] == str(rows["person_id"].nunique())
    assert shown["Missing episodes"] == str(int(rows["episodes"].sum()))
    assert shown["Of whom in care"] == str(int(rows["looked_after_at_first_start"].sum()))
    # the months: 13 of them, to March 2026, each month's children as the measure counts them
    months = frame(at, "Month", "Children missing")
    trend = world.run("analyst", "missing_children", [month(2025, 3 + i) if i < 10 else month(2026, i - 9)
                                                       for i in range(13)]).summary.set_index("period")
    assert months["Month"].iloc[-1] == "March 2026" and len(months) == 13
    assert list(months["Children missing"]) == [int(trend["numerator"].get(p, 0)) for p in trend.index]
    # a head of service: their teams, as the measure run by team on their rows
    at = open_page("management_missing.py", "head", YEAR_2025_26)
    expected = world.by_team("head", "missing_children", [year])
    teams = [d.value for d in at.dataframe if {"Team", "Children missing"} <= set(d.value.columns)]
    for table in teams:
        for _, row in table.iterrows():
            assert row["Children missing"] == expected.loc[row["Team"], "numerator"]
    in_service = expected.index.intersection(world.service_teams(world.head_service))
    assert sum(len(t) for t in teams) == len(in_service)


# ---- caseload ----------------------------------------------------------------------------------------

def test_caseload_for_a_head_of_service_matches_the_caseload_and_worker_change_measures(portal_env, world):
    at = open_page("management_caseload.py", "head")
    teams = frame(at, "Team", "Average caseload").set_index("Team")
    caseload = world.by_team("head", "caseload")
    changes = world.by_team("head", "worker_changes")
    in_service = set(world.service_teams(world.head_service))
    assert set(teams.index) <= in_service
    assert in_service & set(caseload.index) <= set(teams.index)
    for team, row in teams.iterrows():
        if team in caseload.index:
            assert row["Workers"] == caseload.loc[team, "denominator"], team
            assert row["Social care cases"] == caseload.loc[team, "numerator"], team
            assert row["Average caseload"] == pytest.approx(caseload.loc[team, "value"]), team
            assert row["CIN"] + row["CP"] + row["CLA"] + row["Care leaver"] == row["Social care cases"]
        else:
            assert row["Social care cases"] == 0
        assert row["3+ worker changes"] == (changes.loc[team, "numerator"] if team in changes.index else 0), team
    service = world.run("head", "caseload", [OCTOBER], "service").summary.set_index("group_id").loc[world.head_service]
    shown = metrics(at)
    assert shown["Open social care cases"] == f"{int(service['numerator']):,}"
    assert shown["Average caseload"] == fmt_value(service["value"], "rate")
    # unallocated: the measure's children whose case sits with (or was last held by) the service's teams
    from metrics.activity import unallocated_waits

    rows = world.run("head", "unallocated", [OCTOBER]).rows
    waits = unallocated_waits(world.tables("head"), rows, [OCTOBER])
    assert shown["Unallocated"] == f"{int((waits['held_by_service_id'] == world.head_service).sum()):,}"
    assert "threshold of 18" in text(at)


def test_caseload_for_a_team_manager_lists_workers_and_their_children(portal_env, world):
    team_id, team_name = world.manager_team
    at = open_page("management_caseload.py", "manager")
    teams = frame(at, "Team", "Average caseload")
    assert list(teams["Team"]) == [team_name]
    caseload = world.by_team("manager", "caseload")
    workers = frame(at, "Worker", "Total")
    assert workers["Social care cases"].sum() == caseload.loc[team_name, "numerator"]
    assert (workers["Total"] == workers["Social care cases"] + workers["Early help"]).all()
    assert list(workers["Total"]) == sorted(workers["Total"], reverse=True)
    over = workers["Over 18"].astype(bool)
    assert (workers.loc[over, "Total"] > 18).all() and (workers.loc[~over, "Total"] <= 18).all()
    # the children held: every social care case of the team's workers, each child once per case type
    children = frame(at, "Child ID", "Early help since")
    sc = children[children["Case type"] != "Early help"]
    assert len(sc) == workers["Social care cases"].sum()
    assert len(children) - len(sc) == workers["Early help"].sum()
    # choosing a worker narrows the list to their cases
    first = workers.sort_values("Worker")["Worker"].iloc[0]
    at.selectbox(key="child_worker").set_value(first).run()
    assert not at.exception
    narrowed = frame(at, "Child ID", "Early help since")
    assert (narrowed["Worker"] == first).all()
    assert len(narrowed) == int(workers.set_index("Worker").at[first, "Total"])


def test_caseload_for_the_whole_authority_matches_python_m_metrics(portal_env, world):
    at = open_page("management_caseload.py", "analyst")
    s = world.run("analyst", "caseload", [OCTOBER]).summary.iloc[0]
    shown = metrics(at)
    assert shown["Open social care cases"] == f"{int(s['numerator']):,}"
    assert shown["Average caseload"] == fmt_value(s["value"], "rate")
    unallocated = world.run("analyst", "unallocated", [OCTOBER]).summary.iloc[0]
    assert shown["Unallocated"] == f"{int(unallocated['value']):,}"
    changes = world.run("analyst", "worker_changes", [OCTOBER]).summary.iloc[0]
    assert shown["3+ worker changes"] == f"{int(changes['numerator']):,}"
    listed = frame(at, "Child ID", "Worker changes")
    assert len(listed) == int(changes["numerator"]) and (listed["Worker changes"] >= 3).all()
    # September 2026 has an unallocated child in the small demo: listed with how long they have waited
    from metrics.activity import unallocated_waits

    september = month(2026, 9)
    rows = world.run("analyst", "unallocated", [september]).rows
    assert len(rows) > 0
    waits = unallocated_waits(world.tables("analyst"), rows, [september])
    at = open_page("management_caseload.py", "analyst", {"period": "September 2026"})
    assert metrics(at)["Unallocated"] == f"{len(rows):,}"
    listed = frame(at, "Child ID", "Days unallocated")
    assert sorted(listed["Child ID"]) == sorted(rows["person_id"])
    assert listed.set_index("Child ID")["Days unallocated"].to_dict() == \
        waits.set_index("person_id")["days_unallocated"].to_dict()
    assert (listed["Days unallocated"] > 0).all()


# ---- weekly activity -----------------------------------------------------------------------------------

# 31 October 2026 is a Saturday: the last complete week is Monday 19 to Sunday 25 October.
LAST_WEEK = Period(pd.Timestamp("2026-10-19"), pd.Timestamp("2026-10-25"), "last-week", "week")
ACTIVITY = {
    "Contacts": ("contacts", "numerator"), "Referrals": ("referrals", "numerator"),
    "Assessments completed": ("assessments", "numerator"), "Section 47 enquiries started": ("s47", "numerator"),
    "Initial CP conferences held": ("icpc_to_plan", "denominator"), "CP plans started": ("cp_repeat", "denominator"),
    "CP plans ended": ("cp_long", "denominator"), "Children starting care": ("cla_starts", "numerator"),
    "Children ceasing care": ("cla_ceased", "numerator"),
}


def week_counts(world: World, user: str, by: str, group_id: str) -> dict[str, int]:
    out = {}
    for activity, (mid, field) in ACTIVITY.items():
        s = world.run(user, mid, [LAST_WEEK], by).summary
        s = s[s["group_id"] == group_id]
        out[activity] = int(s[field].sum()) if len(s) else 0
    return out


def test_weekly_activity_for_a_head_of_service(portal_env, world):
    at = open_page("management_weekly.py", "head")
    assert "Monday 19 October to Sunday 25 October 2026" in text(at)
    summary = frame(at, "Activity", "Last week").set_index("Activity")
    expected = week_counts(world, "head", "service", world.head_service)
    assert summary["Last week"].to_dict() == expected
    assert sum(expected.values()) > 0
    # the service's own box (its workbook) shows the same figures
    assert "Each service's summary" in text(at)
    service_box = frame(at, "Activity", "Last week", nth=1).set_index("Activity")
    assert service_box["Last week"].to_dict() == expected
    # teams compared: each team's last week as the measures run by team
    teams = frame(at, "Team", "Contacts").set_index("Team")
    assert sorted(teams.index) == world.service_teams(world.head_service)
    by_team = {a: world.run("head", mid, [LAST_WEEK], "team").summary.set_index("group")[f] for a, (mid, f) in ACTIVITY.items()}
    for team, row in teams.iterrows():
        for activity in ACTIVITY:
            assert row[activity] == int(by_team[activity].get(team, 0) or 0), (team, activity)
    # last week's records, for dip-sampling: one per event counted
    children = frame(at, "Record ID", "Child ID")
    assert len(children) == sum(expected.values())


def test_weekly_activity_for_a_team_manager_is_their_team(portal_env, world):
    team_id, team_name = world.manager_team
    at = open_page("management_weekly.py", "manager", {"week": "w/e 18 Oct 2026"})
    assert at.selectbox(key="week").value == "W2026-10-18"
    assert "Your team's summary" in text(at) and "Each service's summary" not in text(at)
    week = Period(pd.Timestamp("2026-10-12"), pd.Timestamp("2026-10-18"), "wk", "week")
    summary = frame(at, "Activity", "Last week").set_index("Activity")
    for activity, (mid, field) in ACTIVITY.items():
        s = world.run("manager", mid, [week], "team").summary
        s = s[s["group_id"] == team_id]
        assert summary.loc[activity, "Last week"] == (int(s[field].iloc[0]) if len(s) else 0), activity
    teams = frame(at, "Team", "Contacts")
    assert list(teams["Team"]) == [team_name]
