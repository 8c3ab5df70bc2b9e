"""Management → Caseload: open cases per worker and team by type (CIN, CP, CLA, care leaver, early
help), how caseloads sit against the authority's threshold, the unallocated children and how long
each has waited, and the children with 3 or more changes of worker in 12 months. Thin: numbers come
from the registered measures caseload, unallocated and worker_changes and from metrics.activity
(early help caseloads, waits, the children behind each worker's count)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics import registry
from metrics.activity import (
    CASE_TYPES, caseload_bands, caseload_by_group, early_help_open, group_summary, open_cases, unallocated_waits,
    worker_caseloads,
)
from ui import charts
from ui.downloads import download_table
from ui.filters import OrgSelection, org_filter, period_filter
from ui.format import fmt_value
from ui.frame import start_page
from ui.measures import derived, run_measure, summary_of
from ui.tables import data_table

DEFAULT_THRESHOLD = 18

ctx = start_page(
    "management",
    "Caseload",
    "How many open cases each worker and team holds, by type; who is above the caseload threshold; "
    "which children are unallocated and for how long; and which children have had 3 or more workers "
    "in a year.",
)
# The threshold is the authority's choice ([measures] caseload_threshold in config.toml).
threshold = getattr(ctx.settings, "caseload_threshold", None) or \
    ctx.config.raw.get("measures", {}).get("caseload_threshold", DEFAULT_THRESHOLD)
threshold = int(threshold)
m_caseload, m_unalloc, m_changes = (registry.get(m) for m in ("caseload", "unallocated", "worker_changes"))

with st.container(border=True):
    inv = ctx.tables.get("ssd_involvements")
    earliest = inv["invo_involvement_start_date"].min() if inv is not None and len(inv) else None
    choice = period_filter(ctx.as_at, earliest)
    org = org_filter(ctx.tables)

with st.expander("How is this calculated?"):
    st.markdown(
        f"**{m_caseload.title}.** {m_caseload.definition}\n\n"
        "**Early help** cases are the early help episodes open at the period end, under the worker recorded "
        "on the episode (in their team), or the child's allocated worker when none is recorded. They are "
        "shown beside the social care cases, not in the average.\n\n"
        f"**Caseload threshold: {threshold}** (setting `caseload_threshold`). A worker is over it when their "
        "social care and early help cases together are more than that.\n\n"
        f"**{m_unalloc.title}.** {m_unalloc.definition} *How long*: from the day after the child's last "
        "allocation to a worker ended (or from when the case opened, if it has not had a worker since) to "
        "the period end, counting both days. The team shown is the team the case sits with, or its last "
        "allocated team.\n\n"
        f"**{m_changes.title}.** {m_changes.definition}"
    )


def period_key(periods) -> tuple[tuple[str, str], ...]:
    return tuple((p.label, p.type) for p in periods)


try:
    caseload = run_measure(ctx, "caseload", [choice.period])
    unallocated = run_measure(ctx, "unallocated", [choice.period])
    changes = run_measure(ctx, "worker_changes", [choice.period])
except registry.MeasureUnavailable as exc:
    st.info(f"**Not available from this source.** Caseloads need {', '.join(exc.missing)}, which the source "
            "database does not provide.")
    st.stop()
# Worked out once per extract, scope and period and shared (ui.measures.derived), not copied per rerun.
cases = derived(ctx, "open_cases", period_key([choice.period]), lambda: open_cases(ctx.aggregate_tables, [choice.period]))
eh_rows = cases[(cases["case_type"] == "Early help").to_numpy()]
workers_all = worker_caseloads(caseload.rows, eh_rows, threshold)
waits = derived(ctx, "unallocated_waits", period_key([choice.period]),
                lambda: unallocated_waits(ctx.aggregate_tables, unallocated.rows, [choice.period]))

# A team manager sees one team: show it as chosen (its workers, its children).
selection = OrgSelection(org, ctx.sees_everything)
visible_teams, team_id, selection_name = selection.visible_teams, selection.team_id, selection.name
in_service, selected = selection.in_service, selection.selected
TYPE_NAMES = dict(CASE_TYPES)

# ---- headline ----------------------------------------------------------------------------------
st.subheader(f"{selection_name}: open cases at {choice.period.end:%d %B %Y}")
workers = selected(workers_all)
head = caseload_by_group(workers, None)
head = head.iloc[0] if len(head) else None
held = selected(waits, "held_by_team_id", "held_by_service_id")
change_rows = selected(changes.rows)
ch = group_summary(change_rows, None, count_only=False, periods=[choice.period]).iloc[0]
m = st.columns(5)
m[0].metric("Open social care cases", f"{int(head['social_care_cases']) if head is not None else 0:,}",
            help="Children open to social care with an allocated worker (the caseload measure).")
m[1].metric("Average caseload", fmt_value(head["average"] if head is not None else float("nan"), "rate"),
            help=f"Social care cases per worker holding any ({int(head['workers']) if head is not None else 0} workers).")
m[2].metric(f"Workers over {threshold}", f"{int(head['over_threshold']) if head is not None else 0:,}",
            help="Social care and early help cases together.")
m[3].metric("Unallocated", f"{len(held):,}", help="Open cases with no allocated worker at the period end.")
m[4].metric("3+ worker changes", f"{int(ch['numerator']):,}",
            help=f"{fmt_value(ch['value'], 'percent')} of {int(ch['denominator']):,} open cases.")

# ---- teams compared ------------------------------------------------------------------------------
st.subheader("Teams compared")
TEAM_COLUMNS = {"workers": "Workers", **{c: n for c, n in CASE_TYPES[:4]}, "social_care_cases": "Social care cases",
                "average": "Average caseload", "early_help_cases": "Early help", "over_threshold": f"Over {threshold}"}
teams = caseload_by_group(in_service(workers_all), "team")
if not ctx.sees_everything or org.service_id:
    teams = teams[teams["group_id"].isin(visible_teams)]
team_changes = group_summary(in_service(changes.rows), "team", count_only=False)
team_unalloc = in_service(waits, "held_by_team_id", "held_by_service_id").groupby("held_by_team_id").size()
if teams.empty:
    st.info("No worker in these teams held an open case at the end of this period.")
else:
    fig = go.Figure()
    colours = {"cin_cases": "#1d70b8", "cp_cases": "#d4351c", "cla_cases": "#6f3f9a",
               "care_leaver_cases": "#00703c", "early_help_cases": "#f4a300"}
    ordered = teams.sort_values("group", ascending=False)
    for col, name in CASE_TYPES:
        fig.add_bar(x=ordered[col], y=ordered["group"], orientation="h", name=name, marker_color=colours[col])
    fig.update_layout(barmode="stack", height=max(240, 32 * len(ordered) + 90), margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0), plot_bgcolor="white")
    fig.update_xaxes(title="Open cases", gridcolor="#e5e5e5")
    st.plotly_chart(fig, key="teams_chart")
    team_table = teams.rename(columns={"group": "Team", **TEAM_COLUMNS})[["Team", *TEAM_COLUMNS.values()]]
    tc = team_changes.set_index("group_id")
    team_table["Unallocated (last held)"] = team_unalloc.reindex(teams["group_id"]).fillna(0).astype(int).to_numpy()
    team_table["3+ worker changes"] = tc["numerator"].reindex(teams["group_id"]).fillna(0).astype(int).to_numpy()
    team_table["% 3+ worker changes"] = tc["value"].reindex(teams["group_id"]).to_numpy()
    data_table(team_table, hide_index=True, key="teams_table", column_config={
        "Average caseload": st.column_config.NumberColumn(format="%.1f"),
        "% 3+ worker changes": st.column_config.NumberColumn(format="percent")})
    download_table(ctx, {"Teams": team_table}, name=f"caseload-teams-{choice.period.label}",
                   title=f"Caseloads by team at {choice.period.end:%d %B %Y}",
                   percent_columns=("% 3+ worker changes",), notes=[m_caseload.definition, m_changes.definition])

# ---- distribution ----------------------------------------------------------------------------------
st.subheader(f"Caseloads against the threshold of {threshold}")
if workers.empty:
    st.info("No worker in this selection held an open case.")
else:
    bands = caseload_bands(workers, threshold)
    fig = go.Figure(go.Bar(x=bands["band"], y=bands["workers"], text=bands["workers"], textposition="outside",
                           marker_color=["#d4351c" if o else "#00703c" for o in bands["over_threshold"]]))
    fig.update_xaxes(title="Open cases (social care and early help)", type="category")
    fig.update_yaxes(title="Workers", gridcolor="#e5e5e5")
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white", showlegend=False)
    st.plotly_chart(fig, key="bands_chart")
    st.caption(f"{int((workers['over_threshold']).sum()):,} of {workers['worker_id'].nunique():,} workers in "
               f"{selection_name} hold more than {threshold} cases (red).")

# ---- workers -------------------------------------------------------------------------------------
st.subheader("Workers")
WORKER_COLUMNS = {"worker": "Worker", **{c: n for c, n in CASE_TYPES[:4]}, "social_care_cases": "Social care cases",
                  "early_help_cases": "Early help", "total_cases": "Total", "over_threshold": f"Over {threshold}"}
if team_id is None:
    st.info("Choose a team above to see each of its workers.")
else:
    worker_table = workers.rename(columns=WORKER_COLUMNS)[list(WORKER_COLUMNS.values())]
    data_table(worker_table, hide_index=True, key="workers_table")
    download_table(ctx, {"Workers": worker_table}, name=f"caseload-workers-{choice.period.label}",
                   title=f"Caseloads by worker, {selection_name}, at {choice.period.end:%d %B %Y}",
                   notes=[m_caseload.definition, f"Caseload threshold {threshold}."])

# ---- trend -----------------------------------------------------------------------------------------
st.subheader("Trend by month")


def _by_month() -> pd.DataFrame:
    trend_caseload = run_measure(ctx, "caseload", choice.trend)
    trend_eh = early_help_open(ctx.aggregate_tables, choice.trend)
    trend_workers = worker_caseloads(trend_caseload.rows,
                                     trend_eh[(trend_eh["worker_id"].astype(str) != "").to_numpy()], threshold)
    return caseload_by_group(selected(trend_workers), None).set_index("period").reindex([p.label for p in choice.trend])


with st.spinner("Counting caseloads month by month…"):
    by_month = derived(ctx, "caseload_by_month", (period_key(choice.trend), selection.key, threshold), _by_month)
trend_changes_summary = summary_of(ctx, "worker_changes", choice.trend, selection, "selected", None, choice.trend)
c1, c2 = st.columns(2)
average = pd.DataFrame({"period": by_month.index, "value": by_month["average"].to_numpy(),
                        "numerator": by_month["social_care_cases"].to_numpy(), "denominator": by_month["workers"].to_numpy()})
c1.plotly_chart(charts.trend_lines({"Average caseload": average}, target=None, unit="rate",
                                   references={"Threshold": threshold}), key="trend_caseload")
c2.plotly_chart(charts.trend_lines(
    {"3+ worker changes": trend_changes_summary},
    target=None), key="trend_changes")
month_table = pd.DataFrame({
    "Month": [p.title for p in choice.trend],
    "Workers": by_month["workers"].fillna(0).astype(int).to_numpy(),
    **{n: by_month[c].fillna(0).astype(int).to_numpy() for c, n in CASE_TYPES},
    "Average caseload": by_month["average"].round(1).to_numpy(),
    f"Workers over {threshold}": by_month["over_threshold"].fillna(0).astype(int).to_numpy(),
})
data_table(month_table, hide_index=True, key="months_table")
download_table(ctx, {"Months": month_table}, name=f"caseload-months-{choice.trend[-1].label}",
               title=f"Caseloads by month, {selection_name}", notes=[m_caseload.definition])

# ---- unallocated -----------------------------------------------------------------------------------
st.subheader(f"Unallocated at {choice.period.end:%d %B %Y}")
shown = ctx.visible_rows(held)
if held.empty:
    st.success("No open case in this selection was without a worker at the end of the period.")
elif shown.empty:
    st.info("The unallocated children are not in your caseload, so they are not listed here.")
else:
    un_table = shown.rename(columns={
        "person_id": "Child ID", "child_name": "Child", "case_type": "Case type", "services": "Open to",
        "held_by_team": "Team (last held)", "last_worker": "Last worker", "last_allocation_end": "Last allocation ended",
        "unallocated_since": "Unallocated since", "days_unallocated": "Days unallocated",
    })[["Child ID", "Child", "Case type", "Open to", "Team (last held)", "Last worker", "Last allocation ended",
        "Unallocated since", "Days unallocated"]]
    ctx.audit_list(shown, what=f"Unallocated children, {selection_name}, {choice.period.title}")
    data_table(un_table, hide_index=True, key="unallocated_table", column_config={
        c: st.column_config.DateColumn(format="DD/MM/YYYY") for c in ("Last allocation ended", "Unallocated since")})
    download_table(ctx, {"Unallocated": un_table}, name=f"unallocated-{choice.period.label}",
                   title=f"Unallocated children, {selection_name}, {choice.period.end:%d %B %Y}",
                   notes=[m_unalloc.definition], child_level=True)

# ---- worker changes --------------------------------------------------------------------------------
st.subheader("Children with 3 or more worker changes in 12 months")
many = change_rows[change_rows["in_numerator"].astype(bool).to_numpy()]
shown = ctx.visible_rows(many)
if many.empty:
    st.success("No open case in this selection has had 3 or more changes of worker in the last 12 months.")
elif shown.empty:
    st.info("These children are not in your caseload, so they are not listed here.")
else:
    ch_table = shown.sort_values("changes", ascending=False).rename(columns={
        "person_id": "Child ID", "child_name": "Child", "team": "Team", "worker": "Worker", "case_type": "Case type",
        "changes": "Worker changes", "workers_in_window": "Workers in 12 months", "last_change_date": "Last change",
    })[["Child ID", "Child", "Team", "Worker", "Case type", "Worker changes", "Workers in 12 months", "Last change"]]
    ctx.audit_list(shown, what=f"Children with 3+ worker changes, {selection_name}, {choice.period.title}")
    data_table(ch_table, hide_index=True, key="changes_table",
               column_config={"Last change": st.column_config.DateColumn(format="DD/MM/YYYY")})
    download_table(ctx, {"Worker changes": ch_table}, name=f"worker-changes-{choice.period.label}",
                   title=f"Children with 3+ worker changes, {selection_name}, {choice.period.title}",
                   notes=[m_changes.definition], child_level=True)

# ---- children held ---------------------------------------------------------------------------------
st.subheader("Children held")
if team_id is None:
    st.info("Choose a team above to list the children its workers hold.")
else:
    held_cases = cases[(cases["team_id"] == team_id).to_numpy()]
    names = sorted(held_cases["worker"].dropna().unique())
    worker = st.selectbox("Worker", ["All workers", *names], key="child_worker")
    if worker != "All workers":
        held_cases = held_cases[(held_cases["worker"] == worker).to_numpy()]
    kinds = st.multiselect("Case type", [n for _, n in CASE_TYPES], key="child_types",
                           placeholder="All case types")
    if kinds:
        held_cases = held_cases[held_cases["case_type"].isin(kinds).to_numpy()]
    shown = ctx.visible_rows(held_cases)
    if held_cases.empty:
        st.info("No open cases for this choice.")
    elif shown.empty:
        st.info("These children are not in your caseload, so they are not listed here.")
    else:
        child_table = shown.sort_values(["worker", "case_type", "person_id"]).rename(columns={
            "person_id": "Child ID", "child_name": "Child", "worker": "Worker", "case_type": "Case type",
            "services": "Open to", "start_date": "Early help since",
        })[["Child ID", "Child", "Worker", "Case type", "Open to", "Early help since"]]
        st.caption(f"{len(child_table):,} cases")
        ctx.audit_list(shown, what=f"Open cases, {selection_name}, {worker}, {choice.period.title}")
        data_table(child_table, hide_index=True, key="children_table",
                   column_config={"Early help since": st.column_config.DateColumn(format="DD/MM/YYYY")})
        download_table(ctx, {"Children": child_table}, name=f"caseload-children-{choice.period.label}",
                       title=f"Open cases, {selection_name}, {worker}, {choice.period.end:%d %B %Y}",
                       notes=[m_caseload.definition], child_level=True)
