"""A private PostgreSQL server for one test session: initdb in a temporary folder, started on a
free localhost port, stopped and removed afterwards. Uses Debian's `postgresql` package (installed
by ./run-tests.sh when missing). When the tests run as root, the server runs as the `postgres`
user, as PostgreSQL refuses to run as root."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextmanager
def postgres_server():
    """Yield a SQLAlchemy URL of an empty database ``portal`` on a fresh server."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        os.chown(folder, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    run = lambda cmd: subprocess.run(_as_server_user(cmd), check=True, capture_output=True, text=True)
    try:
        run([str(bindir / "initdb"), "-D", str(data), "-U", "portal", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8"])
        run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "-t", "60",
             "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start"])
        for _ in range(60):
            if subprocess.run([str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)],
                              capture_output=True).returncode == 0:
                break
            time.sleep(0.5)
        run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "portal", "portal"])
        yield f"postgresql+psycopg://portal@127.0.0.1:{port}/portal"
    finally:
        subprocess.run(_as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
