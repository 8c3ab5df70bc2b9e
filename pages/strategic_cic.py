"""Strategic → Children in Care report (seed 004 "LAC Report", seed 000 "CiC Throughput"): numbers
in care over 13 months with starters and leavers; starters and leavers by age band, legal status
and placement type; children in care by the same; reasons care ceased and reasons for placement
moves; health, dental, SDQ and PEP over time; stability; placements far from home and purchased
residential placements. Every figure is a registered measure or a metrics/cic.py breakdown of one."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from metrics import cic
from ui.downloads import download_table
from ui.filters import period_filter
from ui.format import POLARITY_TEXT, fmt_target, fmt_value, month_label
from ui.frame import start_page
from ui.measures import derived, run_measure, run_scorecard
from ui.tables import child_rows_table, data_table

ctx = start_page(
    "strategic", "Children in Care report",
    "How many children are in care and how that is changing; who starts and stops being looked after; "
    "their health, education, stability and where they live.",
)
with st.container(border=True):
    choice = period_filter(ctx.as_at, None)
period = choice.period
last_month = choice.trend[-1]  # stock breakdowns: the end of the chosen month (never a future date)
agg = ctx.aggregate_tables
sheets: dict[str, pd.DataFrame] = {}


# ---- numbers in care ----------------------------------------------------------------------------
st.subheader("Children in care")
flows = {m: run_measure(ctx, m, choice.trend).summary for m in ("cla", "cla_starts", "cla_ceased")}
through = cic.throughput(flows["cla"], flows["cla_starts"], flows["cla_ceased"])
starts_rows = run_measure(ctx, "cla_starts", [period]).rows
ceased_rows = derived(ctx, "cla_ceased_placement_on_leaving", (period.label, period.type),
                      lambda: cic.placement_on_leaving(run_measure(ctx, "cla_ceased", [period]).rows, agg))
moves_in_period = derived(ctx, "placement_moves", (period.label, period.type), lambda: cic.placement_moves(agg, period))

m1, m2, m3, m4 = st.columns(4)
now, before = through["in_care"].iloc[-1], through["in_care"].iloc[0]
m1.metric(f"In care at {last_month.end:%d %B %Y}", fmt_value(now, "count"),
          delta=None if pd.isna(before) else f"{now - before:+,.0f} on 12 months before", delta_color="off")
m2.metric(f"Started care, {period.title}", f"{int(starts_rows['in_numerator'].sum()) if len(starts_rows) else 0:,}")
m3.metric(f"Ceased care, {period.title}", f"{int(ceased_rows['in_numerator'].sum()) if len(ceased_rows) else 0:,}")
m4.metric("Placement moves", f"{len(moves_in_period):,}", help=f"{period.title}")



def count_axis(fig: go.Figure, values) -> go.Figure:
    """Whole numbers on a count axis from zero (no 0.2-child ticks when the numbers are small)."""
    top = max([abs(float(v)) for v in values if pd.notna(v)] or [0])
    fig.update_yaxes(tickformat=",d", gridcolor="#e5e5e5", range=[0, max(5, top * 1.15)])
    return fig


def layout(fig: go.Figure, height: int = 280) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), plot_bgcolor="white",
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0))
    fig.update_xaxes(dtick="M1", tickformat="%b\n%Y")
    return fig


x = [pd.Timestamp(p + "-01") for p in through["period"]]
left, right = st.columns(2)
stock = go.Figure(go.Scatter(x=x, y=through["in_care"], name="In care at month end", mode="lines+markers",
                             line=dict(color="#1d70b8", width=3)))
stock.update_layout(showlegend=False)
left.markdown("**In care at the end of each month**")
left.plotly_chart(count_axis(layout(stock), through["in_care"]), key="cic_in_care")
flow = go.Figure()
flow.add_bar(x=x, y=through["started"], name="Started care", marker_color="#00703c")
flow.add_bar(x=x, y=through["ceased"], name="Ceased care", marker_color="#d4351c")
flow.update_layout(barmode="group")
right.markdown("**Started and ceased care each month**")
right.plotly_chart(count_axis(layout(flow), [*through["started"], *through["ceased"]]), key="cic_flows")
monthly = pd.DataFrame({
    "Month": [month_label(p) for p in through["period"]],
    "Children in care at month end": through["in_care"].astype("Int64"),
    "Started": through["started"].astype(int), "Ceased": through["ceased"].astype(int),
    "Net change": through["net_flow"].astype(int),
})
with st.expander("Month by month", expanded=False):
    data_table(monthly, hide_index=True, key="cic_monthly")
    st.caption("Periods of care starting and ending in each month; a child who starts twice counts twice. "
               "The net change is the change in the number in care from one month end to the next.")
sheets["In care by month"] = monthly

# ---- starters and leavers -----------------------------------------------------------------------
st.subheader(f"Starting and ceasing care, {period.title}")
tabs = st.tabs(["Age band", "Legal status", "Placement type", "Reason care ceased"])
for tab, kind in zip(tabs[:3], ("age_band", "legal_status", "placement_group")):
    table = cic.starters_and_leavers(starts_rows, ceased_rows, kind)
    tab.dataframe(table, hide_index=True, key=f"cic_flow_{kind}")
    sheets[f"Starts, leavers: {cic.BREAKDOWNS[kind].lower()}"] = table
reasons = cic.leavers_by_reason(ceased_rows)
tabs[3].dataframe(reasons, hide_index=True, key="cic_reason_ceased")
sheets["Reasons care ceased"] = reasons
st.caption("Age at the start (or end) of care; legal status on the first (or last) day in care; placement "
           "type of the first (or last) placement, grouped as the DfE groups them.")

# ---- in care at the end of the month by age, legal status, placement ---------------------------
st.subheader(f"Children in care at {last_month.end:%d %B %Y}")
cla_rows = run_measure(ctx, "cla", [last_month]).rows
cols = st.columns([1, 1.25, 1.5])
for col, kind in zip(cols, ("age_band", "legal_status", "placement_group")):
    table = cic.in_care_breakdown(cla_rows, kind)
    col.dataframe(table, hide_index=True, key=f"cic_in_care_{kind}",
                  column_config={"Share": st.column_config.NumberColumn(format="percent")})
    sheets[f"In care: {cic.BREAKDOWNS[kind].lower()}"] = table

# ---- placement moves ---------------------------------------------------------------------------
st.subheader(f"Reasons for placement moves, {period.title}")
moves = cic.moves_by_reason(moves_in_period)
if int(moves["Moves"].iloc[-1]) == 0:
    st.info(f"No placement moves in {period.title}.")
data_table(moves, hide_index=True, key="cic_moves",
           column_config={"Share": st.column_config.NumberColumn(format="percent")})
st.caption("A move is a new placement that follows another without a break in care; a placement record that "
           "only carries the previous one on (e.g. split by a legal-status change) is not a move. The reason is "
           "the one recorded on the placement that ended.")
sheets["Placement moves by reason"] = moves


# ---- indicators over 13 months -----------------------------------------------------------------
def indicators(title: str, ids: tuple[str, ...], key: str) -> None:
    st.subheader(title)
    lines = run_scorecard(ctx, ids, last_month)
    months = [month_label(p) for p in lines[0].periods]
    rows = []
    fig = go.Figure()
    for line in lines:
        row = {"Measure": line.title}
        row.update({mo: (line.status if line.status and j == len(months) - 1 else
                         ("" if line.status else fmt_value(v, line.unit)))
                    for j, (mo, v) in enumerate(zip(months, line.values))})
        row.update({"Good performance": POLARITY_TEXT[line.polarity], "Target": fmt_target(line.target, line.unit)})
        rows.append(row)
        if not line.status:
            fig.add_scatter(x=[pd.Timestamp(p + "-01") for p in line.periods], y=list(line.values),
                            mode="lines+markers", name=line.title)
    layout(fig)
    if all(line.unit == "percent" for line in lines):
        fig.update_yaxes(gridcolor="#e5e5e5", tickformat=".0%", range=[0, 1.05])
    else:
        count_axis(fig, [v for line in lines for v in line.values])
    if any(not line.status and pd.Series(line.values).notna().any() for line in lines):
        st.plotly_chart(fig, key=f"cic_chart_{key}")
    else:
        st.caption("No figures in these 13 months for the children you can see.")
    table = pd.DataFrame(rows)
    data_table(table, hide_index=True, key=f"cic_trend_{key}")
    sheets[title[:31]] = table


indicators("Health, dental, SDQ and PEP", ("cla_health", "cla_dental", "cla_sdq", "cla_pep"), "health")
indicators("Placement stability", ("cla_3plus", "cla_long_term_stability"), "stability")
indicators("Placed far from home", ("cla_distance",), "distance")
indicators("Purchased residential placements", ("cla_residential",), "residential")

st.markdown(f"**Children in purchased residential placements at {last_month.end:%d %B %Y}**")
residential = run_measure(ctx, "cla_residential", [last_month]).rows
child_rows_table(ctx, residential, name=f"purchased-residential-{last_month.label}",
                 title=f"Children in purchased residential placements, {last_month.title}")

st.divider()
download_table(ctx, sheets, name=f"children-in-care-report-{period.label}",
               title=f"Children in Care report, {period.title}",
               notes=[f"Stock figures at {last_month.end:%d %B %Y}; flows over {period.title}."])
