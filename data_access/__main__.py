"""Command line: ``python -m data_access demo|refresh|status``.

- ``demo [--size small|medium|large] [--seed N] [--out PATH] [--refresh]`` builds the synthetic
  demo authority (SQLite).
- ``refresh`` extracts the source into a new validated cache extract. Exit status 0 on success,
  1 when the source was rejected or unreachable (the last good extract stays live).
- ``status`` shows the live extract.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from data_access import cache
from data_access.config import PortalConfig, load_config, redact_url


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _live_description(cfg: PortalConfig) -> str:
    folder = cache.current_dir(cfg.cache_folder)
    if folder is None:
        return ("No cache has been published yet, so the portal has no data until a refresh "
                "succeeds.")
    try:
        when = cache.read_manifest(folder).get("extract_time", "an unknown time")
    except Exception:
        when = "an unknown time"
    return f"The last good cache ({folder.name}, extracted at {when}) is still in use."


def _table_lines(rows: list[dict], indent: str = "      ") -> list[str]:
    """Small aligned lines: a header of column names and one line per example row."""
    if not rows:
        return []
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    cells = [[str(r.get(c, "")) for c in cols] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    fmt = lambda vals: indent + "  ".join(v.ljust(w) for v, w in zip(vals, widths)).rstrip()
    return [fmt(cols)] + [fmt(row) for row in cells]


def format_problems(problems) -> list[str]:
    lines = []
    for i, p in enumerate(problems, 1):
        where = f"table {p.table}" + (f", column {p.column}" if p.column else "")
        lines.append(f"  {i}. {where} [{p.kind}]")
        lines.append(f"     {p.message}")
        lines += _table_lines(p.examples)
    return lines


def _is_default_demo_source(cfg: PortalConfig) -> bool:
    from data_access.refresh import _sqlite_file

    db = _sqlite_file(cfg.source_url)
    return db is not None and db.resolve() == Path(cfg.demo_database).resolve()


def cmd_refresh(cfg: PortalConfig) -> int:
    from data_access.refresh import RefreshError, _sqlite_file, refresh
    from data_access.validate import CONNECTION

    db = _sqlite_file(cfg.source_url)
    if db is not None and not db.is_file() and _is_default_demo_source(cfg):
        print(f"There is no source database at {db}: run `python -m data_access demo` first "
              "(or set [source] url in the config).", file=sys.stderr, flush=True)
        return 1
    try:
        result = refresh(cfg, progress=_progress)
    except RefreshError as exc:
        problems = exc.problems
        if problems and all(p.kind == CONNECTION for p in problems):
            print(f"Refresh aborted: cannot connect to the source {redact_url(cfg.source_url)}.",
                  flush=True)
            print(f"  {problems[0].message}", flush=True)
            print(_live_description(cfg), flush=True)
            return 1
        n = len(problems)
        print(f"Refresh aborted: the source has {n} problem{'' if n == 1 else 's'}. "
              f"{_live_description(cfg)}")
        print("\n".join(format_problems(problems)), flush=True)
        return 1
    m = result.manifest
    print(f"Refresh complete: {result.name} is live "
          f"({len(m['tables'])} tables, {result.total_rows:,} rows, data as at {m['data_as_at']}, "
          f"{result.seconds:.1f} s).")
    print(f"  source: {m['source']}")
    if m.get("absent_optional_tables"):
        print("  not in the source (optional): " + ", ".join(m["absent_optional_tables"]))
    print(f"  cache:  {Path(cfg.cache_folder) / result.name}", flush=True)
    return 0


def cmd_status(cfg: PortalConfig) -> int:
    folder = cache.current_dir(cfg.cache_folder)
    if folder is None:
        print(f"No extract has been published in {cfg.cache_folder}. "
              "Run `python -m data_access refresh`.")
        return 1
    m = cache.read_manifest(folder)
    tables = m.get("tables", {})
    total = sum(t.get("rows", 0) for t in tables.values())
    print(f"Live extract:   {folder.name}")
    print(f"Extracted at:   {m.get('extract_time')}")
    print(f"Data as at:     {m.get('data_as_at')}")
    print(f"Source:         {m.get('source')}")
    print(f"Schema version: {m.get('schema_version')}")
    print(f"Cache folder:   {cfg.cache_folder}")
    others = sorted(p.name for p in Path(cfg.cache_folder).glob("extract-*")
                    if p.is_dir() and p.name != folder.name)
    if others:
        print(f"Older extracts: {', '.join(others)}")
    print(f"Tables:         {len(tables)} ({total:,} rows)")
    width = max((len(n) for n in tables), default=10)
    for name, meta in tables.items():
        print(f"  {name.ljust(width)}  {meta.get('rows', 0):>12,}")
    if m.get("absent_optional_tables"):
        print("Not in the source (optional): " + ", ".join(m["absent_optional_tables"]))
    return 0


def cmd_demo(cfg: PortalConfig, args) -> int:
    try:
        from data_access.demo import build_demo
    except ImportError as exc:
        print(f"The demo generator is not available: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out).resolve() if args.out else Path(cfg.demo_database)
    size = args.size or cfg.demo_size
    kwargs = {"size": size, "as_at": cfg.demo_as_at, "progress": _progress}
    if args.seed is not None:
        kwargs["seed"] = args.seed
    out.parent.mkdir(parents=True, exist_ok=True)
    print(f"Building the {size} demo authority (as at {cfg.demo_as_at}) into {out}…",
          file=sys.stderr, flush=True)
    started = time.monotonic()
    counts = build_demo(out, **kwargs)
    seconds = time.monotonic() - started
    counts = counts or {}
    width = max((len(n) for n in counts), default=10)
    print(f"Demo authority written to {out} in {seconds:.1f} s:")
    for name, n in counts.items():
        print(f"  {name.ljust(width)}  {n:>12,}")
    print(f"  {'total'.ljust(width)}  {sum(counts.values()):>12,}", flush=True)
    if args.refresh:
        if out.resolve() != Path(cfg.demo_database).resolve() and not _points_at(cfg, out):
            print(f"Note: the configured source is {redact_url(cfg.source_url)}, not {out}; "
                  "refreshing from the configured source.", file=sys.stderr, flush=True)
        return cmd_refresh(cfg)
    if _points_at(cfg, out):
        print("Next: run `python -m data_access refresh` to extract it into the portal's cache.")
    else:
        print(f"Next: point [source] url in {cfg.path} at sqlite:///{out} and run "
              "`python -m data_access refresh`.")
    return 0


def _points_at(cfg: PortalConfig, db: Path) -> bool:
    from data_access.refresh import _sqlite_file

    src = _sqlite_file(cfg.source_url)
    return src is not None and src.resolve() == Path(db).resolve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_access",
                                     description="Demo source, refresh and status of the portal's cache.")
    parser.add_argument("--config", help="config file (default: $PORTAL_CONFIG or config.toml)")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build the synthetic demo authority (SQLite)")
    demo.add_argument("--size", choices=["small", "medium", "large"])
    demo.add_argument("--seed", type=int)
    demo.add_argument("--out", help="SQLite file to write (default: [demo] database)")
    demo.add_argument("--refresh", action="store_true", help="refresh the cache straight after")
    sub.add_parser("refresh", help="extract the source into a new validated cache")
    sub.add_parser("status", help="show the live extract")
    args = parser.parse_args(argv)

    try:
        cfg = load_config(args.config)
    except FileNotFoundError as exc:
        print(f"Config file not found: {exc.filename}", file=sys.stderr)
        return 2
    if args.command == "demo":
        return cmd_demo(cfg, args)
    if args.command == "refresh":
        return cmd_refresh(cfg)
    return cmd_status(cfg)


if __name__ == "__main__":
    sys.exit(main())
