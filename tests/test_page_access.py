"""Who sees what, through the real pages (AppTest, small demo authority, demo accounts):
nothing before sign-in on any page, pages refused to roles they are not for, a team manager
limited to their team even when the URL names another, and every child list written to the audit
log with the IDs shown (and nothing else personal)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auth.audit import AuditLog
from auth.gate import NOT_AVAILABLE
from auth.settings import load_settings
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in, demo_users

PAGES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


def fresh(script: str = "app.py", query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / script), default_timeout=90)
    at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def shows_form(at: AppTest) -> bool:
    return any(t.key == "auth_password" for t in at.text_input)


def all_text(at: AppTest) -> str:
    parts = [e.value for kind in (at.markdown, at.caption, at.info, at.warning, at.error, at.title, at.subheader)
             for e in kind]
    return " ".join(str(p) for p in parts)


def audit(config: Path) -> pd.DataFrame:
    return AuditLog(load_settings(config).database).query()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_opened_directly_shows_only_the_sign_in_form(portal_env, page):
    at = fresh(page)
    assert shows_form(at)
    assert not at.dataframe and not at.metric
    assert "Data as at" not in all_text(at)


def test_practitioner_cannot_open_management_or_strategic_pages(portal_env):
    at = fresh()
    apptest_sign_in(at, "practitioner")
    # home lists the management and strategic reports as not available to the role
    assert all_text(at).count("These reports are not available to your role.") == 2
    # and asking the navigation for those pages shows none of them
    for page in ("pages/management_assessments.py", "pages/strategic_dstw.py", "pages/audit.py"):
        try:
            at.switch_page(page)
        except ValueError as exc:  # the role's navigation does not register the page at all
            assert "Could not find a navigation page" in str(exc)
            continue
        at.run()  # registered by the signed-out run before: now it must show nothing of it
        assert not at.exception, at.exception
        assert not at.dataframe and not at.metric, page
        assert "Teams compared" not in all_text(at) and "Audit log" not in [t.value for t in at.title]
    for page in ("pages/management_assessments.py", "pages/strategic_dstw.py", "pages/audit.py"):
        direct = apptest_sign_in(fresh(page), "practitioner")
        assert NOT_AVAILABLE in all_text(direct), page
        assert not direct.dataframe and not direct.metric


def test_team_manager_sees_only_their_team_even_when_the_url_names_another(portal_env):
    users = demo_users(portal_env)
    from data_access.config import load_config
    from tests.independent import assessments_in_month

    expected = assessments_in_month(load_config(portal_env).cache_folder, 2026, 10)
    manager_worker = users["manager"]["worker_id"]
    from auth.identity import Role, build_org_index, derive_scope
    from data_access.cache import load_current

    cache = load_current(load_config(portal_env).cache_folder)
    team = build_org_index(cache.tables).worker_team[manager_worker]
    scope, _ = derive_scope(Role.TEAM_MANAGER, manager_worker, cache.tables, cache.as_at)
    other = expected.loc[expected["cina_assessment_team"] != team, "team_name"]
    assert len(other), "the small demo should have another team with assessments in October 2026"
    at = apptest_sign_in(fresh("pages/management_assessments.py", {"team": other.iloc[0]}), "manager")
    # the team filter offers only the manager's own team, so the other team's name falls back
    team_box = at.selectbox(key="team")
    own_name = expected.loc[expected["cina_assessment_team"] == team, "team_name"].iloc[0]
    assert set(team_box.options) == {"All teams", own_name}
    assert team_box.value == "all"
    # the list holds every October assessment of the manager's children, and no other child
    children = [d.value for d in at.dataframe if "Assessment ID" in d.value.columns]
    shown = set(children[0]["Child ID"])
    mine = set(expected.loc[expected["cina_person_id"].isin(list(scope.children)), "cina_person_id"])
    assert shown == mine and mine
    assert set(expected.loc[expected["cina_assessment_team"] == team, "cina_person_id"]) <= shown
    # other teams that assessed the manager's children are neither named nor told apart
    teams = next(d.value for d in at.dataframe if "Team" in d.value.columns and "Assessment ID" not in d.value.columns)
    assert set(teams["Team"]) <= {own_name, "Another team (outside your access)"}
    assert not (set(expected["team_name"]) - {own_name}) & set(children[0]["Team"])
    # the list shown was audited with exactly those IDs
    log = audit(portal_env)
    rows = log[(log["username"] == "manager") & (log["action"] == "list_children")]
    assert len(rows) >= 1
    assert set(filter(None, (rows.iloc[0]["child_ids"] or "").split(","))) == shown


def test_senior_leader_sees_the_audit_log_and_viewing_it_is_recorded(portal_env):
    at = apptest_sign_in(fresh("pages/audit.py"), "analyst")
    assert NOT_AVAILABLE not in all_text(at)
    log = audit(portal_env)
    assert "view_audit" in set(log.loc[log["username"] == "analyst", "action"])
    assert (log["action"] == "sign_in").any()


def test_a_long_list_in_the_audit_log_shows_its_count_and_first_ids_and_the_excel_cell_fits(portal_env, monkeypatch):
    # A whole authority's caseload is one list_children event with every child ID listed: the table
    # shows how many and the first ten, the Child ID filter still finds any of them, and the Excel
    # cell is cut (with how many more) below Excel's 32,767-character limit instead of breaking the file.
    import io

    import streamlit as st
    from openpyxl import load_workbook

    from ui.format import EXCEL_CELL_LIMIT

    ids = [f"LONG{i:07d}" for i in range(5_000)]  # 5,000 x 12 characters: 60,000 with the commas
    AuditLog(load_settings(portal_env).database).record(
        username="lister", role="senior_leader", action="list_children", page="Caseload", child_ids=ids,
        row_count=len(ids))
    served = {}
    original = st.download_button

    def keep(label, data, *args, **kwargs):
        served[kwargs.get("file_name")] = data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", keep)
    at = apptest_sign_in(fresh("pages/audit.py"), "analyst")
    at.text_input(key="audit_user").input("lister").run()
    table = at.dataframe[0].value
    row = table[table["Action"] == "list_children"].iloc[0]
    assert row["Children"] == 5_000
    assert row["Child IDs"] == ",".join(ids[:10]) + " … and 4,990 more"
    sheet = load_workbook(io.BytesIO(served["audit-log.xlsx"]())).active
    cells = [c for r in sheet.iter_rows(values_only=True) for c in r if isinstance(c, str) and c.startswith("LONG")]
    assert len(cells) == 1 and len(cells[0]) <= EXCEL_CELL_LIMIT and cells[0].endswith(" more")
    kept = cells[0].split(" … and ")[0].split(",")
    assert kept == ids[:len(kept)] and cells[0].endswith(f"and {5_000 - len(kept):,} more") and len(kept) > 2_000
    at.text_input(key="audit_child").input(ids[-1]).run()  # the last ID, in neither the table nor the cell
    assert list(at.dataframe[0].value["Children"]) == [5_000]
