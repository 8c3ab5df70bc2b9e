"""The "children behind the figure" table every measure page shows: only children the viewer may
see, readable column names, filters, and an audited child-level download."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.downloads import download_table
from ui.frame import PageContext

# A page listing tasks or children in one section per worker switches to one count per worker above
# this many workers (a whole service or authority would be thousands of tables).
MAX_WORKER_SECTIONS = 25

LEAD = ["person_id", "child_name", "team", "worker"]
HIDDEN = {"group_id", "group", "service_id", "team_id", "worker_id", "period"}
NAMES = {"person_id": "Child ID", "child_name": "Child", "in_numerator": "Counted as met",
         "in_denominator": "Counted"}


# Tables longer than this go to the browser a thousand rows at a time as the reader scrolls or
# sorts (Streamlit's lazy dataframes) instead of whole: a whole authority's caseload or audit log was
# 9 MB per page view, which every viewer's browser then had to decode and lay out.
LAZY_ROWS = 2_000
LAZY_NOTE = ("Long list: rows load as you scroll, and a click on a column heading sorts the whole list. "
             "Narrow it with the choices above; the Excel download has every row.")


def data_table(data, **kwargs):
    """``st.dataframe``, with a table of more than :data:`LAZY_ROWS` rows loaded as the reader
    scrolls (unless the caller chose, or rows can be selected: Streamlit keeps those whole), and a
    line saying so. The rows sent are the rows given: the caller has already limited them to what
    the viewer may see, and Streamlit serves them to that browser session only."""
    long = (isinstance(data, pd.DataFrame) and len(data) > LAZY_ROWS and "lazy" not in kwargs
            and kwargs.get("on_select", "ignore") == "ignore")
    if long:
        kwargs["lazy"] = True
        st.caption(LAZY_NOTE)
    return st.dataframe(data, **kwargs)


def readable(column: str) -> str:
    return NAMES.get(column, column.replace("_", " ").capitalize())


def child_rows_table(ctx: PageContext, rows: pd.DataFrame, *, name: str, title: str,
                     notes: list[str] | None = None, key: str = "children_table") -> pd.DataFrame:
    visible = ctx.visible_rows(rows)
    if rows.empty:
        st.info("No children are counted in this figure for this period.")
        return visible
    if visible.empty:
        st.info("The children behind this figure are not in your caseload, so they are not listed here.")
        return visible
    show = st.segmented_control("Show", ["All", "Met", "Not met"], default="All", key=f"{key}_show")
    if "in_numerator" in visible and show == "Met":
        visible = visible[visible["in_numerator"]]
    elif "in_numerator" in visible and show == "Not met":
        visible = visible[visible["in_denominator"] & ~visible["in_numerator"]]
    cols = [c for c in LEAD if c in visible] + [c for c in visible.columns if c not in LEAD and c not in HIDDEN]
    table = visible[cols].rename(columns=readable)
    st.caption(f"{len(table):,} rows")
    date_cols = {c: st.column_config.DateColumn(format="DD/MM/YYYY") for c in table.columns
                 if pd.api.types.is_datetime64_any_dtype(table[c])}
    data_table(table, hide_index=True, key=key, column_config=date_cols)
    ctx.audit_list(visible, what=title)
    download_table(ctx, {"Children": table}, name=name, title=title, notes=notes, child_level=True)
    return visible
