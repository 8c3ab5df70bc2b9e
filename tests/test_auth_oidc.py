"""The OIDC backend: claim mapping as plain functions, its [auth.oidc] settings, and the gate with
a seeded st.user (no identity provider can run here)."""

from __future__ import annotations

import textwrap
import time

import pytest
from streamlit.testing.v1 import AppTest

from auth.backends import (
    NoAccessError, account_from_claims, claim_values, email_from_claims, role_from_claims,
    session_expired, worker_from_claims,
)
from auth.identity import Role
from auth.settings import OidcSettings, SettingsError, settings_from
from tests.test_auth_gate import PAGE, data, errors, extract  # noqa: F401  (module fixture)
from tests.conftest import write_config

ENTRA_ROLES = {"CSC.SocialWorker": "practitioner", "CSC.TeamManager": "team_manager",
               "CSC.HeadOfService": "head_of_service", "CSC.Performance": "senior_leader"}


def oidc(**kw) -> OidcSettings:
    base = {"roles": {k: Role(v) for k, v in ENTRA_ROLES.items()},
            "workers": {"jo.bloggs@council.gov.uk": "W2"}}
    return OidcSettings(**(base | kw))


def test_claim_values_accepts_lists_and_strings():
    assert claim_values({"roles": ["a", " b ", None, ""]}, "roles") == ["a", "b"]
    assert claim_values({"roles": "a b,c"}, "roles") == ["a", "b", "c"]
    assert claim_values({}, "roles") == []


def test_role_mapping_takes_the_broadest_mapped_role():
    s = oidc()
    assert role_from_claims({"roles": ["CSC.SocialWorker"]}, "roles", s.roles) is Role.PRACTITIONER
    assert role_from_claims({"roles": ["CSC.SocialWorker", "CSC.TeamManager", "Other"]}, "roles",
                            s.roles) is Role.TEAM_MANAGER
    assert role_from_claims({"roles": ["csc.headofservice"]}, "roles", s.roles) is Role.HEAD_OF_SERVICE
    assert role_from_claims({"roles": ["Unmapped"]}, "roles", s.roles) is None
    assert role_from_claims({"groups": ["CSC.Performance"]}, "groups", s.roles) is Role.SENIOR_LEADER
    # default mapping: the role names themselves
    assert role_from_claims({"roles": ["team_manager"]}) is Role.TEAM_MANAGER


def test_email_and_worker_mapping():
    s = oidc()
    assert email_from_claims({"email": "Jo.Bloggs@Council.gov.uk"}) == "jo.bloggs@council.gov.uk"
    assert email_from_claims({"preferred_username": "jo.bloggs@council.gov.uk"}) == "jo.bloggs@council.gov.uk"
    assert email_from_claims({"name": "Jo"}) is None
    assert worker_from_claims({"email": "JO.BLOGGS@council.gov.uk"}, s) == "W2"
    assert worker_from_claims({"email": "stranger@council.gov.uk"}, s) is None
    by_claim = oidc(worker_claim="employee_id")
    assert worker_from_claims({"employee_id": "W9", "email": "jo.bloggs@council.gov.uk"}, by_claim) == "W9"
    assert worker_from_claims({"email": "jo.bloggs@council.gov.uk"}, by_claim) == "W2"  # falls back


def test_account_from_claims():
    s = oidc(services={"sam@council.gov.uk": ("S1",)})
    acc = account_from_claims({"email": "jo.bloggs@council.gov.uk", "name": "Jo Bloggs",
                               "roles": ["CSC.TeamManager"]}, s)
    assert (acc.username, acc.display_name, acc.role, acc.worker_id, acc.email) == (
        "jo.bloggs@council.gov.uk", "Jo Bloggs", Role.TEAM_MANAGER, "W2", "jo.bloggs@council.gov.uk")
    head = account_from_claims({"email": "sam@council.gov.uk", "roles": "CSC.HeadOfService"}, s)
    assert head.services == ("S1",) and head.worker_id is None
    with pytest.raises(NoAccessError):
        account_from_claims({"email": "x@council.gov.uk", "roles": ["Unmapped"]}, s)
    with pytest.raises(NoAccessError):
        account_from_claims({"roles": ["CSC.TeamManager"]}, s)


def test_session_age():
    now = time.time()
    assert session_expired({"iat": now - 9 * 3600}, 8, now)
    assert not session_expired({"iat": now - 3600}, 8, now)
    assert not session_expired({}, 8, now)


def test_oidc_settings_from_toml(tmp_path):
    raw = {"auth": {"backend": "oidc", "oidc": {
        "provider": "microsoft", "role_claim": "roles",
        "roles": ENTRA_ROLES, "workers": {"Jo.Bloggs@Council.gov.uk": "W2"},
        "services": {"sam@council.gov.uk": ["S1", "S2"]},
    }}}
    s = settings_from(raw, tmp_path / "config.toml")
    assert s.backend == "oidc" and s.oidc.provider == "microsoft"
    assert s.oidc.roles["CSC.TeamManager"] is Role.TEAM_MANAGER
    assert s.oidc.workers == {"jo.bloggs@council.gov.uk": "W2"}
    assert s.oidc.services == {"sam@council.gov.uk": ("S1", "S2")}
    assert s.database == f"sqlite:///{(tmp_path / 'audit' / 'portal.sqlite').resolve()}"
    with pytest.raises(SettingsError):
        settings_from({"auth": {"oidc": {"roles": {"X": "admin"}}}}, tmp_path / "config.toml")
    with pytest.raises(SettingsError):
        settings_from({"auth": {"backend": "ldap"}}, tmp_path / "config.toml")


OIDC_SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "Xk2-pQ9vLm4RtY7wZs1BnC8dFg3HjK6e",
    "client_id": "id", "client_secret": "secret-value",
    "server_metadata_url": "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration",
}


@pytest.fixture()
def oidc_portal(tmp_path, extract, monkeypatch):  # noqa: F811
    url, cache = extract
    extra = textwrap.dedent(f"""
        [auth]
        backend = "oidc"
        database = "sqlite:///{tmp_path / 'portal.sqlite'}"
        [auth.oidc.roles]
        "CSC.TeamManager" = "team_manager"
        "CSC.SocialWorker" = "practitioner"
        [auth.oidc.workers]
        "jo.bloggs@council.gov.uk" = "W2"
    """)
    config = write_config(tmp_path, source_url=url, cache_folder=cache, extra=extra)
    monkeypatch.setenv("PORTAL_CONFIG", str(config))
    return config


def oidc_page(user: dict | None, secrets: dict = OIDC_SECRETS) -> AppTest:
    at = AppTest.from_string(PAGE, default_timeout=30)
    at.secrets["auth"] = dict(secrets)
    if user is not None:
        for k, v in user.items():
            at.user[k] = v
    at.run()
    assert not at.exception, at.exception
    return at


def test_oidc_signed_out_shows_the_provider_button_and_no_data(oidc_portal):
    at = oidc_page({"is_logged_in": False})
    assert any(b.key == "auth_oidc_sign_in" for b in at.button)
    assert data(at) is None


def test_oidc_user_gets_role_and_worker_from_claims(oidc_portal):
    at = oidc_page({"is_logged_in": True, "email": "jo.bloggs@council.gov.uk", "name": "Jo Bloggs",
                    "roles": ["CSC.TeamManager"]})
    assert data(at) == "DATA user=jo.bloggs@council.gov.uk role=team_manager children=P2"


def test_oidc_disallowed_role_and_unmapped_role(oidc_portal):
    at = oidc_page({"is_logged_in": True, "email": "jo.bloggs@council.gov.uk", "roles": ["CSC.SocialWorker"]})
    assert [w.value for w in at.warning] == ["This page is not available to you."] and data(at) is None
    at = oidc_page({"is_logged_in": True, "email": "jo.bloggs@council.gov.uk", "roles": ["Other"]})
    assert "no role in this portal" in " ".join(w.value for w in at.warning) and data(at) is None


def test_oidc_refuses_a_weak_cookie_secret(oidc_portal):
    at = oidc_page({"is_logged_in": True, "email": "jo.bloggs@council.gov.uk", "roles": ["CSC.TeamManager"]},
                   OIDC_SECRETS | {"cookie_secret": "xxx"})
    assert "cookie_secret" in errors(at) and data(at) is None


def test_oidc_sign_out_logs_out_and_clears_the_session(oidc_portal):
    at = oidc_page({"is_logged_in": True, "email": "jo.bloggs@council.gov.uk", "roles": ["CSC.TeamManager"]})
    assert data(at)
    at.sidebar.button(key="auth_sign_out").click()
    at.run()
    assert not at.exception
    assert data(at) is None and any(b.key == "auth_oidc_sign_in" for b in at.button)
    from auth.audit import AuditLog
    from auth.settings import load_settings

    actions = list(AuditLog(load_settings(oidc_portal).database).query()["action"])
    assert actions == ["sign_out", "sign_in"]
