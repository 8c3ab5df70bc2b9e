"""The Client summary in a real browser (Playwright + Debian chromium) on a running portal over the
small demo authority, as the demo practitioner: sign in, find a child allocated to them by part of
their name, open the summary (the URL then names the child), follow the chronology (hide a kind of
event, download what is shown to Excel), and fail to find a child of their team who is not theirs
by name or by ID, or to open that child's record by URL."""

from __future__ import annotations

import io
import os
import re

import openpyxl
import pytest

from auth.identity import derive_scope
from data_access.cache import load_current
from data_access.config import load_config
from metrics import chronology as chron
from tests.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_idle
from tests.conftest import browser_sign_in, demo_users

pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed")

NOT_AVAILABLE = "This child's record is not available to you."
NO_MATCH = "No child you can see matches that search."


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="module")
def children(demo_portal):
    """A child of the practitioner's (with a name no other child of theirs shares, and events of
    more than one kind) and a child of their team who is not theirs."""
    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    worker = demo_users(demo_portal)["practitioner"]["worker_id"]
    own_scope, team_scope = derive_scope("practitioner", worker, cache.tables, cache.as_at)
    people = cache.tables["ssd_person"]
    full = (people["pers_forename"].fillna("") + " " + people["pers_surname"].fillna("")).str.strip()
    names = dict(zip(people["pers_person_id"].astype(str), full))
    mine = sorted(own_scope.children)
    my_names = [names[p] for p in mine]
    own = next(p for p in mine if my_names.count(names[p]) == 1 and names[p].count(" ") == 1
               and chron.chronology(cache.tables, p)["category"].nunique() > 2)
    # (whose surname is not the practitioner's nor that of the child whose summary is open)
    staff = demo_users(demo_portal)["practitioner"]["name"]
    other = next(p for p in sorted(team_scope.children - own_scope.children)
                 if names[p] not in my_names and names[p].count(" ") == 1 and len(names[p]) > 6
                 and names[p].split()[-1] not in f"{names[own]} {staff}")
    return {"own": own, "own_name": names[own], "other": other, "other_name": names[other],
            "events": chron.chronology(cache.tables, own)}


def find(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Find a child")
    box.fill(text)
    box.press("Enter")
    wait_idle(page)


def test_practitioner_finds_their_child_follows_the_chronology_and_cannot_find_another(demo_portal, browser, children):
    own, own_name = children["own"], children["own_name"]
    other, other_name = children["other"], children["other_name"]
    events = children["events"]
    with streamlit_server(demo_portal) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        page = context.new_page()
        page.goto(f"{url}/client_summary", wait_until="domcontentloaded")
        wait_idle(page)
        browser_sign_in(page, "practitioner")
        page.get_by_text("Find a child by their ID or name").wait_for(timeout=60_000)

        # find them by the start of their first name and surname, and open the summary
        first, last = own_name.split()
        find(page, f"{first[:3].lower()} {last[:4]}")
        page.get_by_role("button", name=re.compile(re.escape(f"{own_name} · born"))).click()
        page.get_by_role("heading", name=own_name).wait_for(timeout=60_000)
        wait_idle(page)
        assert f"child={own}" in page.url
        body = page.inner_text("body")
        assert f"Child ID {own}" in body and "What is due next" in body

        # the chronology: every event shown, then one kind of event hidden
        page.get_by_role("tab", name="Chronology").click()
        page.get_by_text(f"{len(events):,} of {len(events):,} events, newest first.").wait_for()
        hide = events["category"].value_counts().index[0]
        page.get_by_role("button", name=hide, exact=True).click()
        wait_idle(page)
        left = events[events["category"] != hide]
        page.get_by_text(f"{len(left):,} of {len(events):,} events, newest first.").wait_for()
        with page.expect_download() as info:
            page.get_by_role("button", name="Download Excel").click()
        book = openpyxl.load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
        rows = list(book["Chronology"].iter_rows(values_only=True))
        header, rows = rows[0], rows[1:]
        assert header[:3] == ("Child ID", "Date", "Event")
        assert [r[header.index("Record ID")] for r in rows] == list(left["record_id"])
        assert {r[0] for r in rows} == {own}
        assert hide not in {r[header.index("Kind")] for r in rows}

        # a child of their team who is not theirs: not by name, not by ID ...
        page.get_by_text("Find another child").click()
        for query in (other_name, other):
            find(page, query)
            page.get_by_text(NO_MATCH).wait_for()
            body = page.inner_text("body")
            assert other_name not in body and other_name.split()[-1] not in body
            assert page.get_by_role("button", name=re.compile(re.escape(other))).count() == 0
        # ... nor by URL
        page.goto(f"{url}/client_summary?child={other}", wait_until="domcontentloaded")
        wait_idle(page)
        page.get_by_text(NOT_AVAILABLE).wait_for(timeout=60_000)
        body = page.inner_text("body")
        assert other_name not in body and other_name.split()[-1] not in body
        assert page.locator("[data-testid='stDataFrame']").count() == 0
        assert page.get_by_role("tab").count() == 0
        context.close()
