"""Command line: reports produced without the browser.

    python -m reports weekly-activity --service ID --out FILE [--week-ending YYYY-MM-DD]
                                      [--children] [--config PATH]
    python -m reports weekly-activity --list-services [--config PATH]
"""

from __future__ import annotations

import argparse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reports", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    weekly = sub.add_parser(
        "weekly-activity",
        help="the Weekly Activity Summary for one service as an Excel file",
        description="Last week's key activity for one service (contacts, referrals, assessments, S47s, "
                    "ICPCs, CP plans started and ended, children starting and ceasing care) against the "
                    "average of the 12 weeks before, as an Excel workbook.",
    )
    weekly.add_argument("--service", help="the service's ID (see --list-services)")
    weekly.add_argument("--out", help="the Excel file to write (.xlsx)")
    weekly.add_argument("--week-ending", help="YYYY-MM-DD: the last day of the week to report "
                        "(default: the last complete Monday-to-Sunday week the data covers)")
    weekly.add_argument("--children", action="store_true",
                        help="add a sheet listing last week's events by child ID (for dip-sampling; "
                             "personal data: store and share securely)")
    weekly.add_argument("--list-services", action="store_true", help="list the services and their IDs")
    weekly.add_argument("--config", help="config.toml (default: PORTAL_CONFIG or ./config.toml)")
    args = parser.parse_args(argv)

    from reports.weekly_activity import command

    return command(args, parser=weekly)


if __name__ == "__main__":
    raise SystemExit(main())
