"""Excel and CSV downloads of the tables a page shows. Workbooks are built only when clicked."""

from __future__ import annotations

from typing import Mapping

import pandas as pd
import streamlit as st

from ui.excel import workbook_bytes
from ui.frame import PageContext, data_stamp


def download_table(ctx: PageContext, sheets: Mapping[str, pd.DataFrame], *, name: str, title: str,
                   notes: list[str] | None = None, percent_columns: tuple[str, ...] = (),
                   child_level: bool = False) -> None:
    """Two buttons under a table: a formatted Excel workbook and a CSV of the first sheet."""
    stamp = data_stamp(ctx.cache).replace("**", "")
    about = [stamp, f"{ctx.config.authority_name}", *(notes or [])]
    if child_level:
        about.append("OFFICIAL-SENSITIVE: contains personal data about children. Store and share securely.")
    first = next(iter(sheets.values()))
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(
        "Download Excel", data=lambda: workbook_bytes(sheets, title=title, notes=about, percent_columns=percent_columns),
        file_name=f"{name}.xlsx", mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{name}", icon=":material/download:", on_click="ignore",
    )
    c2.download_button(
        "Download CSV", data=lambda: first.to_csv(index=False).encode("utf-8"),
        file_name=f"{name}.csv", mime="text/csv", key=f"csv-{name}", on_click="ignore",
    )
