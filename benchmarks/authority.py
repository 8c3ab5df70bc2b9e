"""The benchmark's own demo authority: built once per size in ``benchmark-results/<size>/`` and
reused, with its own config file (cache, demo accounts and audit database beside it), so a
benchmark never touches the project's ``config.toml``, ``cache/`` or ``demo/``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmark-results"
AS_AT = "2026-10-31"
SEED = 20261031
LA_CODE = "E06000015"
MARKER = "demo.json"  # written after a complete build: size, as_at, seed


@dataclass(frozen=True)
class Authority:
    size: str
    folder: Path
    config: Path
    database: Path
    build_seconds: float | None  # None when an existing build was reused

    @property
    def cache_folder(self) -> Path:
        return self.folder / "cache"

    @property
    def users(self) -> Path:
        return self.folder / "users.yaml"


def config_text(folder: Path, size: str) -> str:
    db = folder / "demo.sqlite"
    return textwrap.dedent(f"""\
        # Written by `python -m benchmarks`: the benchmark's own demo authority (synthetic data).
        [authority]
        name = "Benchmark Borough ({size} synthetic demo)"
        la_code = "{LA_CODE}"
        [source]
        url = "sqlite:///{db}"
        [demo]
        database = "{db}"
        size = "{size}"
        as_at = "{AS_AT}"
        [cache]
        folder = "{folder / 'cache'}"
        keep = 1
        [auth]
        backend = "password"
        credentials = "{folder / 'users.yaml'}"
        database = "sqlite:///{folder / 'audit.sqlite'}"
        # Many sign-ins in a short time from the simulated users: no lockout.
        max_failures = 1000
        session_hours = 8
        """)


def _built(folder: Path, size: str) -> bool:
    marker = folder / MARKER
    if not (folder / "demo.sqlite").is_file() or not marker.is_file():
        return False
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return info.get("size") == size and info.get("as_at") == AS_AT and info.get("seed") == SEED


def prepare(size: str, *, rebuild: bool = False, root: Path = RESULTS, say=print) -> Authority:
    """The benchmark authority of ``size``: its config written, its SQLite source built unless a
    complete build of the same size is there already (``rebuild`` forces a new one)."""
    folder = (Path(root) / size).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "config.toml"
    config.write_text(config_text(folder, size), encoding="utf-8")
    db = folder / "demo.sqlite"
    seconds = None
    if rebuild or not _built(folder, size):
        from data_access.demo import build_demo

        (folder / MARKER).unlink(missing_ok=True)
        say(f"Building the {size} demo authority into {db} (once; reused by later runs)…")
        t0 = time.perf_counter()
        build_demo(db, size=size, as_at=AS_AT, seed=SEED, progress=lambda m: say(f"  demo: {m}"))
        seconds = time.perf_counter() - t0
        (folder / MARKER).write_text(json.dumps({"size": size, "as_at": AS_AT, "seed": SEED,
                                                 "build_seconds": round(seconds, 1)}), encoding="utf-8")
    else:
        say(f"Reusing the {size} demo authority in {folder}")
    return Authority(size, folder, config, db, seconds)


def peak_child(cmd: list[str], *, env: dict | None = None, cwd: Path = ROOT, on_line=None) -> tuple[int, float, float]:
    """Run ``cmd``, passing each line it writes (stdout and stderr) to ``on_line``. Returns
    (exit status, wall seconds, the child's peak resident memory in MiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    assert proc.stdout is not None
    for line in proc.stdout:
        if on_line is not None:
            on_line(line.rstrip("\n"))
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, time.perf_counter() - t0, usage.ru_maxrss / 1024


def refresh(authority: Authority, say=print) -> dict:
    """``python -m data_access refresh`` of the authority, as an administrator runs it (its
    progress shown): wall time, peak memory, exit status and the rows extracted."""
    say("Refreshing the cache from SQLite (python -m data_access refresh)…")
    lines: list[str] = []

    def on_line(line: str) -> None:
        lines.append(line)
        say(f"  refresh: {line}")

    status, seconds, peak = peak_child(
        [sys.executable, "-m", "data_access", "--config", str(authority.config), "refresh"], on_line=on_line)
    out = {"exit_status": status, "seconds": round(seconds, 2), "peak_rss_mib": round(peak, 1)}
    try:
        from data_access.cache import current_dir, read_manifest

        manifest = read_manifest(current_dir(authority.cache_folder))
        out["rows"] = sum(t["rows"] for t in manifest["tables"].values())
        out["tables"] = {name: t["rows"] for name, t in manifest["tables"].items()}
        out["parquet_mib"] = round(sum(p.stat().st_size for p in current_dir(authority.cache_folder).glob("*.parquet")) / 2**20, 1)
    except Exception as exc:  # reported, never fatal
        out["error"] = f"{type(exc).__name__}: {exc}"
    if status != 0:
        out["error"] = "\n".join(lines[-20:])
    return out


def ensure_users_and_secrets(authority: Authority, say=print) -> None:
    """The four demo accounts for this extract (cheap hashes: benchmark accounts only) and a
    cookie signing key in .streamlit/secrets.toml when there is none (as the README's commands
    do; the file is git-ignored)."""
    from auth.demo_users import write_demo_users
    from data_access.cache import load_current

    cache = load_current(authority.cache_folder, ["ssd_involvements", "ssd_professionals", "ssd_department"])
    users = write_demo_users(authority.users, cache.tables, cache.as_at, rounds=4)
    say("Demo accounts: " + ", ".join(f"{u.username} ({u.role.value})" for u in users))
    subprocess.run([sys.executable, "-m", "auth", "init-secrets"], cwd=ROOT, check=True, capture_output=True)


def has_cache(authority: Authority) -> bool:
    from data_access.cache import current_dir

    return current_dir(authority.cache_folder) is not None
