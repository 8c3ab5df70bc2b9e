"""AppTest of the worker pages (Caseload, Weekly planning, Leaving care) on the small demo
authority, signed in as each demo role through the real form.

What the page shows is compared with the task engine run directly on the same user's record
scope (derive_scope + apply_scope on the cache, no page code): a practitioner sees exactly their
own children and tasks; a team manager can choose a worker of their team but not one outside it,
even by URL; the analyst sees the whole authority."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from auth.audit import AuditLog
from auth.identity import Role, derive_scope
from auth.settings import load_settings
from data_access.cache import load_current
from data_access.config import load_config
from data_access.scope import apply_scope
from metrics.lookups import worker_lookup
from metrics.settings import MetricSettings
from metrics.tasks import OVERDUE, caseload_table, care_leaver_rows, plan, worklist
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in, demo_users

CASELOAD, PLANNING, LEAVING = "pages/worker_caseload.py", "pages/worker_planning.py", "pages/worker_leaving_care.py"


def open_page(page: str, user: str, query: dict | None = None, served: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=300)
    at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    apptest_sign_in(at, user)
    assert not at.exception, at.exception
    return at


def text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in (at.markdown, at.caption, at.info, at.warning, at.error,
                                               at.title, at.subheader) for e in kind)


def frame_with(at: AppTest, *columns: str) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert frames, f"no table with {columns}: {text(at)[:500]}"
    return frames[0]


def frames_with(at: AppTest, *columns: str) -> list[pd.DataFrame]:
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]


class Direct:
    """The task engine run straight on the cache, on a demo user's record scope."""

    def __init__(self, config):
        cfg = load_config(config)
        self.cache = load_current(cfg.cache_folder)
        self.settings = MetricSettings.from_config(cfg.measures, cfg.targets)
        self.users = demo_users(config)
        self._wl = {}

    def scope(self, user: str):
        u = self.users[user]
        scope, _ = derive_scope(Role.parse(u["role"]), u.get("worker_id"), self.cache.tables, self.cache.as_at,
                                u.get("services", ()))
        return scope

    def tables(self, user: str):
        return apply_scope(self.cache.tables, self.scope(user))

    def worklist(self, user: str):
        if user not in self._wl:
            self._wl[user] = worklist(self.tables(user), self.cache.as_at, self.settings)
        return self._wl[user]

    def worker_name(self, worker_id: str) -> str:
        w = worker_lookup(self.cache.tables)
        return str(w.set_index("worker_id").at[worker_id, "worker"])


@pytest.fixture(scope="module")
def direct(demo_portal) -> Direct:
    return Direct(demo_portal)


# ---- Caseload ------------------------------------------------------------------------------------

def test_practitioner_sees_exactly_their_own_children_with_the_engines_dates(portal_env, direct):
    me = direct.users["practitioner"]["worker_id"]
    wl = direct.worklist("practitioner")
    mine = wl.children[wl.children["worker_id"] == me]
    assert len(mine) > 0
    expected = caseload_table(mine, wl.tasks)

    at = open_page(CASELOAD, "practitioner")
    assert not [s for s in at.selectbox if s.key == "who"]  # a practitioner chooses nobody else
    table = frame_with(at, "Child ID", "RAG", "Next due")
    assert list(table["Child ID"]) == list(expected["person_id"])  # same children, same (urgency) order
    # every child in the practitioner's record scope who is open is theirs
    assert set(table["Child ID"]) == set(wl.children["person_id"])
    # each task's dates as the engine works them out
    t = wl.tasks.set_index(["person_id", "task"])
    checked = 0
    for _, row in table.iterrows():
        for task in [c for c in table.columns if c.endswith(": due")]:
            name = task[: -len(": due")]
            if pd.notna(row[task]):
                assert pd.Timestamp(row[task]) == t.at[(row["Child ID"], name), "next_due"], (row["Child ID"], name)
                checked += 1
    assert checked >= len(table)
    # the list was written to the audit log with exactly these children
    log = AuditLog(load_settings(portal_env).database).query(action="list_children", username="practitioner")
    assert set(log.iloc[0]["child_ids"].split(",")) == set(table["Child ID"])
    # the tasks view lists the same children's tasks, most urgent first
    at.segmented_control(key="view").set_value("By task").run()
    tasks = frame_with(at, "Task", "Why")
    assert len(tasks) == len(wl.tasks[wl.tasks["person_id"].isin(set(table["Child ID"]))])
    assert tasks["RAG"].iloc[0].endswith(wl.tasks["status"].iloc[0])


def test_manager_can_choose_a_worker_in_their_team_but_not_outside_it(portal_env, direct):
    users = direct.users
    practitioner = direct.worker_name(users["practitioner"]["worker_id"])
    at = open_page(CASELOAD, "manager")
    who = at.selectbox(key="who")
    scope = direct.scope("manager")
    # by default the manager's own caseload, or their whole team when they hold no cases
    holds = (direct.worklist("manager").children["worker_id"] == users["manager"]["worker_id"]).any()
    own = direct.worker_name(users["manager"]["worker_id"])
    assert who.value == (own if holds else f"Whole team: {who.value[len('Whole team: '):]}")
    assert holds or who.value.startswith("Whole team: ")
    outside = worker_lookup(direct.cache.tables)
    outside = outside[~outside["worker_id"].isin(list(scope.workers))]
    assert practitioner in who.options
    assert not set(outside["worker"]) & set(who.options)
    # choosing the practitioner shows the practitioner's children
    who.set_value(practitioner).run()
    assert not at.exception, at.exception
    shown = set(frame_with(at, "Child ID", "RAG")["Child ID"])
    wl = direct.worklist("practitioner")
    assert shown == set(wl.children.loc[wl.children["worker_id"] == users["practitioner"]["worker_id"], "person_id"])
    # the whole team: every open child allocated to the team, with a Worker column
    team = [o for o in who.options if o.startswith("Whole team: ")]
    assert len(team) == 1
    at.selectbox(key="who").set_value(team[0]).run()
    mw = direct.worklist("manager")
    team_id = next(iter(scope.teams))
    team_table = frame_with(at, "Child ID", "Worker")
    assert set(team_table["Child ID"]) == set(mw.children.loc[mw.children["team_id"] == team_id, "person_id"])

    # a URL naming a worker outside the team is ignored: the default shows, nothing of theirs
    busy = direct.worklist("analyst").children
    other = busy[~busy["worker_id"].isin(list(scope.workers)) & (busy["worker_id"] != "")]
    other_id = other["worker_id"].value_counts().index[0]
    other_name = direct.worker_name(other_id)
    at = open_page(CASELOAD, "manager", query={"who": other_name})
    assert at.selectbox(key="who").value != other_name
    theirs = set(other.loc[other["worker_id"] == other_id, "person_id"])
    for frame in frames_with(at, "Child ID"):
        assert not set(frame["Child ID"]) & theirs
    assert other_name not in text(at)
    # and a URL naming the practitioner opens straight on them
    at = open_page(CASELOAD, "manager", query={"who": practitioner})
    assert at.selectbox(key="who").value == practitioner


def test_analyst_sees_every_open_child(portal_env, direct):
    at = open_page(CASELOAD, "analyst")
    assert at.selectbox(key="who").value == "Everyone you can see"
    table = frame_with(at, "Child ID", "Worker", "RAG")
    wl = direct.worklist("analyst")
    assert set(table["Child ID"]) == set(wl.children["person_id"])
    assert len(table) == len(wl.children)
    # most urgent first: every child with an overdue task comes before any without
    rag = list(table["RAG"])
    n_over = sum(r.endswith(OVERDUE) for r in rag)
    assert n_over and all(r.endswith(OVERDUE) for r in rag[:n_over])


def test_a_caseload_too_long_to_send_whole_has_no_row_selection_and_says_how_to_open_a_child(
        portal_env, direct, monkeypatch):
    # Over ui.tables.LAZY_ROWS rows the table goes to the browser as the reader scrolls, where
    # Streamlit cannot select rows: the page says how else to open a child.
    import ui.tables

    n = len(direct.worklist("analyst").children)
    monkeypatch.setattr(ui.tables, "LAZY_ROWS", n - 1)
    at = open_page(CASELOAD, "analyst")
    table = next(d for d in at.dataframe if "RAG" in d.value.columns and "Child ID" in d.value.columns)
    assert len(table.value) == n
    assert not table.proto.selection_mode
    assert "choose a team or worker above and select the row" in text(at)
    assert ui.tables.LAZY_NOTE in text(at)
    monkeypatch.setattr(ui.tables, "LAZY_ROWS", n)
    at = open_page(CASELOAD, "analyst")
    table = next(d for d in at.dataframe if "RAG" in d.value.columns and "Child ID" in d.value.columns)
    assert list(table.proto.selection_mode)  # whole: a row opens the child's summary
    assert "Select a row to open the child's summary." in text(at)


def test_a_worker_with_no_open_children_gets_a_helpful_message(portal_env, direct):
    # a worker of the team who holds no open case (if the demo has one); else the analyst's choice
    wl = direct.worklist("manager")
    scope = direct.scope("manager")
    idle = sorted(set(scope.workers) - set(wl.children["worker_id"]))
    if not idle:
        pytest.skip("every worker in the demo team holds a case")
    at = open_page(CASELOAD, "manager", query={"who": direct.worker_name(idle[0])})
    assert "no open children" in text(at)
    assert not frames_with(at, "Child ID")


# ---- Weekly planning -------------------------------------------------------------------------------

def served_workbook(page: str, user: str, query: dict | None = None):
    served: dict[str, object] = {}
    original = DeltaGenerator.download_button

    def keep(self, label, data, *args, **kwargs):
        served[kwargs.get("file_name") or args[0]] = data
        return original(self, label, data, *args, **kwargs)

    DeltaGenerator.download_button = keep
    try:
        at = open_page(page, user, query)
    finally:
        DeltaGenerator.download_button = original
    xlsx = [name for name in served if name.endswith(".xlsx")]
    assert xlsx, text(at)
    data = served[xlsx[-1]]
    return at, load_workbook(io.BytesIO(data() if callable(data) else data))


def test_practitioner_weekly_plan_is_their_tasks_overdue_or_due_in_n_weeks(portal_env, direct):
    me = direct.users["practitioner"]["worker_id"]
    wl = direct.worklist("practitioner")
    mine = wl.tasks[wl.tasks["worker_id"] == me]
    at = open_page(PLANNING, "practitioner")
    assert at.number_input(key="weeks").value == 4
    shown = pd.concat(frames_with(at, "Due", "Task", "Child ID"), ignore_index=True)
    expected = plan(mine, direct.cache.as_at, 4)
    assert len(shown) == len(expected)
    assert set(shown["Child ID"]) == set(expected["person_id"])
    assert set(shown["Child ID"]) <= set(wl.children.loc[wl.children["worker_id"] == me, "person_id"])
    assert [m for m in at.markdown if "w/c" in m.value or OVERDUE in m.value]  # grouped by week
    # two weeks, from the URL
    at = open_page(PLANNING, "practitioner", query={"weeks": "2"})
    assert at.number_input(key="weeks").value == 2
    shown2 = pd.concat(frames_with(at, "Due", "Task", "Child ID"), ignore_index=True)
    assert len(shown2) == len(plan(mine, direct.cache.as_at, 2)) <= len(shown)


def test_print_layout_uses_plain_tables_and_no_chart(portal_env, direct):
    at = open_page(PLANNING, "practitioner", query={"print": "true"})
    assert at.toggle(key="print").value is True
    assert not at.get("plotly_chart") and not frames_with(at, "Due", "Task")
    assert len(at.table) >= 1
    assert any("@media print" in m.value for m in at.markdown)
    normal = open_page(PLANNING, "practitioner")
    assert normal.get("plotly_chart") and not normal.table


def test_weekly_plan_workbook_one_sheet_per_worker_or_by_week(portal_env, direct):
    wl = direct.worklist("manager")
    team_id = next(iter(direct.scope("manager").teams))
    expected = plan(wl.tasks[wl.tasks["team_id"] == team_id], direct.cache.as_at, 4)
    at, wb = served_workbook(PLANNING, "manager")
    assert at.selectbox(key="who").value.startswith("Whole team: ")
    workers = list(dict.fromkeys(expected["worker"]))
    assert wb.sheetnames == [w[:31] for w in workers] + ["About"]
    total = 0
    for ws, worker in zip(wb.worksheets, workers):
        header = [c.value for c in ws[1]]
        assert header[:3] == ["Week", "Due", "Status"] and "Child ID" in header
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        assert len(rows) == int((expected["worker"] == worker).sum())
        total += len(rows)
    assert total == len(expected)
    at, wb = served_workbook(PLANNING, "manager", query={"sheets": "One sheet, grouped by week"})
    assert wb.sheetnames == ["Weekly plan", "About"]
    ws = wb["Weekly plan"]
    assert [c.value for c in ws[1]][:2] == ["Week", "Worker"]
    weeks = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(weeks) == len(expected)
    if OVERDUE in weeks:  # overdue first, then the weeks in order
        assert weeks[: weeks.count(OVERDUE)] == [OVERDUE] * weeks.count(OVERDUE)


def test_a_plan_over_many_workers_shows_counts_per_worker_and_exports_every_task(portal_env, direct, monkeypatch):
    # A whole authority would be thousands of per-worker, per-week tables (minutes to draw on the
    # large demo); above tables.MAX_WORKER_SECTIONS workers the page counts each worker's tasks.
    import ui.tables

    monkeypatch.setattr(ui.tables, "MAX_WORKER_SECTIONS", 2)
    wl = direct.worklist("analyst")
    expected = plan(wl.tasks, direct.cache.as_at, 4)
    assert expected["worker"].nunique() > 2
    at, wb = served_workbook(PLANNING, "analyst")
    assert at.selectbox(key="who").value == "Everyone you can see"
    assert not frames_with(at, "Due", "Task", "Child ID")  # no child listed on screen
    counts = frame_with(at, "Worker", "Overdue", "Due soon", "On track", "Total")
    assert counts["Total"].sum() == len(expected)
    assert counts["Overdue"].sum() == int((expected["status"] == OVERDUE).sum())
    by_worker = expected.groupby("worker").size()
    got = counts.groupby("Worker")["Total"].sum()
    assert got.to_dict() == by_worker.to_dict()
    assert list(counts["Overdue"]) == sorted(counts["Overdue"], reverse=True)  # most overdue first
    assert "too many to list one by one" in text(at)
    # the workbook still holds every task, a sheet per worker
    assert sum(ws.max_row - 1 for ws in wb.worksheets if ws.title != "About") == len(expected)


def test_manager_cannot_plan_for_a_worker_outside_the_team_by_url(portal_env, direct):
    scope = direct.scope("manager")
    busy = direct.worklist("analyst").tasks
    other = busy[~busy["worker_id"].isin(list(scope.workers)) & (busy["worker_id"] != "")]
    other_id = other["worker_id"].value_counts().index[0]
    at = open_page(PLANNING, "manager", query={"who": direct.worker_name(other_id)})
    assert at.selectbox(key="who").value.startswith("Whole team: ")
    theirs = set(other.loc[other["worker_id"] == other_id, "person_id"])
    for frame in frames_with(at, "Child ID"):
        assert not set(frame["Child ID"]) & theirs


# ---- Leaving care ------------------------------------------------------------------------------------

def test_leaving_care_lists_the_care_leavers_in_scope(portal_env, direct):
    expected = care_leaver_rows(direct.worklist("analyst"))
    at = open_page(LEAVING, "analyst")
    table = frame_with(at, "Child ID", "Personal adviser", "Pathway plan review due")
    assert list(table["Child ID"]) == list(expected["person_id"])
    row = table.iloc[0]
    e = expected.iloc[0]
    assert pd.Timestamp(row["Contact due"]) == e["contact_due"] or (pd.isna(row["Contact due"]) and pd.isna(e["contact_due"]))
    assert row["Contact"].endswith(e["contact_status"])
    assert list(table["Suitable"]) == list(expected["suitable"]) and list(table["EET"]) == list(expected["eet"])
    # the head of service: only their service's care leavers
    head = care_leaver_rows(direct.worklist("head"))
    at = open_page(LEAVING, "head")
    shown = frames_with(at, "Child ID", "Personal adviser")
    assert (set(shown[0]["Child ID"]) if shown else set()) == set(head["person_id"])
    assert set(head["person_id"]) <= set(expected["person_id"])


def test_leaving_care_for_a_practitioner_is_their_own_care_leavers(portal_env, direct):
    expected = care_leaver_rows(direct.worklist("practitioner"))
    at = open_page(LEAVING, "practitioner")
    shown = frames_with(at, "Child ID", "Personal adviser")
    if expected.empty:
        assert not shown and "No care leavers allocated to you" in text(at)
    else:
        assert set(shown[0]["Child ID"]) == set(expected["person_id"])


@pytest.mark.parametrize("page", [CASELOAD, PLANNING, LEAVING])
@pytest.mark.parametrize("user", ["practitioner", "manager", "head", "analyst"])
def test_every_worker_page_opens_for_every_role(portal_env, page, user):
    at = open_page(page, user)
    assert "Data as at" in text(at)
