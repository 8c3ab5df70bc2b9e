"""The frame every page sits in: tier banner, viewer, "data as at" stamp, scoped tables."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data_access.cache import LoadedCache
from data_access.config import PortalConfig
from data_access.live import current_cache, get_config, scoped_tables
from metrics.settings import MetricSettings
from ui.viewer import Viewer, current_viewer


@dataclass(frozen=True)
class Tier:
    key: str
    name: str
    long_name: str
    colour: str
    badge: str
    audience: str


TIERS = {
    t.key: t
    for t in (
        Tier("client", "Client", "Individual client level", "#6f3f9a", "🟣",
             "Business support, social workers, managers"),
        Tier("worker", "Worker", "Worker / operational", "#00703c", "🟢",
             "Social workers, business support, managers"),
        Tier("management", "Management", "Management", "#d4601c", "🟠",
             "Team managers, service managers"),
        Tier("strategic", "Strategic", "Strategic", "#1d70b8", "🔵",
             "Heads of service, senior leaders, elected members"),
    )
}


@dataclass(frozen=True)
class PageContext:
    config: PortalConfig
    cache: LoadedCache
    viewer: Viewer
    tables: dict[str, pd.DataFrame]
    settings: MetricSettings

    @property
    def as_at(self) -> pd.Timestamp:
        return self.cache.as_at


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


def start_page(tier_key: str, title: str, caption: str | None = None) -> PageContext:
    """Draw the page's header and return what the page may use. Stops the page with a helpful
    message when there is no data yet."""
    viewer = current_viewer()
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
    st.caption(f"{data_stamp(cache)} · {config.authority_name} · viewing as {viewer.display_name}")
    tables = scoped_tables(cache, viewer.scope)
    settings = MetricSettings.from_config(config.measures, config.targets)
    return PageContext(config, cache, viewer, tables, settings)
