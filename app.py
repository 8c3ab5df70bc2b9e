"""Entry point: `streamlit run app.py`. Builds the navigation (the four colour-coded tiers) and
runs the chosen page. Pages live in pages/ and each is safe to run on its own."""

from __future__ import annotations

import streamlit as st

from ui.catalogue import client_overview, strategic_overview, worker_overview
from ui.frame import TIERS

st.set_page_config(
    page_title="Children's services performance",
    page_icon=":material/monitoring:",
    layout="wide",
)


def section(key: str) -> str:
    tier = TIERS[key]
    return f"{tier.badge} {tier.name}"


pages = {
    "": [st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="home", default=True)],
    section("client"): [
        st.Page(client_overview, title="Client reports", icon=":material/person:", url_path="client"),
    ],
    section("worker"): [
        st.Page(worker_overview, title="Worker reports", icon=":material/assignment:", url_path="worker"),
    ],
    section("management"): [
        st.Page("pages/management_assessments.py", title="Assessments", icon=":material/fact_check:",
                url_path="management-assessments"),
    ],
    section("strategic"): [
        st.Page(strategic_overview, title="Strategic reports", icon=":material/insights:", url_path="strategic"),
    ],
}

st.navigation(pages, expanded=True).run()
