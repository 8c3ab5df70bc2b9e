"""Management → Missing children: children who went missing and their episodes by month, children in
care and not, return home interviews offered and accepted, repeat missing; by team and worker, with
the children behind the figures. Thin: every number comes from the registered measure
missing_children, broken down by metrics.activity.missing_breakdown."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import registry
from metrics.activity import REPEAT_MISSING_EPISODES, missing_breakdown
from ui import charts
from ui.downloads import download_table
from ui.filters import OrgSelection, org_filter, period_filter
from ui.format import fmt_value
from ui.frame import start_page
from ui.measures import run_measure
from ui.tables import data_table

MEASURE = "missing_children"

ctx = start_page(
    "management",
    "Missing children",
    "Which children went missing, how often, whether they were in care, and whether they were offered "
    "and took up a return home interview. By team and worker, month by month.",
)
measure = registry.get(MEASURE)

with st.container(border=True):
    missing = ctx.tables.get("ssd_missing")
    earliest = missing["miss_missing_episode_start_date"].min() if missing is not None and len(missing) else None
    choice = period_filter(ctx.as_at, earliest)
    org = org_filter(ctx.tables)

with st.expander("How is this calculated?"):
    st.markdown(
        f"**{measure.title}.** {measure.definition}\n\n"
        "**In care**: looked after on the day the child first went missing in the period. "
        "**Return home interviews** are counted per missing episode (offered / accepted as recorded on the "
        f"episode), as a share of episodes. **Repeat missing**: children with {REPEAT_MISSING_EPISODES} or more "
        "missing episodes starting in the period. Children are shown under the team and worker holding their "
        "case on the day they first went missing in the period."
    )

try:
    result = run_measure(ctx, MEASURE, [choice.period])
    trend = run_measure(ctx, MEASURE, choice.trend)
except registry.MeasureUnavailable as exc:
    st.info(f"**Not available from this source.** This needs {', '.join(exc.missing)}.")
    st.stop()

# A team manager sees one team: show it as chosen (its workers, its children).
selection = OrgSelection(org, ctx.sees_everything)
visible_teams, team_id, selection_name = selection.visible_teams, selection.team_id, selection.name
in_service, selected = selection.in_service, selection.selected

COLUMNS = {
    "children": "Children missing", "episodes": "Episodes", "children_in_care": "In care",
    "children_not_in_care": "Not in care", "rhi_offered": "RHI offered", "pct_offered": "% episodes RHI offered",
    "rhi_accepted": "RHI accepted", "pct_accepted": "% episodes RHI accepted",
    "repeat_children": f"Missing {REPEAT_MISSING_EPISODES}+ times", "pct_repeat": "% repeat",
}
PCT = ("% episodes RHI offered", "% episodes RHI accepted", "% repeat")


def table(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    out = frame.rename(columns={"group": label, **COLUMNS})
    return out[[label, *COLUMNS.values()]]


# ---- headline ----------------------------------------------------------------------------------
st.subheader(f"{selection_name}: {choice.period.title}")
rows = selected(result.rows)
b = missing_breakdown(rows, None)
head = b.iloc[0] if len(b) else pd.Series({k: 0 for k in COLUMNS} | {"pct_offered": float("nan"),
                                                                     "pct_accepted": float("nan"),
                                                                     "pct_repeat": float("nan")})
m = st.columns(5)
m[0].metric("Children who went missing", f"{int(head['children']):,}")
m[1].metric("Missing episodes", f"{int(head['episodes']):,}")
m[2].metric("Of whom in care", f"{int(head['children_in_care']):,}",
            help=f"{int(head['children_not_in_care']):,} not in care")
m[3].metric("Return interviews accepted", fmt_value(head["pct_accepted"], "percent"),
            help=f"{int(head['rhi_accepted']):,} of {int(head['episodes']):,} episodes; offered for "
                 f"{int(head['rhi_offered']):,} ({fmt_value(head['pct_offered'], 'percent')}).")
m[4].metric(f"Missing {REPEAT_MISSING_EPISODES}+ times", f"{int(head['repeat_children']):,}")

# ---- teams compared ------------------------------------------------------------------------------
st.subheader("Teams compared")
teams = missing_breakdown(in_service(result.rows), "team")
if not ctx.sees_everything or org.service_id:
    teams = teams[teams["group_id"].isin(visible_teams)]
if teams.empty:
    st.info("No child in these teams went missing in this period.")
else:
    st.plotly_chart(charts.stacked_counts(
        teams.sort_values("group"), label="group",
        parts={"children_in_care": "In care", "children_not_in_care": "Not in care"},
        colours={"children_in_care": "#1d70b8", "children_not_in_care": "#f4a300"},
    ).update_xaxes(title="Children who went missing"), key="teams_chart")
    team_table = table(teams.sort_values("group"), "Team")
    data_table(team_table, hide_index=True, key="teams_table", column_config={
        c: st.column_config.NumberColumn(format="percent") for c in PCT})
    download_table(ctx, {"Teams": team_table}, name=f"missing-teams-{choice.period.label}",
                   title=f"Missing children by team, {choice.period.title}", percent_columns=PCT,
                   notes=[measure.definition])

# ---- workers -------------------------------------------------------------------------------------
st.subheader("Workers")
if team_id is None:
    st.info("Choose a team above to see each of its workers.")
elif rows.empty:
    st.info("No child in this team went missing in this period.")
else:
    worker_table = table(missing_breakdown(rows, "worker").sort_values("group"), "Worker")
    data_table(worker_table, hide_index=True, key="workers_table", column_config={
        c: st.column_config.NumberColumn(format="percent") for c in PCT})
    download_table(ctx, {"Workers": worker_table}, name=f"missing-workers-{choice.period.label}",
                   title=f"Missing children by worker, {selection_name}, {choice.period.title}",
                   percent_columns=PCT, notes=[measure.definition])

# ---- trend -----------------------------------------------------------------------------------------
st.subheader("Trend by month")
monthly = missing_breakdown(selected(trend.rows), None).set_index("period")
monthly = monthly.reindex([p.label for p in choice.trend])
for c in ("children", "episodes", "children_in_care", "children_not_in_care", "rhi_offered", "rhi_accepted",
          "repeat_children"):
    monthly[c] = monthly[c].fillna(0).astype(int)
monthly = monthly.reset_index()


def line(value: str, num: str | None = None, den: str | None = None) -> pd.DataFrame:
    return pd.DataFrame({"period": monthly["period"], "value": monthly[value],
                         "numerator": monthly[num] if num else monthly[value],
                         "denominator": monthly[den] if den else float("nan")})


c1, c2 = st.columns(2)
c1.plotly_chart(charts.trend_lines({"Children": line("children"), "Episodes": line("episodes"),
                                    "In care": line("children_in_care")}, target=None, unit="count"),
                key="trend_counts")
c2.plotly_chart(charts.trend_lines({"RHI offered": line("pct_offered", "rhi_offered", "episodes"),
                                    "RHI accepted": line("pct_accepted", "rhi_accepted", "episodes")},
                                   target=None), key="trend_rhi")
month_table = monthly.assign(Month=[p.title for p in choice.trend]).rename(columns=COLUMNS)
month_table = month_table[["Month", *COLUMNS.values()]]
data_table(month_table, hide_index=True, key="months_table", column_config={
    c: st.column_config.NumberColumn(format="percent") for c in PCT})
download_table(ctx, {"Months": month_table}, name=f"missing-months-{choice.trend[-1].label}",
               title=f"Missing children by month, {selection_name}", percent_columns=PCT,
               notes=[measure.definition])

# ---- children ---------------------------------------------------------------------------------------
st.subheader("Children who went missing")
c1, c2 = st.columns([1, 2])
show = c1.segmented_control("Show", ["All", "In care", "Not in care", f"{REPEAT_MISSING_EPISODES}+ times"],
                            default="All", key="show")
children = ctx.visible_rows(rows)
if show == "In care":
    children = children[children["looked_after_at_first_start"].astype(bool).to_numpy()]
elif show == "Not in care":
    children = children[~children["looked_after_at_first_start"].astype(bool).to_numpy()]
elif show == f"{REPEAT_MISSING_EPISODES}+ times":
    children = children[(children["episodes"] >= REPEAT_MISSING_EPISODES).to_numpy()]
if rows.empty:
    st.info("No child in this selection went missing in this period.")
elif ctx.visible_rows(rows).empty:
    st.info("The children behind this figure are not in your caseload, so they are not listed here.")
else:
    child_table = children.sort_values(["episodes", "first_missing_start"], ascending=[False, True]).rename(columns={
        "person_id": "Child ID", "child_name": "Child", "team": "Team", "worker": "Worker", "episodes": "Episodes",
        "first_missing_start": "First went missing", "last_missing_start": "Last went missing",
        "looked_after_at_first_start": "In care", "rhi_offered": "RHI offered", "rhi_accepted": "RHI accepted",
    })[["Child ID", "Child", "Team", "Worker", "Episodes", "First went missing", "Last went missing", "In care",
        "RHI offered", "RHI accepted"]]
    st.caption(f"{len(child_table):,} children")
    ctx.audit_list(children, what=f"Missing children, {selection_name}, {choice.period.title}")
    data_table(child_table, hide_index=True, key="children_table", column_config={
        c: st.column_config.DateColumn(format="DD/MM/YYYY") for c in ("First went missing", "Last went missing")})
    download_table(ctx, {"Children": child_table}, name=f"missing-children-{choice.period.label}",
                   title=f"Children who went missing, {selection_name}, {choice.period.title}",
                   notes=[measure.definition], child_level=True)
