"""Management → Reviews: CP, CLA and CIN review timeliness by team and worker, the trend, the reviews
due in the coming weeks (and any overdue now) and the children behind each figure. Thin: every
number comes from the registered measures cp_reviews, cla_reviews and cin_reviews and from
metrics.activity (reviews due as at the data date, by metrics.visits.review_status)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import registry
from metrics.activity import due_within, group_summary, reviews_due
from metrics.rag import rag
from ui import charts
from ui.downloads import download_table
from ui.filters import org_filter, period_filter
from ui.format import fmt_value
from ui.frame import start_page
from ui.measures import run_measure
from ui.tables import child_rows_table

KINDS = {"CP": "cp_reviews", "CLA": "cla_reviews", "CIN": "cin_reviews"}
WEEKS = (2, 4, 6, 8, 12)

ctx = start_page(
    "management",
    "Reviews",
    "Are child protection conferences, looked-after reviews and child in need reviews held on time? "
    "By team and worker, with the reviews due in the coming weeks.",
)
measures = {k: registry.get(m) for k, m in KINDS.items()}

with st.container(border=True):
    plans = ctx.tables.get("ssd_cp_plans")
    earliest = plans["cppl_cp_plan_start_date"].min() if plans is not None and len(plans) else None
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
    col.metric(f"{kind} reviews on time", fmt_value(s["value"].iloc[0], "percent"),
               help=f"{num:,} of {den:,} children. {measures[kind].title}.")
    col.caption(f"{num:,} of {den:,} children")


@st.cache_data(show_spinner="Working out which reviews are due…", max_entries=32)
def _due_now(cache_key: str, scope_key: str, settings_key: str, _tables, _settings, on) -> pd.DataFrame:
    return reviews_due(_tables, on, _settings)


due = _due_now(ctx.cache.key, ctx.viewer.aggregate_scope.key, repr(ctx.settings), ctx.aggregate_tables,
               ctx.settings, ctx.as_at)
overdue = selected(due[due["overdue"].astype(bool).to_numpy()])
cols[-1].metric(f"Overdue a review on {ctx.as_at:%d %b %Y}", f"{len(overdue):,}",
                help="Children whose next review was due before the data date and has not been held.")

# ---- teams compared ------------------------------------------------------------------------------
st.subheader("Teams compared")


def by_group(rows: pd.DataFrame, by: str) -> pd.DataFrame:
    """One row per group with % on time and children counted for each kind of review."""
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
kind = st.segmented_control("Reviews", list(results), default=list(results)[0], key="kind",
                            help="Which reviews the chart and the list of children show.")
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
    download_table(ctx, {"Teams": team_table}, name=f"reviews-teams-{choice.period.label}",
                   title=f"Reviews on time by team, {choice.period.title}", percent_columns=pct,
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
    download_table(ctx, {"Workers": worker_table}, name=f"reviews-workers-{choice.period.label}",
                   title=f"Reviews on time by worker, {selection_name}, {choice.period.title}",
                   percent_columns=pct, notes=[m.definition for m in measures.values()])

# ---- trend -----------------------------------------------------------------------------------------
st.subheader("Trend by month")
series = {}
for k, (_, trend) in results.items():
    series[f"{k} reviews on time"] = group_summary(selected(trend.rows), None, count_only=False, periods=choice.trend)
st.plotly_chart(charts.trend_lines(series, target=None), key="trend_chart")
st.caption(f"{selection_name}, the 13 months to {choice.trend[-1].title}.")

# ---- due in the coming weeks -------------------------------------------------------------------------
st.subheader("Reviews due in the coming weeks")
weeks = st.selectbox("Coming weeks", WEEKS, index=1, key="weeks", bind="query-params",
                     format_func=lambda n: f"The next {n} weeks")
coming = selected(due_within(due, ctx.as_at, weeks))
REVIEW_COLUMNS = {
    "person_id": "Child ID", "child_name": "Child", "kind": "Review", "team": "Team", "worker": "Worker",
    "span_start": "Plan/care start", "last_done_date": "Last review", "next_due_date": "Due",
    "week_ending": "Week ending", "days_until_due": "Days until due", "days_overdue": "Days overdue",
    "limit": "Limit",
}
if coming.empty:
    st.info(f"No reviews are due in the {weeks} weeks after {ctx.as_at:%d %B %Y} for this selection.")
else:
    per_week = coming.pivot_table(index="week_ending", columns="kind", values="person_id", aggfunc="count",
                                  fill_value=0)
    per_week = per_week.reindex(columns=[k for k in KINDS if k in per_week.columns]).reset_index()
    per_week["week_ending"] = per_week["week_ending"].dt.strftime("%d/%m/%Y")
    st.dataframe(per_week.rename(columns={"week_ending": "Week ending (Sunday)"}), hide_index=True,
                 key="due_weeks_table")
    shown = ctx.visible_rows(coming)
    if shown.empty:
        st.info("The children with reviews due are not in your caseload, so they are not listed here.")
    else:
        due_table = shown.rename(columns=REVIEW_COLUMNS)[
            ["Child ID", "Child", "Review", "Team", "Worker", "Last review", "Due", "Week ending", "Days until due"]]
        st.caption(f"{len(due_table):,} reviews due")
        ctx.audit_list(shown, what=f"Reviews due in {weeks} weeks, {selection_name}, from {ctx.as_at:%Y-%m-%d}")
        st.dataframe(due_table, hide_index=True, key="due_table", column_config={
            c: st.column_config.DateColumn(format="DD/MM/YYYY") for c in ("Last review", "Due", "Week ending")})
        download_table(ctx, {"Reviews due": due_table}, name=f"reviews-due-{ctx.as_at:%Y-%m-%d}",
                       title=f"Reviews due in the {weeks} weeks after {ctx.as_at:%d %B %Y}, {selection_name}",
                       child_level=True)

st.subheader(f"Overdue a review now (as at {ctx.as_at:%d %B %Y})")
shown = ctx.visible_rows(overdue)
if overdue.empty:
    st.success("No child in this selection is overdue a review.")
elif shown.empty:
    st.info("The children overdue a review are not in your caseload, so they are not listed here.")
else:
    overdue_table = shown.rename(columns=REVIEW_COLUMNS)[
        ["Child ID", "Child", "Review", "Team", "Worker", "Plan/care start", "Last review", "Due", "Days overdue",
         "Limit"]].rename(columns={"Due": "Was due"})
    st.caption(f"{len(overdue_table):,} children")
    ctx.audit_list(shown, what=f"Overdue reviews, {selection_name}, as at {ctx.as_at:%Y-%m-%d}")
    st.dataframe(overdue_table, hide_index=True, key="overdue_table", column_config={
        c: st.column_config.DateColumn(format="DD/MM/YYYY") for c in ("Plan/care start", "Last review", "Was due")})
    download_table(ctx, {"Overdue": overdue_table}, name=f"reviews-overdue-{ctx.as_at:%Y-%m-%d}",
                   title=f"Children overdue a review, {selection_name}, as at {ctx.as_at:%d %B %Y}",
                   child_level=True)

# ---- children behind the figure ----------------------------------------------------------------------
st.subheader(f"Children behind the figure: {measure.title}")
child_rows_table(ctx, selected(results[kind][0].rows), name=f"{KINDS[kind]}-{choice.period.label}",
                 title=f"{measure.title}, {selection_name}, {choice.period.title}", notes=[measure.definition])
