"""In its own process: the extract loaded as the server loads it, the twenty "Doing the Simple
Things Well" measures x 13 months on it, and the DuckDB floor.

    python -m benchmarks.compute CONFIG OUT.json

- load: ``data_access.cache.load_extract`` of the live extract (the server's ``_load``): seconds
  and the process's resident memory before and after.
- dstw: each DSTW measure run for the 13 months ending with the data's month, whole authority
  (as the DSTW page does), in catalogue order, on the freshly loaded tables: the *cold* time
  includes whatever the measures prepare once per extract; then the same again (*warm*).
- floor: one DuckDB pass reading every value of every Parquet column the DSTW measures use
  (``sum(hash(column))`` of each, one query per table: a plain ``max`` would be answered from the
  Parquet statistics without reading the values), the median of 3 passes. The columns are the
  source and optional tables' columns named in the measure code (metrics/*.py).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def dstw_columns(measure_ids) -> dict[str, list[str]]:
    """{table: [columns]} the measures read: their source and optional tables' columns whose names
    appear in the measure code."""
    from data_access.schema import TABLES
    from metrics import registry

    code = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "metrics").glob("*.py"))
    named = set(re.findall(r"[\"']([a-z][a-z0-9_]+)[\"']", code))
    tables: set[str] = set()
    for mid in measure_ids:
        m = registry.get(mid)
        tables |= set(m.source_tables) | set(m.optional_tables)
    out = {}
    for t in sorted(tables):
        if t in TABLES:
            cols = [c for c in TABLES[t].columns if c in named]
            if cols:
                out[t] = cols
    return out


def duckdb_floor(folder: Path, columns: dict[str, list[str]], passes: int = 3) -> dict:
    try:
        import duckdb
    except ImportError:
        return {"error": "duckdb is not installed (pip install -r requirements-dev.txt)"}
    con = duckdb.connect()
    con.execute(f"SET threads TO {os.cpu_count() or 1}")
    queries = []
    for table, cols in columns.items():
        path = folder / f"{table}.parquet"
        if path.exists():
            aggs = ", ".join(f'sum(hash("{c}"))' for c in cols)
            queries.append(f"SELECT {aggs} FROM read_parquet('{path}')")
    times = []
    for _ in range(passes):
        t0 = time.perf_counter()
        for q in queries:
            con.execute(q).fetchall()
        times.append(time.perf_counter() - t0)
    con.close()
    return {"seconds": round(statistics.median(times), 3), "passes": [round(t, 3) for t in times],
            "tables": len(queries), "columns": sum(len(c) for c in columns.values()),
            "duckdb": duckdb.__version__}


def main(argv: list[str]) -> int:
    config, out_path = argv[0], Path(argv[1])
    import pandas as pd  # noqa: F401  (imports are not part of the load time)

    from data_access.cache import current_dir, load_extract
    from data_access.config import load_config
    from metrics import registry
    from metrics.periods import period_for, trailing_months
    from metrics.scorecard import DSTW_MEASURES
    from metrics.settings import MetricSettings

    registry.all_measures()
    cfg = load_config(config)
    folder = current_dir(cfg.cache_folder)
    result: dict = {}
    before = rss_mib()
    t0 = time.perf_counter()
    cache = load_extract(folder)
    result["load"] = {"seconds": round(time.perf_counter() - t0, 2), "rss_before_mib": round(before, 1),
                      "rss_after_mib": round(rss_mib(), 1),
                      "rows": int(sum(len(f) for f in cache.tables.values()))}
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)
    periods = trailing_months(period_for(f"{cache.as_at:%Y-%m}"), 13)
    runs = {}
    for label in ("cold", "warm"):
        per = {}
        for mid in DSTW_MEASURES:
            t = time.perf_counter()
            try:
                registry.get(mid).run(cache.tables, periods, None, settings)
                per[mid] = round(time.perf_counter() - t, 3)
            except registry.MeasureUnavailable:
                per[mid] = None
        runs[label] = per
    cold = {k: v for k, v in runs["cold"].items() if v is not None}
    warm = {k: v for k, v in runs["warm"].items() if v is not None}
    slowest = max(cold, key=cold.get) if cold else None
    result["dstw"] = {
        "periods": [p.label for p in periods], "measures": len(cold),
        "cold_seconds": round(sum(cold.values()), 2), "warm_seconds": round(sum(warm.values()), 2),
        "slowest": slowest, "slowest_seconds": cold.get(slowest),
        "slowest_warm": max(warm, key=warm.get) if warm else None,
        "slowest_warm_seconds": max(warm.values()) if warm else None,
        "cold": runs["cold"], "warm": runs["warm"], "rss_after_mib": round(rss_mib(), 1),
    }
    cols = dstw_columns(DSTW_MEASURES)
    result["floor"] = duckdb_floor(folder, cols)
    result["floor"]["columns_by_table"] = cols
    if "seconds" in result["floor"] and result["floor"]["seconds"] > 0:
        result["dstw"]["ratio_to_floor"] = round(result["dstw"]["cold_seconds"] / result["floor"]["seconds"], 1)
        result["dstw"]["warm_ratio_to_floor"] = round(result["dstw"]["warm_seconds"] / result["floor"]["seconds"], 1)
    out_path.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
