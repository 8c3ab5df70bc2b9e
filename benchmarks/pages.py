"""In its own process (PORTAL_CONFIG set to the benchmark's config): every page's script run per
role under Streamlit's AppTest.

    python -m benchmarks.pages OUT.json [--reruns 3]

For each demo account (one per role) and each page of ui/nav.py MENU the role may open: the page is
opened, the account signs in through the real form (tests/conftest.py apptest_sign_in), and that
first signed-in run is timed (*first*: the page's measures computed for that scope, unless an
earlier page already did); then the page is run again ``reruns`` times (*warm*: what a user
opening the page on a warm server waits for) and the median taken. Caches are shared across pages
and roles within the process, as in the server.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

USERS = {"practitioner": "practitioner", "manager": "team_manager", "head": "head_of_service",
         "analyst": "senior_leader"}


def pages_for(role) -> list:
    from ui.nav import sections_for

    return [p for group in sections_for(SimpleNamespace(role=role)).values() for p in group]


def main(argv: list[str]) -> int:
    out_path = Path(argv[0])
    reruns = int(argv[argv.index("--reruns") + 1]) if "--reruns" in argv else 3
    from streamlit.testing.v1 import AppTest

    from auth import Role
    from auth.keys import generate_key
    from tests.conftest import apptest_sign_in

    key = generate_key()
    results = []
    for user, role_name in USERS.items():
        role = Role(role_name)
        for page in pages_for(role):
            entry = {"user": user, "role": role_name, "page": Path(page.path).stem}
            try:
                at = AppTest.from_file(str(ROOT / page.path), default_timeout=900)
                at.secrets["auth_cookie_key"] = key
                at.run()
                t0 = time.perf_counter()
                apptest_sign_in(at, user)
                entry["first_seconds"] = round(time.perf_counter() - t0, 3)
                times = []
                for _ in range(reruns):
                    t0 = time.perf_counter()
                    at.run()
                    times.append(time.perf_counter() - t0)
                    if at.exception:
                        break
                entry["warm_seconds"] = [round(t, 3) for t in times]
                entry["seconds"] = round(statistics.median(times), 3)
                if at.exception:
                    entry["error"] = str(at.exception[0].value)[:500]
            except Exception as exc:  # a page that fails is reported, the run goes on
                entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
            print(f"  pages: {user:<13} {entry['page']:<26} first {entry.get('first_seconds', '-')} s, "
                  f"warm {entry.get('seconds', '-')} s{'  ERROR ' + entry['error'][:80] if 'error' in entry else ''}",
                  flush=True)
            results.append(entry)
    out_path.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
