"""The two sign-in backends, chosen by ``[auth] backend`` in the portal config.

``password`` — accounts in a YAML file of bcrypt hashes (:mod:`auth.credentials`). We draw our own
``st.form`` and use streamlit-authenticator 0.4.2 only for its bcrypt ``Hasher``: its ``login``
widget verifies the password before any hook could check our lockout, keeps its failure counter in
the credentials dict (per session, or permanent when persisted), writes the YAML back on every
attempt, defaults the cookie key to ``some_key`` and cannot revoke a cookie. Instead:

- the server-side :class:`~auth.lockout.LockoutStore` is checked *before* the password is
  verified, and failures are recorded after;
- a sign-in creates a server-side session (:class:`~auth.sessions.SessionStore`); the browser
  cookie holds a token ``{sub, sid, iat, exp}`` signed (HS256) with ``st.secrets["auth_cookie_key"]``
  and is only honoured while the server-side session is open, unexpired and issued for the current
  password hash;
- signing out revokes that session, clears all session state and deletes the cookie, so back,
  refresh or a copied cookie do not sign back in.

``oidc`` — Streamlit's own ``st.login`` / ``st.user`` / ``st.logout`` (Entra ID or any OpenID
Connect provider, configured in ``.streamlit/secrets.toml``). The portal role comes from a claim
(``roles`` by default: Entra app roles) through a configurable mapping, and the worker from the
e-mail claim through ``[auth.oidc.workers]`` (the SSD's ``ssd_professionals`` has no e-mail
column) or from a claim carrying the worker ID. The claim mapping is plain functions below.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

import jwt
import streamlit as st

from auth.audit import AuditLog
from auth.credentials import Account, CredentialsError, load_accounts, verify_password
from auth.identity import Role
from auth.keys import SECRET_NAME, key_problem, read_secret
from auth.lockout import LockoutStore, normalise_username
from auth.sessions import SessionStore, credential_fingerprint
from auth.settings import AuthSettings, OidcSettings

# Session-state keys (all prefixed, all removed at sign-out).
K_SESSION = "_auth_session"  # {"username", "sid"} of the signed-in password session
K_SIGNED_OUT = "_auth_signed_out"  # this tab signed out: ignore the (stale) request cookie
K_DELETE_COOKIE = "_auth_delete_cookie"  # delete the browser cookie at the next run
K_NOTICE = "_auth_notice"  # a message for the sign-in form ("your session has ended")
K_OIDC_AUDITED = "_auth_oidc_audited"  # the OIDC user whose sign-in this session has logged

UNKNOWN_USER = "(unknown user)"
TOKEN_ALGORITHM = "HS256"


class NoAccessError(Exception):
    """Signed in with the identity provider, but with no role in this portal."""


@dataclass(frozen=True)
class Stores:
    lockout: LockoutStore
    sessions: SessionStore
    audit: AuditLog


@lru_cache(maxsize=8)
def _stores(url: str, max_failures: int, window: float, lockout: float) -> Stores:
    return Stores(
        lockout=LockoutStore(url, max_failures=max_failures, window_seconds=window, lockout_seconds=lockout),
        sessions=SessionStore(url),
        audit=AuditLog(url),
    )


def stores_for(settings: AuthSettings) -> Stores:
    return _stores(settings.database, settings.max_failures, settings.failure_window_seconds,
                   settings.lockout_seconds)


def _minutes(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def cookie_value(name: str) -> str | None:
    """The request cookie ``name`` (sent when this browser tab opened), if any."""
    try:
        value = st.context.cookies.get(name)
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


def _cookie_script(name: str, value: str, max_age: int) -> str:
    # Set from the page (Streamlit offers no server-side Set-Cookie), so not HttpOnly: the cookie
    # is worthless without its open server-side session, which sign-out and expiry close.
    assignment = json.dumps(f"{name}={value}; Path=/; Max-Age={int(max_age)}; SameSite=Strict")
    return ("<script>(function(){var s=location.protocol==='https:'?'; Secure':'';"
            f"document.cookie={assignment}+s;}})();</script>")


def _render_cookie(container, name: str, value: str, max_age: int) -> None:
    container.html(_cookie_script(name, value, max_age), unsafe_allow_javascript=True, width=1)


class Backend:
    name = "?"

    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self.stores = stores_for(settings)

    def configuration_problem(self) -> str | None:
        raise NotImplementedError

    def current_account(self) -> Account | None:
        raise NotImplementedError

    def sign_in(self, page_title: str) -> Account | None:
        raise NotImplementedError

    def sign_out(self, account: Account | None) -> None:
        raise NotImplementedError

    def _audit(self, account: Account | None, action: str, *, username: str | None = None,
               page: str | None = None, filters: Mapping[str, Any] | None = None) -> None:
        self.stores.audit.record(
            username=username or (account.username if account else UNKNOWN_USER),
            role=account.role.value if account else None,
            action=action, page=page, filters=filters,
        )


# ---------------------------------------------------------------------------------------------
# password


@dataclass(frozen=True)
class Attempt:
    account: Account | None
    message: str | None = None  # why the sign-in was refused
    token: str | None = None  # the signed cookie token on success
    sid: str | None = None  # the server-side session id on success


class PasswordBackend(Backend):
    name = "password"

    def signing_key(self) -> str | None:
        value = read_secret(SECRET_NAME)
        return value.strip() if key_problem(value) is None else None

    def configuration_problem(self) -> str | None:
        problem = key_problem(read_secret(SECRET_NAME))
        if problem:
            return (f"Sign-in is not configured: {problem}. An administrator sets it in "
                    "`.streamlit/secrets.toml` (a new one: `python -m auth new-key`).")
        try:
            load_accounts(self.settings.credentials)
        except CredentialsError as exc:
            return f"Sign-in is not configured: {exc}."
        return None

    def accounts(self) -> dict[str, Account]:
        return load_accounts(self.settings.credentials)

    def _session_ok(self, account: Account | None, sid: Any) -> bool:
        return account is not None and self.stores.sessions.is_valid(
            sid, account.username, credential_fingerprint(account.password_hash or ""))

    def current_account(self) -> Account | None:
        state = st.session_state.get(K_SESSION)
        if isinstance(state, Mapping):
            account = self.accounts().get(state.get("username"))
            if self._session_ok(account, state.get("sid")):
                return account
            # Expired, revoked (signed out elsewhere), password changed or user removed.
            for key in list(st.session_state.keys()):
                del st.session_state[key]
            st.session_state[K_NOTICE] = "Your session has ended. Please sign in again."
            st.session_state[K_SIGNED_OUT] = True
            st.session_state[K_DELETE_COOKIE] = True
            return None
        if st.session_state.get(K_SIGNED_OUT):
            return None  # the request cookie of this tab predates the sign-out
        token = cookie_value(self.settings.cookie_name)
        if token is None:
            return None
        account = self._account_from_token(token)
        if account is None:
            st.session_state[K_DELETE_COOKIE] = True
            return None
        return account

    def _account_from_token(self, token: str) -> Account | None:
        key = self.signing_key()
        if key is None:
            return None
        try:
            claims = jwt.decode(token, key, algorithms=[TOKEN_ALGORITHM],
                                options={"require": ["exp", "sub", "sid"]})
        except jwt.PyJWTError:
            return None
        account = self.accounts().get(normalise_username(claims.get("sub")))
        if not self._session_ok(account, claims.get("sid")):
            return None
        st.session_state[K_SESSION] = {"username": account.username, "sid": claims["sid"]}
        self._audit(account, "sign_in", filters={"method": "cookie"})  # a new tab resumed the session
        return account

    def attempt(self, username: str, password: str, page: str | None = None) -> Attempt:
        """One sign-in attempt, with the lockout checked before the password."""
        name = normalise_username(username)
        if not name or not password:
            return Attempt(None, "Enter your username and password.")
        account = self.accounts().get(name)
        lockout = self.stores.lockout
        if lockout.is_locked(name):
            self._audit(account, "locked_out", page=page)
            return Attempt(None, "Too many failed sign-in attempts for this username. "
                                 f"Try again in {_minutes(lockout.seconds_left(name))}.")
        if account is None or not verify_password(password, account.password_hash):
            locked = lockout.record_failure(name)
            self._audit(account, "sign_in_failed", page=page)
            if locked:
                self._audit(account, "locked_out", page=page)
                return Attempt(None, "The username or password is not right. Too many failed attempts: "
                                     f"this username is locked for {_minutes(lockout.lockout_seconds)}.")
            return Attempt(None, "The username or password is not right.")
        key = self.signing_key()
        if key is None:  # checked by the gate already; never sign in without a good key
            return Attempt(None, "Sign-in is not configured.")
        lockout.record_success(name)
        lifetime = self.settings.session_hours * 3600
        sid, expires = self.stores.sessions.create(
            account.username, credential_fingerprint(account.password_hash or ""), lifetime)
        token = jwt.encode({"sub": account.username, "sid": sid, "iat": int(time.time()),
                            "exp": int(expires)}, key, algorithm=TOKEN_ALGORITHM)
        self._audit(account, "sign_in", page=page, filters={"method": "password"})
        return Attempt(account, None, token, sid)

    def sign_in(self, page_title: str) -> Account | None:
        notice = st.session_state.pop(K_NOTICE, None)
        if st.session_state.pop(K_DELETE_COOKIE, False):
            _render_cookie(st, self.settings.cookie_name, "", 0)
        box = st.empty()
        with box.container():
            st.subheader("Sign in")
            st.caption(f"Sign in to see {page_title}.")
            if notice:
                st.info(notice)
            with st.form("auth_sign_in", clear_on_submit=True):
                username = st.text_input("Username", key="auth_username", autocomplete="username")
                password = st.text_input("Password", type="password", key="auth_password",
                                         autocomplete="current-password")
                submitted = st.form_submit_button("Sign in", key="auth_submit", type="primary")
            message = st.empty()
        if not submitted:
            return None
        result = self.attempt(username or "", password or "", page=page_title)
        st.session_state.pop("auth_password", None)  # keep no password in session state
        if result.account is None:
            message.error(result.message or "Sign-in failed.")
            return None
        for key in (K_SIGNED_OUT, K_NOTICE, K_DELETE_COOKIE):
            st.session_state.pop(key, None)
        st.session_state[K_SESSION] = {"username": result.account.username, "sid": result.sid}
        box.empty()
        _render_cookie(box, self.settings.cookie_name, result.token,
                       int(self.settings.session_hours * 3600))
        return result.account

    def sign_out(self, account: Account | None) -> None:
        state = st.session_state.get(K_SESSION)
        if isinstance(state, Mapping):
            self.stores.sessions.revoke(state.get("sid"))
        if account is not None:
            self._audit(account, "sign_out")
        st.session_state.clear()
        st.session_state[K_SIGNED_OUT] = True
        st.session_state[K_DELETE_COOKIE] = True


# ---------------------------------------------------------------------------------------------
# OIDC: pure claim mapping


def claim_values(claims: Mapping[str, Any], claim: str) -> list[str]:
    """A claim as a list of strings: a list as is, a string split on spaces and commas."""
    value = claims.get(claim)
    if value is None:
        return []
    if isinstance(value, str):
        return [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    return [str(value).strip()]


def role_from_claims(claims: Mapping[str, Any], role_claim: str = "roles",
                     mapping: Mapping[str, Role | str] | None = None) -> Role | None:
    """The portal role: the broadest role any claim value maps to (None when none does).
    Matching is exact first, then case-insensitive."""
    if mapping is None:
        mapping = {r.value: r for r in Role}
    exact = {str(k): Role.parse(v) for k, v in mapping.items()}
    folded = {k.lower(): v for k, v in exact.items()}
    found = [exact.get(v) or folded.get(v.lower()) for v in claim_values(claims, role_claim)]
    found = [r for r in found if r is not None]
    return max(found, key=lambda r: r.rank) if found else None


def email_from_claims(claims: Mapping[str, Any], email_claim: str = "email") -> str | None:
    """The user's e-mail, lower-case (Entra ID may send it as ``preferred_username`` or ``upn``)."""
    for claim in (email_claim, "email", "preferred_username", "upn"):
        value = claims.get(claim)
        if isinstance(value, str) and "@" in value:
            return value.strip().lower()
    return None


def worker_from_claims(claims: Mapping[str, Any], oidc: OidcSettings) -> str | None:
    """The SSD worker ID: from ``worker_claim`` when configured and present, else the e-mail
    looked up in ``[auth.oidc.workers]``."""
    if oidc.worker_claim:
        values = claim_values(claims, oidc.worker_claim)
        if values:
            return values[0]
    email = email_from_claims(claims, oidc.email_claim)
    return oidc.workers.get(email) if email else None


def account_from_claims(claims: Mapping[str, Any], oidc: OidcSettings) -> Account:
    """The portal account for an identity token's claims; NoAccessError when it has no role."""
    email = email_from_claims(claims, oidc.email_claim)
    username = email or (str(claims["sub"]).strip() if claims.get("sub") else None)
    if not username:
        raise NoAccessError("Your sign-in did not say who you are (no e-mail or subject claim).")
    role = role_from_claims(claims, oidc.role_claim, oidc.roles)
    if role is None:
        raise NoAccessError("Your account has no role in this portal. Ask your administrator for access.")
    name = claims.get("name")
    return Account(
        username=username,
        display_name=str(name).strip() if isinstance(name, str) and name.strip() else username,
        role=role,
        worker_id=worker_from_claims(claims, oidc),
        email=email,
        services=tuple(oidc.services.get(email, ())) if email else (),
    )


def session_expired(claims: Mapping[str, Any], max_hours: float, now: float | None = None) -> bool:
    """True when the identity token was issued more than ``max_hours`` ago (Streamlit keeps its
    identity cookie for 30 days and does not check ``iat``/``exp`` itself)."""
    iat = claims.get("iat")
    if not isinstance(iat, (int, float)) or isinstance(iat, bool):
        return False
    return (now if now is not None else time.time()) - float(iat) > max_hours * 3600


class OidcBackend(Backend):
    name = "oidc"

    def configuration_problem(self) -> str | None:
        try:
            import authlib  # noqa: F401  (st.login needs it)
        except ImportError:
            return "Sign-in is not configured: the OIDC backend needs Authlib (`pip install 'Authlib>=1.3.2'`)."
        auth = read_secret("auth")
        if not isinstance(auth, Mapping):
            return "Sign-in is not configured: `.streamlit/secrets.toml` has no [auth] section."
        problem = key_problem(auth.get("cookie_secret"), "[auth] cookie_secret")
        if problem:
            return f"Sign-in is not configured: {problem}."
        if not auth.get("redirect_uri"):
            return "Sign-in is not configured: [auth] redirect_uri is missing in `.streamlit/secrets.toml`."
        provider = self.settings.oidc.provider
        section = auth.get(provider) if provider else auth
        if not isinstance(section, Mapping):
            return f"Sign-in is not configured: [auth.{provider}] is missing in `.streamlit/secrets.toml`."
        missing = [k for k in ("client_id", "client_secret", "server_metadata_url") if not section.get(k)]
        if missing:
            return f"Sign-in is not configured: {', '.join(missing)} missing for the identity provider."
        return None

    def _claims(self) -> dict[str, Any]:
        try:
            return dict(st.user.to_dict())
        except Exception:
            return {}

    def current_account(self) -> Account | None:
        claims = self._claims()
        if not claims.get("is_logged_in"):
            return None
        if session_expired(claims, self.settings.session_hours):
            st.session_state.clear()
            st.logout()
            return None
        account = account_from_claims(claims, self.settings.oidc)  # NoAccessError: gate says so
        if st.session_state.get(K_OIDC_AUDITED) != account.username:
            self._audit(account, "sign_in", filters={"method": "oidc"})
            st.session_state[K_OIDC_AUDITED] = account.username
        return account

    def sign_in(self, page_title: str) -> Account | None:
        st.subheader("Sign in")
        st.caption(f"Sign in to see {page_title}.")
        if st.button(self.settings.oidc.button_label, key="auth_oidc_sign_in", type="primary"):
            st.login(self.settings.oidc.provider) if self.settings.oidc.provider else st.login()
        return None

    def sign_out(self, account: Account | None) -> None:
        if account is not None:
            self._audit(account, "sign_out")
        st.session_state.clear()
        st.logout()  # clears Streamlit's identity cookie and ends the provider session


def backend_for(settings: AuthSettings) -> Backend:
    return OidcBackend(settings) if settings.backend == "oidc" else PasswordBackend(settings)
