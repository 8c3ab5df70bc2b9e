"""The benchmark's browserless users (benchmarks/protocol.py) against a real server on the small
demo authority: a protocol user signs in through the portal's own form, is refused with a wrong
password, sees only its role's pages, and a page view is the page the browser would show (its
title, no exception). Then a tiny simultaneous run reports every view. The benchmark's figures for
twenty users rest on this client doing what a browser's Streamlit client does."""

from __future__ import annotations

import asyncio

import pytest

from benchmarks import browser as bench_browser
from benchmarks.protocol import ProtocolError, Session
from tests.browser import streamlit_server


def _run(coro):
    return asyncio.run(coro)


async def _signed_in(url: str, user: str, password: str) -> Session:
    s = Session(url)
    await s.connect()
    try:
        await s.sign_in(user, password)
    except Exception:
        await s.close()
        raise
    return s


def test_protocol_user_signs_in_sees_its_pages_and_views_them(demo_portal):
    from auth.demo_users import DEMO_PASSWORDS

    with streamlit_server(demo_portal) as url:
        with pytest.raises(ProtocolError, match="still on the sign-in form"):
            _run(_signed_in(url, "practitioner", "not the password"))

        async def practitioner():
            s = await _signed_in(url, "practitioner", DEMO_PASSWORDS["practitioner"])
            try:
                pages = set(s.pages)
                run = await s.view("worker_caseload")
                with pytest.raises(ProtocolError, match="not in this user's navigation"):
                    await s.view("audit")
                return pages, run
            finally:
                await s.close()

        pages, run = _run(practitioner())
    allowed = {bench_browser.stem_of(p.path) for p in bench_browser.allowed_pages("practitioner")}
    assert {p for p in pages if p} == allowed - {"home"}
    assert "audit" not in pages and "strategic_dstw" not in pages
    assert run.title == "Caseload" and not run.exceptions
    assert any(el.WhichOneof("type") == "dataframe" for el in run.elements)


def test_simultaneous_protocol_users_report_every_view(demo_portal, tmp_path):
    with bench_browser.server(demo_portal, tmp_path / "server.log") as srv:
        out = bench_browser.simultaneous_users(srv, 2, 2, think=0, arrive=0, browser_nice=0,
                                               say=lambda m: None, client="protocol")
    assert out["client"] == "protocol" and out["errors"] == 0, out["error_examples"]
    views = [e for e in out["log"] if e["page"] != "sign_in"]
    assert len(views) == 4 and out["page_views"] == 4
    assert all(e["bytes"] > 0 and e.get("server_seconds") is not None for e in views)
    assert out["p95_seconds"] >= out["server_p95_seconds"] > 0
