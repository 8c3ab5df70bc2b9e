"""The Annex A workbook: sheets "List 1" ... "List 11" shaped like the Ofsted template.

Like the template (the sample in ``../shared/external/annex-a/``): one sheet per list, named
"List 1" ... "List 11", the headers in row 1 in plain Calibri 11, centred, and one row per record
from row 2. Dates are real Excel dates shown dd/mm/yyyy, counts and ages are numbers, IDs and
codes are text. Added for readability only: header text wraps, columns are sized to their
contents and the header row is frozen. An optional last sheet, "Data quality", lists every
problem found (list, check, sheet row, child, problem) for the performance team; leave it out of
the copy sent to Ofsted.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from annex_a.spec import LISTS

DATE_FORMAT = "dd/mm/yyyy"
HEADER_FONT = Font(name="Calibri", size=11)
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIN_WIDTH, MAX_WIDTH, DATE_WIDTH = 8, 45, 12
QUALITY_SHEET = "Data quality"


def _cell(value, kind: str):
    """A frame value as what openpyxl should write: datetime for dates, int for counts, str or None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "date":
        return pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)
    if kind == "int":
        return int(value)
    if isinstance(value, (datetime, pd.Timestamp)):
        return pd.Timestamp(value).to_pydatetime()
    return str(value)


def _width(header: str, values: Sequence, kind: str) -> float:
    if kind == "date":
        content = DATE_WIDTH
    else:
        content = max([len(str(v)) for v in values[:500] if v is not None] or [0])
    longest_word = max((len(w) for w in header.split()), default=0)
    header_in_four_lines = math.ceil(len(header) / 4)   # long headers wrap onto a few lines, not ten
    return float(min(max(content, longest_word, header_in_four_lines, MIN_WIDTH) + 2, MAX_WIDTH))


def _write_sheet(ws, headers: list[str], kinds: list[str], rows: list[list]) -> None:
    widths = []
    for idx, (header, kind) in enumerate(zip(headers, kinds), start=1):
        cell = ws.cell(row=1, column=idx, value=header)
        cell.font = HEADER_FONT
        cell.alignment = HEADER_ALIGNMENT
        width = _width(header, [r[idx - 1] for r in rows], kind)
        widths.append(width)
        ws.column_dimensions[get_column_letter(idx)].width = width
    lines = max([math.ceil(len(h) / max(w - 2, 1)) for h, w in zip(headers, widths)] or [1])
    ws.row_dimensions[1].height = 15 * max(lines, 1)
    for r, row in enumerate(rows, start=2):
        for c, (value, kind) in enumerate(zip(row, kinds), start=1):
            if value is None:
                continue
            cell = ws.cell(row=r, column=c, value=value)
            if kind == "date":
                cell.number_format = DATE_FORMAT
    ws.freeze_panes = "A2"


def _list_rows(frame: pd.DataFrame, headers: list[str], kinds: list[str]) -> list[list]:
    columns = [frame[h].tolist() if h in frame else [None] * len(frame) for h in headers]
    return [[_cell(v, k) for v, k in zip(values, kinds)] for values in zip(*columns)] if len(frame) else []


def build_workbook(lists: Mapping[str, pd.DataFrame], *, issues=None, title: str = "Annex A",
                   notes: Sequence[str] = ()) -> Workbook:
    """The workbook object: every list in order (an absent list as headers only), then the
    optional "Data quality" sheet when ``issues`` (from :func:`annex_a.quality.data_quality`) is given."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, spec in LISTS.items():
        ws = wb.create_sheet(name)
        headers = spec.headers
        kinds = [c.kind for c in spec.columns]
        frame = lists.get(name, pd.DataFrame(columns=headers))
        _write_sheet(ws, headers, kinds, _list_rows(frame, headers, kinds))
    if issues is not None:
        ws = wb.create_sheet(QUALITY_SHEET)
        headers = ["List", "Check", "Sheet row", "Child Unique ID", "Problem"]
        kinds = ["text", "text", "int", "id", "text"]
        rows = []
        for issue in issues:
            ids = issue.rows["Child Unique ID"].tolist() if "Child Unique ID" in issue.rows else [None] * issue.count
            for sheet_row, child, problem in zip(issue.rows["Sheet row"], ids, issue.rows["Problem"]):
                rows.append([issue.list_name, issue.check, int(sheet_row), _cell(child, "id"), _cell(problem, "text")])
        if not rows:
            rows.append([None, "No problems found", None, None, None])
        _write_sheet(ws, headers, kinds, rows)
    wb.properties.title = title
    wb.properties.subject = "Ofsted ILACS Annex A"
    wb.properties.description = "\n".join(notes)
    return wb


def workbook_bytes(lists: Mapping[str, pd.DataFrame], *, issues=None, title: str = "Annex A",
                   notes: Sequence[str] = ()) -> bytes:
    buffer = io.BytesIO()
    build_workbook(lists, issues=issues, title=title, notes=notes).save(buffer)
    return buffer.getvalue()


def write_workbook(path: str | Path, lists: Mapping[str, pd.DataFrame], *, issues=None, title: str = "Annex A",
                   notes: Sequence[str] = ()) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    build_workbook(lists, issues=issues, title=title, notes=notes).save(tmp)
    tmp.replace(path)
    return path
