"""The Monthly Highlight Report (seed 004): which indicators it shows, the published benchmark in
force in each month of a trend, and the one-line narrative written from the numbers, e.g.
"Up 3.2 points on last month; above England (22.6%)".

Pure functions: values in (fractions 0-1 for percentages, as the measures return them), text or
frames out. No page code and no measure is run here.
"""

from __future__ import annotations

import math
from typing import Sequence

import pandas as pd

# The indicators of the highlight report, by theme, in the order the report shows them.
HIGHLIGHT_SECTIONS: dict[str, tuple[str, ...]] = {
    "Front door": ("re_referrals", "assessment_timeliness"),
    "Child protection": ("icpc_timeliness", "cp_plans", "cp_repeat", "cp_reviews"),
    "Children in care": ("cla", "cla_3plus", "cla_long_term_stability", "cla_distance"),
    "Care leavers": ("cl_in_touch", "cl_eet", "cl_accommodation"),
}
HIGHLIGHT_MEASURES: tuple[str, ...] = tuple(m for ids in HIGHLIGHT_SECTIONS.values() for m in ids)

# How many months a trend must hold before "the highest / lowest in N months" is said.
EXTREME_MIN_VALUES = 6


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _display(value: float, unit: str) -> float:
    """The value at the precision the report writes it (percent points to 1 decimal place,
    counts whole, anything else 1 decimal place), so that what the sentence says matches what the
    reader sees."""
    if unit == "percent":
        return round(value * 100, 1)
    if unit == "count":
        return float(round(value))
    return round(value, 1)


def fmt(value: float, unit: str) -> str:
    if unit == "percent":
        return f"{_display(value, unit):.1f}%"
    if unit == "count":
        return f"{_display(value, unit):,.0f}"
    return f"{_display(value, unit):,.1f}"


def change_phrase(latest: float, previous: float | None, unit: str) -> str:
    """"Up 3.2 points on last month" (percentages), "Down 2 on last month, to 31" (counts),
    "No change on last month" when the two agree at the precision shown."""
    if _missing(previous):
        return f"{fmt(latest, unit)} this month; no figure for last month"
    diff = _display(latest, unit) - _display(previous, unit)
    if abs(diff) < 1e-9:
        return "No change on last month"
    word = "Up" if diff > 0 else "Down"
    size = abs(diff)
    if unit == "percent":
        return f"{word} {size:.1f} point{'' if abs(size - 1) < 1e-9 else 's'} on last month"
    amount = f"{size:,.0f}" if unit == "count" else f"{size:,.1f}"
    return f"{word} {amount} on last month, to {fmt(latest, unit)}"


def extreme_phrase(values: Sequence[float], unit: str) -> str | None:
    """"the highest in 13 months" when the latest value is above every earlier one in the window
    (at the precision shown; at least ``EXTREME_MIN_VALUES`` values), "the lowest ..." likewise."""
    shown = [_display(v, unit) for v in values if not _missing(v)]
    if _missing(values[-1]) or len(shown) < EXTREME_MIN_VALUES:
        return None
    latest, earlier = shown[-1], shown[:-1]
    if latest > max(earlier):
        return f"the highest in {len(values)} months"
    if latest < min(earlier):
        return f"the lowest in {len(values)} months"
    return None


def benchmark_phrase(latest: float, benchmarks: Sequence[tuple[str, float | None]], unit: str) -> str | None:
    """Against the first benchmark that has a figure: "above England (22.6%)", "below ...",
    "level with ..." (equal at the precision shown). None when none has a figure."""
    for label, value in benchmarks:
        if _missing(value):
            continue
        ours, theirs = _display(latest, unit), _display(value, unit)
        side = "level with" if abs(ours - theirs) < 1e-9 else ("above" if ours > theirs else "below")
        return f"{side} {label} ({fmt(value, unit)})"
    return None


def narrative(values: Sequence[float], unit: str,
              benchmarks: Sequence[tuple[str, float | None]] = ()) -> str:
    """One line about a monthly series (oldest first, latest last): the change on last month, the
    highest/lowest in the window if it is, and how the latest month compares with the first
    benchmark given that has a figure (e.g. [("England", 0.226), ("statistical neighbours", ...)])."""
    values = list(values)
    if not values or _missing(values[-1]):
        return "No figure this month"
    latest = values[-1]
    previous = values[-2] if len(values) > 1 else None
    text = change_phrase(latest, previous, unit)
    extreme = extreme_phrase(values, unit)
    if extreme and not text.startswith("No change"):
        text += f", {extreme}"
    bench = benchmark_phrase(latest, benchmarks, unit)
    if bench:
        text += f"; {bench}"
    return text


BENCHMARK_LINES = {"england": "England", "region": "Region", "neighbours_mean": "Statistical neighbours (mean)"}


def benchmarks_by_month(series: pd.DataFrame, month_ends: Sequence[pd.Timestamp]) -> pd.DataFrame:
    """For each month end, the published figures (``metrics.benchmarks.benchmark_series`` rows) of the
    latest year that had ended by then: columns month_end, period_label, england, region,
    neighbours_mean (NaN, and a blank label, before the first published year). The lines a trend
    chart draws, stepping when a month passes a new year end (31 March)."""
    out = pd.DataFrame({"month_end": pd.to_datetime(pd.Series(list(month_ends), dtype="datetime64[ns]"))})
    cols = ["period_label", *BENCHMARK_LINES]
    if series is None or series.empty:
        for c in cols:
            out[c] = "" if c == "period_label" else math.nan
        return out
    s = series.assign(year_end=pd.to_datetime(series["year_end"]).astype("datetime64[ns]")).sort_values("year_end")
    picked = pd.merge_asof(out.sort_values("month_end"), s[["year_end", *cols]],
                           left_on="month_end", right_on="year_end", direction="backward")
    picked["period_label"] = picked["period_label"].fillna("")
    return picked[["month_end", *cols]].astype({c: float for c in BENCHMARK_LINES}).reset_index(drop=True)
