"""Time the synthetic demo authority: build each size, compare its row counts with the spec, and
time a refresh (validate + Parquet cache) of it. Optionally, run every registered measure on the
result and compare it with England (the realism check).

    python scripts/time_demo.py                      # small, medium and large
    python scripts/time_demo.py --sizes small medium
    python scripts/time_demo.py --sizes medium --realism
    python scripts/time_demo.py --sizes medium --realism --keep /tmp/demo-medium

Each size runs in its own process, in a temporary folder (removed afterwards unless --keep), so
the timings and the peak memory are that size's alone. Generation is ``build_demo``: simulating the
authority, then writing the SQLite file (both shown). The refresh is the real
``data_access.refresh.refresh`` with a throwaway config pointing at that file.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import shutil
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AS_AT = "2026-10-31"
LA_CODE = "E06000015"  # a median-sized authority, as in config.toml

# Target rows per size: shared/spec/data-model.md ("Sizes"), with the tables it does not list from
# shared/reference/scale.md. A target is a table name or a "+"-joined sum of tables.
TARGETS: dict[str, dict[str, int]] = {
    "ssd_person": {"small": 600, "medium": 21_000, "large": 250_000},
    "ssd_contacts": {"small": 2_400, "medium": 96_000, "large": 1_150_000},
    "ssd_cin_episodes": {"small": 500, "medium": 20_000, "large": 240_000},
    "ssd_cin_assessments": {"small": 520, "medium": 21_000, "large": 250_000},
    "ssd_assessment_factors": {"small": 1_500, "medium": 60_000, "large": 700_000},
    "ssd_s47_enquiry": {"small": 180, "medium": 7_500, "large": 74_000},
    "ssd_initial_cp_conference": {"small": 60, "medium": 2_300, "large": 21_000},
    "ssd_cp_plans": {"small": 50, "medium": 2_100, "large": 20_000},
    "ssd_cin_plans": {"small": 150, "medium": 6_000, "large": 72_000},
    "ssd_cla_episodes": {"small": 100, "medium": 4_000, "large": 40_000},
    "ssd_cla_placement": {"small": 80, "medium": 3_000, "large": 30_000},
    "ssd_cin_visits+ssd_cp_visits+ssd_cla_visits": {"small": 3_000, "medium": 110_000, "large": 1_000_000},
    "ssd_cp_reviews+ssd_cla_reviews+ext_cin_reviews": {"small": 650, "medium": 25_000, "large": 220_000},
    "ssd_cla_health": {"small": 120, "medium": 5_000, "large": 42_000},
    "ssd_care_leavers": {"small": 40, "medium": 1_750, "large": 15_000},
    "ssd_professionals": {"small": 30, "medium": 200, "large": 800},
}


def _config_text(folder: Path, db: Path, size: str) -> str:
    """A throwaway portal config (as tests/conftest.py write_config makes one)."""
    return textwrap.dedent(f"""
        [authority]
        name = "Timing Borough"
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
    """)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def run_size(size: str, folder: str, realism: bool, queue) -> None:
    """Build, count, refresh (and measure) one size; report on ``queue``."""
    from data_access.config import load_config
    from data_access.demo import build_demo
    from data_access.refresh import refresh

    folder = Path(folder)
    db = folder / "demo.sqlite"
    marks: dict[str, float] = {}
    t0 = time.monotonic()

    def progress(message: str) -> None:
        if message.startswith("writing") and "writing" not in marks:
            marks["writing"] = time.monotonic()

    counts = build_demo(db, size=size, as_at=AS_AT, progress=progress)
    t1 = time.monotonic()
    config = folder / "config.toml"
    config.write_text(_config_text(folder, db, size), encoding="utf-8")
    result = refresh(load_config(config))
    t2 = time.monotonic()
    report = {
        "size": size, "counts": counts, "simulate": marks.get("writing", t1) - t0,
        "write": t1 - marks.get("writing", t1), "generate": t1 - t0, "refresh": t2 - t1,
        "rows": result.total_rows, "db_mib": db.stat().st_size / 2**20, "peak_mib": _peak_mib(),
    }
    if realism:
        report["realism"] = realism_table(config)
    queue.put(report)


def realism_table(config: Path, last: str = "2026-10") -> list[dict]:
    """Every registered measure on the cache: the value for the last 12 months (flow measures:
    the rolling 12 months; stock measures: the month-end position averaged over the 12 months,
    and the position at the last month end), the range over the months, the range over teams and
    workers with enough children to judge, and England's figure where a comparable one exists."""
    import numpy as np

    from data_access.cache import load_current
    from data_access.config import load_config
    from metrics import registry
    from metrics.benchmarks import benchmark
    from metrics.periods import period_for, trailing_months
    from metrics.settings import MetricSettings

    cfg = load_config(config)
    tables = load_current(cfg.cache_folder).tables
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)
    months = [period_for(m.label) for m in trailing_months(period_for(last), 12)]
    r12 = period_for(last, "rolling12")
    out = []
    for m in registry.all_measures():
        row = {"id": m.id, "unit": m.unit, "kind": m.kind}
        try:
            pct = m.unit == "percent"
            periods = months if m.kind == "stock" else [r12]
            monthly = m.run(tables, months, None, settings).summary
            mv = monthly["value"].astype(float)
            if m.kind == "stock":
                row["value"] = float(monthly["numerator"].sum() / monthly["denominator"].sum()) if pct else float(mv.mean())
                row["latest"] = float(mv.iloc[-1]) if len(mv) else float("nan")
                row["n"] = float(monthly["denominator"].iloc[-1]) if pct and len(monthly) else float("nan")
            else:
                s = m.run(tables, [r12], None, settings).summary
                row["value"] = float(s["value"].iloc[0]) if len(s) else float("nan")
                row["latest"] = float("nan")
                row["n"] = float(s["denominator"].iloc[0]) if pct and len(s) else float("nan")
            row["month_min"], row["month_max"] = float(mv.min()), float(mv.max())
            for by, least in (("team", 30), ("worker", 20)):
                g = m.run(tables, periods, by, settings).summary
                if pct:
                    g = g.groupby("group_id").agg(n=("denominator", "sum"), k=("numerator", "sum"))
                    v = (g["k"] / g["n"])[g["n"] >= least]
                else:
                    v = g.groupby("group_id")["value"].mean()
                row[f"{by}_min"] = float(v.min()) if len(v) else float("nan")
                row[f"{by}_max"] = float(v.max()) if len(v) else float("nan")
        except Exception as exc:  # report it; the check must see every measure
            row["error"] = f"{type(exc).__name__}: {exc}"
        try:
            b = benchmark(m.id, LA_CODE)
            row["england"] = b.england_value if b is not None and b.comparable else float("nan")
        except Exception:
            row["england"] = float("nan")
        out.append(row)
    return out


def _fmt(value: float, pct: bool) -> str:
    import math

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{100 * value:.1f}%" if pct else f"{value:,.1f}"


def print_report(r: dict) -> None:
    size, counts = r["size"], r["counts"]
    print(f"\n== {size} ==")
    print(f"generate {r['generate']:7.1f} s  (simulate {r['simulate']:.1f} s, write SQLite {r['write']:.1f} s; "
          f"{r['db_mib']:,.0f} MiB)")
    print(f"refresh  {r['refresh']:7.1f} s  ({r['rows']:,} rows validated and cached)")
    print(f"peak memory {r['peak_mib']:,.0f} MiB")
    print(f"\n{'table':48s} {'rows':>10s} {'target':>10s} {'ratio':>6s}")
    for key, per_size in TARGETS.items():
        n = sum(counts.get(t, 0) for t in key.split("+"))
        target = per_size[size]
        print(f"{key:48s} {n:>10,} {target:>10,} {n / target:6.2f}")
    others = [t for t in counts if not any(t in k.split("+") for k in TARGETS)]
    print("other tables: " + ", ".join(f"{t} {counts[t]:,}" for t in others))
    if "realism" in r:
        print(f"\nmeasures over the 12 months to 2026-10 ({size})")
        head = (f"{'measure':26s} {'demo':>8s} {'latest':>8s} {'England':>8s} {'months':>15s} "
                f"{'teams':>15s} {'workers':>15s}")
        print(head)
        for row in r["realism"]:
            if "error" in row:
                print(f"{row['id']:26s} RAISED {row['error']}")
                continue
            pct = row["unit"] == "percent"
            rng = lambda a, b: f"{_fmt(row[a], pct)}-{_fmt(row[b], pct)}"
            print(f"{row['id']:26s} {_fmt(row['value'], pct):>8s} {_fmt(row['latest'], pct):>8s} "
                  f"{_fmt(row['england'], pct):>8s} {rng('month_min', 'month_max'):>15s} "
                  f"{rng('team_min', 'team_max'):>15s} {rng('worker_min', 'worker_max'):>15s}")
        print("demo: flow measures over the rolling 12 months; stock measures pooled over the 12 month "
              "ends (latest: the last month end). teams/workers: those with 30/20+ in the denominator.\n"
              "Care leaver measures: read the latest month only. ssd_care_leavers keeps one current "
              "record per young person, so for a past month only those whose latest contact (review) "
              "is before its end are counted.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["small", "medium", "large"],
                        choices=["small", "medium", "large"])
    parser.add_argument("--realism", action="store_true", help="run every measure and compare with England")
    parser.add_argument("--keep", help="build in this folder and keep it (one size only)")
    args = parser.parse_args(argv)
    if args.keep and len(args.sizes) != 1:
        parser.error("--keep takes one size")
    ctx = mp.get_context("spawn")
    failed = False
    for size in args.sizes:
        folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix=f"demo-{size}-"))
        folder.mkdir(parents=True, exist_ok=True)
        queue = ctx.Queue()
        proc = ctx.Process(target=run_size, args=(size, str(folder), args.realism, queue))
        started = time.monotonic()
        proc.start()
        report = None
        while proc.is_alive() or not queue.empty():
            try:
                report = queue.get(timeout=1)
                break
            except Exception:
                continue
        proc.join()
        if report is None:
            print(f"\n== {size} == failed (exit code {proc.exitcode}) after {time.monotonic() - started:.0f} s")
            failed = True
        else:
            print_report(report)
        sys.stdout.flush()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
