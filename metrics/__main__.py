"""Command line: any registered measure from the live cache as CSV.

    python -m metrics --list
    python -m metrics assessment_timeliness --period 2026-09 [--period-type month|quarter|year|rolling12]
                      [--by service|team|worker] [--months 12] [--rows] [--config PATH]

Prints ``period,group,numerator,denominator,value`` (value is a fraction for percentages); with
``--months N`` one block per month for the N months ending with ``--period``. ``--rows`` prints the
child-level rows instead. The command runs with full access: it is for analysts on the server.
"""

from __future__ import annotations

import argparse
import sys

from metrics import registry
from metrics.periods import PERIOD_TYPES, period_for, trailing_months


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m metrics", description=__doc__.split("\n")[0])
    parser.add_argument("measure", nargs="?", help="measure id (see --list)")
    parser.add_argument("--list", action="store_true", help="list the registered measures")
    parser.add_argument("--period", help="YYYY-MM: the month (or the last month of the period)")
    parser.add_argument("--period-type", default="month", choices=PERIOD_TYPES)
    parser.add_argument("--by", choices=["service", "team", "worker"])
    parser.add_argument("--months", type=int, default=1, help="a series of N periods ending with --period")
    parser.add_argument("--rows", action="store_true", help="print the child-level rows instead")
    parser.add_argument("--config", help="config.toml (default: PORTAL_CONFIG or ./config.toml)")
    args = parser.parse_args(argv)

    if args.list:
        for m in registry.all_measures():
            print(f"{m.id}\t{m.unit}\t{m.polarity}\t{m.title}")
        return 0
    if not args.measure or not args.period:
        parser.error("give a measure id and --period YYYY-MM (or --list)")
    try:
        measure = registry.get(args.measure)
    except KeyError as exc:
        print(exc.args[0], file=sys.stderr)
        return 2
    try:
        last = period_for(args.period, "month")
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    months = trailing_months(last, max(args.months, 1))
    periods = [period_for(m.label, args.period_type) for m in months]
    periods = list(dict.fromkeys(periods))  # quarters/years repeat across months

    from data_access.cache import NoCacheError, load_current
    from data_access.config import load_config
    from metrics.settings import MetricSettings

    cfg = load_config(args.config)
    try:
        cache = load_current(cfg.cache_folder)
    except NoCacheError as exc:
        print(exc, file=sys.stderr)
        return 1
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)
    try:
        result = measure.run(cache.tables, periods, args.by, settings)
    except registry.MeasureUnavailable as exc:
        print(exc, file=sys.stderr)
        return 3
    if args.rows:
        result.rows.to_csv(sys.stdout, index=False, date_format="%Y-%m-%d")
        return 0
    out = result.summary[["period", "group", "numerator", "denominator", "value"]]
    out.to_csv(sys.stdout, index=False, float_format="%.6g")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
