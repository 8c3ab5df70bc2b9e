"""The report catalogue (../shared/spec/reports.md) per tier, and which reports this release has.
Shown on the home page and on each tier's overview page so users know what exists and what is
coming, rather than meeting empty pages."""

from __future__ import annotations

import streamlit as st

from auth import User
from ui.frame import TIERS, sign_in, tier_banner
from ui.nav import page_link

# (title, what it answers, page path if available in this release)
REPORTS: dict[str, list[tuple[str, str, str | None]]] = {
    "client": [
        ("Client Summary", "One child: identity, status, allocated worker, chronology, key relationships, "
         "key questions from assessments, plans and what is due next.", "pages/client_summary.py"),
    ],
    "worker": [
        ("Client Overview (caseload)", "Your caseload: each child's visits, reviews, assessments and health "
         "tasks with when they were last done and when they are due.", "pages/worker_caseload.py"),
        ("Forecasting / Weekly Planning", "Every task overdue or due in the next weeks, by worker and week.",
         "pages/worker_planning.py"),
        ("Leaving Care Supervision", "Care leavers: last contact, pathway plan review, accommodation, activity.",
         "pages/worker_leaving_care.py"),
    ],
    "management": [
        ("Assessments", "How each team's timeliness of completed assessments compares with other teams and "
         "the target, and how each worker contributed.", "pages/management_assessments.py"),
        ("Caseload", "Open cases per worker and team by type, against the caseload threshold; unallocated "
         "children and how long they have waited; children with 3 or more worker changes.",
         "pages/management_caseload.py"),
        ("Visits", "CIN, CP and CLA visit compliance by team and worker; who is overdue now.",
         "pages/management_visits.py"),
        ("Reviews", "CP, CLA and CIN review timeliness by team and worker; reviews due in the coming weeks.",
         "pages/management_reviews.py"),
        ("Missing Children", "Children and episodes by month, in care or not, return interviews offered and "
         "accepted, repeat missing.", "pages/management_missing.py"),
        ("Staff Supervision", "Case supervision up to date by team and worker, and the cases out of date.",
         "pages/management_supervision.py"),
        ("Weekly Activity Summary", "Last week's key activity for each service against the 12-week average, "
         "one Excel file per service.", "pages/management_weekly.py"),
    ],
    "strategic": [
        ("Doing the Simple Things Well", "Twenty key measures: last three months, trend, benchmarks, target, RAG.",
         "pages/strategic_dstw.py"),
        ("KPI scorecard", "Every measure with target, RAG, direction of travel and benchmarks.",
         "pages/strategic_scorecard.py"),
        ("Measure explorer", "Any measure: its trend against target and benchmarks, by service and team, "
         "and the children behind it.", "pages/strategic_measure.py"),
        ("Monthly Highlight Report", "Key indicators' trends against England, region and statistical neighbours.",
         "pages/strategic_highlight.py"),
        ("Children in Care report", "Numbers in care, starters and leavers, stability, health, placements.",
         "pages/strategic_cic.py"),
        ("Inspection readiness (Annex A)", "Ofsted ILACS Annex A lists with a data-quality check.",
         "pages/strategic_annex_a.py"),
    ],
}


def report_list(tier_key: str, user: User) -> None:
    if user.role not in TIERS[tier_key].roles:
        st.caption("These reports are not available to your role.")
        return
    for title, what, path in REPORTS[tier_key]:
        if path:
            if not page_link(path, f"**{title}** — {what}", ":material/arrow_forward:"):
                st.markdown(f"- **{title}** — {what}")
        else:
            st.markdown(f"- **{title}** — {what} *(coming in a later release)*")


def tier_overview(tier_key: str) -> None:
    tier = TIERS[tier_key]
    user = sign_in(f"{tier.long_name} reports")
    tier_banner(tier_key, f"{tier.long_name} reports")
    st.caption(f"Audience: {tier.audience}.")
    report_list(tier_key, user)

