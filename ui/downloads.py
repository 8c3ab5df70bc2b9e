"""Excel and CSV downloads of the tables a page shows. Workbooks are built only when clicked, and
every download is written to the audit log at that moment (who, which page, which file, how many
rows, and the child IDs when the file lists children)."""

from __future__ import annotations

from typing import Callable, Mapping

import pandas as pd
import streamlit as st

from ui.excel import workbook_bytes
from ui.frame import PageContext, data_stamp

CHILD_ID_COLUMNS = ("Child ID", "person_id")


def _child_ids(sheets: Mapping[str, pd.DataFrame]) -> list[str]:
    ids: set[str] = set()
    for frame in sheets.values():
        for col in CHILD_ID_COLUMNS:
            if col in frame:
                ids.update(frame[col].dropna().astype(str))
    return sorted(ids)


def _audited(ctx: PageContext, sheets: Callable[[], Mapping[str, pd.DataFrame]], file_name: str, child_level: bool,
             build: Callable[[Mapping[str, pd.DataFrame]], bytes]) -> Callable[[], bytes]:
    def data() -> bytes:
        # Runs when the user clicks: record first, so a file is never handed out unrecorded.
        frames = sheets()
        ctx.audit("download", child_ids=_child_ids(frames) if child_level else None,
                  row_count=int(sum(len(f) for f in frames.values())),
                  filters={"file": file_name}, once=False)
        return build(frames)

    return data


def download_table(ctx: PageContext, sheets: Mapping[str, pd.DataFrame] | Callable[[], Mapping[str, pd.DataFrame]], *,
                   name: str, title: str, notes: list[str] | None = None, percent_columns: tuple[str, ...] = (),
                   child_level: bool = False, row_formats=None, container=None) -> None:
    """Two buttons under a table: a formatted Excel workbook and a CSV of the first sheet.

    ``sheets`` may be a function returning them: it is then called only when a button is clicked,
    for exports much bigger than what the page shows (a whole authority's plan, say)."""
    make = sheets if callable(sheets) else (lambda: sheets)

    def frames() -> Mapping[str, pd.DataFrame]:
        out = make()
        if child_level:
            # Belt and braces: a child-level file only ever holds children the viewer may see.
            out = {k: (ctx.visible_rows(v, "Child ID") if "Child ID" in v else ctx.visible_rows(v))
                   for k, v in out.items()}
        return out

    def first() -> Mapping[str, pd.DataFrame]:
        out = frames()
        return {"csv": next(iter(out.values()))}

    stamp = data_stamp(ctx.cache).replace("**", "")
    about = [stamp, f"{ctx.config.authority_name}", *(notes or [])]
    if child_level:
        about.append("OFFICIAL-SENSITIVE: contains personal data about children. Store and share securely.")
    where = container if container is not None else st
    row = where.container(horizontal=True)  # side by side, wrapping on narrow screens
    c1 = c2 = row
    xlsx, csv = f"{name}.xlsx", f"{name}.csv"
    c1.download_button(
        "Download Excel",
        data=_audited(ctx, frames, xlsx, child_level, lambda f: workbook_bytes(
            f, title=title, notes=about, percent_columns=percent_columns, row_formats=row_formats)),
        file_name=xlsx, mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"xlsx-{name}", icon=":material/download:", on_click="ignore",
    )
    c2.download_button(
        "Download CSV",
        data=_audited(ctx, first, csv, child_level,
                      lambda f: next(iter(f.values())).to_csv(index=False).encode("utf-8")),
        file_name=csv, mime="text/csv", key=f"csv-{name}", on_click="ignore",
    )