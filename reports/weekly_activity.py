"""Weekly Activity Summary (seed 000): "a summary of key activity for the preceding week, emailed to
each head of service".

For one service (or the whole authority): last week's contacts, referrals, assessments completed,
section 47 enquiries, initial CP conferences, CP plans started and ended, and children starting and
ceasing care, each against the average of the 12 weeks before last week, with the 13 weeks and the
teams of the service. Every count is a registered measure run for a week
(:data:`metrics.activity.ACTIVITY` says which measure and which of its rows), grouped by service and
team the way that measure groups (e.g. S47s by the team recorded on them, contacts by the child's
allocation on the contact date).

A week runs Monday to Sunday. By default the report is for the last complete week the data covers:
the week ending on the Sunday on or before the data's "as at" date.

Used by the Weekly Activity page (pages/management_weekly.py) and by the command
``python -m reports weekly-activity`` (reports/__main__.py), so both produce the same workbook.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pandas as pd

from metrics import registry
from metrics.activity import ACTIVITY, activity_counts, activity_events, last_vs_average
from metrics.lookups import team_lookup
from metrics.periods import Period
from metrics.settings import MetricSettings

HISTORY_WEEKS = 12   # last week is compared with the average of the 12 weeks before it
WEEK = "week"


# ---- weeks ----------------------------------------------------------------------------------

def week_ending(day) -> Period:
    """The 7 days ending on ``day`` (normally a Sunday) as a period of type "week"."""
    end = pd.Timestamp(day).normalize()
    return Period(end - pd.Timedelta(days=6), end, f"W{end:%Y-%m-%d}", WEEK)


def last_complete_week(as_at) -> Period:
    """The last Monday-to-Sunday week the data covers: the one ending on the Sunday on or before
    ``as_at`` (``as_at`` itself when it is a Sunday)."""
    d = pd.Timestamp(as_at).normalize()
    return week_ending(d - pd.Timedelta(days=(d.weekday() + 1) % 7))


def weeks_ending(last: Period, count: int) -> list[Period]:
    """``count`` consecutive weeks ending with ``last``, oldest first."""
    return [week_ending(last.end - pd.Timedelta(days=7 * i)) for i in reversed(range(count))]


def week_heading(p: Period) -> str:
    return f"w/e {p.end:%d/%m/%Y}"


def week_title(p: Period) -> str:
    return f"{p.start:%A %d %B} to {p.end:%A %d %B %Y}"


# ---- the figures ----------------------------------------------------------------------------

@dataclass(frozen=True)
class WeeklyActivity:
    week: Period              # last week
    weeks: list[Period]       # the history weeks then last week, oldest first
    events: pd.DataFrame      # metrics.activity.activity_events for every week
    unavailable: list[str]    # activity lines the source cannot provide

    @property
    def previous(self) -> list[str]:
        return [p.label for p in self.weeks[:-1]]


def weekly_activity(tables: Mapping[str, pd.DataFrame], settings: MetricSettings | None, week: Period,
                    history: int = HISTORY_WEEKS) -> WeeklyActivity:
    from metrics.activity import unavailable_activity

    weeks = weeks_ending(week, history + 1)
    events = activity_events(tables, weeks, settings or MetricSettings())
    return WeeklyActivity(week, weeks, events, unavailable_activity(tables))


def selection_events(wa: WeeklyActivity, service_id: str | None = None, team_id: str | None = None) -> pd.DataFrame:
    e = wa.events
    if team_id is not None:
        return e[(e["team_id"] == team_id).to_numpy()]
    if service_id is not None:
        return e[(e["service_id"] == service_id).to_numpy()]
    return e


def summary_table(wa: WeeklyActivity, events: pd.DataFrame) -> pd.DataFrame:
    """Activity | Last week | 12-week average | Difference | Change, one row per activity line."""
    counts = activity_counts(events, wa.weeks, None)
    s = last_vs_average(counts, wa.week.label, wa.previous)
    return pd.DataFrame({
        "Activity": s["activity_title"].to_numpy(),
        "Last week": s["last"].to_numpy(),
        f"{len(wa.previous)}-week average": s["average"].round(1).to_numpy(),
        "Difference": s["difference"].round(1).to_numpy(),
        "Change": s["change"].to_numpy(),
    })


def weekly_table(wa: WeeklyActivity, events: pd.DataFrame) -> pd.DataFrame:
    """Activity and one column per week (oldest first)."""
    counts = activity_counts(events, wa.weeks, None)
    wide = counts.pivot_table(index="activity", columns="period", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=[a.key for a in ACTIVITY], columns=[p.label for p in wa.weeks], fill_value=0)
    wide.columns = [week_heading(p) for p in wa.weeks]
    wide.insert(0, "Activity", [a.title for a in ACTIVITY])
    return wide.reset_index(drop=True)


def group_table(wa: WeeklyActivity, events: pd.DataFrame, by: str, groups: pd.DataFrame,
                label: str) -> pd.DataFrame:
    """Last week per group (rows: ``by`` "team" or "worker") and activity (columns). ``groups``
    (group_id, group) are listed even with nothing last week; a group found in the events but not
    in ``groups`` (e.g. "Team not recorded") is added after them."""
    last = events[(events["period"] == wa.week.label).to_numpy()]
    groups = groups[["group_id", "group"]]
    extra = last[[f"{by}_id", by]].drop_duplicates().rename(columns={f"{by}_id": "group_id", by: "group"})
    extra = extra[~extra["group_id"].isin(groups["group_id"].tolist())].sort_values("group")
    groups = pd.concat([groups, extra], ignore_index=True).drop_duplicates("group_id")
    counts = activity_counts(last, [wa.week], by, groups=groups)
    wide = counts.pivot_table(index="group_id", columns="activity", values="count", aggfunc="sum", fill_value=0)
    wide = wide.reindex(index=groups["group_id"].tolist(), columns=[a.key for a in ACTIVITY], fill_value=0)
    wide.columns = [a.title for a in ACTIVITY]
    wide.insert(0, label, groups["group"].to_numpy())
    return wide.reset_index(drop=True)


def team_table(wa: WeeklyActivity, events: pd.DataFrame, teams: pd.DataFrame) -> pd.DataFrame:
    """Last week per team of ``teams`` (team_id, team) and activity."""
    groups = teams[["team_id", "team"]].rename(columns={"team_id": "group_id", "team": "group"})
    return group_table(wa, events, "team", groups, "Team")


def children_table(wa: WeeklyActivity, events: pd.DataFrame, *, names: bool = False) -> pd.DataFrame:
    """Last week's events, one per row: Activity, Date, Child ID (and Child with ``names``), Team,
    Worker, Record ID."""
    last = events[(events["period"] == wa.week.label).to_numpy()]
    order = {a.key: i for i, a in enumerate(ACTIVITY)}
    last = last.sort_values(["activity", "date", "person_id"], key=lambda s: s.map(order) if s.name == "activity" else s)
    out = pd.DataFrame({
        "Activity": last["activity_title"].to_numpy(),
        "Date": pd.to_datetime(last["date"]).to_numpy(),
        "Child ID": last["person_id"].to_numpy(),
        "Team": last["team"].to_numpy(),
        "Worker": last["worker"].to_numpy(),
        "Record ID": last["event_id"].to_numpy(),
    })
    if names:
        out.insert(3, "Child", last["child_name"].to_numpy())
    return out


def service_sheets(wa: WeeklyActivity, tables: Mapping[str, pd.DataFrame], service_id: str | None,
                   *, team_id: str | None = None, children: bool = False) -> dict[str, pd.DataFrame]:
    """The workbook for one service (``None``: the whole authority; or one team with ``team_id``):
    Summary, Weekly, By team and, with ``children``, Children (last week's events by child ID)."""
    events = selection_events(wa, service_id, team_id)
    teams = team_lookup(tables)
    if team_id is not None:
        teams = teams[teams["team_id"] == team_id]
    elif service_id is not None:
        teams = teams[teams["service_id"] == service_id]
    sheets = {
        "Summary": summary_table(wa, events),
        "Weekly": weekly_table(wa, events),
        "By team": team_table(wa, events, teams),
    }
    if children:
        sheets["Children"] = children_table(wa, events)
    return sheets


def services(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """service_id, service: every service with at least one team."""
    t = team_lookup(tables)
    t = t[t["team_id"] != ""]
    return t[["service_id", "service"]].drop_duplicates().sort_values("service", ignore_index=True)


def notes(wa: WeeklyActivity, service_name: str) -> list[str]:
    """The "About" lines: what the figures are and where each comes from."""
    lines = [
        f"{service_name}: last week is {week_title(wa.week)}.",
        f"The average is the mean weekly count over the {len(wa.previous)} weeks before last week "
        f"({week_title(wa.weeks[0]).split(' to ')[0]} to {week_title(wa.weeks[-2]).split(' to ')[1]}); "
        "Change is the difference as a share of that average.",
        "Each activity is counted by a registered measure, grouped by service and team as that measure groups:",
    ]
    for a in ACTIVITY:
        m = registry.get(a.measure_id)
        which = "" if a.counts == "numerator" else f" (the events counted in the denominator of '{m.title}')"
        lines.append(f"- {a.title}: {m.id}{which}. {m.definition}")
    if wa.unavailable:
        lines.append("Not available from this source (shown as 0): " + ", ".join(wa.unavailable) + ".")
    return lines


def title(wa: WeeklyActivity, service_name: str) -> str:
    return f"Weekly Activity Summary: {service_name}, week ending {wa.week.end:%d %B %Y}"


def file_stem(service_id: str | None, wa: WeeklyActivity) -> str:
    return f"weekly-activity-{service_id or 'all'}-{wa.week.end:%Y-%m-%d}"


# ---- the command ------------------------------------------------------------------------------

def command(args, parser) -> int:
    """``python -m reports weekly-activity`` (see reports/__main__.py)."""
    from data_access.cache import NoCacheError, load_current
    from data_access.config import load_config
    from ui.excel import workbook_bytes

    cfg = load_config(args.config)
    try:
        cache = load_current(cfg.cache_folder)
    except NoCacheError as exc:
        print(exc, file=sys.stderr)
        return 1
    known = services(cache.tables)
    if args.list_services:
        for sid, name in zip(known["service_id"], known["service"]):
            print(f"{sid}\t{name}")
        return 0
    if not args.service or not args.out:
        parser.error("give --service ID and --out FILE (or --list-services)")
    names = dict(zip(known["service_id"], known["service"]))
    if args.service not in names:
        print(f"unknown service {args.service!r}; known: "
              + ", ".join(f"{k} ({v})" for k, v in names.items()), file=sys.stderr)
        return 2
    if args.week_ending:
        try:
            week = week_ending(pd.Timestamp(args.week_ending))
        except ValueError:
            print(f"not a date: {args.week_ending!r} (expected YYYY-MM-DD)", file=sys.stderr)
            return 2
        if week.end > cache.as_at.normalize():
            print(f"the data runs to {cache.as_at:%Y-%m-%d}: the week ending {week.end:%Y-%m-%d} is not "
                  "complete yet", file=sys.stderr)
            return 2
    else:
        week = last_complete_week(cache.as_at)
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)
    wa = weekly_activity(cache.tables, settings, week)
    name = names[args.service]
    sheets = service_sheets(wa, cache.tables, args.service, children=args.children)
    about = [
        f"Data as at {cache.as_at:%d %B %Y} (extracted {cache.extract_time:%d %b %Y %H:%M UTC})",
        cfg.authority_name,
        *notes(wa, name),
    ]
    if args.children:
        about.append("OFFICIAL-SENSITIVE: contains personal data about children. Store and share securely.")
    data = workbook_bytes(sheets, title=title(wa, name), notes=about, percent_columns=("Change",))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    print(f"Wrote {out} ({name}, week ending {week.end:%d %B %Y})", file=sys.stderr)
    return 0
