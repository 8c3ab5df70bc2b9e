"""Worker → Caseload (Client Overview): the signed-in worker's children by default, one row each,
with every statutory task's last done date, next due date and RAG, most urgent first. A manager,
head of service or analyst can choose any worker in their scope, or a whole team. Choosing a row
opens the child's Client Summary. Thin: every date and status comes from metrics.tasks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from auth import Role
from metrics.looked_after import member
from metrics.tasks import (
    DUE_SOON, NO_TASKS, ON_TRACK, OVERDUE, TASK_ORDER, caseload_table, rules_text,
)
from ui.downloads import download_table
from ui.filters import own_team_choices, rows_of_choice, worker_choices
from ui.frame import start_page
from ui.measures import run_worklist
from ui.tables import LAZY_ROWS, data_table

SUMMARY_PAGE = "pages/client_summary.py"
BADGE = {OVERDUE: "🔴 Overdue", DUE_SOON: "🟠 Due soon", ON_TRACK: "🟢 On track", NO_TASKS: "⚪ No tasks", "": ""}


def _badges(values) -> "np.ndarray":
    """BADGE of each status ("" for anything else), formatting each distinct status once."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    mapped = np.array([BADGE.get(u, "") for u in uniques] + [""], dtype=object)
    return mapped[codes]  # code -1 (missing) takes the trailing ""


@st.cache_resource(show_spinner="Building the caseload…", max_entries=128)
def _caseload(cache_key: str, scope_key: str, settings_key: str, who_kind: str, who_id, _kids, _task_rows):
    """The caseload table, its tasks and the on-screen table for one choice of worker or team.
    Keyed by extract, record scope, settings and that choice: one viewer's children never serve
    another scope. Built once, then shared by every rerun (pages only read it)."""
    table = caseload_table(_kids, _task_rows)
    mine_tasks = _task_rows[member(_task_rows["person_id"], table["person_id"])]
    team_view = who_kind != "worker"
    show = pd.DataFrame({
        "Child ID": table["person_id"].to_numpy(),
        "Child": table["child_name"].to_numpy(),
        "Status": table["services"].to_numpy(),
        **({"Worker": table["worker"].to_numpy()} if team_view else {}),
        "RAG": _badges(table["status"]),
        "Overdue": table["overdue"].to_numpy(),
        "Next due": table["next_due"].to_numpy(),
        "Most urgent": table["most_urgent"].to_numpy(),
    })
    for t in [t for t in TASK_ORDER if t in table.columns]:
        show[t] = _badges(table[t])
        show[f"{t}: last done"] = table[f"{t} last done"].to_numpy()
        show[f"{t}: due"] = table[f"{t} due"].to_numpy()
    return table, mine_tasks, show


ctx = start_page(
    "worker", "Caseload",
    "Each child's statutory tasks: when each was last done, when it is next due, and whether it is "
    "overdue or due soon. Most urgent first. Choose a child to open their summary.",
)
wl = run_worklist(ctx)
children = ctx.visible_rows(wl.children)
task_rows = ctx.visible_rows(wl.tasks)

# ---- whose caseload -----------------------------------------------------------------------------
me = ctx.viewer.worker_id
if ctx.viewer.role is Role.PRACTITIONER:
    who, who_kind, who_id = "Your caseload", "worker", me
    st.caption("Your caseload: the children allocated to you.")
else:
    choices = worker_choices(ctx)
    labels = list(choices)
    # Their own caseload when they hold cases; otherwise their team (a manager holding no cases).
    holds_cases = me is not None and bool((children["worker_id"].astype(str) == str(me)).any())
    mine = [label for label, (kind, wid) in choices.items() if kind == "worker" and wid == me and holds_cases]
    default = (mine or own_team_choices(ctx, choices) or labels[:1] or [None])[0]
    if not labels:
        who, who_kind, who_id = "", "none", None
    else:
        who = st.selectbox(
            "Worker or team", labels, index=labels.index(default), key="who", bind="query-params",
            help="Any worker in your teams, or a whole team. Only workers and teams you may see are listed.",
        )
        who_kind, who_id = choices[who]

mine_kids = rows_of_choice(children, who_kind, who_id)
table, mine_tasks, show = _caseload(ctx.cache.key, ctx.viewer.scope.key, repr(ctx.settings), who_kind, who_id,
                                    mine_kids, task_rows)
title = who if who_kind != "worker" or ctx.viewer.role is Role.PRACTITIONER else f"{who}'s caseload"

with st.expander("How is this worked out?"):
    st.markdown("\n".join(f"- {line}" for line in rules_text(ctx.settings)))

if table.empty:
    if ctx.viewer.role is Role.PRACTITIONER:
        st.info(
            f"**No children are allocated to you on {ctx.as_at:%d %B %Y}.** The caseload lists the children "
            "whose case you hold in the case management system (an open involvement with you as the "
            "allocated worker). If you expected to see children here, ask your team manager to check the "
            "allocation; the portal shows the position in the last extract."
        )
    else:
        st.info(
            f"**{title}: no open children on {ctx.as_at:%d %B %Y}.** Choose another worker or a whole team "
            "above. Only children open to social care (CIN, CP, in care or a care leaver) are listed."
        )
    st.stop()

# ---- headline -----------------------------------------------------------------------------------
m1, m2, m3, m4 = st.columns(4)
m1.metric("Children", f"{len(table):,}")
m2.metric("Tasks overdue", f"{int((mine_tasks['status'] == OVERDUE).sum()):,}")
m3.metric(f"Due within {ctx.settings.due_soon_working_days} working days", f"{int((mine_tasks['status'] == DUE_SOON).sum()):,}")
m4.metric("Children with a task overdue", f"{int((table['status'] == OVERDUE).sum()):,}")

# ---- the table ----------------------------------------------------------------------------------
present = [t for t in TASK_ORDER if t in table.columns]
dates = {c: st.column_config.DateColumn(format="DD/MM/YYYY") for c in show.columns
         if pd.api.types.is_datetime64_any_dtype(show[c])}

view = st.segmented_control("View", ["By child", "By task"], default="By child", key="view")
st.subheader(title)
ctx.audit_list(table, what=f"Caseload: {title}")
if view == "By task":
    long = mine_tasks.rename(columns={
        "person_id": "Child ID", "child_name": "Child", "services": "Status", "task": "Task",
        "last_done": "Last done", "next_due": "Due", "status": "RAG", "days_overdue": "Days overdue",
        "worker": "Worker", "reason": "Why",
    })[["Child ID", "Child", "Status", "Task", "RAG", "Due", "Last done", "Days overdue", "Worker", "Why"]]
    long["RAG"] = long["RAG"].map(BADGE)
    st.caption(f"{len(long):,} tasks, most urgent first")
    data_table(long, hide_index=True, placeholder="–", key="tasks_table",
               column_config={"Due": st.column_config.DateColumn(format="DD/MM/YYYY"),
                              "Last done": st.column_config.DateColumn(format="DD/MM/YYYY")})
else:
    # A row opens the child's summary; a list too long to send whole (a service or the authority)
    # is sent as the reader scrolls, and Streamlit cannot select rows in those.
    selectable = len(show) <= LAZY_ROWS
    st.caption(f"{len(show):,} children, most urgent first. " + (
        "Select a row to open the child's summary." if selectable else
        "To open a child's summary, choose a team or worker above and select the row, or find the "
        "child on the Client summary page."))
    event = data_table(show, hide_index=True, placeholder="–", key="caseload_table", column_config=dates,
                       **({"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}))
    picked = list(getattr(getattr(event, "selection", None), "rows", []) or [])
    if picked:
        child = str(show["Child ID"].iloc[picked[0]])
        if ctx.may_see_child(child):
            available = Path(__file__).resolve().parent.parent.joinpath(SUMMARY_PAGE).exists()
            try:
                if not available:
                    raise FileNotFoundError(SUMMARY_PAGE)
                st.switch_page(SUMMARY_PAGE, query_params={"child": child})
            except Exception:  # the summary page is not in this release or this navigation
                st.caption(f"The Client Summary is not available here yet; child ID {child}.")

def _export() -> dict[str, pd.DataFrame]:
    # Built when a download button is clicked.
    export = show.copy()
    for t in present:
        export[t] = table[t].to_numpy()
    export["RAG"] = table["status"].to_numpy()
    long_export = mine_tasks.rename(columns={
        "person_id": "Child ID", "child_name": "Child", "services": "Status", "task": "Task", "status": "RAG",
        "next_due": "Due", "last_done": "Last done", "days_overdue": "Days overdue", "worker": "Worker",
        "team": "Team", "reason": "Why",
    })[["Child ID", "Child", "Status", "Task", "RAG", "Due", "Last done", "Days overdue", "Worker", "Team", "Why"]]
    return {"Caseload": export, "Tasks": long_export}


download_table(
    ctx, _export,
    name=f"caseload-{ctx.as_at:%Y-%m-%d}", title=f"Caseload: {title}, as at {ctx.as_at:%d %B %Y}",
    notes=[line.replace("**", "") for line in rules_text(ctx.settings)], child_level=True,
)
