"""Home: what the portal is, the four tiers (the reports the user's role may open), the data's date."""

from __future__ import annotations

import streamlit as st

from data_access.live import current_cache, get_config
from ui.catalogue import report_list
from ui.frame import TIERS, data_stamp, scope_caption, sign_in

user = sign_in("Home")
config = get_config()
st.title("Children's services performance")
st.markdown(
    f"Self-service reports for **{config.authority_name}**, in four tiers: from one child's summary "
    "to the authority's trends against national benchmarks. Every figure says how it is calculated, "
    "and every figure can be opened to show the children behind it (within what you may see)."
)
cache = current_cache()
if cache is None:
    st.info("No data has been loaded yet: an administrator runs `python -m data_access refresh`.")
else:
    st.caption(f"{data_stamp(cache)} · {user.display_name} ({user.role.label}): {scope_caption(user)}")
cols = st.columns(4)
for col, tier in zip(cols, TIERS.values()):
    with col.container(border=True):
        st.markdown(
            f"<div style='border-top:6px solid {tier.colour};padding-top:6px'>"
            f"<b style='color:{tier.colour}'>{tier.badge} {tier.long_name}</b></div>",
            unsafe_allow_html=True,
        )
        st.caption(tier.audience)
        report_list(tier.key, user)
