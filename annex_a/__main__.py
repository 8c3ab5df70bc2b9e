"""Command line: the Annex A workbook for a reference date, from the live cache.

    python -m annex_a --date 2026-10-31 --out annex-a.xlsx [--config PATH] [--with-quality-sheet] [--strict]

Prints each list's row count and the data-quality summary (every check that found something,
with its count), then writes the workbook ("List 1" ... "List 11"). ``--date`` defaults to the
data's "as at" date. Exit status: 0 written (with ``--strict``: 4 when problems were found, so a
scheduled run can flag them), 1 no cache, 2 bad arguments. The command runs with
full access: it is for analysts on the server, and the file holds personal data about children.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from annex_a.spec import LISTS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m annex_a", description=__doc__.split("\n")[0])
    parser.add_argument("--date", help="reference date YYYY-MM-DD (default: the data's as-at date)")
    parser.add_argument("--out", required=True, help="the .xlsx file to write")
    parser.add_argument("--config", help="config.toml (default: PORTAL_CONFIG or ./config.toml)")
    parser.add_argument("--with-quality-sheet", action="store_true",
                        help='add a "Data quality" sheet listing every problem (not for Ofsted)')
    parser.add_argument("--strict", action="store_true", help="exit with status 4 when problems were found")
    args = parser.parse_args(argv)
    try:
        when = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"--date must be YYYY-MM-DD, not {args.date!r}", file=sys.stderr)
        return 2

    from data_access.cache import NoCacheError, load_current
    from data_access.config import load_config
    from metrics.settings import MetricSettings

    from annex_a.lists import annex_a_lists
    from annex_a.quality import data_quality, source_gaps
    from annex_a.workbook import write_workbook

    cfg = load_config(args.config)
    try:
        cache = load_current(cfg.cache_folder)
    except NoCacheError as exc:
        print(exc, file=sys.stderr)
        return 1
    reference = cache.as_at if when is None else when
    if when is not None and when > cache.as_at.date():
        print(f"Note: {when:%d/%m/%Y} is after the data's as-at date {cache.as_at:%d/%m/%Y}; "
              "nothing after that date is in the data.", file=sys.stderr)
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)
    lists = annex_a_lists(cache.tables, reference, settings)
    issues = data_quality(lists, cache.tables, reference)

    print(f"Annex A for {cfg.authority_name}, reference date {reference:%d/%m/%Y} "
          f"(data as at {cache.as_at:%d/%m/%Y})")
    for name, spec in LISTS.items():
        print(f"  {name:<8} {spec.title:<32} {len(lists[name]):>7,} rows   ({spec.lookback})")
    print()
    if issues:
        print(f"Data quality: {len(issues)} checks found problems ({sum(i.count for i in issues):,} rows):")
        for issue in issues:
            print(f"  {issue.list_name:<8} {issue.count:>6,}  {issue.check}")
    else:
        print("Data quality: no problems found.")
    for gap in source_gaps(cache.tables):
        print(f"  Note: {gap}")
    notes = [f"Reference date {reference:%d/%m/%Y}; data as at {cache.as_at:%d/%m/%Y}; {cfg.authority_name}",
             "OFFICIAL-SENSITIVE: contains personal data about children. Store and share securely."]
    path = write_workbook(args.out, lists, issues=issues if args.with_quality_sheet else None,
                          title=f"Annex A {reference:%d/%m/%Y}", notes=notes)
    print(f"\nWrote {path}")
    return 4 if (issues and args.strict) else 0


if __name__ == "__main__":
    raise SystemExit(main())
