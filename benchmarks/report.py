"""The machine and versions, and the one table of figures against the issue's targets."""

from __future__ import annotations

import importlib
import os
import platform
import statistics
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MIB_PER_GB = 1024


def machine() -> dict:
    info: dict = {
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["memory_gib"] = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    versions = {}
    for name in ("pandas", "numpy", "pyarrow", "streamlit", "duckdb", "plotly", "sqlalchemy"):
        try:
            versions[name] = importlib.import_module(name).__version__
        except Exception:
            versions[name] = None
    try:
        from importlib.metadata import version

        versions["playwright"] = version("playwright")
    except Exception:
        versions["playwright"] = None
    from benchmarks.browser import CHROMIUM

    try:
        versions["chromium"] = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                              timeout=20).stdout.strip() or None
    except Exception:
        versions["chromium"] = None
    info["versions"] = versions
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        info["git_commit"] = commit + (" (with uncommitted changes)" if dirty else "")
    except Exception:
        info["git_commit"] = None
    return info


def _get(d: dict | None, *path, default=None):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def figures(results: dict) -> list[tuple[str, str, str, bool | None]]:
    """(figure, value, target, met) rows; met None when there is no target or no figure."""
    rows: list[tuple[str, str, str, bool | None]] = []

    def add(name, value, fmt, target_text="", ok=None):
        if value is None:
            rows.append((name, "not measured", target_text, None))
        else:
            rows.append((name, fmt.format(value), target_text, ok(value) if ok else None))

    r = results.get("refresh")
    if r is not None:
        add("Refresh from SQLite (python -m data_access refresh)", r.get("seconds"), "{:.1f} s", "< 120 s",
            lambda v: v < 120 and r.get("exit_status") == 0)
        add("  rows extracted", r.get("rows"), "{:,}")
        add("  refresh peak memory", r.get("peak_rss_mib"), "{:,.0f} MiB")
    c = results.get("dstw")
    if c is not None:
        add("Extract load (as the server loads it)", _get(c, "load", "seconds"), "{:.1f} s")
        add("  process memory with the extract loaded", _get(c, "load", "rss_after_mib"), "{:,.0f} MiB", "< 3 GB",
            lambda v: v < 3 * MIB_PER_GB)
        add("DSTW: 20 measures x 13 months, cold", _get(c, "dstw", "cold_seconds"), "{:.2f} s")
        add("  the same again (warm)", _get(c, "dstw", "warm_seconds"), "{:.2f} s")
        slow = _get(c, "dstw", "slowest")
        add(f"  slowest measure, cold ({slow})", _get(c, "dstw", "slowest_seconds"), "{:.2f} s", "< ~1 s",
            lambda v: v < 1.0)
        add("  DuckDB floor: one pass over the same Parquet columns", _get(c, "floor", "seconds"), "{:.3f} s")
        add("  DSTW cold / floor", _get(c, "dstw", "ratio_to_floor"), "{:.1f}x", "<= 3x", lambda v: v <= 3)
        if _get(c, "floor", "error"):
            rows.append(("  DuckDB floor", _get(c, "floor", "error"), "", None))
    pages = results.get("pages")
    if pages is not None:
        by_role: dict[str, list] = {}
        for e in pages:
            by_role.setdefault(e["role"], []).append(e)
        for role, entries in by_role.items():
            times = [e["seconds"] for e in entries if "seconds" in e]
            errors = sum(1 for e in entries if "error" in e)
            med = statistics.median(times) if times else None
            worst = max(times) if times else None
            add(f"Page script run (AppTest), {role}: median", med, "{:.2f} s", "< 0.5 s", lambda v: v < 0.5)
            worst_page = max((e for e in entries if "seconds" in e), key=lambda e: e["seconds"])["page"] if times else ""
            add(f"  worst ({worst_page})", worst, "{:.2f} s", "< 1 s", lambda v: v < 1.0)
            if errors:
                rows.append((f"  pages with an error ({role})", str(errors), "0", False))
    b = results.get("browser")
    if b is not None and "error" not in b:
        add("Browser: first page after a server start", _get(b, "first_page", "seconds"), "{:.2f} s", "< 5 s",
            lambda v: v < 5)
        add("  first Doing the Simple Things Well view", _get(b, "first_dstw", "seconds"), "{:.2f} s")
        add("  server memory with the cache loaded", b.get("rss_after_dstw_mib"), "{:,.0f} MiB", "< 3 GB",
            lambda v: v < 3 * MIB_PER_GB)
        add("Browser navigation p95 (warm server, all roles)", b.get("navigation_p95_seconds"), "{:.2f} s",
            "< 1.5 s", lambda v: v < 1.5)
        add("  the server's script runs in it, p95", b.get("navigation_server_p95_seconds"), "{:.2f} s")
        add("  median", b.get("navigation_median_seconds"), "{:.2f} s")
        add("  worst", b.get("navigation_max_seconds"), "{:.2f} s")
        add("  p95 of each page's first view", b.get("navigation_first_round_p95_seconds"), "{:.2f} s")
        add("  navigation errors", b.get("navigation_errors"), "{}", "0", lambda v: v == 0)
    elif b is not None:
        rows.append(("Browser", b["error"], "", None))
    for key, label in (("users", "in browsers"), ("users_protocol", "without browsers (websocket protocol)")):
        u = results.get(key)
        if u is not None and "error" not in u:
            add(f"{u.get('users')} simultaneous users {label} x {u.get('views_per_user')} page views "
                f"(think {u.get('think_seconds')} s): errors", u.get("errors"), "{}", "0", lambda v: v == 0)
            add("  page view p95", u.get("p95_seconds"), "{:.2f} s", "< 3 s", lambda v: v < 3)
            add("  the server's script runs in them, p95", u.get("server_p95_seconds"), "{:.2f} s")
            if key == "users":
                add("  click to the run starting / run end to page shown, p95",
                    None if u.get("before_run_p95_seconds") is None else
                    f"{u['before_run_p95_seconds']:.2f} s / {u.get('after_run_p95_seconds', 0):.2f} s", "{}")
            add("  server CPU (cores) / whole machine busy", None if u.get("server_cpu_share") is None else
                f"{u.get('server_cpu_share')} / {u.get('machine_cpu_busy')}", "{}")
            add("  server peak RSS", u.get("server_peak_rss_mib"), "{:,.0f} MiB", "< 3 GB",
                lambda v: v < 3 * MIB_PER_GB)
            add("  server memory growth per session", u.get("rss_peak_growth_per_user_mib"), "{:.1f} MiB",
                "small (<= 50 MiB)", lambda v: v <= 50)
        elif u is not None:
            rows.append((f"Simultaneous users {label}", u["error"], "", None))
        for run in results.get(key.replace("users", "users_scaling")) or []:
            if "error" in run:
                rows.append((f"  {run.get('users')} users", run["error"], "", None))
            else:
                add(f"  {run['users']} users: errors, view p95 (server p95), server / machine CPU",
                    f"{run['errors']}, {run['p95_seconds']:.2f} s ({run['server_p95_seconds']:.2f} s), "
                    f"{run.get('server_cpu_share')} / {run.get('machine_cpu_busy')}", "{}")
    return rows


def table(results: dict) -> str:
    m = results.get("machine", {})
    v = m.get("versions", {})
    head = [
        f"Benchmark: {results.get('size')} demo authority, {results.get('started')}",
        f"Machine: {m.get('cpu_count')} cores ({m.get('cpus_usable')} usable), {m.get('cpu_model', '?')}, "
        f"{m.get('memory_gib', '?')} GiB, load average at start {m.get('load_average')}",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items() if val) + f", python {m.get('python')}",
        f"Code: {m.get('git_commit')}",
        "",
    ]
    rows = [(n, " ".join(str(v).split())[:60], t, ok) for n, v, t, ok in figures(results)]
    w0 = max((len(r[0]) for r in rows), default=10)
    w1 = max((len(r[1]) for r in rows), default=5)
    w2 = max((len(r[2]) for r in rows), default=6)
    lines = [f"{'Figure'.ljust(w0)}  {'Value'.rjust(w1)}  {'Target'.ljust(w2)}  Met"]
    lines.append("-" * len(lines[0]))
    for name, value, target, ok in rows:
        met = "" if ok is None else ("yes" if ok else "NO")
        lines.append(f"{name.ljust(w0)}  {value.rjust(w1)}  {target.ljust(w2)}  {met}")
    return "\n".join(head + lines)
