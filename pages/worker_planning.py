"""Worker → Weekly planning (Forecasting, seed 000): every statutory task overdue or due in the next
N weeks, grouped by worker and week, for supervision and planning meetings. A print-friendly layout
(plain tables, no filters or charts; the sidebar is hidden when printing) and an Excel export with
one sheet per worker or one sheet by week. Thin: every date and status comes from metrics.tasks."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from auth import Role
from metrics.tasks import DUE_SOON, ON_TRACK, OVERDUE, plan, plan_by_worker, rules_text
from ui import charts, tables
from ui.downloads import download_table
from ui.filters import own_team_choices, rows_of_choice, worker_choices
from ui.frame import start_page
from ui.measures import run_worklist
from ui.tables import data_table

BADGE = {OVERDUE: "🔴 Overdue", DUE_SOON: "🟠 Due soon", ON_TRACK: "🟢 On track"}
PER_WORKER, BY_WEEK = "One sheet per worker", "One sheet, grouped by week"
PRINT_CSS = """
<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
  [data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"],
  [data-testid="stDownloadButton"], [data-testid="stExpander"], .st-key-print, .st-key-plan_filters,
  .st-key-plan_export { display: none !important; }
  [data-testid="stMain"], [data-testid="stMainBlockContainer"], .block-container
    { padding: 0 !important; margin: 0 !important; max-width: 100% !important; }
  .plan-worker { break-before: page; }
  .plan-worker:first-of-type { break-before: avoid; }
  table { font-size: 10pt; }
  tr { break-inside: avoid; }
}
</style>
"""


def _sheet_names(names: list[str]) -> list[str]:
    """Excel sheet names: no []:*?/\\ characters, at most 31 characters, unique."""
    out: list[str] = []
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip()[:31] or "Worker"
        candidate, n = base, 2
        while candidate.lower() in {o.lower() for o in out}:
            suffix = f" ({n})"
            candidate, n = base[:31 - len(suffix)] + suffix, n + 1
        out.append(candidate)
    return out


ctx = start_page(
    "worker", "Weekly planning",
    "Every statutory task overdue or due in the coming weeks, by worker and week: for supervision and "
    "planning meetings. Print it, or export it to Excel.",
)
st.markdown(PRINT_CSS, unsafe_allow_html=True)
wl = run_worklist(ctx)
task_rows = ctx.visible_rows(wl.tasks)

printing = st.toggle("Print-friendly layout", key="print", bind="query-params",
                     help="Plain tables only, one worker to a page; use your browser's Print command.")
me = ctx.viewer.worker_id
# In the print layout the choices fold away (they stay in the URL) and are not printed.
filters = (st.expander("Choices", expanded=False, key="plan_filters") if printing
           else st.container(border=True, key="plan_filters"))
with filters:
    c1, c2 = st.columns([2, 1])
    if ctx.viewer.role is Role.PRACTITIONER:
        who, who_kind, who_id = "Your tasks", "worker", me
        c1.markdown("**Your tasks**: the children allocated to you.")
    else:
        choices = worker_choices(ctx)
        labels = list(choices)
        default = (own_team_choices(ctx, choices) or labels[:1] or [None])[0]
        if labels:
            who = c1.selectbox("Worker or team", labels, index=labels.index(default), key="who",
                               bind="query-params", help="Only workers and teams you may see are listed.")
            who_kind, who_id = choices[who]
        else:
            who, who_kind, who_id = "", "none", None
    weeks = int(c2.number_input("Weeks ahead", min_value=1, max_value=26, value=4, step=1, key="weeks",
                                bind="query-params", help="Tasks due in this many weeks from the data date, "
                                "plus everything overdue."))
rows = rows_of_choice(task_rows, who_kind, who_id)
plan_rows = plan(rows, ctx.as_at, weeks)
horizon = ctx.as_at + pd.Timedelta(days=7 * weeks)
heading = f"{who}: overdue, and due by {horizon:%d %B %Y}" if who else "Weekly plan"
st.subheader(heading)
st.caption(f"Tasks as at {ctx.as_at:%d %B %Y}, {weeks} week{'s' if weeks != 1 else ''} ahead.")

if not printing:
    with st.expander("How is this worked out?"):
        st.markdown("\n".join(f"- {line}" for line in rules_text(ctx.settings)))

if plan_rows.empty:
    if ctx.viewer.role is Role.PRACTITIONER and not len(rows):
        st.info(f"**No children are allocated to you on {ctx.as_at:%d %B %Y},** so there is nothing to plan. "
                "If you expected to see tasks here, ask your team manager to check the allocation.")
    else:
        st.info(f"**Nothing is overdue or due in the next {weeks} week{'s' if weeks != 1 else ''}.** "
                "Try more weeks ahead, or another worker or team.")
    st.stop()

table = pd.DataFrame({
    "Worker": plan_rows["worker"].to_numpy(),
    "Week": plan_rows["week"].to_numpy(),
    "Due": plan_rows["next_due"].to_numpy(),
    "Status": plan_rows["status"].to_numpy(),
    "Days overdue": plan_rows["days_overdue"].to_numpy(),
    "Task": plan_rows["task"].to_numpy(),
    "Child ID": plan_rows["person_id"].to_numpy(),
    "Child": plan_rows["child_name"].to_numpy(),
    "Last done": plan_rows["last_done"].to_numpy(),
    "Team": plan_rows["team"].to_numpy(),
    "Why": plan_rows["reason"].to_numpy(),
})

n_over = int((table["Status"] == OVERDUE).sum())
# Weeks in date order, "Overdue" first (plan() gives each week its Monday; none for overdue tasks).
weeks_seen = plan_rows[["week", "week_start"]].drop_duplicates("week")
week_order = list(weeks_seen.sort_values("week_start", na_position="first", kind="mergesort")["week"])
if not printing:
    m1, m2, m3 = st.columns(3)
    m1.metric("Tasks in the plan", f"{len(table):,}")
    m2.metric("Overdue now", f"{n_over:,}")
    m3.metric("Workers", f"{table['Worker'].nunique():,}")
    weekly = (table.assign(n=1).pivot_table(index="Week", columns="Status", values="n", aggfunc="sum", fill_value=0)
              .reindex(columns=[OVERDUE, DUE_SOON, ON_TRACK], fill_value=0))
    weekly = weekly.reindex(week_order).reset_index()
    fig = charts.stacked_counts(weekly, label="Week", parts={OVERDUE: "Overdue", DUE_SOON: "Due soon", ON_TRACK: "On track"},
                                colours={OVERDUE: "#d4351c", DUE_SOON: "#f47738", ON_TRACK: "#00703c"})
    fig.update_xaxes(title="Tasks")
    st.plotly_chart(fig, key="weeks_chart")

# (the child list is audited where it is drawn: the per-worker sections below)
fmt = {"Due": st.column_config.DateColumn(format="DD/MM/YYYY"),
       "Last done": st.column_config.DateColumn(format="DD/MM/YYYY")}
n_workers = table["Worker"].nunique()
SECTION_LIMIT = tables.MAX_WORKER_SECTIONS  # read at each run (the tests lower it)
if n_workers <= SECTION_LIMIT:
    ctx.audit_list(plan_rows, what=f"Weekly planning: {who}, {weeks} weeks")
else:
    # A whole service or authority: one section per worker and week would be thousands of tables
    # (minutes to draw, unreadable in print). Show who has what, and list tasks for one team/worker.
    counts = plan_by_worker(plan_rows).rename(columns={
        "worker": "Worker", "team": "Team", "overdue": "Overdue", "due_soon": "Due soon", "on_track": "On track",
        "total": "Total"})
    st.info(f"**{n_workers:,} workers have tasks in this plan**, too many to list one by one. Here is how many "
            "each has; choose a team or a worker above to list their tasks and print their plan. The Excel "
            "export below holds every task.")
    if printing:
        st.table(counts.set_index("Worker"))
    else:
        data_table(counts, hide_index=True, key="plan_counts")
for worker, part in (() if n_workers > SECTION_LIMIT else table.groupby("Worker", sort=False)):
    st.markdown(f"<h3 class='plan-worker'>{worker}</h3>", unsafe_allow_html=True)
    for week, wk in part.groupby("Week", sort=False):
        st.markdown(f"**{week}** · {len(wk)} task{'s' if len(wk) != 1 else ''}")
        cols = ["Due", "Status", "Task", "Child ID", "Child", "Last done", "Why"]
        if printing:
            plain = wk[cols].copy()
            plain["Due"] = plain["Due"].dt.strftime("%d/%m/%Y").fillna("not recorded")
            plain["Last done"] = plain["Last done"].dt.strftime("%d/%m/%Y").fillna("")
            st.table(plain.set_index("Due"))
        else:
            shown = wk[cols].copy()
            shown["Status"] = shown["Status"].map(BADGE)
            data_table(shown, hide_index=True, placeholder="–", column_config=fmt)

# ---- export --------------------------------------------------------------------------------------
export = st.container(key="plan_export")
with export:
    st.subheader("Export")
    layout = st.radio("Excel layout", [PER_WORKER, BY_WEEK], horizontal=True, key="sheets", bind="query-params")

    def sheets() -> dict[str, pd.DataFrame]:
        # Built when a button is clicked: a whole authority's plan is hundreds of sheets.
        if layout == PER_WORKER:
            parts = dict(tuple(table.groupby("Worker", sort=False)))  # one pass, not a filter per worker
            return {sheet: parts[w].drop(columns=["Worker"]) for sheet, w in zip(_sheet_names(list(parts)), parts)}
        rank = {w: i for i, w in enumerate(week_order)}
        by_week = (table.assign(_k=table["Week"].map(rank)).sort_values(["_k", "Worker"], kind="mergesort")
                   .drop(columns="_k"))
        return {"Weekly plan": by_week[["Week", "Worker", *[c for c in by_week.columns if c not in ("Week", "Worker")]]]}

    download_table(
        ctx, sheets, name=f"weekly-plan-{ctx.as_at:%Y-%m-%d}",
        title=f"Weekly plan: {who}, overdue and due by {horizon:%d %B %Y}",
        notes=[f"Tasks as at {ctx.as_at:%d %B %Y}; {weeks} weeks ahead.",
               *[line.replace("**", "") for line in rules_text(ctx.settings)]],
        child_level=True,
    )
