"""How long each page's script took on the server, for performance work.

When the environment variable ``PORTAL_TIMINGS`` names a file, every page run appends one line to
it: when the run started and ended (Unix seconds), the page's file name, the viewer's role and the
seconds taken. Nothing else: no user name, no child, no filter value, so the file holds no personal
data. Unset (the default), nothing is written. The benchmark uses it to tell the server's share of
a page view from the browser's."""

from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ENV = "PORTAL_TIMINGS"
_LOCK = threading.Lock()


def _target() -> Path | None:
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


@contextmanager
def timed_run(page: str, role: str):
    """Time the enclosed page run (also when it stops early or reruns) and append it to the file."""
    target = _target()
    if target is None:
        yield
        return
    started, t0 = time.time(), time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - t0
        line = f"{started:.3f}\t{started + seconds:.3f}\t{Path(page).stem}\t{role}\t{seconds:.4f}\n"
        with _LOCK, open(target, "a", encoding="utf-8") as fh:
            fh.write(line)


def read(path: Path) -> list[dict]:
    """The lines of a timings file as dicts (start, end, page, role, seconds)."""
    out = []
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 5:
            out.append({"start": float(parts[0]), "end": float(parts[1]), "page": parts[2],
                        "role": parts[3], "seconds": float(parts[4])})
    return out
