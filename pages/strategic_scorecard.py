"""Strategic → KPI scorecard: every measure in the catalogue with its last three months, target,
RAG, direction of travel and benchmarks, by section; one Excel workbook for the board pack."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.sections import measures_by_section
from ui import bench
from ui.downloads import download_table
from ui.filters import month_filter
from ui.format import DOT_ARROWS, POLARITY_TEXT, fmt_target, fmt_value, month_label
from ui.frame import start_page
from ui.measures import run_scorecard
from ui.tables import data_table

ctx = start_page("strategic", "KPI scorecard",
                 "Every measure, by section: the last three months, direction of travel, target, RAG and "
                 "national benchmarks. Download the whole scorecard as one workbook for the board pack.")
c1, _ = st.columns([1, 3])
last = month_filter(ctx.as_at, container=c1)
sections = measures_by_section()
EXCEL_FORMAT = {"percent": "0.0%", "count": "#,##0", "days": "0.0", "rate": "0.0"}

sheets, formats, notes = {}, {}, []
progress = st.progress(0.0, text="Calculating the scorecard…")
for i, (section, measures) in enumerate(sections.items()):
    lines = run_scorecard(ctx, [m.id for m in measures], last)
    months = [month_label(p) for p in lines[0].periods[-3:]]
    shown, export = [], []
    for line, m in zip(lines, measures):
        b = bench.columns(line.measure_id, ctx.config.la_code, line.unit)
        row = {"Measure": line.title}
        row.update({mo: (line.status or "") if line.status and j == 2 else ("" if line.status else fmt_value(v, line.unit))
                    for j, (mo, v) in enumerate(zip(months, line.values[-3:]))})
        row.update({"DoT": DOT_ARROWS[line.dot], "Good performance": POLARITY_TEXT[line.polarity],
                    "Target": fmt_target(line.target, line.unit), "RAG": line.rag or "",
                    "SN": b["SN"], "Region": b["Region"], "England": b["England"]})
        shown.append(row)
        ex = {"Measure": line.title, "Id": line.measure_id}
        ex.update({mo: v for mo, v in zip(months, line.values[-3:])})
        ex.update({"Status": line.status or "", "DoT": DOT_ARROWS[line.dot], "Good performance": POLARITY_TEXT[line.polarity],
                   "Target": line.target, "RAG": line.rag or "", "SN": b["SN"], "Region": b["Region"],
                   "England": b["England"], "Benchmark year": b["Benchmark year"], "Definition": m.definition})
        export.append(ex)
    with st.expander(f"**{section}** ({len(measures)} measures)", expanded=True):
        data_table(pd.DataFrame(shown), hide_index=True, key=f"scorecard_{i}")
    sheet = section[:31]
    sheets[sheet] = pd.DataFrame(export)
    formats[sheet] = ((*months, "Target"), [EXCEL_FORMAT.get(l.unit, "General") for l in lines])
    progress.progress((i + 1) / len(sections), text=f"Calculated {section}")
progress.empty()
st.caption("Benchmarks are the latest published year (year ending 31 March); SN is the mean of the ten "
           "statistical neighbours. N/A: no published comparator measured the same way.")
download_table(ctx, sheets, name=f"kpi-scorecard-{last.label}", title=f"KPI scorecard, {last.title}",
               notes=["Values are fractions formatted as percentages where the measure is a percentage."],
               row_formats=formats)
