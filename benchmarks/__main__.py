"""python -m benchmarks [--size large|medium] [--json OUT] [--skip-browser] [--users 20] ...

See benchmarks/__init__.py for what each part measures."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from benchmarks import authority as auth_mod
from benchmarks import report

ROOT = auth_mod.ROOT


NOISE = ("missing ScriptRunContext",)  # Streamlit's warning when pages run under AppTest


def say(message: str) -> None:
    if not any(n in message for n in NOISE):
        print(message, file=sys.stderr, flush=True)


def _child_json(module: str, before: list[str], after: list[str] = (), env: dict | None = None
                ) -> tuple[object, dict]:
    """Run ``python -m module BEFORE... OUT.json AFTER...`` in its own process, its output shown
    as progress; returns (the JSON it wrote, {seconds, peak_rss_mib, exit_status})."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        status, seconds, peak = auth_mod.peak_child(
            [sys.executable, "-m", module, *before, str(out), *after], env=env, on_line=say)
        data = json.loads(out.read_text(encoding="utf-8")) if out.exists() else None
    return data, {"exit_status": status, "seconds": round(seconds, 1), "peak_rss_mib": round(peak, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["large", "medium", "small"], default="large",
                        help="demo authority size (default large: ~250,000 children, ~10M rows)")
    parser.add_argument("--json", dest="json_out", help="write the results as JSON here too "
                        "(always written to benchmark-results/<size>/last.json)")
    parser.add_argument("--users", default="20",
                        help="simultaneous users (default 20); several, e.g. 5,10,20, run one after another "
                             "on the same warm server to show how the views scale (the last is checked "
                             "against the target)")
    parser.add_argument("--clients", default="browser,protocol",
                        help="how the simultaneous users are driven: browser (separate Chromium contexts, as the "
                             "target asks), protocol (Streamlit's websocket protocol without a browser: the "
                             "server's side alone), or both (default browser,protocol)")
    parser.add_argument("--views", type=int, default=5, help="page views per simultaneous user (default 5)")
    parser.add_argument("--think", type=float, default=10.0,
                        help="seconds a simultaneous user reads a page before the next click, on average "
                             "(drawn from 0.5x-1.5x; 0 = click as soon as a page is shown; default 10)")
    parser.add_argument("--arrive", type=float, default=0.5,
                        help="seconds between two simultaneous users signing in (default 0.5)")
    parser.add_argument("--reruns", type=int, default=3, help="warm AppTest runs per page (default 3)")
    parser.add_argument("--rebuild", action="store_true", help="build the demo authority again")
    parser.add_argument("--skip-refresh", action="store_true",
                        help="reuse the existing cache (a refresh still runs when there is none)")
    parser.add_argument("--skip-dstw", action="store_true", help="no extract load / DSTW / DuckDB floor")
    parser.add_argument("--skip-pages", action="store_true", help="no AppTest page timings")
    parser.add_argument("--skip-browser", action="store_true", help="no real browser (also skips --users)")
    parser.add_argument("--skip-users", action="store_true", help="no simultaneous users")
    args = parser.parse_args(argv)
    unknown = {c.strip() for c in args.clients.split(",") if c.strip()} - {"browser", "protocol"}
    if unknown:
        parser.error(f"--clients: unknown {', '.join(sorted(unknown))} (browser, protocol)")

    results: dict = {"size": args.size, "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                     "machine": report.machine(), "arguments": vars(args)}
    say(f"Machine: {results['machine']['cpu_count']} cores, load average {results['machine']['load_average']}")
    auth = auth_mod.prepare(args.size, rebuild=args.rebuild, say=say)
    results["folder"] = str(auth.folder)
    if auth.build_seconds is not None:
        results["demo_build_seconds"] = round(auth.build_seconds, 1)

    if not args.skip_refresh or not auth_mod.has_cache(auth):
        results["refresh"] = auth_mod.refresh(auth, say=say)
        if results["refresh"]["exit_status"] != 0:
            say("The refresh failed: nothing else can be measured.")
            return finish(results, args, auth)
    auth_mod.ensure_users_and_secrets(auth, say=say)

    if not args.skip_dstw:
        say("Extract load, DSTW measures and the DuckDB floor (own process)…")
        data, proc = _child_json("benchmarks.compute", [str(auth.config)])
        results["dstw"] = data or {"error": f"failed: {proc}"}
        if data:
            results["dstw"]["process"] = proc
            d = data["dstw"]
            say(f"  DSTW cold {d['cold_seconds']} s, warm {d['warm_seconds']} s, floor "
                f"{data['floor'].get('seconds')} s, slowest {d['slowest']} {d['slowest_seconds']} s")

    if not args.skip_pages:
        say("Page script runs per role (AppTest, own process)…")
        data, proc = _child_json("benchmarks.pages", [], ["--reruns", str(args.reruns)],
                                 env={"PORTAL_CONFIG": str(auth.config)})
        results["pages"] = data if data is not None else []
        results["pages_process"] = proc

    if not args.skip_browser:
        from benchmarks import browser

        why = browser.available()
        if why:
            results["browser"] = {"error": f"not run: {why}"}
        else:
            say("Real browser: first page, memory, navigation…")
            with browser.server(auth.config, auth.folder / "server.log") as srv:
                try:
                    results["browser"] = browser.first_page_and_navigation(srv, say=say)
                except Exception as exc:
                    results["browser"] = {"error": f"{type(exc).__name__}: {exc}"[:500]}
                counts = [int(n) for n in str(args.users).split(",") if n.strip() and int(n) > 0]
                clients = [c.strip() for c in str(args.clients).split(",") if c.strip()]
                if not args.skip_users and counts:
                    for client in clients:
                        runs = []
                        for n in counts:
                            say(f"{n} simultaneous users ({client})…")
                            try:
                                runs.append(browser.simultaneous_users(srv, n, args.views, think=args.think,
                                                                       arrive=args.arrive, say=say, client=client))
                            except Exception as exc:
                                runs.append({"client": client, "users": n,
                                             "error": f"{type(exc).__name__}: {exc}"[:500]})
                        suffix = "" if client == "browser" else f"_{client}"
                        results["users" + suffix] = runs[-1]
                        if len(runs) > 1:
                            results["users_scaling" + suffix] = [{k: v for k, v in r.items() if k != "log"}
                                                                 for r in runs]
    return finish(results, args, auth)


def finish(results: dict, args, auth) -> int:
    results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text = json.dumps(results, indent=2, default=str)
    (auth.folder / "last.json").write_text(text, encoding="utf-8")
    if args.json_out:
        Path(args.json_out).write_text(text, encoding="utf-8")
    print(report.table(results))
    say(f"\nJSON: {auth.folder / 'last.json'}" + (f" and {args.json_out}" if args.json_out else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
