"""AppTest of the Client summary on the small demo authority.

- A practitioner finds a child allocated to them by name (a list to choose from) and by ID (opens
  at once) and sees the summary: the child's name, status, what is due, the chronology (the same
  events as metrics.chronology on the cache) which filters by kind of event.
- Searching for a child outside their caseload, by name or by ID, shows only "No child you can see
  matches", and the child's name appears nowhere in the page's text; ``?child=`` with that child's
  ID (or an ID that does not exist) shows only "This child's record is not available to you.".
- A team manager and a head of service open a child of their team; the analyst opens any child.
- Each child viewed is written to the audit log once (action view_child, the ID, never the name).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from auth.audit import AuditLog
from auth.identity import derive_scope
from auth.settings import load_settings
from data_access.cache import load_current
from data_access.config import load_config
from metrics import chronology as chron
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in, demo_users

PAGE = "pages/client_summary.py"
NOT_AVAILABLE = "This child's record is not available to you."
NO_MATCH = "No child you can see matches that search."


def open_page(user: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=300)
    at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    apptest_sign_in(at, user)
    assert not at.exception, at.exception
    return at


def page_text(at: AppTest) -> str:
    """Everything the page shows as text (not what the user typed into the search box): headings,
    markdown, alerts, button and tab labels, widget options and every table's cells."""
    parts: list[str] = []
    for kind in (at.title, at.header, at.subheader, at.markdown, at.caption, at.info, at.warning, at.error,
                 at.success, at.text):
        parts += [str(e.value) for e in kind]
    parts += [str(b.label) for b in at.button]
    parts += [str(t.label) for t in at.tabs] + [str(x.label) for x in at.expander]
    for w in (*at.multiselect, *at.pills, *at.selectbox):
        parts += [str(o) for o in w.options]
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(parts)


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    frames = [d.value for d in at.dataframe if column in d.value.columns]
    assert frames, page_text(at)
    return frames[0]


@pytest.fixture(scope="module")
def demo(demo_portal):
    """The cache, the practitioner's own children and a child of their team who is not theirs."""
    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    users = demo_users(demo_portal)
    own_scope, team_scope = derive_scope("practitioner", users["practitioner"]["worker_id"], cache.tables, cache.as_at)
    people = cache.tables["ssd_person"]
    full = (people["pers_forename"].fillna("") + " " + people["pers_surname"].fillna("")).str.strip()
    names = dict(zip(people["pers_person_id"].astype(str), full))
    mine = sorted(own_scope.children)
    my_names = {names[p] for p in mine}
    # a child of their own whose name no other child of theirs shares; and a child of their team
    # (so in the figures they may count) who is not theirs, whose name no child of theirs shares
    own = next(p for p in mine if list(names.values()).count(names[p]) == 1 and names[p].count(" ") == 1)
    staff = users["practitioner"]["name"]
    other = next(p for p in sorted(team_scope.children - own_scope.children)
                 if names[p] not in my_names and names[p].count(" ") == 1 and len(names[p]) > 6
                 and names[p].split()[-1] not in staff)
    return {"cache": cache, "own": own, "own_name": names[own], "other": other, "other_name": names[other],
            "config": demo_portal}


def test_practitioner_finds_their_own_child_by_name_and_sees_the_summary(portal_env, demo):
    at = open_page("practitioner")
    assert "Find a child by their ID or name" in page_text(at)
    at.text_input(key="find").input(demo["own_name"].upper()).run()  # case does not matter
    assert not at.exception, at.exception
    # the matches are listed to choose from; the child is among them
    choice = at.button(key=f"open_{demo['own']}")
    assert demo["own_name"] in choice.label and demo["own"] in choice.label
    choice.click().run()
    assert not at.exception, at.exception
    assert at.query_params.get("child") == demo["own"]
    assert [h.value for h in at.header] == [demo["own_name"]]
    assert [t.label for t in at.tabs] == ["Now and next", "Chronology", "Assessments", "Care history",
                                         "Key relationships", "Allocation history"]
    assert f"Child ID **{demo['own']}**" in page_text(at)
    # the current worker is the practitioner (the child is allocated to them)
    assert f"{demo_users(demo['config'])['practitioner']['name']}, " in page_text(at)
    frame_with(at, "Status")
    frame_with(at, "Worker")
    # the chronology: every event metrics.chronology finds in the whole extract, newest first
    chronology = frame_with(at, "Source table")
    expected = chron.chronology(demo["cache"].tables, demo["own"])
    assert list(chronology["Record ID"]) == list(expected["record_id"])
    assert list(chronology["Event"]) == list(expected["event"])


def test_practitioner_opens_their_own_child_by_id_and_filters_the_chronology(portal_env, demo):
    at = open_page("practitioner")
    at.text_input(key="find").input(f" {demo['own']} ").run()
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == [demo["own_name"]]
    assert at.query_params.get("child") == demo["own"]
    everything = frame_with(at, "Source table")
    kinds = everything["Kind"].value_counts()
    pills = at.pills(key=f"chron_categories_{demo['own']}")
    assert set(pills.value) == set(kinds.index)  # every kind shown by default
    keep = kinds.index[-1]
    pills.set_value([keep]).run()
    assert not at.exception, at.exception
    filtered = frame_with(at, "Source table")
    assert len(filtered) == kinds[keep] and set(filtered["Kind"]) == {keep}
    assert f"{kinds[keep]:,} of {len(everything):,} events" in page_text(at)
    # and by one event type within the kinds shown
    pills.set_value(list(kinds.index)).run()
    event = everything["Event"].iloc[0]
    at.multiselect(key=f"chron_events_{demo['own']}").set_value([event]).run()
    filtered = frame_with(at, "Source table")
    assert set(filtered["Event"]) == {event} and len(filtered) == int((everything["Event"] == event).sum())


@pytest.mark.parametrize("how", ["name", "id"])
def test_practitioner_cannot_find_a_child_outside_their_caseload(portal_env, demo, how):
    at = open_page("practitioner")
    at.text_input(key="find").input(demo["other_name"] if how == "name" else demo["other"]).run()
    assert not at.exception, at.exception
    text = page_text(at)
    assert NO_MATCH in text
    assert demo["other_name"] not in text
    assert demo["other_name"].split()[-1] not in text  # not even the surname
    assert not at.header and not at.dataframe
    assert "child" not in at.query_params
    # the same words as for a child who does not exist
    at.text_input(key="find").input("Nobody Atallhere").run()
    assert NO_MATCH in page_text(at)


@pytest.mark.parametrize("child", ["other", "NO-SUCH-CHILD"])
def test_child_in_the_url_outside_access_or_unknown_shows_only_not_available(portal_env, demo, child):
    pid = demo["other"] if child == "other" else child
    at = open_page("practitioner", {"child": pid})
    text = page_text(at)
    assert NOT_AVAILABLE in text
    assert demo["other_name"] not in text
    assert not at.header and not at.dataframe and not at.tabs
    # the way back is a search, which still finds nothing of the child
    at.button(key="close_child").click().run()
    assert "child" not in at.query_params
    assert NOT_AVAILABLE not in page_text(at)


@pytest.mark.parametrize("user", ["manager", "head"])
def test_manager_and_head_of_service_open_a_child_of_their_team(portal_env, demo, user):
    at = open_page(user, {"child": demo["other"]})
    assert [h.value for h in at.header] == [demo["other_name"]]
    assert NOT_AVAILABLE not in page_text(at)


def test_analyst_sees_any_child(portal_env, demo):
    at = open_page("analyst", {"child": demo["other"]})
    assert [h.value for h in at.header] == [demo["other_name"]]
    chronology = frame_with(at, "Source table")
    assert list(chronology["Record ID"]) == list(chron.chronology(demo["cache"].tables, demo["other"])["record_id"])
    # and finds them by name too
    at = open_page("analyst")
    at.text_input(key="find").input(demo["other_name"]).run()
    assert demo["other_name"] in at.button(key=f"open_{demo['other']}").label


def test_each_child_viewed_is_audited_once_by_id_never_by_name(portal_env, demo):
    since = datetime.now(timezone.utc).replace(tzinfo=None)
    at = open_page("practitioner", {"child": demo["own"]})
    at.run()  # a rerun (e.g. a filter) is the same view: not written again
    at.pills(key=f"chron_categories_{demo['own']}").set_value([]).run()
    log = AuditLog(load_settings(demo["config"]).database).query(since=since, username="practitioner")
    views = log[log["action"] == "view_child"]
    assert views["child_ids"].tolist() == [demo["own"]]
    assert views["page"].tolist() == ["Client summary"]
    # no name anywhere in what was logged for this session (views, lists, sign-in)
    assert not log.astype(str).apply(lambda c: c.str.contains(demo["own_name"].split()[-1], regex=False)).any().any()
    # a child who could not be shown is not logged as viewed
    since = datetime.now(timezone.utc).replace(tzinfo=None)
    open_page("practitioner", {"child": demo["other"]})
    log = AuditLog(load_settings(demo["config"]).database).query(since=since, username="practitioner")
    assert "view_child" not in set(log["action"])
