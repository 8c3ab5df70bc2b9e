"""AppTest of Management → Assessments on the small demo authority: the page renders the team
comparison, the worker breakdown and the child list, and its figures agree with an independent
computation from the Parquet cache."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_access.config import load_config
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in
from tests.independent import assessments_in_month

PAGE = "pages/management_assessments.py"


def open_page(query: dict | None = None, user: str = "analyst") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    apptest_sign_in(at, user)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


# st.dataframe keys are not exposed by AppTest for tables without selection, so each table is
# found by the column that only it has.
SIGNATURE = {"teams_table": "Team", "workers_table": "Worker", "children_table": "Assessment ID"}


def table(at: AppTest, key: str) -> pd.DataFrame:
    column = SIGNATURE[key]
    found = [d.value for d in at.dataframe if column in d.value.columns
             and not (key == "teams_table" and "Assessment ID" in d.value.columns)
             and not (key == "workers_table" and "Assessment ID" in d.value.columns)]
    assert found, f"no table with a {column!r} column"
    return found[0]


def test_page_shows_teams_against_independent_computation(portal_env):
    cfg = load_config(portal_env)
    expected = assessments_in_month(cfg.cache_folder, 2026, 10)
    assert len(expected) > 0, "the small demo should have assessments completed in October 2026"
    at = open_page()
    # the data stamp is on the page
    assert any("Data as at" in c.value and "31 October 2026" in c.value for c in at.caption)
    # headline: the whole authority for the latest complete month (October 2026)
    headline = {m.label: m.value for m in at.metric}
    assert headline["Assessments completed"] == f"{len(expected):,}"
    assert headline["Completed within 45 working days"] == f"{expected['in_time'].mean():.1%}"
    # team comparison: one row per team with completions, with counts as computed independently
    teams = table(at, "teams_table").set_index("Team")
    by_team = expected.groupby("team_name").agg(completed=("in_time", "size"), in_time=("in_time", "sum"))
    assert sorted(teams.index) == sorted(by_team.index)
    for name, row in by_team.iterrows():
        assert teams.at[name, "Completed"] == row["completed"]
        assert teams.at[name, "In time"] == row["in_time"]
        assert teams.at[name, "% in time"] == pytest.approx(row["in_time"] / row["completed"])
    # without a team chosen, the worker section asks for one
    assert any("Choose a team" in i.value for i in at.info)
    # the children list holds every assessment behind the figure
    assert len(table(at, "children_table")) == len(expected)


def test_choosing_a_team_shows_its_workers_and_children(portal_env):
    cfg = load_config(portal_env)
    expected = assessments_in_month(cfg.cache_folder, 2026, 10)
    team_id = expected["cina_assessment_team"].value_counts().index[0]
    team_rows = expected[expected["cina_assessment_team"] == team_id]
    at = open_page()
    at.selectbox(key="team").set_value(team_id).run()
    assert not at.exception
    workers = table(at, "workers_table")
    assert workers["Completed"].sum() == len(team_rows)
    assert workers["In time"].sum() == int(team_rows["in_time"].sum())
    assert len(workers) == team_rows["cina_assessment_worker_id"].nunique()
    children = table(at, "children_table")
    assert len(children) == len(team_rows)
    assert set(children["Child ID"]) == set(team_rows["cina_person_id"])
    # "Out of time" narrows the list to the late ones
    at.segmented_control(key="show").set_value("Out of time").run()
    late = table(at, "children_table")
    assert len(late) == int((~team_rows["in_time"]).sum())
    assert (late["Working days"] > 45).all()


def test_period_and_team_come_from_the_url(portal_env):
    cfg = load_config(portal_env)
    expected = assessments_in_month(cfg.cache_folder, 2026, 7)
    team_id = expected["cina_assessment_team"].value_counts().index[0]
    team_name = expected.loc[expected["cina_assessment_team"] == team_id, "team_name"].iloc[0]
    # bound widgets carry their displayed labels in the URL: ?period=July+2026&team=<team name>
    at = open_page({"period": "July 2026", "team": team_name})
    assert at.selectbox(key="period").value == "2026-07"
    assert at.selectbox(key="team").value == team_id
    children = table(at, "children_table")
    assert len(children) == int((expected["cina_assessment_team"] == team_id).sum())


def test_a_team_not_offered_in_the_url_falls_back_to_all_teams(portal_env):
    at = open_page({"team": "NO-SUCH-TEAM"})
    assert at.selectbox(key="team").value == "all"
