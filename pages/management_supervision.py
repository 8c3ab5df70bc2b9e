"""Management → Staff supervision: is case supervision up to date for every open case? By team and
worker, the trend, and the children whose supervision is out of date. Thin: every number comes from
the registered measure case_supervision."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import registry
from metrics.activity import group_summary
from metrics.rag import rag
from ui import charts
from ui.downloads import download_table
from ui.filters import OrgSelection, org_filter, period_filter
from ui.format import fmt_value
from ui.frame import start_page
from ui.measures import derived, run_measure, summary_of
from ui.tables import child_rows_table, data_table

MEASURE = "case_supervision"

ctx = start_page(
    "management",
    "Staff supervision",
    "Is case supervision up to date on every open case? Each team and worker, the trend, and the "
    "children whose case has not been supervised recently.",
)
measure = registry.get(MEASURE)
target = ctx.settings.target(MEASURE) or measure.default_target
days = ctx.settings.supervision_interval_days

with st.container(border=True):
    sup = ctx.tables.get("ext_case_supervision")
    earliest = sup["supe_date"].min() if sup is not None and len(sup) else None
    choice = period_filter(ctx.as_at, earliest)
    org = org_filter(ctx.tables)

with st.expander("How is this calculated?"):
    st.markdown(f"**{measure.title}.** {measure.definition}\n\nUp to date means supervised in the "
                f"{days} days up to the period end (setting `supervision_interval_days`). Target: "
                f"{'none set' if target is None else f'{target:.0%}'}.")

try:
    result = run_measure(ctx, MEASURE, [choice.period])
    trend = run_measure(ctx, MEASURE, choice.trend)
except registry.MeasureUnavailable as exc:
    st.info(f"**Not available from this source.** Case supervision needs {', '.join(exc.missing)}, which the "
            "source database does not provide.")
    st.stop()

# A team manager sees one team: show it as chosen (its workers, its children).
selection = OrgSelection(org, ctx.sees_everything)
visible_teams, team_id, selection_name = selection.visible_teams, selection.team_id, selection.name
selected = selection.selected

# ---- headline ----------------------------------------------------------------------------------
st.subheader(f"{selection_name}: {choice.period.title}")
rows = selected(result.rows)
head = summary_of(ctx, MEASURE, [choice.period], selection, "selected", None, [choice.period]).iloc[0]
num, den = int(head["numerator"]), int(head["denominator"])
m1, m2, m3 = st.columns(3)
m1.metric("Case supervision up to date", fmt_value(head["value"], "percent"),
          delta=None if target is None or pd.isna(head["value"]) else
          f"{(head['value'] - target) * 100:+.1f} pts vs target {target:.0%}")
m2.metric("Open cases", f"{den:,}")
m3.metric(f"Not supervised in {days} days", f"{den - num:,}")

# ---- teams compared ------------------------------------------------------------------------------
st.subheader("Teams compared")
teams = summary_of(ctx, MEASURE, [choice.period], selection, "in_service", "team")
if not ctx.sees_everything or org.service_id:
    teams = teams[teams["group_id"].isin(visible_teams)]
if teams.empty:
    st.info("No open cases for these teams at the end of this period.")
else:
    teams = teams.assign(rag=[rag(v, target, measure.polarity, ctx.settings.rag_tolerance) for v in teams["value"]])
    st.plotly_chart(charts.group_bars(teams, label="group", value="value", unit="percent", target=target,
                                      rag="rag" if target is not None else None), key="teams_chart")
    team_table = pd.DataFrame({
        "Team": teams["group"], "Open cases": teams["denominator"], "Up to date": teams["numerator"],
        "Out of date": teams["denominator"] - teams["numerator"], "% up to date": teams["value"],
    })
    data_table(team_table, hide_index=True, key="teams_table", column_config={
        "% up to date": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    download_table(ctx, {"Teams": team_table}, name=f"supervision-teams-{choice.period.label}",
                   title=f"Case supervision by team, {choice.period.title}", percent_columns=("% up to date",),
                   notes=[measure.definition])

# ---- workers -------------------------------------------------------------------------------------
st.subheader("Workers")
if team_id is None:
    st.info("Choose a team above to see each of its workers.")
else:
    workers = summary_of(ctx, MEASURE, [choice.period], selection, "selected", "worker")
    oldest = rows.groupby("worker_id")["days_since_supervision"].max()
    worker_table = pd.DataFrame({
        "Worker": workers["group"], "Open cases": workers["denominator"], "Up to date": workers["numerator"],
        "Out of date": workers["denominator"] - workers["numerator"], "% up to date": workers["value"],
        "Longest since supervision (days)": oldest.reindex(workers["group_id"]).to_numpy(),
    })
    data_table(worker_table, hide_index=True, key="workers_table", column_config={
        "% up to date": st.column_config.ProgressColumn(format="percent", min_value=0, max_value=1)})
    download_table(ctx, {"Workers": worker_table}, name=f"supervision-workers-{choice.period.label}",
                   title=f"Case supervision by worker, {selection_name}, {choice.period.title}",
                   percent_columns=("% up to date",), notes=[measure.definition])

# ---- trend -----------------------------------------------------------------------------------------
st.subheader("Trend by month")
series = {selection_name: summary_of(ctx, MEASURE, choice.trend, selection, "selected", None, choice.trend)}
if team_id and (org.service_id or not ctx.sees_everything) and len(visible_teams) > 1:
    wider = org.teams["service"].iloc[0] if org.service_id else "All teams you can see"
    series[wider] = summary_of(ctx, MEASURE, choice.trend, selection, "in_service", None, choice.trend)
if ctx.sees_everything and (team_id or org.service_id):
    series["Whole authority"] = derived(ctx, "whole_trend", (MEASURE, tuple((p.label, p.type) for p in choice.trend)),
                                        lambda: group_summary(trend.rows, None, count_only=False, periods=choice.trend))
st.plotly_chart(charts.trend_lines(series, target=target), key="trend_chart")

# ---- children ---------------------------------------------------------------------------------------
st.subheader("Children behind the figure")
st.caption("Choose *Not met* to list the open cases whose supervision is out of date, longest first.")
ordered = rows.sort_values(["in_numerator", "days_since_supervision"], ascending=[True, False], na_position="first")
child_rows_table(ctx, ordered, name=f"{MEASURE}-{choice.period.label}",
                 title=f"{measure.title}, {selection_name}, {choice.period.title}", notes=[measure.definition])
