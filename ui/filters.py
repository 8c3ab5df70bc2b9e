"""Filters at the top of a page, bound to the URL (``?ptype=month&period=2026-10&service=...``)
so a view can be shared as a link. Options come from the viewer's scoped tables only, so a URL
naming a team outside the viewer's access falls back to the default and shows nothing of it."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from metrics.lookups import team_lookup, worker_lookup
from metrics.periods import Period, month, period_for, trailing_months

PERIOD_TYPES = {
    "month": "Month",
    "quarter": "Quarter",
    "year": "Year to 31 March",
    "rolling12": "Rolling 12 months",
}
ALL = "all"


def latest_complete_month(as_at: pd.Timestamp) -> Period:
    as_at = pd.Timestamp(as_at).normalize()
    if (as_at + pd.Timedelta(days=1)).day == 1:
        return month(as_at.year, as_at.month)
    prev = as_at.replace(day=1) - pd.Timedelta(days=1)
    return month(prev.year, prev.month)


@dataclass(frozen=True)
class PeriodChoice:
    period: Period  # the chosen reporting period
    trend: list[Period]  # the 13 months ending with the period's last month


def period_filter(as_at: pd.Timestamp, earliest: pd.Timestamp | None, container=st) -> PeriodChoice:
    last = latest_complete_month(as_at)
    first = month(earliest.year, earliest.month) if earliest is not None and not pd.isna(earliest) else None
    months = trailing_months(last, 120)
    if first is not None:
        months = [m for m in months if m.start >= first.start] or [last]
    labels = [m.label for m in reversed(months)]
    c1, c2 = container.columns([1, 1])
    ptype = c1.selectbox(
        "Period type", list(PERIOD_TYPES), format_func=PERIOD_TYPES.get, key="ptype",
        bind="query-params",
    )
    label = c2.selectbox(
        "Period ending in" if ptype != "month" else "Month",
        labels,
        format_func=lambda l: pd.Timestamp(l + "-01").strftime("%B %Y"),
        key="period",
        bind="query-params",
        help="Quarters are calendar quarters; years run to 31 March.",
    )
    period = period_for(label, ptype)
    return PeriodChoice(period=period, trend=trailing_months(label, 13))


@dataclass(frozen=True)
class OrgChoice:
    service_id: str | None
    team_id: str | None
    teams: pd.DataFrame  # the teams the page compares (within the chosen service)


@dataclass(frozen=True)
class OrgSelection:
    """What a management page compares and lists for the chosen service/team: a team manager with
    one team has it chosen for them (its workers, its children)."""
    org: OrgChoice
    sees_everything: bool

    @property
    def visible_teams(self) -> list:
        return self.org.teams["team_id"].tolist()

    @property
    def key(self) -> tuple:
        """What the selection's rows depend on (for caching what is worked out from them)."""
        return (self.org.service_id, self.team_id, self.sees_everything, tuple(self.visible_teams))

    @property
    def team_id(self) -> str | None:
        teams = self.visible_teams
        return self.org.team_id or (teams[0] if len(teams) == 1 else None)

    @property
    def name(self) -> str:
        org = self.org
        if self.team_id:
            return org.teams.set_index("team_id").at[self.team_id, "team"]
        if org.service_id and len(org.teams):
            return org.teams["service"].iloc[0]
        return "Whole authority" if self.sees_everything else "All teams you can see"

    def in_service(self, rows: pd.DataFrame, team: str = "team_id", service: str = "service_id") -> pd.DataFrame:
        """Rows of the chosen service (or of every team the page compares)."""
        if self.org.service_id:
            return rows[(rows[service] == self.org.service_id).to_numpy()]
        if self.sees_everything:
            return rows
        return rows[rows[team].isin(self.visible_teams).to_numpy()]

    def selected(self, rows: pd.DataFrame, team: str = "team_id", service: str = "service_id") -> pd.DataFrame:
        """Rows of the chosen team, else of the chosen service."""
        rows = self.in_service(rows, team, service)
        return rows[(rows[team] == self.team_id).to_numpy()] if self.team_id else rows


def org_filter(tables: dict[str, pd.DataFrame], container=st) -> OrgChoice:
    teams = team_lookup(tables)
    teams = teams[teams["team_id"] != ""]
    services = (
        teams[["service_id", "service"]].drop_duplicates().sort_values("service")
    )
    service_names = dict(zip(services["service_id"], services["service"]))
    c1, c2 = container.columns([1, 1])
    service_id = c1.selectbox(
        "Service", [ALL, *service_names], format_func=lambda s: "All services" if s == ALL else service_names[s],
        key="service", bind="query-params",
    )
    in_service = teams if service_id == ALL else teams[teams["service_id"] == service_id]
    in_service = in_service.sort_values("team")
    team_names = dict(zip(in_service["team_id"], in_service["team"]))
    team_id = c2.selectbox(
        "Team", [ALL, *team_names], format_func=lambda t: "All teams" if t == ALL else team_names[t],
        key="team", bind="query-params",
        help="Choose a team to see how each of its workers contributed.",
    )
    return OrgChoice(
        service_id=None if service_id == ALL else service_id,
        team_id=None if team_id == ALL else team_id,
        teams=in_service,
    )


def month_filter(as_at: pd.Timestamp, earliest: pd.Timestamp | None = None, container=st, *,
                 label: str = "Month", key: str = "month") -> Period:
    """One month (default: the latest complete month), bound to the URL as ``?month=``."""
    last = latest_complete_month(as_at)
    months = trailing_months(last, 120)
    if earliest is not None and not pd.isna(earliest):
        months = [m for m in months if m.end >= earliest] or [last]
    labels = [m.label for m in reversed(months)]
    chosen = container.selectbox(
        label, labels, format_func=lambda l: pd.Timestamp(l + "-01").strftime("%B %Y"),
        key=key, bind="query-params",
    )
    return period_for(chosen)


# ---- whose caseload or plan (Worker pages) ---------------------------------------------------------
EVERYONE = "Everyone you can see"
TEAM = "Whole team: "


def worker_choices(ctx) -> dict[str, tuple[str, str | None]]:
    """{label: (kind, ID)} of what a manager, head or analyst may choose on a Worker page: everyone
    (when they see more than one team), each team ("Whole team: ..."), each worker. Only teams and
    workers in the viewer's tables (their scope) are offered."""
    workers = worker_lookup(ctx.tables)
    workers = workers[workers["worker_id"].astype(str) != ""].sort_values("worker")
    teams = team_lookup(ctx.tables)
    teams = teams[teams["team_id"].astype(str) != ""].sort_values("team")
    choices: dict[str, tuple[str, str | None]] = {}
    if ctx.viewer.scope.all_access or len(teams) > 1:
        choices[EVERYONE] = ("all", None)
    for team_id, team in zip(teams["team_id"], teams["team"]):
        choices[f"{TEAM}{team}"] = ("team", str(team_id))
    for worker_id, worker in zip(workers["worker_id"], workers["worker"]):
        choices[str(worker)] = ("worker", str(worker_id))
    return choices


def own_team_choices(ctx, choices: dict[str, tuple[str, str | None]]) -> list[str]:
    """The labels of the viewer's own teams (none for whole-authority viewers)."""
    own = ctx.viewer.scope.teams if not ctx.viewer.scope.all_access else frozenset()
    return [label for label, (kind, tid) in choices.items() if kind == "team" and tid in own]


def rows_of_choice(rows: pd.DataFrame, kind: str, id_: str | None) -> pd.DataFrame:
    """The rows (children or tasks, with worker_id and team_id) of one worker, one team or all."""
    if kind == "worker":
        return rows[rows["worker_id"].astype(str) == str(id_)] if id_ else rows.iloc[0:0]
    if kind == "team":
        return rows[rows["team_id"].astype(str) == str(id_)]
    if kind == "all":
        return rows
    return rows.iloc[0:0]
