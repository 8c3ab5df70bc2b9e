"""Simultaneous users without browsers: each user speaks Streamlit's own websocket protocol to the
server, as the browser's Streamlit client does, but draws nothing.

Why: on this 2-core machine twenty headless Chromium pages drawing Streamlit pages need more CPU
than the machine has (a page view costs its renderer 0.2-1.8 s of CPU), so the browser run of
``benchmarks.browser.simultaneous_users`` measures the browsers as much as the portal. Here the
same users (the four demo accounts in turn, signing in through the portal's own form, then a
bounded number of page views through the menu's pages, with the same think times and seed) cost
the machine only the server's work, so the figures are the server's: from the moment a user asks
for a page to the moment the server has sent all of it (its script run finished).

One user is one websocket session (``/_stcore/stream``):

- connect, and ask for the home page (``BackMsg.rerun_script``); the server answers with the page's
  elements (``ForwardMsg.delta``) and ``script_finished``;
- sign in: the sign-in form's Username and Password widgets and its submit button are found in
  the elements sent, and the form is submitted as the browser submits it (the widgets' values and
  the button's trigger in one rerun);
- a page view: the page's script hash (from the ``navigation`` message, the pages the role may
  open) in a rerun, as a click on a menu link sends; the view ends when the run finishes
  successfully. An error is an exception element in the page, a run that did not finish within
  the time limit, or a closed connection.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

TIMEOUT_S = 300.0


class ProtocolError(Exception):
    pass


@dataclass
class Run:
    """What one script run sent."""

    seconds: float
    elements: list = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)
    received_bytes: int = 0

    @property
    def title(self) -> str | None:
        """The page's title (its first h1), as the browser run waits for."""
        for el in self.elements:
            if el.WhichOneof("type") == "heading" and el.heading.tag == "h1":
                return el.heading.body
        return None


class Session:
    """One user's websocket session with the portal."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        self.ws = None
        self.pages: dict[str, str] = {}

    async def connect(self) -> None:
        import websockets

        ws_url = self.url.replace("http://", "ws://").replace("https://", "wss://") + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None,
                                           origin=self.url, open_timeout=TIMEOUT_S, ping_interval=None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def rerun(self, page_script_hash: str = "", page_name: str = "", widget_states=(),
                    query_string: str = "", timeout: float = TIMEOUT_S) -> Run:
        """Ask for a run; wait until one finishes successfully (a run ended early for a rerun, as
        after signing in, is followed by the next)."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = query_string
        cs.page_script_hash = page_script_hash
        cs.page_name = page_name
        cs.context_info.timezone = "Europe/London"
        cs.context_info.locale = "en-GB"
        cs.context_info.url = self.url + "/" + page_name
        for w in widget_states:
            cs.widget_states.widgets.append(w)
        t0 = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        run = Run(seconds=0.0)
        deadline = t0 + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise ProtocolError(f"no finished run within {timeout:.0f} s")
            data = await asyncio.wait_for(self.ws.recv(), timeout=left)
            run.received_bytes += len(data)
            fm = ForwardMsg()
            fm.ParseFromString(data)
            kind = fm.WhichOneof("type")
            if kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                el = fm.delta.new_element
                run.elements.append(el)
                if el.WhichOneof("type") == "exception":
                    run.exceptions.append(f"{el.exception.type}: {el.exception.message}"[:300])
            elif kind == "navigation":
                # the pages this user may open: url_pathname -> page_script_hash
                self.pages = {p.url_pathname: p.page_script_hash for p in fm.navigation.app_pages}
            elif kind == "script_finished":
                status = fm.script_finished
                if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                    run.seconds = time.perf_counter() - t0
                    return run
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise ProtocolError("the page failed to compile")
                run.elements.clear()  # ended early for a rerun: the next run redraws the page

    async def sign_in(self, username: str, password: str) -> Run:
        from streamlit.proto.WidgetStates_pb2 import WidgetState

        first = await self.rerun()
        ids = {}
        for el in first.elements:
            kind = el.WhichOneof("type")
            if kind == "text_input" and el.text_input.label in ("Username", "Password"):
                ids[el.text_input.label] = el.text_input.id
            elif kind == "button" and el.button.label == "Sign in" and el.button.is_form_submitter:
                ids["submit"] = el.button.id
        if set(ids) != {"Username", "Password", "submit"}:
            raise ProtocolError(f"no sign-in form on the first page (found {sorted(ids)})")
        states = []
        for label, value in (("Username", username), ("Password", password)):
            w = WidgetState(id=ids[label])
            w.string_value = value
            states.append(w)
        submit = WidgetState(id=ids["submit"])
        submit.trigger_value = True
        states.append(submit)
        run = await self.rerun(widget_states=states)
        if not self.pages or any(el.WhichOneof("type") == "text_input" and el.text_input.label == "Password"
                                 for el in run.elements):
            raise ProtocolError("still on the sign-in form after signing in")
        return run

    async def view(self, stem: str) -> Run:
        """A page of the menu, as a click on its link asks for it."""
        try:
            page_hash = self.pages[stem]
        except KeyError:
            raise ProtocolError(f"page {stem!r} is not in this user's navigation") from None
        run = await self.rerun(page_script_hash=page_hash, page_name=stem)
        if run.title is None and not run.exceptions:
            raise ProtocolError(f"page {stem!r} finished without a title")
        return run


class _ProtocolUser:
    """A simultaneous user for :func:`benchmarks.browser.run_user` (the browser run's accounts,
    pages, pauses and seed) over the protocol."""

    def __init__(self, url: str):
        self.session = Session(url)

    async def open(self, user: str) -> None:
        await self.session.connect()

    async def sign_in(self, user: str) -> None:
        from benchmarks.browser import _password

        await self.session.sign_in(user, _password(user))

    async def prepare(self, stem: str) -> None:
        pass

    async def view(self, stem: str, t0: float) -> dict:
        run = await self.session.view(stem)
        out = {"bytes": run.received_bytes}
        if run.exceptions:
            out["error"] = "exception: " + run.exceptions[0]
        return out

    async def close(self) -> None:
        await self.session.close()


async def users(srv, n: int, views: int, think: float, arrive: float, marks: dict) -> list:
    """``n`` users at once (as :func:`benchmarks.browser._users`, without the browser)."""
    from benchmarks.browser import run_users

    return await run_users(srv, n, views, think, arrive, marks, lambda: _ProtocolUser(srv.url))
