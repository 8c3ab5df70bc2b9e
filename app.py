"""Entry point: `streamlit run app.py`. Builds the navigation (the four colour-coded tiers, only the
pages the signed-in user's role may open) and runs the chosen page.

Pages live in ``pages/`` (the design card's layout). Streamlit serves those files directly on a
fresh server's first request, before any session has run this navigation (ecosystem.md §0), so
every page gates itself (ui.frame.start_page → auth.require_user) and shows nothing before sign-in;
``client.showSidebarNavigation = false`` keeps Streamlit from listing the files in that case, and
each page's URL is its file name (e.g. /management_assessments), so a link works both ways.

Before sign-in every page is registered but hidden, so a shared deep link survives the sign-in
form; after sign-in only the pages the role may open exist, and a link to any other goes home."""

from __future__ import annotations

import streamlit as st

from auth import current_user
from ui.frame import NAV_SIGNED_OUT
from ui.nav import MENU_DRAWN, MenuPage, all_pages, draw_menu, sections_for
from ui.timings import timed_run

st.set_page_config(
    page_title="Children's services performance",
    page_icon=":material/monitoring:",
    layout="wide",
)


def as_page(p: MenuPage) -> st.Page:
    return st.Page(p.path, title=p.title, icon=p.icon, default=p.path == "pages/home.py")


user = current_user()
if user is None:
    # Not signed in: every page is routable but none is listed; the page draws the sign-in form.
    st.session_state[NAV_SIGNED_OUT] = True
    st.navigation([as_page(p) for p in all_pages()], position="hidden").run()
else:
    st.session_state.pop(NAV_SIGNED_OUT, None)
    # Only the pages of the user's role exist; a link to any other goes home. Streamlit's own menu
    # is switched off (it would list the pages/ files), so the portal draws its own.
    page = st.navigation([as_page(p) for group in sections_for(user).values() for p in group],
                         position="hidden")
    with timed_run(page.url_path or "home", user.role.value):  # only when PORTAL_TIMINGS is set
        draw_menu(user)
        st.session_state[MENU_DRAWN] = True
        page.run()
