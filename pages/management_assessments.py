"""Management → Assessments: timeliness of completed child and family assessments by team and
worker (seed 004's management-tier example). Thin: filters, charts, tables and downloads; every
number comes from metrics.assessments."""

from __future__ import annotations

import streamlit as st

from metrics import registry
from metrics.assessments import duration_bands, timeliness_breakdown
from metrics.rag import rag
from ui import charts
from ui.downloads import download_table
from ui.filters import org_filter, period_filter
from ui.frame import start_page
from ui.measures import run_measure
from ui.tables import data_table

MEASURE = "assessment_timeliness"

ctx = start_page(
    "management",
    "Assessments",
    "How each team's timeliness of completed child and family assessments compares with the other "
    "teams and the target, and how each worker contributed.",
)
measure = registry.get(MEASURE)
target = ctx.settings.target(MEASURE)
limit = ctx.settings.assessment_timescale_working_days
start_label = {
    "assessment_start": "the assessment start date",
    "referral": "the referral date",
}[ctx.settings.assessment_start_point]

if "ssd_cin_assessments" not in ctx.tables:
    st.info("**Not available from this source.** This report needs the assessments table "
            "(ssd_cin_assessments), which the source does not provide.")
    st.stop()

with st.container(border=True):
    auth = ctx.tables["ssd_cin_assessments"]["cina_assessment_auth_date"]
    choice = period_filter(ctx.as_at, auth.min() if len(auth) else None)
    org = org_filter(ctx.tables)

with st.expander("How is this calculated?"):
    st.markdown(
        f"**{measure.title}.** {measure.definition}\n\n"
        f"Working days are counted from {start_label} (a setting in `config.toml`), Monday to Friday "
        f"excluding England and Wales bank holidays. Target: "
        f"{'none set' if target is None else f'{target:.0%}'}."
    )

result = run_measure(ctx, MEASURE, [choice.period])
rows = result.rows
if org.service_id:
    rows = rows[rows["service_id"] == org.service_id]
in_teams = rows
selection = rows if org.team_id is None else rows[rows["team_id"] == org.team_id]
selection_name = (
    org.teams.set_index("team_id").at[org.team_id, "team"] if org.team_id
    else (org.teams["service"].iloc[0] if org.service_id and len(org.teams) else "All teams")
)

# ---- headline --------------------------------------------------------------------------------
overall = timeliness_breakdown(selection, None)
st.subheader(f"{selection_name}: {choice.period.title}")
if overall.empty or int(overall["completed"].iloc[0]) == 0:
    st.info(
        "No assessments were completed in this period for this selection. "
        "Try a longer period or another team."
    )
    st.stop()
head = overall.iloc[0]
m1, m2, m3, m4 = st.columns(4)
value = head["pct_in_time"]
m1.metric(
    f"Completed within {limit} working days", f"{value:.1%}",
    delta=None if target is None else f"{(value - target) * 100:+.1f} pts vs target {target:.0%}",
    delta_color="normal",
)
m2.metric("Assessments completed", f"{int(head['completed']):,}")
m3.metric(f"Over {limit} working days", f"{int(head['out_of_time']):,}")
m4.metric("Median working days", f"{head['median_working_days']:.0f}")

# ---- team comparison -------------------------------------------------------------------------
st.subheader("Teams compared")
teams = timeliness_breakdown(in_teams, "team")
teams["rag"] = [rag(v, target, measure.polarity, ctx.settings.rag_tolerance) for v in teams["pct_in_time"]]
teams["hover"] = [
    f"{g}: {p:.1%} ({i} of {c}); median {m:.0f} working days"
    for g, p, i, c, m in zip(teams["group"], teams["pct_in_time"], teams["in_time"], teams["completed"], teams["median_working_days"])
]
selected_label = teams.loc[teams["group_id"] == org.team_id, "group"].tolist()
st.plotly_chart(
    charts.percent_bars(teams, label="group", value="pct_in_time", rag="rag", target=target,
                        highlight=selected_label[0] if selected_label else None, hover="hover"),
    key="teams_chart",
)
team_table = teams.rename(columns={
    "group": "Team", "completed": "Completed", "in_time": "In time", "out_of_time": "Out of time",
    "pct_in_time": "% in time", "median_working_days": "Median working days", "rag": "RAG",
})[["Team", "Completed", "In time", "Out of time", "% in time", "Median working days", "RAG"]]
data_table(
    team_table, hide_index=True, key="teams_table",
    column_config={"% in time": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
)
download_table(ctx, {"Teams": team_table}, name=f"assessment-timeliness-teams-{choice.period.label}",
               title=f"Assessment timeliness by team, {choice.period.title}", percent_columns=("% in time",),
               notes=[measure.definition])

# ---- workers ---------------------------------------------------------------------------------
st.subheader("How each worker contributed")
if org.team_id is None:
    st.info("Choose a team above to see how each of its workers contributed.")
else:
    workers = timeliness_breakdown(selection, "worker")
    st.plotly_chart(
        charts.stacked_counts(workers, label="group", parts={"in_time": "In time", "out_of_time": "Out of time"},
                              colours={"in_time": "#00703c", "out_of_time": "#d4351c"}),
        key="workers_chart",
    )
    worker_table = workers.rename(columns={
        "group": "Worker", "completed": "Completed", "in_time": "In time", "out_of_time": "Out of time",
        "pct_in_time": "% in time", "median_working_days": "Median working days",
    })[["Worker", "Completed", "In time", "Out of time", "% in time", "Median working days"]]
    data_table(
        worker_table, hide_index=True, key="workers_table",
        column_config={"% in time": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)},
    )
    download_table(ctx, {"Workers": worker_table}, name=f"assessment-timeliness-workers-{choice.period.label}",
                   title=f"Assessment timeliness by worker, {selection_name}, {choice.period.title}",
                   percent_columns=("% in time",), notes=[measure.definition])

# ---- trend -----------------------------------------------------------------------------------
st.subheader("Trend by month")
series = {}
if org.team_id:
    by_team = run_measure(ctx, MEASURE, choice.trend, by="team").summary
    series[selection_name] = by_team[by_team["group_id"] == org.team_id]
if org.service_id:
    by_service = run_measure(ctx, MEASURE, choice.trend, by="service").summary
    series[org.teams["service"].iloc[0] if len(org.teams) else "Service"] = by_service[by_service["group_id"] == org.service_id]
series["All teams you can see" if not ctx.viewer.scope.all_access else "Whole authority"] = run_measure(
    ctx, MEASURE, choice.trend).summary
st.plotly_chart(charts.trend_lines(series, target=target), key="trend_chart")

# ---- distribution ----------------------------------------------------------------------------
with st.expander("Distribution of working days to completion", expanded=False):
    bands = duration_bands(selection)
    st.plotly_chart(charts.band_bars(bands, band="band", count="count", limit_band=bands["band"].iloc[5] if len(bands) > 5 else None),
                    key="bands_chart")

# ---- children behind the figure ---------------------------------------------------------------
st.subheader("Children behind the figures")
c1, c2 = st.columns([1, 2])
show = c1.segmented_control("Show", ["All", "Out of time", "In time"], default="All", key="show")
worker_names = sorted(selection["worker"].dropna().unique())
worker = c2.selectbox("Worker", ["All workers", *worker_names], key="child_worker")
children = selection
if show == "Out of time":
    children = children[~children["in_numerator"]]
elif show == "In time":
    children = children[children["in_numerator"]]
if worker != "All workers":
    children = children[children["worker"] == worker]
children = ctx.visible_rows(children)
child_table = children.sort_values(["in_numerator", "working_days"], ascending=[True, False]).rename(columns={
    "person_id": "Child ID", "child_name": "Child", "assessment_id": "Assessment ID", "team": "Team",
    "worker": "Worker", "start_date": "Clock started", "auth_date": "Authorised",
    "working_days": "Working days", "in_numerator": f"Within {limit} WD", "child_seen": "Child seen",
})[["Child ID", "Child", "Assessment ID", "Team", "Worker", "Clock started", "Authorised",
    "Working days", f"Within {limit} WD", "Child seen"]]
st.caption(f"{len(child_table):,} assessments")
ctx.audit_list(children, what=f"Assessments completed, {selection_name}, {choice.period.title}")
data_table(
    child_table, hide_index=True, key="children_table",
    column_config={
        "Clock started": st.column_config.DateColumn(format="DD/MM/YYYY"),
        "Authorised": st.column_config.DateColumn(format="DD/MM/YYYY"),
    },
)
download_table(ctx, {"Children": child_table}, name=f"assessments-children-{choice.period.label}",
               title=f"Assessments completed, {selection_name}, {choice.period.title}",
               notes=[measure.definition], child_level=True)
