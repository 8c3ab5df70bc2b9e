"""Management → Visits: CP, CIN and CLA visits on time through the month, by team and worker, the
trend, the children overdue a visit right now and the children behind each figure. Thin: every
number comes from the registered measures cp_visits, cin_visits and cla_visits and from
metrics.activity (visits due as at the data date, by metrics.visits.visit_status)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics import registry
from metrics.activity import visits_due
from ui import compliance
from ui.downloads import download_table
from ui.filters import OrgSelection, org_filter, period_filter
from ui.frame import start_page
from ui.tables import child_rows_table, data_table

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

# A team manager sees one team: show it as chosen (its workers, its children).
selection = OrgSelection(org, ctx.sees_everything)
selection_name, selected = selection.name, selection.selected

results = compliance.run_kinds(ctx, KINDS, choice)
spare = compliance.headline(ctx, results, KINDS, selection, choice, "visited on time")

@st.cache_data(show_spinner="Working out which visits are overdue…", max_entries=32)
def _due_now(cache_key: str, scope_key: str, settings_key: str, _tables, _settings, on) -> pd.DataFrame:
    return visits_due(_tables, on, _settings)


due = _due_now(ctx.cache.key, ctx.viewer.aggregate_scope.key, repr(ctx.settings), ctx.aggregate_tables,
               ctx.settings, ctx.as_at)
overdue = selected(due[due["overdue"].astype(bool).to_numpy()])
spare.metric(f"Overdue a visit on {ctx.as_at:%d %b %Y}", f"{len(overdue):,}",
             help="Children whose next statutory visit was due before the data date and has not happened.")

# ---- teams, workers, trend -------------------------------------------------------------------------
kind = compliance.teams_and_workers(ctx, results, KINDS, selection, choice, "Visits")
measure = measures[kind]
compliance.trend(ctx, results, KINDS, selection, choice, "visited on time")

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
    data_table(overdue_table, hide_index=True, key="overdue_table", column_config={
        c: st.column_config.DateColumn(format="DD/MM/YYYY") for c in ("Plan/placement start", "Last visit", "Was due")})
    download_table(ctx, {"Overdue": overdue_table}, name=f"visits-overdue-{ctx.as_at:%Y-%m-%d}",
                   title=f"Children overdue a visit, {selection_name}, as at {ctx.as_at:%d %B %Y}",
                   child_level=True)

# ---- children behind the figure ----------------------------------------------------------------------
st.subheader(f"Children behind the figure: {measure.title}")
child_rows_table(ctx, selected(results[kind][0].rows), name=f"{KINDS[kind]}-{choice.period.label}",
                 title=f"{measure.title}, {selection_name}, {choice.period.title}", notes=[measure.definition])
