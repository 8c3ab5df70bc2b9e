"""Plotly figures used by pages. They draw numbers computed in metrics/; they compute none."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

RAG_COLOURS = {"Green": "#00703c", "Amber": "#f4a300", "Red": "#d4351c", None: "#505a5f"}
TARGET_COLOUR = "#0b0c0c"


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=30, b=10), showlegend=True,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        plot_bgcolor="white",
    )
    return fig


def percent_bars(frame: pd.DataFrame, *, label: str, value: str, rag: str, target: float | None,
                 highlight: str | None = None, hover: str | None = None) -> go.Figure:
    """Horizontal bars of a percentage per group, coloured by RAG, with the target as a line."""
    frame = frame.sort_values(value, ascending=True, na_position="first")
    colours = [RAG_COLOURS.get(r, RAG_COLOURS[None]) for r in frame[rag]]
    widths = [3 if highlight is not None and g == highlight else 0 for g in frame[label]]
    fig = go.Figure(
        go.Bar(
            x=frame[value], y=frame[label], orientation="h", marker_color=colours,
            marker_line_width=widths, marker_line_color="#0b0c0c",
            text=[f"{v:.0%}" if pd.notna(v) else "–" for v in frame[value]], textposition="auto",
            hovertext=frame[hover] if hover else None, hoverinfo="text" if hover else None,
            name="Completed within timescale",
        )
    )
    if target is not None:
        fig.add_vline(x=target, line_dash="dash", line_color=TARGET_COLOUR,
                      annotation_text=f"Target {target:.0%}", annotation_position="top")
    fig.update_xaxes(tickformat=".0%", range=[0, 1.05], gridcolor="#e5e5e5")
    return _layout(fig, max(220, 36 * len(frame) + 80))


def stacked_counts(frame: pd.DataFrame, *, label: str, parts: dict[str, str], colours: dict[str, str]) -> go.Figure:
    """Horizontal stacked bars of counts per group (e.g. in time / out of time per worker)."""
    frame = frame.iloc[::-1]
    fig = go.Figure()
    for column, name in parts.items():
        fig.add_bar(x=frame[column], y=frame[label], orientation="h", name=name,
                    marker_color=colours[column], text=frame[column], textposition="inside")
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title="Assessments completed", gridcolor="#e5e5e5")
    return _layout(fig, max(220, 32 * len(frame) + 80))


def trend_lines(series: dict[str, pd.DataFrame], *, target: float | None, unit: str = "percent",
                references: dict[str, float] | None = None) -> go.Figure:
    """Monthly lines; each frame has period, value, numerator, denominator. ``references`` are
    horizontal benchmark lines (e.g. {"England 2024-25": 0.857})."""
    fig = go.Figure()
    palette = ["#1d70b8", "#d4601c", "#6f3f9a", "#00703c"]
    pct = unit == "percent"
    fmt = "%{y:.1%}" if pct else "%{y:,.1f}"
    for i, (name, frame) in enumerate(series.items()):
        x = pd.to_datetime(frame["period"] + "-01")
        text = [f"{n:.0f} of {d:.0f}" if pd.notna(d) else "" for n, d in zip(frame["numerator"], frame["denominator"])]
        fig.add_scatter(x=x, y=frame["value"], mode="lines+markers", name=name,
                        line=dict(color=palette[i % len(palette)], width=3 if i == 0 else 2),
                        hovertext=text, hovertemplate="%{x|%b %Y}: " + fmt + " %{hovertext}<extra>" + name + "</extra>")
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color=TARGET_COLOUR,
                      annotation_text=f"Target {target:.0%}" if pct else f"Target {target:,.0f}",
                      annotation_position="bottom right")
    for j, (name, value) in enumerate((references or {}).items()):
        if value is None or pd.isna(value):
            continue
        fig.add_hline(y=value, line_dash="dot", line_color=["#505a5f", "#912b88", "#28a197"][j % 3],
                      annotation_text=f"{name} {value:.0%}" if pct else f"{name} {value:,.1f}",
                      annotation_position="top left")
    if pct:
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05], gridcolor="#e5e5e5")
    else:
        fig.update_yaxes(gridcolor="#e5e5e5", rangemode="tozero")
    fig.update_xaxes(dtick="M1", tickformat="%b\n%Y")
    return _layout(fig, 340)


def group_bars(frame: pd.DataFrame, *, label: str, value: str, unit: str, target: float | None = None,
               rag: str | None = None) -> go.Figure:
    """Horizontal bars of any measure's value per group."""
    frame = frame.sort_values(value, ascending=True, na_position="first")
    pct = unit == "percent"
    colours = [RAG_COLOURS.get(r, "#1d70b8") for r in frame[rag]] if rag else "#1d70b8"
    fig = go.Figure(go.Bar(
        x=frame[value], y=frame[label], orientation="h", marker_color=colours,
        text=[("–" if pd.isna(v) else (f"{v:.0%}" if pct else f"{v:,.0f}")) for v in frame[value]],
        textposition="auto", name="Value",
    ))
    if target is not None:
        fig.add_vline(x=target, line_dash="dash", line_color=TARGET_COLOUR,
                      annotation_text=f"Target {target:.0%}" if pct else f"Target {target:,.0f}")
    if pct:
        fig.update_xaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(gridcolor="#e5e5e5")
    fig.update_layout(showlegend=False)
    return _layout(fig, max(220, 30 * len(frame) + 80))


def band_bars(frame: pd.DataFrame, *, band: str, count: str, limit_band: str | None = None) -> go.Figure:
    colours = ["#00703c"] * len(frame)
    if limit_band is not None and limit_band in list(frame[band]):
        cut = list(frame[band]).index(limit_band)
        colours = ["#00703c" if i <= cut else "#d4351c" for i in range(len(frame))]
    fig = go.Figure(go.Bar(x=frame[band], y=frame[count], marker_color=colours, text=frame[count],
                           textposition="outside", name="Assessments"))
    fig.update_xaxes(title="Working days from start to authorisation", type="category")
    fig.update_yaxes(title="Assessments", gridcolor="#e5e5e5")
    fig.update_layout(showlegend=False)
    return _layout(fig, 300)


@st.cache_resource(show_spinner=False, max_entries=2048)
def _kept_figure(key: tuple, _build):
    return _build()


def cached_figure(key: tuple, build):
    """``build()``'s figure, built once per ``key`` and reused by every rerun and viewer with the
    same key (plotly's figure construction costs more than drawing it). The key must name
    everything the figure shows, including the viewer's scope when the figure shows their data;
    st.plotly_chart only reads the figure it is given."""
    return _kept_figure(key, build)
