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
- users: N simultaneous users in separate browser contexts (the four accounts in turn), all
  signed in, then each making a bounded number of page views through the menu at the same time;
  errors (a Streamlit exception shown, or no page within the time limit), p95, and the server's
  memory before, at its peak and after.

The server's memory is its resident set (VmRSS, and VmHWM for the peak) from /proc.
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


class Server:
    """A running portal server with a memory sampler."""

    def __init__(self, proc: subprocess.Popen, url: str, started: float, ready: float):
        self.proc, self.url = proc, url
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


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(config: Path, log: Path):
    port = _free_port()
    env = {**os.environ, "PORTAL_CONFIG": str(config)}
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
        srv = Server(proc, url, started, time.perf_counter())
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
    page.wait_for_function(DONE_JS, arg=stem, timeout=TIMEOUT_MS)
    return time.perf_counter() - t0


def link_selector(stem: str) -> str:
    """The menu's link to a page (st.page_link writes the page's URL path, "" for home)."""
    target = "" if stem == "home" else stem
    return f".st-key-portal_nav a[href='{target}']"


def _link(page, stem: str):
    return page.locator(link_selector(stem)).first


def _navigate(page, stem: str) -> tuple[float, str | None]:
    """Click the menu link to ``stem``; seconds until its content is shown, and an error if any."""
    page.evaluate(ARM_JS)
    t0 = time.perf_counter()
    _link(page, stem).click()
    try:
        page.wait_for_function(DONE_JS, arg=stem, timeout=TIMEOUT_MS)
    except Exception as exc:
        return time.perf_counter() - t0, f"no page within {TIMEOUT_MS / 1000:.0f} s: {type(exc).__name__}"
    seconds = time.perf_counter() - t0
    if page.locator(ERROR_SELECTOR).count():
        return seconds, "exception: " + page.locator(ERROR_SELECTOR).first.inner_text()[:300]
    return seconds, None


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
            seconds, error = _navigate(page, "strategic_dstw")
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
                        seconds, error = _navigate(page, stem)
                        navs.append({"user": user, "page": stem, "round": rnd, "seconds": round(seconds, 3),
                                     "error": error})
                        say(f"  browser: {user:<13} round {rnd} {stem:<26} {seconds:6.2f} s" + (f"  ERROR {error[:80]}" if error else ""))
                context.close()
        finally:
            browser.close()
    out["navigation"] = navs
    warm = [n["seconds"] for n in navs if n["round"] == rounds and not n["error"]]
    first = [n["seconds"] for n in navs if n["round"] == 1 and not n["error"]]
    out["navigation_p95_seconds"] = percentile(warm, 95)
    out["navigation_median_seconds"] = statistics.median(warm) if warm else None
    out["navigation_max_seconds"] = max(warm) if warm else None
    out["navigation_first_round_p95_seconds"] = percentile(first, 95)
    out["navigation_errors"] = sum(1 for n in navs if n["error"])
    out["rss_after_navigation_mib"] = srv.rss()
    return out


# ---- the asynchronous part: simultaneous users ------------------------------------------------

async def _user(browser, srv: Server, i: int, user: str, views: int, ready: asyncio.Barrier, log: list) -> None:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    pages = [stem_of(p.path) for p in allowed_pages(user) if stem_of(p.path) != "home"]
    try:
        await page.goto(srv.url + "/", wait_until="domcontentloaded")
        await page.get_by_label("Username").wait_for(timeout=TIMEOUT_MS)
        await page.evaluate(ARM_JS)
        await page.get_by_label("Username").fill(user)
        await page.get_by_label("Password", exact=True).fill(_password(user))
        t0 = time.perf_counter()
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_function(DONE_JS, arg="home", timeout=TIMEOUT_MS)
        log.append({"user_no": i, "user": user, "page": "sign_in", "seconds": time.perf_counter() - t0, "error": None})
    except Exception as exc:
        log.append({"user_no": i, "user": user, "page": "sign_in", "seconds": None, "error": f"{type(exc).__name__}: {exc}"[:300]})
        await ready.wait()
        await context.close()
        return
    await ready.wait()
    for k in range(views):
        stem = pages[(i + k) % len(pages)]
        await page.evaluate(ARM_JS)
        t0 = time.perf_counter()
        error = None
        try:
            await page.locator(link_selector(stem)).first.click()
            await page.wait_for_function(DONE_JS, arg=stem, timeout=TIMEOUT_MS)
            if await page.locator(ERROR_SELECTOR).count():
                error = "exception: " + (await page.locator(ERROR_SELECTOR).first.inner_text())[:300]
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"[:300]
        log.append({"user_no": i, "user": user, "page": stem, "seconds": time.perf_counter() - t0, "error": error})
    await context.close()


async def _users(srv: Server, n: int, views: int) -> list:
    from playwright.async_api import async_playwright

    names = list(USERS)
    log: list = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            ready = asyncio.Barrier(n)
            await asyncio.gather(*(_user(browser, srv, i, names[i % len(names)], views, ready, log) for i in range(n)))
        finally:
            await browser.close()
    return log


def simultaneous_users(srv: Server, n: int, views: int, say=print) -> dict:
    baseline = srv.rss()
    t0 = time.perf_counter()
    log = asyncio.run(_users(srv, n, views))
    wall = time.perf_counter() - t0
    time.sleep(1.0)
    views_log = [e for e in log if e["page"] != "sign_in"]
    ok = [e["seconds"] for e in views_log if not e["error"]]
    peak = srv.peak_since(t0)
    out = {
        "users": n, "views_per_user": views, "page_views": len(views_log), "wall_seconds": round(wall, 1),
        "errors": sum(1 for e in log if e["error"]),
        "error_examples": [e["error"] for e in log if e["error"]][:5],
        "p95_seconds": percentile(ok, 95), "median_seconds": statistics.median(ok) if ok else None,
        "max_seconds": max(ok) if ok else None,
        "sign_in_p95_seconds": percentile([e["seconds"] for e in log if e["page"] == "sign_in" and not e["error"]], 95),
        "rss_before_mib": baseline, "rss_peak_mib": peak, "rss_after_mib": srv.rss(),
        "server_peak_rss_mib": srv.peak(),
    }
    if baseline is not None and out["rss_after_mib"] is not None:
        out["rss_growth_per_user_mib"] = round((out["rss_after_mib"] - baseline) / n, 1)
    if baseline is not None and peak is not None:
        out["rss_peak_growth_per_user_mib"] = round((peak - baseline) / n, 1)
    for e in log:
        e["seconds"] = None if e["seconds"] is None else round(e["seconds"], 3)
    out["log"] = log
    say(f"  users: {n} users x {views} views: {out['errors']} errors, p95 {out['p95_seconds']} s, "
        f"server RSS {baseline} -> peak {peak} MiB")
    return out


def available() -> str | None:
    """Why the browser parts cannot run here, or None."""
    if not os.path.exists(CHROMIUM):
        return f"no chromium at {CHROMIUM} (set CHROMIUM=...)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None
