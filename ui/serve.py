"""python -m ui.serve [streamlit options]: `streamlit run app.py`, with the portal warmed first.

Streamlit runs none of the portal's code until the first visitor arrives, who then waits for the
imports (pandas, pyarrow, plotly, the metrics) and for the extract to be read (seconds on a large
authority). Started this way, the same process imports them before it listens and starts reading
the extract in the background (data_access.live.preload), so the first sign-in form and the first
page after it come as fast as later ones. Every option is passed on to `streamlit run`.

Streamlit runs each session's script in its own thread, and glibc gives busy threads their own
memory arenas (up to 8 per core), each holding on to freed pages: with many sessions on a large
authority the server's resident memory grew by hundreds of MiB that no cache was using. Unless
``MALLOC_ARENA_MAX`` is already set, the process restarts itself once with it set to 2. Arrow (which
holds pandas' strings) is told to use the system allocator (``ARROW_DEFAULT_MEMORY_POOL=system``,
unless set) rather than its own pool, which kept about 200 MiB more of a large authority's extract
resident and never gave freed memory back; measured on the large demo, no slower."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def warm() -> None:
    """What the first page run would otherwise pay for."""
    import plotly.graph_objects  # noqa: F401
    import pyarrow.parquet  # noqa: F401

    import auth.gate  # noqa: F401
    import metrics.registry
    import ui.frame  # noqa: F401
    import ui.nav  # noqa: F401
    from data_access.config import load_config
    from data_access.live import preload

    metrics.registry.all_measures()
    try:
        preload(load_config())
    except Exception as exc:  # noqa: BLE001  (no config or cache yet: the pages say so)
        print(f"Not preloading the extract: {exc}", file=sys.stderr)


ARENAS = "MALLOC_ARENA_MAX"
ARROW_POOL = "ARROW_DEFAULT_MEMORY_POOL"


def main(argv: list[str]) -> int:
    os.environ.setdefault(ARROW_POOL, "system")  # read when pyarrow first allocates: before any import
    if ARENAS not in os.environ and sys.platform.startswith("linux"):
        os.environ[ARENAS] = "2"  # read by glibc at start-up only: start again with it set
        os.execv(sys.executable, [sys.executable, "-m", "ui.serve", *argv])
    warm()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *argv]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
