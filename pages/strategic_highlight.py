"""Strategic → Monthly Highlight Report (seed 004): the key indicators' 13-month trends against
England, the region and the statistical neighbours, each with a one-line narrative written from
the numbers (metrics/narrative.py). Figures come from the registered measures; the benchmark lines
are the published figures in force in each month (metrics/benchmarks.py)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics import benchmarks as bm
from metrics import registry
from metrics.narrative import BENCHMARK_LINES, HIGHLIGHT_MEASURES, HIGHLIGHT_SECTIONS, benchmarks_by_month, narrative
from metrics.periods import period_for
from ui import bench, charts
from ui.downloads import download_table
from ui.filters import month_filter
from ui.format import DOT_ARROWS, POLARITY_TEXT, fmt_target, fmt_value, month_label
from ui.frame import start_page
from ui.measures import run_scorecard
from ui.tables import data_table

ctx = start_page(
    "strategic", "Monthly Highlight Report",
    "The key indicators over the last 13 months against England, the region and the statistical "
    "neighbours, each with what changed this month.",
)
c1, _ = st.columns([1, 3])
last = month_filter(ctx.as_at, container=c1)
with st.spinner("Calculating the indicators…"):
    lines = {line.measure_id: line for line in run_scorecard(ctx, HIGHLIGHT_MEASURES, last)}
measures = {m.id: m for m in registry.all_measures()}
st.subheader(f"Highlights for {last.title}")

OURS = "Whole authority" if ctx.viewer.scope.all_access else "All you can see"
LINE_STYLE = {"england": ("#0b0c0c", "dash"), "region": ("#912b88", "dot"), "neighbours_mean": ("#28a197", "dashdot")}


def published(measure_id: str, month_ends: list[pd.Timestamp]) -> tuple[pd.DataFrame, str | None]:
    """The benchmark lines for the months (blank when the published figure does not measure the
    same thing as ours), and the region's name."""
    b = bench.lookup(measure_id, ctx.config.la_code)
    if not bench.comparable(b):
        return benchmarks_by_month(None, month_ends), None
    return benchmarks_by_month(bm.benchmark_series(measure_id, ctx.config.la_code), month_ends), b.region_name


def trend_chart(line, lines_frame: pd.DataFrame, region: str | None, target) -> go.Figure:
    x = [pd.Timestamp(p + "-01") for p in line.periods]
    pct = line.unit == "percent"
    fig = go.Figure()
    fig.add_scatter(x=x, y=list(line.values), mode="lines+markers", name=OURS, line=dict(color="#1d70b8", width=3),
                    hovertemplate="%{x|%b %Y}: " + ("%{y:.1%}" if pct else "%{y:,.0f}") + "<extra></extra>")
    for column, name in BENCHMARK_LINES.items():
        values = lines_frame[column]
        if values.notna().any():
            colour, dash = LINE_STYLE[column]
            label = region if column == "region" and region else name
            fig.add_scatter(x=x, y=values, mode="lines", name=label, line=dict(color=colour, dash=dash, width=1.5),
                            hovertemplate="%{x|%b %Y}: " + ("%{y:.1%}" if pct else "%{y:,.1f}")
                            + f"<extra>{label}</extra>")
    if target is not None:
        fig.add_hline(y=target, line_color="#b1b4b6", line_width=1,
                      annotation_text=f"Target {fmt_target(target, line.unit)}", annotation_position="bottom right")
    fig.update_layout(height=240, margin=dict(l=6, r=6, t=24, b=6), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=10)))
    fig.update_xaxes(dtick="M2", tickformat="%b\n%y")
    if pct:
        fig.update_yaxes(gridcolor="#e5e5e5", tickformat=".0%", rangemode="tozero")
    else:  # whole numbers from zero, no 0.2-child ticks when the numbers are small
        top = max([v for v in line.values if pd.notna(v)] or [0])
        fig.update_yaxes(gridcolor="#e5e5e5", tickformat=",d", range=[0, max(5, top * 1.15)])
    return fig


month_ends = [period_for(p).end for p in next(iter(lines.values())).periods]
records, years = [], set()
for section, ids in HIGHLIGHT_SECTIONS.items():
    st.markdown(f"#### {section}")
    cols = st.columns(2)
    for i, measure_id in enumerate(ids):
        line, measure = lines[measure_id], measures[measure_id]
        frame, region = published(measure_id, month_ends)
        latest = frame.iloc[-1]
        comparators = [("England", latest["england"]), ("statistical neighbours", latest["neighbours_mean"]),
                       (region or "the region", latest["region"])]
        text = line.status or narrative(line.values, line.unit, comparators)
        if latest["period_label"]:
            years.add(latest["period_label"])
        colour = {True: "green", False: "red"}.get(line.dot_good)
        with cols[i % 2].container(border=True):
            st.markdown(f"**{line.title}** · {fmt_value(line.latest, line.unit) if not line.status else ''}")
            st.markdown(f":{colour}[{text}]" if colour else text)
            if not line.status and pd.Series(line.values).notna().any():
                fig = charts.cached_figure(
                    ("highlight", ctx.cache.key, ctx.viewer.aggregate_scope.key, repr(ctx.settings), ctx.config.la_code,
                     last.label, measure_id),
                    lambda: trend_chart(line, frame, region, line.target))
                st.plotly_chart(fig, key=f"highlight_{measure_id}",
                                config={"displayModeBar": False})
            elif not line.status:
                st.caption("No figures in these 13 months for the children you can see.")
            with st.expander("How is this calculated?"):
                st.markdown(measure.definition)
                if not bench.comparable(bench.lookup(measure_id, ctx.config.la_code)):
                    st.caption("No published England, regional or neighbour figure measures the same thing.")
        row = {"Section": section, "Measure": line.title}
        row.update({month_label(p): ("" if line.status else fmt_value(v, line.unit))
                    for p, v in zip(line.periods[-2:], line.values[-2:])})
        row.update({"DoT": DOT_ARROWS[line.dot], "Good performance": POLARITY_TEXT[line.polarity],
                    "England": fmt_value(latest["england"], line.unit),
                    "Region": fmt_value(latest["region"], line.unit),
                    "SN (mean)": fmt_value(latest["neighbours_mean"], line.unit),
                    "Benchmark year": latest["period_label"], "Highlight": text})
        records.append(row)

st.caption(
    f"Benchmark lines: the published figure for the latest year that had ended by each month "
    f"({', '.join(sorted(years)) or 'none'}; years ending 31 March); statistical neighbours is the "
    "**mean** of the authority's ten neighbours (DfE May 2025 list). Counts (children in care, on a "
    "plan) have no benchmark line: England and regional figures are totals for areas of other sizes. "
    "Green text: better than last month given the measure's good direction; red: worse."
)
summary = pd.DataFrame(records)
with st.expander("All highlights as a table", expanded=False):
    data_table(summary, hide_index=True, key="highlight_table")
download_table(ctx, {"Highlights": summary}, name=f"monthly-highlight-report-{last.label}",
               title=f"Monthly Highlight Report, {last.title}",
               notes=[f"{measures[m].title}: {measures[m].definition}" for m in HIGHLIGHT_MEASURES])
