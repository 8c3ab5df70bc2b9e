"""The portal's menu: the tiers in order, each page with its title and icon, and the roles that
may open it. app.py registers these pages with st.navigation (hidden) and draws this menu; a page
served directly by Streamlit (a fresh server's first request to a pages/ file, before any session
has built the navigation) draws the same menu itself, so the user is never left without one."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from auth import Role, User

MENU_DRAWN = "_menu_drawn"  # set by app.py for the run in which it drew the menu


@dataclass(frozen=True)
class MenuPage:
    path: str
    title: str
    icon: str


# (section key, heading); "" is the top of the menu, "admin" is senior leaders only.
MENU: dict[str, list[MenuPage]] = {
    "": [MenuPage("pages/home.py", "Home", ":material/home:")],
    "client": [MenuPage("pages/client.py", "Client reports", ":material/person:")],
    "worker": [MenuPage("pages/worker.py", "Worker reports", ":material/assignment:")],
    "management": [MenuPage("pages/management_assessments.py", "Assessments", ":material/fact_check:")],
    "strategic": [
        MenuPage("pages/strategic_dstw.py", "Doing the Simple Things Well", ":material/checklist:"),
        MenuPage("pages/strategic_scorecard.py", "KPI scorecard", ":material/table_chart:"),
        MenuPage("pages/strategic_measure.py", "Measure explorer", ":material/query_stats:"),
    ],
    "admin": [MenuPage("pages/audit.py", "Audit log", ":material/policy:")],
}


def sections_for(user: User) -> dict[str, list[MenuPage]]:
    """The menu sections the user's role may open, headed by their display names."""
    from ui.frame import TIERS

    out: dict[str, list[MenuPage]] = {"": MENU[""]}
    for key, tier in TIERS.items():
        if user.role in tier.roles:
            out[f"{tier.badge} {tier.name}"] = MENU[key]
    if user.role is Role.SENIOR_LEADER:
        out["Administration"] = MENU["admin"]
    return out


def all_pages() -> list[MenuPage]:
    return [p for group in MENU.values() for p in group]


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
