"""AppTest of a tiny page behind auth.require_user, on a real (minimal) extract, with the password
backend: sign-in form and no data when signed out, good and bad passwords, lockout after five
failures, refusal of a disallowed role, sign-out that really ends the session, the remember
cookie (honoured until sign-out, refused when forged) and refusal to start without a good key."""

from __future__ import annotations

import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest
import yaml
from streamlit.testing.v1 import AppTest

import auth.backends as backends
from auth.audit import AuditLog
from auth.credentials import hash_password
from auth.gate import NOT_AVAILABLE
from data_access.config import load_config
from data_access.refresh import refresh
from tests.conftest import write_config
from tests.source_fixtures import minimal_source_tables, write_source

GOOD_KEY = "Vq3x9Lr2Tz8Wm4Nc7Yp1Hs6Kd5Jf0Gb-ExAmQ_uoiZ"
PASSWORDS = {"tm": "tm-password-1", "prac": "prac-password-1", "boss": "boss-password-1"}

PAGE = textwrap.dedent("""
    import streamlit as st
    from auth import Role, require_user, sign_out_button

    user = require_user("Test page", {Role.TEAM_MANAGER, Role.SENIOR_LEADER})
    sign_out_button()
    shown = "all" if user.scope.all_access else ",".join(sorted(user.scope.children))
    st.markdown(f"DATA user={user.username} role={user.role.value} children={shown}")
""")


def users_yaml(path: Path, passwords: dict[str, str] = PASSWORDS) -> None:
    users = {
        "tm": {"name": "Team Manager", "role": "team_manager", "worker_id": "W2"},
        "prac": {"name": "Practitioner", "role": "practitioner", "worker_id": "W1"},
        "boss": {"name": "Boss", "role": "senior_leader"},
    }
    for name, entry in users.items():
        entry["password"] = hash_password(passwords[name], rounds=4)
    path.write_text(yaml.safe_dump({"credentials": {"usernames": users}}), encoding="utf-8")


@dataclass
class Portal:
    config: Path
    users: Path
    database: str

    @property
    def audit(self) -> AuditLog:
        return AuditLog(self.database)


@pytest.fixture(scope="module")
def extract(tmp_path_factory) -> tuple[str, Path]:
    folder = tmp_path_factory.mktemp("auth-extract")
    url = write_source(folder / "source.sqlite", minimal_source_tables())
    cache = folder / "cache"
    refresh(load_config(write_config(folder, source_url=url, cache_folder=cache)))
    return url, cache


def make_portal(tmp_path: Path, extract, monkeypatch, **auth) -> Portal:
    url, cache = extract
    users = tmp_path / "users.yaml"
    users_yaml(users)
    database = f"sqlite:///{tmp_path / 'audit' / 'portal.sqlite'}"
    settings = {"backend": "password", "credentials": str(users), "database": database,
                "lockout_seconds": 60, "failure_window_seconds": 60} | auth
    lines = "\n".join(f"{k} = {v!r}" if not isinstance(v, str) else f'{k} = "{v}"' for k, v in settings.items())
    config = write_config(tmp_path, source_url=url, cache_folder=cache, extra=f"\n[auth]\n{lines}\n")
    monkeypatch.setenv("PORTAL_CONFIG", str(config))
    return Portal(config, users, database)


@pytest.fixture()
def portal(tmp_path, extract, monkeypatch) -> Portal:
    return make_portal(tmp_path, extract, monkeypatch)


@pytest.fixture()
def cookies(monkeypatch) -> list[tuple[str, str, int]]:
    """Cookies the page asked the browser to set or delete (name, value, max_age)."""
    written: list[tuple[str, str, int]] = []
    original = backends._render_cookie

    def capture(container, name, value, max_age):
        written.append((name, value, max_age))
        original(container, name, value, max_age)

    monkeypatch.setattr(backends, "_render_cookie", capture)
    return written


def open_page(secret: str | None = GOOD_KEY) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=30)
    if secret is not None:
        at.secrets["auth_cookie_key"] = secret
    else:
        # AppTest reads the real .streamlit/secrets.toml unless given secrets: give it some
        # without the key, so "no key" is really tested on a machine that has one.
        at.secrets["unrelated_setting"] = "x"
    at.run()
    assert not at.exception, at.exception
    return at


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="auth_username").input(username)
    at.text_input(key="auth_password").input(password)
    at.button(key="auth_submit").click()
    at.run()
    assert not at.exception, at.exception
    return at


def data(at: AppTest) -> str | None:
    found = [m.value for m in at.markdown if m.value.startswith("DATA")]
    return found[0] if found else None


def has_form(at: AppTest) -> bool:
    return any(t.key == "auth_password" for t in at.text_input)


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_not_signed_in_shows_the_sign_in_form_and_no_data(portal):
    at = open_page()
    assert has_form(at)
    assert data(at) is None
    assert not at.sidebar.button  # no sign-out control for nobody


def test_good_password_signs_in_and_shows_the_scoped_data(portal, cookies):
    at = sign_in(open_page(), "TM", PASSWORDS["tm"])  # usernames are case-insensitive
    assert data(at) == "DATA user=tm role=team_manager children=P2"  # W2's team T2: P2 only
    assert not has_form(at)
    assert "auth_password" not in at.session_state  # no password kept in session state
    assert "Signed in as Team Manager" in " ".join(c.value for c in at.sidebar.caption)
    # the remember cookie: a signed token naming a server-side session, with the configured lifetime
    (name, token, max_age), = cookies
    assert name == "csc_portal_session" and max_age == 8 * 3600
    claims = jwt.decode(token, GOOD_KEY, algorithms=["HS256"])
    assert claims["sub"] == "tm" and claims["sid"]
    # the next interaction keeps the user signed in without a form
    at.run()
    assert data(at) and not has_form(at)
    events = portal.audit.query()
    assert list(events["action"]) == ["sign_in"] and events.iloc[0]["username"] == "tm"


def test_bad_password_is_refused(portal):
    at = sign_in(open_page(), "tm", "wrong")
    assert "not right" in errors(at)
    assert data(at) is None and has_form(at)
    assert list(portal.audit.query()["action"]) == ["sign_in_failed"]


def test_unknown_username_gets_the_same_answer(portal):
    at = sign_in(open_page(), "nobody", "whatever")
    assert errors(at) == "The username or password is not right."
    assert portal.audit.query().iloc[0]["username"] == "(unknown user)"


def test_five_failures_lock_the_username_even_for_the_right_password(portal):
    at = open_page()
    for i in range(5):
        sign_in(at, "tm", f"wrong-{i}")
    assert "locked" in errors(at)
    at = sign_in(at, "tm", PASSWORDS["tm"])
    assert "Too many failed sign-in attempts" in errors(at)
    assert data(at) is None
    # a new browser session does not reset it (the lockout lives on the server)
    fresh = sign_in(open_page(), "tm", PASSWORDS["tm"])
    assert "Too many failed sign-in attempts" in errors(fresh) and data(fresh) is None
    # other usernames are not affected
    assert data(sign_in(open_page(), "boss", PASSWORDS["boss"])) == "DATA user=boss role=senior_leader children=all"
    actions = list(portal.audit.query(username="tm")["action"])
    assert actions.count("sign_in_failed") == 5 and actions.count("locked_out") == 3
    assert "sign_in" not in actions


def test_lockout_expires(tmp_path, extract, monkeypatch):
    portal = make_portal(tmp_path, extract, monkeypatch, max_failures=2, lockout_seconds=0.5)
    at = open_page()
    sign_in(at, "tm", "wrong")
    sign_in(at, "tm", "wrong")
    assert "Too many failed" in errors(sign_in(at, "tm", PASSWORDS["tm"]))
    time.sleep(0.6)
    assert data(sign_in(at, "tm", PASSWORDS["tm"]))
    assert portal.audit.query(action="sign_in", username="tm").shape[0] == 1


def test_a_role_the_page_does_not_allow_is_refused(portal):
    at = sign_in(open_page(), "prac", PASSWORDS["prac"])
    assert [w.value for w in at.warning] == [NOT_AVAILABLE]
    assert data(at) is None and not has_form(at)
    assert any(b.key == "auth_sign_out" for b in at.sidebar.button)  # can still sign out


def test_sign_out_ends_the_session(portal, cookies):
    at = sign_in(open_page(), "tm", PASSWORDS["tm"])
    token = cookies[-1][1]
    at.sidebar.button(key="auth_sign_out").click()
    at.run()
    assert not at.exception
    assert has_form(at) and data(at) is None
    assert "_auth_session" not in at.session_state and "_auth_account" not in at.session_state
    assert cookies[-1] == ("csc_portal_session", "", 0)  # the browser cookie is deleted
    assert list(portal.audit.query()["action"]) == ["sign_out", "sign_in"]
    # a refresh / back button arrives with the old cookie: the server has revoked its session
    backends_cookie = {"csc_portal_session": token}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(backends, "cookie_value", backends_cookie.get)
        again = open_page()
        assert has_form(again) and data(again) is None


def test_cookie_signs_a_new_session_in_until_sign_out(portal, cookies, monkeypatch):
    sign_in(open_page(), "tm", PASSWORDS["tm"])
    token = cookies[-1][1]
    monkeypatch.setattr(backends, "cookie_value", {"csc_portal_session": token}.get)
    at = open_page()  # a new tab: signed in from the cookie, no form
    assert data(at) == "DATA user=tm role=team_manager children=P2" and not has_form(at)
    at.sidebar.button(key="auth_sign_out").click()
    at.run()
    assert has_form(at) and data(at) is None  # the request cookie of this tab is ignored now
    assert has_form(open_page())  # and refused in any new tab
    methods = [f for f in portal.audit.query(action="sign_in")["filters"]]
    assert methods == ['{"method": "cookie"}', '{"method": "password"}']


def test_forged_or_foreign_cookie_is_refused(portal, monkeypatch):
    foreign_key = "another-apps-key-of-sufficient-length-0123456789"
    forged = jwt.encode({"sub": "boss", "sid": "x", "exp": int(time.time()) + 3600}, foreign_key, algorithm="HS256")
    monkeypatch.setattr(backends, "cookie_value", {"csc_portal_session": forged}.get)
    assert has_form(open_page())
    # right key, but no such server-side session
    minted = jwt.encode({"sub": "boss", "sid": "made-up", "exp": int(time.time()) + 3600}, GOOD_KEY, algorithm="HS256")
    monkeypatch.setattr(backends, "cookie_value", {"csc_portal_session": minted}.get)
    assert has_form(open_page())


def test_session_expires_in_an_open_tab(tmp_path, extract, monkeypatch):
    make_portal(tmp_path, extract, monkeypatch, session_hours=1.5 / 3600)
    at = sign_in(open_page(), "tm", PASSWORDS["tm"])
    assert data(at)
    time.sleep(1.7)
    at.run()
    assert has_form(at) and data(at) is None
    assert "session has ended" in " ".join(i.value for i in at.info)


def test_password_change_ends_existing_sessions(portal):
    at = sign_in(open_page(), "tm", PASSWORDS["tm"])
    assert data(at)
    time.sleep(0.01)
    users_yaml(portal.users, PASSWORDS | {"tm": "a-new-password"})
    at.run()
    assert has_form(at) and data(at) is None


@pytest.mark.parametrize("secret", [None, "", "some_key", "too-short-key", "some_key_some_key_some_key_some_key"])
def test_refuses_to_start_without_a_good_secret_key(portal, secret):
    at = open_page(secret)
    assert "Sign-in is not configured" in errors(at) and "auth_cookie_key" in errors(at)
    assert not has_form(at) and data(at) is None
    if secret:
        assert secret not in errors(at)


def test_refuses_to_start_without_accounts(portal):
    portal.users.unlink()
    at = open_page()
    assert "no user accounts" in errors(at) and not has_form(at) and data(at) is None


def test_plain_text_passwords_are_refused(portal):
    portal.users.write_text(yaml.safe_dump({"credentials": {"usernames": {
        "tm": {"role": "team_manager", "worker_id": "W2", "password": "tm-password-1"}}}}))
    at = open_page()
    assert "bcrypt" in errors(at) and not has_form(at)
    assert "tm-password-1" not in errors(at)
