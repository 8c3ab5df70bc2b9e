"""Strategic → Doing the Simple Things Well (seed 000): the twenty measures in order, the last
three months, a 13-month trend, direction of travel coloured by polarity, benchmarks, target and
RAG. Selecting a row opens that measure's page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.scorecard import DSTW_MEASURES
from ui import bench
from ui.downloads import download_table
from ui.filters import month_filter
from ui.format import DOT_ARROWS, POLARITY_TEXT, dot_colour, fmt_target, fmt_value, month_label
from ui.frame import start_page
from ui.measures import run_scorecard
from ui.tables import data_table

ctx = start_page(
    "strategic", "Doing the Simple Things Well",
    "Twenty measures of the basics done well: the last three months, the 13-month trend, the direction "
    "of travel, how we compare and the target. Select a row to open the measure.",
)
c1, _ = st.columns([1, 3])
last = month_filter(ctx.as_at, container=c1)
with st.spinner("Calculating the twenty measures…"):
    lines = run_scorecard(ctx, DSTW_MEASURES, last)

months = [month_label(p) for p in lines[0].periods[-3:]]
records = []
for line in lines:
    b = bench.columns(line.measure_id, ctx.config.la_code, line.unit)
    unavailable = line.status is not None
    record = {"Measure": line.title}
    for label, value in zip(months, line.values[-3:]):
        record[label] = line.status if unavailable and label == months[-1] else ("" if unavailable else fmt_value(value, line.unit))
    record.update({
        "13 month trend": [None if pd.isna(v) else (v * 100 if line.unit == "percent" else v) for v in line.values],
        "DoT": DOT_ARROWS[line.dot],
        "Good performance": POLARITY_TEXT[line.polarity],
        "SN": b["SN"], "Region": b["Region"], "England": b["England"],
        "Target": fmt_target(line.target, line.unit),
        "RAG": line.rag or "",
        "_dot_colour": dot_colour(line.dot_good),
        "_id": line.measure_id,
    })
    records.append(record)
table = pd.DataFrame(records)
years = sorted({bench.columns(m, ctx.config.la_code, "percent")["Benchmark year"] for m in DSTW_MEASURES} - {""})
RAG_FILL = {"Green": "background-color:#cce2d8", "Amber": "background-color:#fff7bf", "Red": "background-color:#f6d7d2"}


def style(frame: pd.DataFrame):
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    styles["DoT"] = [f"color:{c};font-weight:700" for c in table["_dot_colour"]]
    styles["RAG"] = [RAG_FILL.get(r, "") for r in frame["RAG"]]
    return styles


shown = table.drop(columns=["_dot_colour", "_id"])
event = data_table(
    shown.style.apply(style, axis=None), hide_index=True, key="dstw_table",
    on_select="rerun", selection_mode="single-row", height=36 * (len(shown) + 1) + 4,
    column_config={
        "Measure": st.column_config.TextColumn(width="large", pinned=True),
        "13 month trend": st.column_config.LineChartColumn(width="small", help="The last 13 months"),
        "DoT": st.column_config.TextColumn(help="Direction of travel since last month: green is better, red is worse"),
        "SN": st.column_config.TextColumn(help="Mean of the ten statistical neighbours (DfE May 2025 list)"),
        "England": st.column_config.TextColumn(),
    },
)
st.caption(
    f"Benchmarks: latest published year ({', '.join(years) or 'none'}), year ending 31 March; SN is the "
    "**mean** of the authority's ten statistical neighbours. N/A: no published comparator measured the "
    "same way. Direction of travel compares the last month with the one before; green means better "
    "given the measure's good performance direction."
)
if event.selection.rows:
    chosen = table.iloc[event.selection.rows[0]]["_id"]
    # The measure page takes ?m= only when it differs from the last ?m= it took ("_m_from_url"), so
    # that its own selectbox wins over a stale URL. Arriving from here is always a new choice: without
    # this, choosing the same row a second time in a session opened the first measure in its list.
    st.session_state.pop("_m_from_url", None)
    st.switch_page("pages/strategic_measure.py", query_params={"m": chosen, "period": last.title})

export = shown.drop(columns=["13 month trend"])
download_table(ctx, {"Doing the Simple Things Well": export}, name=f"doing-the-simple-things-well-{last.label}",
               title=f"Doing the Simple Things Well, {last.title}",
               notes=[f"{l.title}: {l.measure_id}" for l in lines])
