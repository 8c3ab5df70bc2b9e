"""Every page in the menu × every demo role (AppTest, small demo authority): a role the page is for
gets the page without an error; any other role gets "This page is not available to you." and no
table, chart or figure. The matrix is read from ui/nav.py, so a new page is covered the day it is
added to the menu."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from auth import Role
from auth.gate import NOT_AVAILABLE
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in
from ui.frame import TIERS
from ui.nav import MENU

USERS = {"practitioner": Role.PRACTITIONER, "manager": Role.TEAM_MANAGER, "head": Role.HEAD_OF_SERVICE,
         "analyst": Role.SENIOR_LEADER}


def allowed_roles(section: str) -> frozenset[Role]:
    if section == "":
        return frozenset(Role)
    if section == "admin":
        return frozenset({Role.SENIOR_LEADER})
    return TIERS[section].roles


CASES = [(p.path, user) for section, pages in MENU.items() for p in pages for user in USERS]
SECTION = {p.path: section for section, pages in MENU.items() for p in pages}


def page_text(at: AppTest) -> str:
    return " ".join(str(e.value) for kind in (at.markdown, at.caption, at.info, at.warning, at.error,
                                               at.title, at.subheader) for e in kind)


@pytest.mark.parametrize("path, user", CASES, ids=[f"{p.split('/')[-1][:-3]}-{u}" for p, u in CASES])
def test_role_sees_the_page_only_if_it_is_for_them(portal_env, path, user):
    at = AppTest.from_file(str(ROOT / path), default_timeout=300)
    at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
    at.run()
    apptest_sign_in(at, user)
    assert not at.exception, at.exception
    text = page_text(at)
    if USERS[user] in allowed_roles(SECTION[path]):
        assert NOT_AVAILABLE not in text
        assert "Data as at" in text or path.endswith(("audit.py", "client.py", "worker.py")), text[:300]
    else:
        assert NOT_AVAILABLE in text
        assert not at.dataframe and not at.metric and not at.get("plotly_chart")
