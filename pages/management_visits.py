"""Management → Visits: CP, CIN and CLA visits on time through the month, by team and worker, the
trend, the children overdue a visit right now and the children behind each figure. Thin: every
number comes from the registered measures cp_visits, cin_visits and cla_visits and from
metrics.activity (visits due as at the data date, by metrics.visits.visit_status)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import registry
from metrics.activity import group_summary, visits_due
from metrics.rag import rag
from ui import charts
from ui.downloads import download_table
from ui.filters import org_filter, period_filter
from ui.format import fmt_value
from ui.frame import start_page
from ui.measures import run_measure
from ui.tables import child_rows_table

KINDS = {"CP": "cp_visits", "CIN": "cin_visits", "CLA": "cla_visits"}

ctx = start_page(
    "management",
    "Visits",
    "Are children on child protection plans, child in need plans and in care being visited on time "
    "through the month? By team and worker, with the children whose visit is overdue now.",
)
measures = {k: registry.get(m) for k, m in KINDS.items()}

with st.container(border=True):
    visits = ctx.tables.get("ssd_cp_visits")
    earliest = visits["cppv_cp_visit_date"].min() if visits is not None and len(visits) else None
    choice = period_filter(ctx.as_at, earliest)
    org = org_filter(ctx.tables)

with st.expander("How is this calculated?"):
    for kind, m in measures.items():
        st.markdown(f"**{m.title}.** {m.definition}")

visible_teams = org.teams["team_id"].tolist()
# A team manager sees one team: show it as chosen (its workers, its children).
team_id = org.team_id or (visible_teams[0] if len(visible_teams) == 1 else None)


def in_service(rows: pd.DataFrame) -> pd.DataFrame:
    if org.service_id:
        return rows[(rows["service_id"] == org.service_id).to_numpy()]
    if ctx.sees_everything:
        return rows
    return rows[rows["team_id"].isin(visible_teams).to_numpy()]


def selected(rows: pd.DataFrame) -> pd.DataFrame:
    rows = in_service(rows)
    return rows[(rows["team_id"] == team_id).to_numpy()] if team_id else rows


selection_name = (
    org.teams.set_index("team_id").at[team_id, "team"] if team_id
    else (org.teams["service"].iloc[0] if org.service_id and len(org.teams)
          else ("Whole authority" if ctx.sees_everything else "All teams you can see"))
)

results, unavailable = {}, []
for kind, mid in KINDS.items():
    try:
        results[kind] = (run_measure(ctx, mid, [choice.period]), run_measure(ctx, mid, choice.trend))
    except registry.MeasureUnavailable as exc:
        unavailable.append(f"{measures[kind].title} (needs {', '.join(exc.missing)})")
if unavailable:
    st.info("Not available from this source: " + "; ".join(unavailable) + ".")
if not results:
    st.stop()

# ---- headline ----------------------------------------------------------------------------------
st.subheader(f"{selection_name}: {choice.period.title}")
cols = st.columns(len(results) + 1)
for col, (kind, (res, _)) in zip(cols, results.items()):
    s = group_summary(selected(res.rows), None, count_only=False, periods=[choice.period])
    num, den = int(s["numerator"].iloc[0]), int(s["denominator"].iloc[0])
    col.metric(f"{kind} visited on time", fmt_value(s["value"].iloc[0], "percent"),
               help=f"{num:,} of {den:,} children. {measures[kind].title}.")
    col.caption(f"{num:,} of {den:,} children")


@st.cache_data(show_spinner="Working out which visits are overdue…", max_entries=32)
def _due_now(cache_key: str, scope_key: str, settings_key: str, _tables, _settings, on) -> pd.DataFrame:
    return visits_due(_tables, on, _settings)


due = _due_now(ctx.cache.key, ctx.viewer.aggregate_scope.key, repr(ctx.settings), ctx.aggregate_tables,
               ctx.settings, ctx.as_at)
overdue = selected(due[due["overdue"].astype(bool).to_numpy()])
cols[-1].metric(f"Overdue a visit on {ctx.as_at:%d %b %Y}", f"{len(overdue):,}",
                help="Children whose next statutory visit was due before the data date and has not happened.")

# ---- teams compared ------------------------------------------------------------------------------
st.subheader("Teams compared")


def by_group(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per group with % on time and children counted for each kind of visit."""
    out = None
    for kind, (res, _) in results.items():
        s = group_summary(rows(res.rows), by, count_only=False)
        s = s[["group_id", "group", "value", "numerator", "denominator"]].rename(columns={
            "value": f"{kind} % on time", "numerator": f"{kind} on time", "denominator": f"{kind} children"})
        out = s if out is None else out.merge(s, on=["group_id", "group"], how="outer")
    if out is None:
        return pd.DataFrame(columns=["group_id", "group"])
    for kind in results:
        for c in (f"{kind} on time", f"{kind} children"):
            out[c] = out[c].fillna(0).astype(int)
    return out.sort_values("group", ignore_index=True)


teams = by_group(in_service, "team")
if not ctx.sees_everything or org.service_id:
    teams = teams[teams["group_id"].isin(visible_teams)]
kind = st.segmented_control("Visits", list(results), default=list(results)[0], key="kind",
                            help="Which visits the chart and the list of children show.")
kind = kind or list(results)[0]
measure = measures[kind]
target = ctx.settings.target(KINDS[kind]) or measure.default_target
if teams.empty:
    st.info("No children were counted for these teams in this period.")
else:
    chart = teams.assign(value=teams[f"{kind} % on time"])
    chart["rag"] = [rag(v, target, measure.polarity, ctx.settings.rag_tolerance) for v in chart["value"]]
    st.plotly_chart(charts.group_bars(chart, label="group", value="value", unit="percent", target=target,
                                      rag="rag" if target is not None else None), key="teams_chart")
    team_table = teams.drop(columns="group_id").rename(columns={"group": "Team"})
    pct = tuple(c for c in team_table.columns if c.endswith("% on time"))
    st.dataframe(team_table, hide_index=True, key="teams_table",
                 column_config={c: st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
                                for c in pct})
    download_table(ctx, {"Teams": team_table}, name=f"visits-teams-{choice.period.label}",
                   title=f"Visits on time by team, {choice.period.title}", percent_columns=pct,
                   notes=[m.definition for m in measures.values()])

# ---- workers -------------------------------------------------------------------------------------
st.subheader("Workers")
if team_id is None:
    st.info("Choose a team above to see each of its workers.")
else:
    workers = by_group(selected, "worker")
    worker_table = workers.drop(columns="group_id").rename(columns={"group": "Worker"})
    pct = tuple(c for c in worker_table.columns if c.endswith("% on time"))
    st.dataframe(worker_table, hide_index=True, key="workers_table",
                 column_config={c: st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)
                                for c in pct})
    download_table(ctx, {"Workers": worker_table}, name=f"visits-workers-{choice.period.label}",
                   title=f"Visits on time by worker, {selection_name}, {choice.period.title}",
                   percent_columns=pct, notes=[m.definition for m in measures.values()])

# ---- trend -----------------------------------------------------------------------------------------
st.subheader("Trend by month")
series = {}
for k, (_, trend) in results.items():
    series[f"{k} visited on time"] = group_summary(selected(trend.rows), None, count_only=False, periods=choice.trend)
st.plotly_chart(charts.trend_lines(series, target=None), key="trend_chart")
st.caption(f"{selection_name}, the 13 months to {choice.trend[-1].title}.")

# ---- overdue now -----------------------------------------------------------------------------------
st.subheader(f"Overdue a visit now (as at {ctx.as_at:%d %B %Y})")
st.caption("Children open on the data date whose next visit was due before it: the last visit (or the "
           "start of the plan or placement) and the limit that applied.")
shown = ctx.visible_rows(overdue)
if overdue.empty:
    st.success("No child in this selection is overdue a visit.")
elif shown.empty:
    st.info("The children overdue a visit are not in your caseload, so they are not listed here.")
else:
    overdue_table = shown.rename(columns={
        "person_id": "Child ID", "child_name": "Child", "kind": "Visit", "team": "Team", "worker": "Worker",
        "span_start": "Plan/placement start", "last_done_date": "Last visit", "next_due_date": "Was due",
        "days_overdue": "Days overdue", "limit": "Limit",
    })[["Child ID", "Child", "Visit", "Team", "Worker", "Plan/placement start", "Last visit", "Was due",
        "Days overdue", "Limit"]]
    st.caption(f"{len(overdue_table):,} children")
    ctx.audit_list(shown, what=f"Overdue visits, {selection_name}, as at {ctx.as_at:%Y-%m-%d}")
    st.dataframe(overdue_table, hide_index=True, key="overdue_table", column_config={
        c: st.column_config.DateColumn(format="DD/MM/YYYY") for c in ("Plan/placement start", "Last visit", "Was due")})
    download_table(ctx, {"Overdue": overdue_table}, name=f"visits-overdue-{ctx.as_at:%Y-%m-%d}",
                   title=f"Children overdue a visit, {selection_name}, as at {ctx.as_at:%d %B %Y}",
                   child_level=True)

# ---- children behind the figure ----------------------------------------------------------------------
st.subheader(f"Children behind the figure: {measure.title}")
child_rows_table(ctx, selected(results[kind][0].rows), name=f"{KINDS[kind]}-{choice.period.label}",
                 title=f"{measure.title}, {selection_name}, {choice.period.title}", notes=[measure.definition])
