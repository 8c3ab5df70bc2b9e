"""The door every page goes through: :func:`require_user`, called first, before any data.

    from auth import Role, require_user, sign_out_button

    user = require_user("Assessments", {Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.SENIOR_LEADER})
    sign_out_button()
    tables = scoped_tables(cache, user.scope)        # or user.aggregate_scope for figures

- Sign-in not configured (bad settings, weak or missing secret key, no accounts): ``st.error`` and
  ``st.stop()``: nothing else is drawn.
- Not signed in: the sign-in form (or the identity-provider button) and ``st.stop()``.
- Signed in with a role the page does not allow: "This page is not available to you." and
  ``st.stop()``.
- Signed in: the :class:`~auth.identity.User`, whose scopes are derived from the current extract
  and cached per (extract, account) in the session, so the next refresh is picked up at once.

Nothing here relies on ``app.py`` having run: a ``pages/`` file opened directly as the first
request of a fresh server is gated the same way.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable, Mapping, NoReturn

import streamlit as st

from data_access.scope import Scope

from auth.backends import Backend, NoAccessError, backend_for, stores_for
from auth.credentials import Account, CredentialsError
from auth.identity import NOTHING, OrgIndex, Role, User, build_org_index, derive_scope
from auth.settings import AuthSettings, SettingsError, load_settings

NOT_AVAILABLE = "This page is not available to you."
K_ACCOUNT = "_auth_account"  # the signed-in Account (for the sign-out button)
K_USER = "_auth_user"  # (extract folder, Account) -> User, for this session


def _refuse(message: str) -> NoReturn:
    st.error(message)
    st.stop()
    raise RuntimeError("unreachable")  # st.stop() outside a script run does not raise


def _settings_or_refuse() -> AuthSettings:
    try:
        return load_settings()
    except SettingsError as exc:
        _refuse(f"Sign-in is not configured: {exc}.")


def _backend() -> Backend:
    backend = backend_for(_settings_or_refuse())
    problem = backend.configuration_problem()
    if problem:
        _refuse(problem)
    return backend


def require_user(page_title: str, allowed_roles: Iterable[Role | str]) -> User:
    """The signed-in user, or draw sign-in / refusal and stop. Call it first on every page."""
    allowed = frozenset(Role.parse(r) for r in allowed_roles)
    backend = _backend()
    try:
        account = backend.current_account()
    except NoAccessError as exc:
        st.warning(str(exc))
        _sign_out_control(None, st.sidebar)
        st.stop()
        raise
    except CredentialsError as exc:
        _refuse(f"Sign-in is not configured: {exc}.")
    if account is None:
        from data_access.live import preload

        preload()  # read the extract while the user types (a no-op once it is loaded)
        account = backend.sign_in(page_title)
        if account is None:
            st.stop()
            raise RuntimeError("unreachable")
    account = replace(account, password_hash=None)  # the hash has no business in session state
    st.session_state[K_ACCOUNT] = account
    if account.role not in allowed:
        st.warning(NOT_AVAILABLE)
        sign_out_button()
        st.stop()
        raise RuntimeError("unreachable")
    return _user_for(account)


def current_user() -> User | None:
    """The signed-in user, or None, without drawing a form (for the navigation in ``app.py``,
    which decides which pages to list). Pages still call :func:`require_user` first."""
    backend = _backend()
    try:
        account = backend.current_account()
    except (NoAccessError, CredentialsError):
        return None
    if account is None:
        return None
    account = replace(account, password_hash=None)
    st.session_state[K_ACCOUNT] = account
    return _user_for(account)


@st.cache_resource(show_spinner=False, max_entries=2)
def _org_index(folder: str, _tables: Mapping) -> OrgIndex:
    # One per extract, shared by every session (read-only); holds the shared team/service scopes.
    return build_org_index(_tables)


def _user_for(account: Account) -> User:
    from data_access.live import current_cache

    cache = current_cache()
    key = (str(cache.folder) if cache is not None else None, account)
    cached = st.session_state.get(K_USER)
    if isinstance(cached, tuple) and len(cached) == 2 and cached[0] == key:
        return cached[1]
    if cache is None:  # no extract yet: nothing to see (a senior leader keeps full access)
        scope = aggregate = Scope.everything() if account.role is Role.SENIOR_LEADER else NOTHING
    else:
        scope, aggregate = derive_scope(
            account.role, account.worker_id, cache.tables, cache.as_at, account.services,
            index=_org_index(str(cache.folder), cache.tables) if account.role is not Role.SENIOR_LEADER else None,
        )
    user = User(
        username=account.username,
        display_name=account.display_name,
        role=account.role,
        worker_id=account.worker_id,
        email=account.email,
        scope=scope,
        aggregate_scope=aggregate,
    )
    st.session_state[K_USER] = (key, user)
    return user


def signed_in_user() -> User | None:
    """The user :func:`require_user` returned earlier in this session, if any (no checks: pages
    must still call :func:`require_user` first)."""
    cached = st.session_state.get(K_USER)
    return cached[1] if isinstance(cached, tuple) and len(cached) == 2 else None


def _sign_out() -> None:
    backend = backend_for(_settings_or_refuse())
    account = st.session_state.get(K_ACCOUNT)
    backend.sign_out(account if isinstance(account, Account) else None)


def _sign_out_control(account: Account | None, container) -> None:
    if account is not None:
        container.caption(f"Signed in as {account.display_name} · {account.role.label}")
    container.button("Sign out", key="auth_sign_out", icon=":material/logout:", on_click=_sign_out)


def sign_out_button(container: Any = None) -> None:
    """"Signed in as …" and a Sign out button (in the sidebar unless ``container`` is given).
    Signing out ends the server-side session, clears all session state and the cookie."""
    account = st.session_state.get(K_ACCOUNT)
    if not isinstance(account, Account):
        return
    _sign_out_control(account, container if container is not None else st.sidebar)


def audit_event(
    user: User,
    action: str,
    *,
    page: str,
    child_ids: Iterable[str] | str | None = None,
    filters: Mapping[str, Any] | None = None,
    row_count: int | None = None,
) -> None:
    """Write one audit row for ``user`` ("view_child", "list_children", "download", …). IDs
    and filter values only — never names or dates of birth. Raises if the audit database cannot
    be written (fail closed: a page should not show what it cannot record)."""
    stores_for(_settings_or_refuse()).audit.record(
        username=user.username, role=user.role.value, action=action, page=page,
        child_ids=child_ids, filters=filters, row_count=row_count,
    )
