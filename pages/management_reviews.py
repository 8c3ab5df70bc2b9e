"""Management → Reviews: CP, CLA and CIN review timeliness by team and worker, the trend, the reviews
due in the coming weeks (and any overdue now) and the children behind each figure. Thin: every
number comes from the registered measures cp_reviews, cla_reviews and cin_reviews and from
metrics.activity (reviews due as at the data date, by metrics.visits.review_status)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import registry
from metrics.activity import due_within, reviews_due
from ui import compliance
from ui.downloads import download_table
from ui.filters import OrgSelection, org_filter, period_filter
from ui.frame import start_page
from ui.tables import child_rows_table, data_table

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

# A team manager sees one team: show it as chosen (its workers, its children).
selection = OrgSelection(org, ctx.sees_everything)
selection_name, selected = selection.name, selection.selected

results = compliance.run_kinds(ctx, KINDS, choice)
spare = compliance.headline(ctx, results, KINDS, selection, choice, "reviews on time")

@st.cache_data(show_spinner="Working out which reviews are due…", max_entries=32)
def _due_now(cache_key: str, scope_key: str, settings_key: str, _tables, _settings, on) -> pd.DataFrame:
    return reviews_due(_tables, on, _settings)


due = _due_now(ctx.cache.key, ctx.viewer.aggregate_scope.key, repr(ctx.settings), ctx.aggregate_tables,
               ctx.settings, ctx.as_at)
overdue = selected(due[due["overdue"].astype(bool).to_numpy()])
spare.metric(f"Overdue a review on {ctx.as_at:%d %b %Y}", f"{len(overdue):,}",
             help="Children whose next review was due before the data date and has not been held.")

# ---- teams, workers, trend -------------------------------------------------------------------------
kind = compliance.teams_and_workers(ctx, results, KINDS, selection, choice, "Reviews")
measure = measures[kind]
compliance.trend(ctx, results, KINDS, selection, choice, "reviews on time")

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
    data_table(per_week.rename(columns={"week_ending": "Week ending (Sunday)"}), hide_index=True,
               key="due_weeks_table")
    shown = ctx.visible_rows(coming)
    if shown.empty:
        st.info("The children with reviews due are not in your caseload, so they are not listed here.")
    else:
        due_table = shown.rename(columns=REVIEW_COLUMNS)[
            ["Child ID", "Child", "Review", "Team", "Worker", "Last review", "Due", "Week ending", "Days until due"]]
        st.caption(f"{len(due_table):,} reviews due")
        ctx.audit_list(shown, what=f"Reviews due in {weeks} weeks, {selection_name}, from {ctx.as_at:%Y-%m-%d}")
        data_table(due_table, hide_index=True, key="due_table", column_config={
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
    data_table(overdue_table, hide_index=True, key="overdue_table", column_config={
        c: st.column_config.DateColumn(format="DD/MM/YYYY") for c in ("Plan/care start", "Last review", "Was due")})
    download_table(ctx, {"Overdue": overdue_table}, name=f"reviews-overdue-{ctx.as_at:%Y-%m-%d}",
                   title=f"Children overdue a review, {selection_name}, as at {ctx.as_at:%d %B %Y}",
                   child_level=True)

# ---- children behind the figure ----------------------------------------------------------------------
st.subheader(f"Children behind the figure: {measure.title}")
child_rows_table(ctx, selected(results[kind][0].rows), name=f"{KINDS[kind]}-{choice.period.label}",
                 title=f"{measure.title}, {selection_name}, {choice.period.title}", notes=[measure.definition])
