"""The portal's menu: the tiers in order, each page with its title and icon, and the roles that
may open it. app.py registers these pages with st.navigation (hidden) and draws this menu; a page
served directly by Streamlit (a fresh server's first request to a pages/ file, before any session
has built the navigation) draws the same menu itself, so the user is never left without one."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from auth import Role, User

MENU_DRAWN = "_menu_drawn"  # set by app.py for the run in which it drew the menu
# Streamlit's named text colours closest to each tier's colour (ui.frame.TIERS).
TIER_COLOUR_NAMES = {"client": "violet", "worker": "green", "management": "orange", "strategic": "blue"}


@dataclass(frozen=True)
class MenuPage:
    path: str
    title: str
    icon: str


# (section key, heading); "" is the top of the menu, "admin" is senior leaders only.
MENU: dict[str, list[MenuPage]] = {
    "": [MenuPage("pages/home.py", "Home", ":material/home:")],
    "client": [MenuPage("pages/client_summary.py", "Client summary", ":material/person_search:"),
               MenuPage("pages/client.py", "Client reports", ":material/person:")],
    "worker": [
        MenuPage("pages/worker_caseload.py", "Caseload", ":material/assignment_ind:"),
        MenuPage("pages/worker_planning.py", "Weekly planning", ":material/calendar_month:"),
        MenuPage("pages/worker_leaving_care.py", "Leaving care", ":material/diversity_3:"),
    ],
    "management": [
        MenuPage("pages/management_assessments.py", "Assessments", ":material/fact_check:"),
        MenuPage("pages/management_caseload.py", "Caseload", ":material/work:"),
        MenuPage("pages/management_visits.py", "Visits", ":material/home_work:"),
        MenuPage("pages/management_reviews.py", "Reviews", ":material/event_available:"),
        MenuPage("pages/management_missing.py", "Missing children", ":material/person_alert:"),
        MenuPage("pages/management_supervision.py", "Staff supervision", ":material/supervisor_account:"),
        MenuPage("pages/management_weekly.py", "Weekly activity", ":material/date_range:"),
    ],
    "strategic": [
        MenuPage("pages/strategic_dstw.py", "Doing the Simple Things Well", ":material/checklist:"),
        MenuPage("pages/strategic_scorecard.py", "KPI scorecard", ":material/table_chart:"),
        MenuPage("pages/strategic_highlight.py", "Monthly highlights", ":material/trending_up:"),
        MenuPage("pages/strategic_cic.py", "Children in care", ":material/family_restroom:"),
        MenuPage("pages/strategic_measure.py", "Measure explorer", ":material/query_stats:"),
        MenuPage("pages/strategic_annex_a.py", "Inspection readiness (Annex A)", ":material/assignment_turned_in:"),
    ],
    "admin": [MenuPage("pages/audit.py", "Audit log", ":material/policy:")],
}


def sections_for(user: User) -> dict[str, list[MenuPage]]:
    """The menu sections the user's role may open, headed by their display names."""
    from ui.frame import TIERS

    out: dict[str, list[MenuPage]] = {"": MENU[""]}
    for key, tier in TIERS.items():
        if user.role in tier.roles:
            out[f":{TIER_COLOUR_NAMES[key]}[**{tier.badge} {tier.name}**]"] = MENU[key]
    if user.role is Role.SENIOR_LEADER:
        out["Administration"] = MENU["admin"]
    return out


def all_pages() -> list[MenuPage]:
    return [p for group in MENU.values() for p in group]


def page_link(path: str, label: str, icon: str | None = None) -> bool:
    """st.page_link, or False (nothing drawn) when the page is not in this run's navigation: a
    page file run as its own entry point (tests, `streamlit run pages/x.py`) knows no other page."""
    from streamlit.errors import StreamlitPageNotFoundError

    try:
        st.page_link(path, label=label, icon=icon)
        return True
    except StreamlitPageNotFoundError:
        return False


def draw_menu(user: User) -> None:
    from streamlit.errors import StreamlitPageNotFoundError

    with st.sidebar.container(key="portal_nav"):
        for heading, group in sections_for(user).items():
            if heading:
                st.caption(heading)
            for p in group:
                try:
                    st.page_link(p.path, label=p.title, icon=p.icon)
                except StreamlitPageNotFoundError:
                    # A page file run as its own entry point (tests, `streamlit run pages/x.py`)
                    # knows no other pages: no menu rather than an error.
                    return
