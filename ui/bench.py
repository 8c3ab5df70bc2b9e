"""National benchmarks as pages show them: the figure, or its suppression mark, never a zero."""

from __future__ import annotations

import math

import streamlit as st

from metrics import benchmarks as bm
from ui.format import fmt_value


@st.cache_resource(show_spinner=False, max_entries=256)
def lookup(measure_id: str, la_code: str):
    """The latest published benchmark for a measure, or None (no key, not comparable, bad code)."""
    try:
        b = bm.benchmark(measure_id, la_code)
    except (ValueError, KeyError):
        return None
    return b


def cell(value, mark, unit: str = "percent") -> str:
    if mark:
        return f"{mark} (suppressed)"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return fmt_value(value, unit, digits=0 if unit == "percent" else 1)


def comparable(b) -> bool:
    return b is not None and b.comparable


def columns(measure_id: str, la_code: str, unit: str) -> dict[str, str]:
    """SN / Region / England cells for a scorecard row ("N/A" where no comparable benchmark)."""
    b = lookup(measure_id, la_code)
    if not comparable(b):
        return {"SN": "N/A", "Region": "N/A", "England": "N/A", "Benchmark year": ""}
    return {
        "SN": cell(b.neighbours_value, None if b.neighbours_n else "no figures", unit),
        "Region": cell(b.region_value, b.region_mark, unit),
        "England": cell(b.england_value, b.england_mark, unit),
        "Benchmark year": b.period_label,
    }


def series(measure_id: str, la_code: str):
    """Published years as a readable table: marks shown as such, percentages as percentages."""
    import pandas as pd

    s = bm.benchmark_series(measure_id, la_code)
    b = lookup(measure_id, la_code)
    unit = "percent" if b is not None and b.unit == "fraction" else "rate"
    return pd.DataFrame({
        "Year": s["period_label"],
        "Published for this LA code": [cell(v, m, unit) for v, m in zip(s["la"], s["la_mark"])],
        "Region": [cell(v, m, unit) for v, m in zip(s["region"], s["region_mark"])],
        "Statistical neighbours (mean)": [cell(v, None, unit) for v in s["neighbours_mean"]],
        "England": [cell(v, m, unit) for v, m in zip(s["england"], s["england_mark"])],
    })
