"""The frame every page sits in: sign-in gate, tier banner, "data as at" stamp, scoped tables.

Every page calls :func:`start_page` first. It asks :func:`auth.require_user` (which draws the
sign-in form, or refuses a role the page does not allow, and stops) *before* any data is read, so a
``pages/`` file opened by URL on a fresh server is gated the same way as through the navigation.

Two views of the cache come back, both already limited by :func:`data_access.scope.apply_scope`:

- ``ctx.tables``: the rows the user may see child by child (record scope), for lists and records;
- ``ctx.aggregate_tables``: the rows the user's *figures* may count (for a practitioner, the whole
  team), for measures. Child-level rows from a measure go through :meth:`PageContext.visible_rows`
  before they are shown or downloaded.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import pandas as pd
import streamlit as st

from auth import Role, User, audit_event, require_user, sign_out_button
from data_access.cache import LoadedCache
from data_access.config import PortalConfig
from data_access.live import current_cache, get_config, scoped_tables
from metrics.settings import MetricSettings


@dataclass(frozen=True)
class Tier:
    key: str
    name: str
    long_name: str
    colour: str
    badge: str
    audience: str
    roles: frozenset[Role]


_EVERYONE = frozenset(Role)
_MANAGERS = frozenset({Role.TEAM_MANAGER, Role.HEAD_OF_SERVICE, Role.SENIOR_LEADER})
_LEADERS = frozenset({Role.HEAD_OF_SERVICE, Role.SENIOR_LEADER})

TIERS = {
    t.key: t
    for t in (
        Tier("client", "Client", "Individual client level", "#6f3f9a", "🟣",
             "Business support, social workers, managers", _EVERYONE),
        Tier("worker", "Worker", "Worker / operational", "#00703c", "🟢",
             "Social workers, business support, managers", _EVERYONE),
        Tier("management", "Management", "Management", "#d4601c", "🟠",
             "Team managers, service managers", _MANAGERS),
        Tier("strategic", "Strategic", "Strategic", "#1d70b8", "🔵",
             "Heads of service, senior leaders, elected members", _LEADERS),
    )
}

PERSON_COLUMN = "person_id"
# Set by app.py when it built the navigation for a signed-out visitor.
NAV_SIGNED_OUT = "_nav_signed_out"
MENU_DRAWN = "_menu_drawn"  # app.py drew the menu in this run (same key as ui.nav.MENU_DRAWN)


@dataclass(frozen=True)
class PageContext:
    config: PortalConfig
    cache: LoadedCache
    viewer: User
    tables: dict[str, pd.DataFrame]
    aggregate_tables: dict[str, pd.DataFrame]
    settings: MetricSettings
    page: str
    filters: dict[str, Any] = field(default_factory=dict)

    @property
    def as_at(self) -> pd.Timestamp:
        return self.cache.as_at

    @property
    def sees_everything(self) -> bool:
        return self.viewer.scope.all_access

    def may_see_child(self, person_id: str) -> bool:
        return self.viewer.scope.allows_child(str(person_id))

    def visible_rows(self, rows: pd.DataFrame, column: str = PERSON_COLUMN) -> pd.DataFrame:
        """Child-level rows limited to the children this user may see one by one."""
        if self.viewer.scope.all_access or rows.empty:
            return rows
        if column not in rows:
            return rows.iloc[0:0]
        allowed = self.viewer.scope.children
        keep = [isinstance(v, str) and v in allowed for v in rows[column].tolist()]
        return rows[keep]

    def audit(self, action: str, *, child_ids: Iterable[str] | str | None = None,
              row_count: int | None = None, filters: Mapping[str, Any] | None = None,
              once: bool = True) -> None:
        """Write one audit row. With ``once`` (default) the same event is written once per
        session, not on every rerun of the page."""
        ids = [child_ids] if isinstance(child_ids, str) else sorted({str(c) for c in (child_ids or [])})
        merged = {**self.filters, **(filters or {})}
        if once:
            digest = hashlib.sha256(
                json.dumps([action, self.page, ids, merged, row_count], sort_keys=True, default=str).encode()
            ).hexdigest()
            seen = st.session_state.setdefault("_audit_written", set())
            if digest in seen:
                return
        audit_event(self.viewer, action, page=self.page, child_ids=ids or None, filters=merged or None,
                    row_count=row_count)
        if once:
            seen.add(digest)

    def audit_list(self, rows: pd.DataFrame, *, what: str, column: str = PERSON_COLUMN) -> None:
        """Record that a list of children was shown (IDs only)."""
        ids = rows[column].dropna().astype(str).unique().tolist() if column in rows else []
        self.audit("list_children", child_ids=ids, row_count=len(rows), filters={"list": what})


def tier_banner(tier_key: str, title: str) -> None:
    tier = TIERS[tier_key]
    st.markdown(
        f"<div style='border-left:8px solid {tier.colour};padding:2px 12px;margin-bottom:4px'>"
        f"<span style='color:{tier.colour};font-weight:600;text-transform:uppercase;"
        f"letter-spacing:.05em;font-size:.8rem'>{tier.long_name} tier</span></div>",
        unsafe_allow_html=True,
    )
    st.title(title)


def data_stamp(cache: LoadedCache) -> str:
    extracted = cache.extract_time.strftime("%d %b %Y %H:%M UTC")
    return f"Data as at **{cache.as_at:%d %B %Y}** (extracted {extracted})"


def sign_in(page_title: str, roles: Iterable[Role] = _EVERYONE) -> User:
    """The signed-in user allowed on this page (or the sign-in form / refusal, and stop), with
    "Signed in as" and Sign out in the sidebar."""
    if not (st.session_state.get(MENU_DRAWN) or st.session_state.get(NAV_SIGNED_OUT)):
        # Served directly by Streamlit (a fresh server's first request to a pages/ file): app.py
        # has not set the page up, so do it here (wide layout, the portal's title).
        st.set_page_config(page_title=f"{page_title} · Children's services performance",
                           page_icon=":material/monitoring:", layout="wide")
    user = require_user(page_title, roles)
    if st.session_state.pop(NAV_SIGNED_OUT, False):
        # This run began signed out (app.py listed no pages); run again so the navigation shows
        # the pages of the user's role, on the page the user asked for.
        st.rerun()
    if not st.session_state.pop(MENU_DRAWN, False):
        # Served directly by Streamlit (not through app.py): draw the menu here.
        from ui.nav import draw_menu

        draw_menu(user)
    sign_out_button()
    return user


def scope_caption(user: User) -> str:
    if user.scope.all_access:
        return "you can see the whole authority"
    if user.role is Role.PRACTITIONER:
        return "figures cover your team; children listed are those allocated to you"
    if user.role is Role.TEAM_MANAGER:
        return "you can see your team"
    return "you can see your service"


def start_page(tier_key: str, title: str, caption: str | None = None, *,
               roles: Iterable[Role] | None = None) -> PageContext:
    """Gate the page, draw its header and return what the page may use. Stops the page with a
    helpful message when there is no data yet."""
    tier = TIERS[tier_key]
    user = sign_in(title, roles if roles is not None else tier.roles)
    config = get_config()
    tier_banner(tier_key, title)
    if caption:
        st.caption(caption)
    cache = current_cache()
    if cache is None:
        st.info(
            "No data has been loaded yet. An administrator runs `python -m data_access refresh` "
            "to extract the source database into the portal's cache."
        )
        st.stop()
    st.caption(f"{data_stamp(cache)} · {config.authority_name} · {user.display_name} "
               f"({user.role.label}): {scope_caption(user)}")
    tables = scoped_tables(cache, user.scope)
    aggregate = tables if user.aggregate_scope == user.scope else scoped_tables(cache, user.aggregate_scope)
    settings = MetricSettings.from_config(config.measures, config.targets)
    return PageContext(config, cache, user, tables, aggregate, settings, page=title)
