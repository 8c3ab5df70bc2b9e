"""Strategic → one measure (chosen by ``?m=ID``): its trend against the target and national
benchmarks, the breakdown by service and team, the definition, and the children behind the figure
for users allowed to see them."""

from __future__ import annotations

import streamlit as st

from metrics import registry
from metrics.rag import direction, direction_is_good, rag
from ui import bench, charts
from ui.filters import period_filter
from ui.format import DOT_ARROWS, fmt_target, fmt_value
from ui.frame import start_page
from ui.measures import run_measure
from ui.tables import child_rows_table, data_table

ctx = start_page("strategic", "Measure", None)
measures = {m.id: m for m in registry.all_measures()}
ids = sorted(measures, key=lambda i: measures[i].title)
wanted = st.query_params.get("m")
if wanted in measures and st.session_state.get("_m_from_url") != wanted:
    st.session_state["measure_choice"] = wanted
    st.session_state["_m_from_url"] = wanted
elif wanted is not None and wanted not in measures:
    st.warning("That measure is not in the catalogue; choose one below.")
measure_id = st.selectbox("Measure", ids, format_func=lambda i: measures[i].title, key="measure_choice")
st.query_params["m"] = measure_id
measure = measures[measure_id]
target = ctx.settings.target(measure_id) if ctx.settings.target(measure_id) is not None else measure.default_target

with st.container(border=True):
    choice = period_filter(ctx.as_at, None)

with st.expander("How is this calculated?", expanded=False):
    st.markdown(
        f"**{measure.title}** ({measure.kind}: "
        f"{'events in the period' if measure.kind == 'flow' else 'the position at the end of the period'}). "
        f"{measure.definition}\n\nGood performance is **{ {'high': 'higher', 'low': 'lower', 'none': 'neither higher nor lower'}[measure.polarity]}**. "
        f"Target: {fmt_target(target, measure.unit) or 'none set'}. Reads: {', '.join(measure.source_tables)}."
    )

try:
    result = run_measure(ctx, measure_id, [choice.period])
    trend = run_measure(ctx, measure_id, choice.trend).summary
except registry.MeasureUnavailable as exc:
    st.info(f"**Not available from this source.** This measure needs {', '.join(exc.missing)}, which the "
            "source database does not provide.")
    st.stop()

s = result.summary
value = float(s["value"].iloc[0]) if len(s) else float("nan")
prev = trend["value"].iloc[-2] if len(trend) > 1 else float("nan")
dot = direction(value, prev) if choice.period.type == "month" else None
m1, m2, m3, m4 = st.columns(4)
m1.metric(choice.period.title, fmt_value(value, measure.unit),
          delta=None if dot in (None, "same") else f"{DOT_ARROWS[dot]} vs previous month",
          delta_color="normal" if direction_is_good(dot, measure.polarity) is not False else "inverse",
          delta_arrow="off")
if measure.unit == "percent" and len(s):
    m2.metric("Numerator / denominator", f"{int(s['numerator'].iloc[0]):,} of {int(s['denominator'].iloc[0]):,}")
m3.metric("Target", fmt_target(target, measure.unit) or "None")
m4.metric("RAG", rag(value, target, measure.polarity, ctx.settings.rag_tolerance, measure.unit) or "–")

b = bench.lookup(measure_id, ctx.config.la_code)
references = {}
if bench.comparable(b):
    references = {f"England {b.period_label}": b.england_value, f"SN mean {b.period_label}": b.neighbours_value,
                  f"{b.region_name} {b.period_label}": b.region_value}
st.subheader("Trend by month")
st.plotly_chart(charts.trend_lines({"Whole authority" if ctx.viewer.scope.all_access else "All you can see": trend},
                                   target=target, unit=measure.unit, references=references), key="measure_trend")

st.subheader("By service and team")
c1, c2 = st.columns(2)
for col, by in ((c1, "service"), (c2, "team")):
    part = run_measure(ctx, measure_id, [choice.period], by=by).summary
    if part.empty:
        col.info(f"No figures by {by} for this period.")
        continue
    part = part.assign(rag=[rag(v, target, measure.polarity, ctx.settings.rag_tolerance, measure.unit) for v in part["value"]])
    col.plotly_chart(charts.group_bars(part, label="group", value="value", unit=measure.unit, target=target, rag="rag"),
                     key=f"by_{by}")

st.subheader("Benchmarks")
if b is None:
    st.caption("No national benchmark is published for this measure.")
else:
    st.markdown(f"{b.description}. {b.note or ''} {'' if b.comparable else '**Not directly comparable with this measure:** ' + b.comparability}")
    if b.comparable:
        series = bench.series(measure_id, ctx.config.la_code)
        data_table(series, hide_index=True, key="bench_table")
        st.caption(f"SN is the **{b.neighbour_stat}** of the ten statistical neighbours ({b.neighbour_list}); "
                   "'suppressed' marks figures the DfE did not publish.")

st.subheader("Children behind the figure")
child_rows_table(ctx, result.rows, name=f"{measure_id}-{choice.period.label}",
                 title=f"{measure.title}, {choice.period.title}", notes=[measure.definition])
