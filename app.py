"""Entry point: `streamlit run app.py`. Builds the navigation (the four colour-coded tiers, only the
pages the signed-in user's role may open) and runs the chosen page.

Pages live in ``app_pages/``, not ``pages/``: with a ``pages/`` folder, Streamlit serves the files
directly on a fresh server's first request, skipping this navigation (ecosystem.md §0). Every page
also gates itself (ui.frame.start_page → auth.require_user), so nothing is shown before sign-in.

Before sign-in every page is registered but hidden, so a shared deep link survives the sign-in
form; after sign-in only the pages the role may open exist, and a link to any other goes home."""

from __future__ import annotations

import streamlit as st

from auth import Role, current_user
from ui.catalogue import client_overview, worker_overview
from ui.frame import NAV_SIGNED_OUT, TIERS

st.set_page_config(
    page_title="Children's services performance",
    page_icon=":material/monitoring:",
    layout="wide",
)


def section(key: str) -> str:
    tier = TIERS[key]
    return f"{tier.badge} {tier.name}"


PAGES = {
    "": [st.Page("app_pages/home.py", title="Home", icon=":material/home:", url_path="home", default=True)],
    "client": [
        st.Page(client_overview, title="Client reports", icon=":material/person:", url_path="client"),
    ],
    "worker": [
        st.Page(worker_overview, title="Worker reports", icon=":material/assignment:", url_path="worker"),
    ],
    "management": [
        st.Page("app_pages/management_assessments.py", title="Assessments", icon=":material/fact_check:",
                url_path="management-assessments"),
    ],
    "strategic": [
        st.Page("app_pages/strategic_dstw.py", title="Doing the Simple Things Well", icon=":material/checklist:",
                url_path="strategic-dstw"),
        st.Page("app_pages/strategic_scorecard.py", title="KPI scorecard", icon=":material/table_chart:",
                url_path="strategic-scorecard"),
        st.Page("app_pages/strategic_measure.py", title="Measure explorer", icon=":material/query_stats:",
                url_path="strategic-measure"),
    ],
    "admin": [
        st.Page("app_pages/admin_audit.py", title="Audit log", icon=":material/policy:", url_path="audit"),
    ],
}

user = current_user()
if user is None:
    # Not signed in: every page is routable but none is listed; the page draws the sign-in form.
    st.session_state[NAV_SIGNED_OUT] = True
    st.navigation([p for group in PAGES.values() for p in group], position="hidden").run()
else:
    st.session_state.pop(NAV_SIGNED_OUT, None)
    menu: dict[str, list] = {"": PAGES[""]}
    for key in TIERS:
        if user.role in TIERS[key].roles:
            menu[section(key)] = PAGES[key]
    if user.role is Role.SENIOR_LEADER:
        menu["Administration"] = PAGES["admin"]
    st.navigation(menu, expanded=True).run()
