"""Excel downloads: formatted workbooks from frames (openpyxl)."""

from __future__ import annotations

import io
from typing import Mapping

import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FILL = PatternFill("solid", fgColor="1D70B8")


def workbook_bytes(
    sheets: Mapping[str, pd.DataFrame],
    *,
    title: str,
    notes: list[str] | None = None,
    percent_columns: tuple[str, ...] = (),
    row_formats: Mapping[str, tuple[tuple[str, ...], list[str]]] | None = None,
) -> bytes:
    """One sheet per frame (header styled, panes frozen, widths fitted, dates as dates,
    percentage columns formatted), plus an "About" sheet with the title and notes."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            sheet_name = name[:31]
            frame.to_excel(writer, sheet_name=sheet_name, index=False)
            ws = writer.sheets[sheet_name]
            ws.freeze_panes = "A2"
            for idx, column in enumerate(frame.columns, start=1):
                cell = ws.cell(row=1, column=idx)
                cell.font = Font(bold=True, color="FFFFFF")
                cell.fill = HEADER_FILL
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                letter = get_column_letter(idx)
                series = frame[column]
                width = max([len(str(column))] + [len(str(v)) for v in series.head(200).tolist()])
                ws.column_dimensions[letter].width = min(max(10, width + 2), 50)
                fmt = None
                if column in percent_columns:
                    fmt = "0.0%"
                elif pd.api.types.is_datetime64_any_dtype(series):
                    fmt = "dd/mm/yyyy"
                if fmt:
                    for row in range(2, len(frame) + 2):
                        ws.cell(row=row, column=idx).number_format = fmt
            if row_formats and name in row_formats:
                # Scorecards mix units row by row: (columns, one number format per row).
                columns, formats = row_formats[name]
                for column in columns:
                    idx = list(frame.columns).index(column) + 1
                    for row, fmt in enumerate(formats, start=2):
                        ws.cell(row=row, column=idx).number_format = fmt
            if len(frame):
                ws.auto_filter.ref = ws.dimensions
        about = pd.DataFrame({"": [title, *(notes or [])]})
        about.to_excel(writer, sheet_name="About", index=False, header=False)
        writer.sheets["About"].column_dimensions["A"].width = 120
        writer.sheets["About"]["A1"].font = Font(bold=True, size=14)
    return buffer.getvalue()
