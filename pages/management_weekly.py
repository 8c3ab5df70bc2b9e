"""Management → Weekly Activity Summary (seed 000): last week's key activity for each head of
service's service against the average of the 12 weeks before, each service's summary as one Excel
file (the same workbook ``python -m reports weekly-activity`` writes), the teams and workers behind
it, the weeks and months before, and last week's children for dip-sampling. Thin: the figures come
from reports.weekly_activity, which counts the registered measures' rows (metrics.activity)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics.activity import ACTIVITY, activity_counts, activity_events
from reports import weekly_activity as wk
from ui.downloads import download_table
from ui.filters import OrgSelection, latest_complete_month, org_filter
from ui.frame import start_page
from ui.measures import derived, run_measure
from ui.tables import data_table
from metrics.periods import trailing_months

WEEKS_OFFERED = 26

ctx = start_page(
    "management",
    "Weekly Activity Summary",
    "Last week's key activity for each service: contacts, referrals, assessments, section 47 "
    "enquiries, conferences, child protection plans started and ended, children starting and "
    "ceasing care, against the average of the 12 weeks before.",
)

last = wk.last_complete_week(ctx.as_at)
weeks = wk.weeks_ending(last, WEEKS_OFFERED)
labels = [p.label for p in reversed(weeks)]
by_label = {p.label: p for p in weeks}
with st.container(border=True):
    c1, _ = st.columns([1, 1])
    week_label = c1.selectbox("Week", labels, key="week", bind="query-params",
                              format_func=lambda l: f"w/e {by_label[l].end:%d %b %Y}",
                              help="Weeks run Monday to Sunday; the latest is the last complete week of data.")
    org = org_filter(ctx.tables)
week = by_label[week_label]


# Worked out once per extract, scope and week and shared (ui.measures.derived), not copied per rerun.
with st.spinner("Counting the week's activity…"):
    wa = derived(ctx, "weekly_activity", (week.label,),
                 lambda: wk.weekly_activity(ctx.aggregate_tables, ctx.settings, week), large=True)

# A team manager sees one team: show it as chosen (its workers, its children).
selection = OrgSelection(org, ctx.sees_everything)
visible_teams, team_id, selection_name = selection.visible_teams, selection.team_id, selection.name
in_service, selected = selection.in_service, selection.selected
services = org.teams[["service_id", "service"]].drop_duplicates().sort_values("service")

with st.expander("How is this calculated?"):
    st.markdown("\n\n".join(wk.notes(wa, selection_name)))

SUMMARY_CONFIG = {
    "Change": st.column_config.NumberColumn(format="percent"),
    f"{len(wa.previous)}-week average": st.column_config.NumberColumn(format="%.1f"),
    "Difference": st.column_config.NumberColumn(format="%+.1f"),
}

# ---- last week ---------------------------------------------------------------------------------
st.subheader(f"{selection_name}: {wk.week_title(wa.week)}")
summary = derived(ctx, "weekly_summary", (week.label, selection.key),
                  lambda: wk.summary_table(wa, selected(wa.events)))
cols = st.columns(5)
for i, row in summary.iterrows():
    avg = row[f"{len(wa.previous)}-week average"]
    diff = row["Difference"]
    cols[i % 5].metric(row["Activity"], f"{int(row['Last week']):,}",
                       delta=None if abs(diff) < 0.05 else f"{diff:+.1f} vs average", delta_color="off",
                       help=f"{row['Activity']}: average of the {len(wa.previous)} weeks before {avg:.1f}")
data_table(summary, hide_index=True, key="summary_table", column_config=SUMMARY_CONFIG)
if wa.unavailable:
    st.caption("Not available from this source: " + ", ".join(wa.unavailable) + ".")

# ---- one workbook per service ----------------------------------------------------------------------


if ctx.sees_everything or ctx.viewer.scope.services:
    st.subheader("Each service's summary")
    st.caption("One Excel file per service, the same workbook the weekly email sends "
               "(`python -m reports weekly-activity --service ID`).")
    units = services[services["service_id"] == org.service_id] if org.service_id else services
    if ctx.sees_everything and not org.service_id:
        units = pd.concat([pd.DataFrame({"service_id": [None], "service": ["Whole authority"]}), units],
                          ignore_index=True)
    units = [(sid, None, name) for sid, name in zip(units["service_id"], units["service"])]
else:
    # A team manager sees their team, not the rest of its service: their team's workbook.
    st.subheader("Your team's summary")
    st.caption("As an Excel file, in the layout of the weekly email each head of service receives.")
    units = [(None, t, n) for t, n in zip(org.teams["team_id"], org.teams["team"])]
for sid, tid, name in units:
    with st.container(border=True):
        sheets = derived(ctx, "weekly_sheets", (week.label, sid, tid),
                         lambda: wk.service_sheets(wa, ctx.aggregate_tables, sid, team_id=tid))
        st.markdown(f"**{name}**")
        data_table(sheets["Summary"], hide_index=True, key=f"unit_{tid or sid or 'all'}",
                   column_config=SUMMARY_CONFIG)
        download_table(ctx, sheets, name=wk.file_stem(tid or sid, wa), title=wk.title(wa, name),
                       notes=wk.notes(wa, name), percent_columns=("Change",))

# ---- teams compared ------------------------------------------------------------------------------
st.subheader("Teams compared, last week")
teams_table = derived(ctx, "weekly_teams", (week.label, selection.key),
                      lambda: wk.team_table(wa, in_service(wa.events), org.teams))
if not ctx.sees_everything or org.service_id:
    teams_table = teams_table[teams_table["Team"].isin(org.teams["team"].tolist())]
data_table(teams_table, hide_index=True, key="teams_table")
download_table(ctx, {"Teams": teams_table}, name=f"weekly-activity-teams-{wa.week.end:%Y-%m-%d}",
               title=f"Activity by team, {wk.week_title(wa.week)}", notes=wk.notes(wa, selection_name))

# ---- workers -------------------------------------------------------------------------------------
st.subheader("Workers, last week")
if team_id is None:
    st.info("Choose a team above to see each of its workers.")
else:
    team_rows = selected(wa.events)
    workers = team_rows[["worker_id", "worker"]].drop_duplicates().sort_values("worker")
    workers_table = wk.group_table(wa, team_rows, "worker",
                                   workers.rename(columns={"worker_id": "group_id", "worker": "group"}), "Worker")
    workers_table = workers_table[workers_table.iloc[:, 1:].sum(axis=1) > 0]
    if workers_table.empty:
        st.info("Nothing was counted for this team's workers last week.")
    else:
        data_table(workers_table, hide_index=True, key="workers_table")
        download_table(ctx, {"Workers": workers_table}, name=f"weekly-activity-workers-{wa.week.end:%Y-%m-%d}",
                       title=f"Activity by worker, {selection_name}, {wk.week_title(wa.week)}")

# ---- trend ---------------------------------------------------------------------------------------
st.subheader("Trend")
titles = {a.key: a.title for a in ACTIVITY}
activity = st.segmented_control("Activity", list(titles), format_func=titles.get, default=ACTIVITY[0].key,
                                key="activity") or ACTIVITY[0].key
weekly = wk.weekly_table(wa, selected(wa.events))
values = weekly.set_index("Activity").loc[titles[activity]]
fig = go.Figure(go.Scatter(x=[p.end for p in wa.weeks], y=values.to_numpy(), mode="lines+markers",
                           name=titles[activity], line=dict(color="#1d70b8", width=3)))
avg = summary.set_index("Activity").at[titles[activity], f"{len(wa.previous)}-week average"]
fig.add_hline(y=avg, line_dash="dot", line_color="#505a5f", annotation_text=f"{len(wa.previous)}-week average {avg:.1f}",
              annotation_position="top left")
fig.update_layout(height=320, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white", showlegend=False)
fig.update_yaxes(rangemode="tozero", gridcolor="#e5e5e5", title=titles[activity])
fig.update_xaxes(title="Week ending (Sunday)", tickformat="%d %b")
st.plotly_chart(fig, key="trend_chart")
data_table(weekly, hide_index=True, key="weeks_table")

month_end = latest_complete_month(wa.week.end)
months = trailing_months(month_end, 13)


def _by_month() -> pd.DataFrame:
    month_events = activity_events(ctx.aggregate_tables, months, ctx.settings,
                                   run=lambda mid, ps: run_measure(ctx, mid, ps))
    counts = activity_counts(selected(month_events), months, None)
    counts = counts.pivot_table(index="activity", columns="period", values="count", aggfunc="sum", fill_value=0)
    counts = counts.reindex(index=[a.key for a in ACTIVITY], columns=[p.label for p in months], fill_value=0)
    counts.columns = [p.title for p in months]
    counts.insert(0, "Activity", [a.title for a in ACTIVITY])
    return counts


monthly = derived(ctx, "activity_by_month", (month_end.label, selection.key), _by_month)
st.markdown(f"**By month**, the 13 months to {months[-1].title}")
data_table(monthly, hide_index=True, key="months_table")
download_table(ctx, {"Weeks": weekly, "Months": monthly}, name=f"weekly-activity-trend-{wa.week.end:%Y-%m-%d}",
               title=f"Activity by week and month, {selection_name}", notes=wk.notes(wa, selection_name))

# ---- children ----------------------------------------------------------------------------------------
st.subheader("Last week's children")
st.caption("Each contact, referral, assessment, enquiry, conference, plan and period of care counted last week, "
           "for dip-sampling.")
chosen = st.multiselect("Activity", list(titles), format_func=titles.get, key="child_activity",
                        placeholder="All activity")
events = selected(wa.events)
events = events[(events["period"] == wa.week.label).to_numpy()]
if chosen:
    events = events[events["activity"].isin(chosen).to_numpy()]
shown = ctx.visible_rows(events)
if events.empty:
    st.info("Nothing was counted for this choice last week.")
elif shown.empty:
    st.info("These children are not in your caseload, so they are not listed here.")
else:
    child_table = wk.children_table(wa, shown, names=True)
    st.caption(f"{len(child_table):,} records")
    ctx.audit_list(shown, what=f"Weekly activity, {selection_name}, {wk.week_title(wa.week)}")
    data_table(child_table, hide_index=True, key="children_table",
               column_config={"Date": st.column_config.DateColumn(format="DD/MM/YYYY")})
    download_table(ctx, {"Children": child_table}, name=f"weekly-activity-children-{wa.week.end:%Y-%m-%d}",
                   title=f"Last week's activity by child, {selection_name}, {wk.week_title(wa.week)}",
                   child_level=True)
