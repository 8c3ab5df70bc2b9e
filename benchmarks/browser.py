"""The portal in a real browser: a `streamlit run app.py` server on localhost with the benchmark's
config, driven by Debian's chromium through Playwright.

- first page: a freshly started server, a new browser, the home page opened, the sign-in form
  filled, and the home page shown (the extract is loaded by this first request); then the Doing
  the Simple Things Well page (its measures computed for the first time). The server's memory
  is read after both.
- navigation: per demo account, sign in and open every page of the role's menu by clicking its
  link, twice (the first round may compute a page's figures for that scope; the second is a warm
  server); the time from the click to the page's main content shown (its script finished, its
  title drawn) for each.
- users: N simultaneous users in separate browser contexts (the four accounts in turn). They
  arrive a little apart (--arrive, seconds between two sign-ins) and all are signed in before any
  page view; then all of them at the same time make a bounded number of page views through the
  menu, each pausing between views as a person reading the page would (--think, seconds, drawn
  at random from 0.5x to 1.5x with a fixed seed; 0 = click as fast as the pages come).
  Reported: errors (a Streamlit exception shown, or no page within the time limit), the p95 of
  the views, the p95 of the server's own script runs for those views, how busy the server and
  the whole machine were (the browsers share its cores), and the server's memory before, at its
  peak and after.

The server's script runs come from its timings file (ui/timings.py, PORTAL_TIMINGS), so a page
view can be split into the server's part and the rest (the websocket and the browser drawing the
page). The server's memory is its resident set (VmRSS, and VmHWM for the peak) from /proc.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
APP = "[data-testid='stApp']"
USERS = {"practitioner": "practitioner", "manager": "team_manager", "head": "head_of_service",
         "analyst": "senior_leader"}
TIMEOUT_MS = 300_000

# Watch the app's script state (anywhere in the document: the app element may be replaced), and
# remember the title shown before the click: a page is shown once a run has finished on its URL
# and its title is drawn (a run was seen, or the title changed).
ARM_JS = """() => {
  const state = () => {
    const app = document.querySelector("[data-testid='stApp']");
    return app ? app.getAttribute('data-test-script-state') : null;
  };
  const h1 = document.querySelector("[data-testid='stMain'] h1");
  window.__bench = {running: state() === 'running', title: h1 ? h1.innerText : null};
  if (window.__benchObs) window.__benchObs.disconnect();
  window.__benchObs = new MutationObserver(records => {
    for (const r of records) {
      if (r.oldValue === 'running' || state() === 'running') window.__bench.running = true;
    }
  });
  window.__benchObs.observe(document.body, {attributes: true, attributeOldValue: true, subtree: true,
                                            attributeFilter: ['data-test-script-state']});
}"""
DONE_JS = """(stem) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || !window.__bench) return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const path = window.location.pathname.replace(/\\/+$/, '');
  const here = stem === 'home' ? (path === '' || path.endsWith('/home')) : path.endsWith('/' + stem);
  if (!here) return false;
  if (document.querySelector("[data-testid='stException']")) return true;
  const h1 = document.querySelector("[data-testid='stMain'] h1");
  if (!h1) return false;
  return window.__bench.running || h1.innerText !== window.__bench.title;
}"""
ERROR_SELECTOR = "[data-testid='stException']"
# Wait for DONE_JS without polling: checked when the document changes (and every 250 ms in case),
# resolving false after the time limit. Playwright's wait_for_function polls on every animation
# frame, which keeps a waiting page drawing 60 frames a second: twenty pages waiting that way took
# 1.1 of the machine's 2 cores (0.07 idle), starving the very server and pages being measured.
WAIT_JS = """([stem, ms]) => new Promise(resolve => {
  const done = """ + DONE_JS + """;
  let finished = false;
  const finish = value => {
    if (finished) return;
    finished = true; observer.disconnect(); clearInterval(every); clearTimeout(limit); resolve(value);
  };
  const check = () => { if (done(stem)) finish(true); };
  const observer = new MutationObserver(check);
  observer.observe(document, {attributes: true, childList: true, subtree: true, characterData: true});
  const every = setInterval(check, 250);
  const limit = setTimeout(() => finish(false), ms);
  check();
})"""


def _brief(exc: Exception) -> str:
    """An error's start and the end of Playwright's call log (where it says why a click waited)."""
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 700 else text[:200] + " … " + text[-500:]


class NotShown(Exception):
    """The page was not shown within the time limit."""


def wait_shown(page, stem: str, timeout_ms: int = TIMEOUT_MS) -> None:
    if not page.evaluate(WAIT_JS, [stem, timeout_ms]):
        raise NotShown(f"{stem} not shown within {timeout_ms / 1000:.0f} s")


async def wait_shown_async(page, stem: str, timeout_ms: int = TIMEOUT_MS) -> None:
    if not await page.evaluate(WAIT_JS, [stem, timeout_ms]):
        raise NotShown(f"{stem} not shown within {timeout_ms / 1000:.0f} s")


def percentile(values, q: float) -> float | None:
    """The q-th percentile (0-100), nearest rank."""
    v = sorted(x for x in values if x is not None)
    if not v:
        return None
    k = max(0, min(len(v) - 1, int(-(-q * len(v) // 100)) - 1))
    return v[k]


def _proc_status(pid: int, field: str) -> float | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU jiffies of the whole machine so far."""
    with open("/proc/stat", encoding="ascii") as fh:
        values = [int(x) for x in fh.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return sum(values) - idle, sum(values)


class Server:
    """A running portal server with a memory sampler and its page timings file."""

    def __init__(self, proc: subprocess.Popen, url: str, started: float, ready: float, timings: Path):
        self.proc, self.url, self.timings = proc, url, timings
        self.start_seconds = ready - started
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            rss = self.rss()
            if rss is not None:
                self.samples.append((time.perf_counter(), rss))

    def rss(self) -> float | None:
        return _proc_status(self.proc.pid, "VmRSS")

    def peak(self) -> float | None:
        return _proc_status(self.proc.pid, "VmHWM")

    def peak_since(self, t0: float) -> float | None:
        seen = [r for t, r in self.samples if t >= t0]
        return max(seen) if seen else self.rss()

    def stop(self) -> None:
        self._stop.set()

    def cpu(self) -> float | None:
        return _cpu_seconds(self.proc.pid)

    def runs(self, since: float, until: float | None = None) -> list[dict]:
        """The server's page script runs that started in [since, until] (Unix seconds)."""
        from ui import timings

        return [r for r in timings.read(self.timings)
                if r["start"] >= since and (until is None or r["start"] <= until)]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(config: Path, log: Path):
    port = _free_port()
    from ui import timings

    timings_file = log.with_name("timings.tsv")
    timings_file.unlink(missing_ok=True)
    env = {**os.environ, "PORTAL_CONFIG": str(config), timings.ENV: str(timings_file)}
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ui.serve", "--server.headless=true",
             "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    srv = None
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while time.time() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited ({proc.returncode}); see {log}")
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"streamlit did not start; see {log}")
        srv = Server(proc, url, started, time.perf_counter(), timings_file)
        yield srv
    finally:
        if srv is not None:
            srv.stop()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _password(user: str) -> str:
    from auth.demo_users import DEMO_PASSWORDS

    return DEMO_PASSWORDS[user]


def allowed_pages(user: str) -> list:
    from auth import Role
    from benchmarks.pages import pages_for

    return pages_for(Role(USERS[user]))


def stem_of(path: str) -> str:
    return Path(path).stem


# ---- the synchronous part: first page and navigation ------------------------------------------

def _sign_in(page, user: str, stem: str = "home") -> float:
    page.get_by_label("Username").wait_for(timeout=TIMEOUT_MS)
    page.evaluate(ARM_JS)
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password", exact=True).fill(_password(user))
    t0 = time.perf_counter()
    page.get_by_role("button", name="Sign in").click()
    wait_shown(page, stem)
    return time.perf_counter() - t0


def link_selector(stem: str) -> str:
    """The menu's link to a page (st.page_link writes the page's URL path, "" for home)."""
    target = "" if stem == "home" else stem
    return f".st-key-portal_nav a[href='{target}']"


def _link(page, stem: str):
    return page.locator(link_selector(stem)).first


def _navigate(page, stem: str) -> tuple[float, str | None, float]:
    """Click the menu link to ``stem``; seconds until its content is shown, an error if any, and
    when (Unix seconds) the link was clicked."""
    page.evaluate(ARM_JS)
    clicked = time.time()
    t0 = time.perf_counter()
    _link(page, stem).click()
    try:
        wait_shown(page, stem)
    except Exception as exc:
        return time.perf_counter() - t0, f"no page within {TIMEOUT_MS / 1000:.0f} s: {type(exc).__name__}", clicked
    seconds = time.perf_counter() - t0
    if page.locator(ERROR_SELECTOR).count():
        return seconds, "exception: " + page.locator(ERROR_SELECTOR).first.inner_text()[:300], clicked
    return seconds, None, clicked


def first_page_and_navigation(srv: Server, say=print, rounds: int = 2) -> dict:
    from playwright.sync_api import sync_playwright

    out: dict = {"server_start_seconds": round(srv.start_seconds, 2), "rss_idle_mib": srv.rss()}
    navs = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            t0 = time.perf_counter()
            page.goto(srv.url + "/", wait_until="domcontentloaded")
            page.get_by_label("Username").wait_for(timeout=TIMEOUT_MS)
            form = time.perf_counter() - t0
            signed = _sign_in(page, "analyst")
            out["first_page"] = {"sign_in_form_seconds": round(form, 2), "after_sign_in_seconds": round(signed, 2),
                                 "seconds": round(time.perf_counter() - t0, 2), "page": "home"}
            say(f"  browser: first page after server start {out['first_page']['seconds']} s "
                f"(sign-in form {form:.2f} s, home after sign-in {signed:.2f} s)")
            out["rss_loaded_mib"] = srv.rss()
            seconds, error, _ = _navigate(page, "strategic_dstw")
            out["first_dstw"] = {"seconds": round(seconds, 2), "error": error}
            say(f"  browser: first Doing the Simple Things Well view {seconds:.2f} s" + (f" ERROR {error}" if error else ""))
            out["rss_after_dstw_mib"] = srv.rss()
            context.close()
            for user in USERS:
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                page.goto(srv.url + "/", wait_until="domcontentloaded")
                _sign_in(page, user)
                for rnd in range(1, rounds + 1):
                    for mp in allowed_pages(user):
                        stem = stem_of(mp.path)
                        seconds, error, clicked = _navigate(page, stem)
                        server_s = sum(r["seconds"] for r in srv.runs(clicked - 0.05) if r["page"] == stem)
                        navs.append({"user": user, "page": stem, "round": rnd, "seconds": round(seconds, 3),
                                     "server_seconds": round(server_s, 3), "error": error})
                        say(f"  browser: {user:<13} round {rnd} {stem:<26} {seconds:6.2f} s" + (f"  ERROR {error[:80]}" if error else ""))
                context.close()
        finally:
            browser.close()
    out["navigation"] = navs
    warm = [n["seconds"] for n in navs if n["round"] == rounds and not n["error"]]
    first = [n["seconds"] for n in navs if n["round"] == 1 and not n["error"]]
    out["navigation_p95_seconds"] = percentile(warm, 95)
    out["navigation_server_p95_seconds"] = percentile(
        [n["server_seconds"] for n in navs if n["round"] == rounds and not n["error"]], 95)
    out["navigation_median_seconds"] = statistics.median(warm) if warm else None
    out["navigation_max_seconds"] = max(warm) if warm else None
    out["navigation_first_round_p95_seconds"] = percentile(first, 95)
    out["navigation_errors"] = sum(1 for n in navs if n["error"])
    out["rss_after_navigation_mib"] = srv.rss()
    return out


# ---- the asynchronous part: simultaneous users ------------------------------------------------

class _BrowserUser:
    """One simultaneous user's own browser context: signs in through the form and clicks menu links."""

    def __init__(self, browser, srv: Server):
        self.browser, self.srv, self.context, self.page = browser, srv, None, None

    async def open(self, user: str) -> None:
        self.context = await self.browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = await self.context.new_page()
        await self.page.goto(self.srv.url + "/", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
        await self.page.get_by_label("Username").wait_for(timeout=TIMEOUT_MS)
        await self.page.evaluate(ARM_JS)
        await self.page.get_by_label("Username").fill(user)
        await self.page.get_by_label("Password", exact=True).fill(_password(user))

    async def sign_in(self, user: str) -> None:  # timed from here: the form is filled
        await self.page.get_by_role("button", name="Sign in").click()
        await wait_shown_async(self.page, "home")

    async def prepare(self, stem: str) -> None:  # before the click is timed
        await self.page.evaluate(ARM_JS)

    async def view(self, stem: str, t0: float) -> dict:
        # the page's time limit, not Playwright's 30 s: a starved browser drawing slowly is a slow view
        await self.page.locator(link_selector(stem)).first.click(timeout=TIMEOUT_MS)
        out = {"click_seconds": time.perf_counter() - t0}
        await wait_shown_async(self.page, stem)
        if await self.page.locator(ERROR_SELECTOR).count():
            out["error"] = "exception: " + (await self.page.locator(ERROR_SELECTOR).first.inner_text())[:300]
        return out

    async def close(self) -> None:
        if self.context is not None:
            await self.context.close()


async def run_user(client, i: int, user: str, views: int, think: float, arrive: float, ready, log: list) -> None:
    """One simultaneous user, whatever drives it (a browser, or :mod:`benchmarks.protocol`): arrives
    ``i * arrive`` s after the first, signs in, waits until every user has, then makes ``views``
    views of its role's menu pages in turn, pausing ``think`` s (0.5x-1.5x, seeded per user) first.
    ``client`` has async open(user), sign_in(user) (timed), prepare(stem), view(stem, t0) -> dict of extra
    log fields (an "error" among them for a page showing an exception) and close()."""
    import random

    rng = random.Random(1000 + i)
    await asyncio.sleep(i * arrive)
    pages = [stem_of(p.path) for p in allowed_pages(user) if stem_of(p.path) != "home"]
    try:
        await client.open(user)
        t0 = time.perf_counter()
        await client.sign_in(user)
        log.append({"user_no": i, "user": user, "page": "sign_in", "seconds": time.perf_counter() - t0, "error": None})
    except Exception as exc:
        log.append({"user_no": i, "user": user, "page": "sign_in", "seconds": None, "error": _brief(exc)})
        await ready.wait()
        await client.close()
        return
    await ready.wait()
    try:
        for k in range(views):
            if think > 0:
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))
            stem = pages[(i + k) % len(pages)]
            await client.prepare(stem)
            clicked = time.time()
            t0 = time.perf_counter()
            entry = {"click_seconds": None, "error": None}
            try:
                entry.update(await client.view(stem, t0))
            except Exception as exc:
                entry["error"] = _brief(exc)
            log.append({"user_no": i, "user": user, "role": USERS[user], "page": stem, "clicked": clicked,
                        "shown": time.time(), "seconds": time.perf_counter() - t0, **entry})
    finally:
        await client.close()


async def run_users(srv: Server, n: int, views: int, think: float, arrive: float, marks: dict, make_client) -> list:
    """``n`` users at once (the demo accounts in turn), each driven by ``make_client()``; notes in
    ``marks["views_start"]`` the moment every user is signed in (the views start)."""
    names = list(USERS)
    log: list = []
    watched = asyncio.Barrier(n + 1)

    async def watcher() -> None:
        await watched.wait()
        marks["views_start"] = time.perf_counter(), time.time(), srv.cpu(), _machine_busy()

    ready = asyncio.Barrier(n)
    await asyncio.gather(watcher(), *(run_user(make_client(), i, names[i % len(names)], views, think, arrive,
                                               _Both(ready, watched), log) for i in range(n)))
    return log


async def _users(srv: Server, n: int, views: int, think: float, arrive: float, marks: dict) -> list:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            return await run_users(srv, n, views, think, arrive, marks, lambda: _BrowserUser(browser, srv))
        finally:
            await browser.close()


class _Both:
    """Wait on the users' barrier, then report to the watcher's (once per user)."""

    def __init__(self, users: asyncio.Barrier, watcher: asyncio.Barrier):
        self.users, self.watcher, self.done = users, watcher, False

    async def wait(self) -> None:
        await self.users.wait()
        if not self.done:
            self.done = True
            await self.watcher.wait()


def simultaneous_users(srv: Server, n: int, views: int, think: float = 10.0, arrive: float = 0.5,
                       browser_nice: int = 10, say=print, client: str = "browser") -> dict:
    """N users at once (see the module's docstring). The users' browsers stand in for N people's own
    computers but share the server's cores here: twenty Chromium renderers left at the server's
    priority took ~1.6 of the 2 cores and starved the server (its script runs, 0.3 s at the median,
    took 28 s at p95 while it had a quarter of a core). So this process and the browsers it starts
    run ``browser_nice`` steps below the server (os.nice; the server was started before), which
    models browsers on other machines more closely; 0 leaves them level. Reported as run.

    ``client="protocol"``: the same users speak Streamlit's websocket protocol without a browser
    (:mod:`benchmarks.protocol`): the server's side of the same views, with nothing drawn."""
    if client not in ("browser", "protocol"):
        raise ValueError(client)
    if browser_nice and os.nice(0) < browser_nice:  # os.nice adds: once, for several runs
        os.nice(browser_nice - os.nice(0))
    if client == "protocol":
        from benchmarks.protocol import users as run_users
    else:
        run_users = _users
    baseline = srv.rss()
    t0 = time.perf_counter()
    marks: dict = {}
    log = asyncio.run(run_users(srv, n, views, think, arrive, marks))
    end = time.perf_counter(), time.time(), srv.cpu(), _machine_busy()
    wall = end[0] - t0
    time.sleep(1.0)
    views_log = [e for e in log if e["page"] != "sign_in"]
    ok = [e for e in views_log if not e["error"]]
    runs = srv.runs(min((e["clicked"] for e in views_log), default=time.time()) - 0.05)
    server_times, before_run, after_run = [], [], []
    for e in ok:  # the server's run of that page for a user of that role between the click and the page shown
        mine = [r for r in runs if r["page"] == e["page"] and r["role"] == e["role"]
                and e["clicked"] - 0.05 <= r["start"] <= e["shown"]]
        if mine:
            run = min(mine, key=lambda r: r["seconds"])
            server_times.append(run["seconds"])
            e["server_seconds"] = round(run["seconds"], 3)
            e["before_run_seconds"] = round(run["start"] - e["clicked"], 3)  # click, websocket, waiting to start
            e["after_run_seconds"] = round(e["shown"] - run["end"], 3)  # the last messages sent and drawn
            before_run.append(e["before_run_seconds"])
            after_run.append(e["after_run_seconds"])
    peak = srv.peak_since(t0)
    out = {
        "client": client, "users": n, "views_per_user": views, "think_seconds": think, "arrive_seconds": arrive,
        "browser_nice": browser_nice,
        "page_views": len(views_log), "wall_seconds": round(wall, 1),
        "errors": sum(1 for e in log if e["error"]),
        "error_examples": [e["error"] for e in log if e["error"]][:5],
        "p95_seconds": percentile([e["seconds"] for e in ok], 95),
        "median_seconds": statistics.median([e["seconds"] for e in ok]) if ok else None,
        "max_seconds": max((e["seconds"] for e in ok), default=None),
        "server_p95_seconds": percentile(server_times, 95),
        "server_median_seconds": statistics.median(server_times) if server_times else None,
        "before_run_p95_seconds": percentile(before_run, 95),
        "after_run_p95_seconds": percentile(after_run, 95),
        "click_p95_seconds": percentile([e["click_seconds"] for e in ok if e["click_seconds"] is not None], 95),
        "sign_in_p95_seconds": percentile([e["seconds"] for e in log if e["page"] == "sign_in" and not e["error"]], 95),
        "rss_before_mib": baseline, "rss_peak_mib": peak, "rss_after_mib": srv.rss(),
        "server_peak_rss_mib": srv.peak(),
    }
    start = marks.get("views_start")
    if start and start[2] is not None and end[2] is not None and end[0] > start[0]:
        span = end[0] - start[0]
        out["views_wall_seconds"] = round(span, 1)
        out["server_cpu_share"] = round((end[2] - start[2]) / span, 2)  # 1.0 = one core all the time
        busy, total = end[3][0] - start[3][0], end[3][1] - start[3][1]
        out["machine_cpu_busy"] = round(busy / total, 2) if total else None  # 1.0 = every core busy
    if baseline is not None and out["rss_after_mib"] is not None:
        out["rss_growth_per_user_mib"] = round((out["rss_after_mib"] - baseline) / n, 1)
    if baseline is not None and peak is not None:
        out["rss_peak_growth_per_user_mib"] = round((peak - baseline) / n, 1)
    for e in log:
        for key in ("seconds", "click_seconds"):
            if e.get(key) is not None:
                e[key] = round(e[key], 3)
    out["log"] = log
    if client == "protocol":
        out["bytes_per_view_median"] = statistics.median([e["bytes"] for e in ok]) if ok else None
    say(f"  users ({client}): {n} users x {views} views (think {think} s): {out['errors']} errors, p95 {out['p95_seconds']} s "
        f"(server {out['server_p95_seconds']} s), server CPU {out.get('server_cpu_share')} cores, machine busy "
        f"{out.get('machine_cpu_busy')}, server RSS {baseline} -> peak {peak} MiB")
    return out


def available() -> str | None:
    """Why the browser parts cannot run here, or None."""
    if not os.path.exists(CHROMIUM):
        return f"no chromium at {CHROMIUM} (set CHROMIUM=...)"
    try:
        import playwright  # noqa: F401  (is it installed?)
    except ImportError:
        return "playwright is not installed"
    return None
