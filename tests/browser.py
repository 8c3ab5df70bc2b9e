"""Real-browser helpers: start `streamlit run` on a free localhost port and drive Debian's
chromium with Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_server(config_path: Path | None, env_extra: dict | None = None, script: Path | None = None):
    """The portal (``python -m ui.serve``) on ``config_path``, or ``streamlit run script`` (a test
    app, with the repository importable) when a script is given; yields its URL once healthy."""
    port = free_port()
    env = {**os.environ, **({"PORTAL_CONFIG": str(config_path)} if config_path else {}), **(env_extra or {})}
    start = ["-m", "ui.serve"] if script is None else ["-m", "streamlit", "run", str(script)]
    if script is not None:
        env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.Popen(
        [sys.executable, *start, "--server.headless=true",
         "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false",
         "--server.fileWatcherType=none"],
        cwd=ROOT, env=env, stdout=open("/tmp/st-server.log","w") if os.environ.get("ST_LOG") else subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("streamlit did not start: " + proc.stdout.read1(20000).decode(errors="replace"))
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def wait_idle(page, timeout: float = 30_000) -> None:
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=timeout)
