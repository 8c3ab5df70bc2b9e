"""How numbers are written on screen: one place, so every page agrees."""

from __future__ import annotations

import math

POLARITY_TEXT = {"high": "High", "low": "Low", "none": ""}
DOT_ARROWS = {"up": "↑", "down": "↓", "same": "→", None: ""}
GOOD, BAD, NEUTRAL = "#00703c", "#d4351c", "#505a5f"


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_value(value, unit: str, *, digits: int = 1) -> str:
    if is_missing(value):
        return "–"
    if unit == "percent":
        return f"{value * 100:.{digits}f}%"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def fmt_target(value, unit: str) -> str:
    if is_missing(value):
        return ""
    return f"{value * 100:.0f}%" if unit == "percent" else f"{value:,.0f}"


def dot_colour(dot_good: bool | None) -> str:
    return NEUTRAL if dot_good is None else (GOOD if dot_good else BAD)


def month_label(label: str) -> str:
    """'2024-01' -> 'Jan-24' (seed 000's dashboard style); other labels unchanged."""
    import re

    m = re.fullmatch(r"(\d{4})-(\d{2})", label)
    if not m:
        return label
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{names[int(m[2]) - 1]}-{m[1][2:]}"


def sparkline_svg(values, *, width: int = 120, height: int = 28, colour: str = "#1d70b8") -> str:
    """A small inline SVG line of the values (gaps where missing), last point marked."""
    pts = [(i, v) for i, v in enumerate(values) if not is_missing(v)]
    if len(pts) < 2:
        return ""
    lo = min(v for _, v in pts)
    hi = max(v for _, v in pts)
    span = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)

    def xy(i, v):
        return (2 + (width - 4) * i / n, height - 3 - (height - 6) * (v - lo) / span)

    segments, current = [], []
    for i, v in enumerate(values):
        if is_missing(v):
            if current:
                segments.append(current)
            current = []
        else:
            current.append(xy(i, v))
    if current:
        segments.append(current)
    paths = "".join(
        f"<polyline fill='none' stroke='{colour}' stroke-width='1.8' points='"
        + " ".join(f"{x:.1f},{y:.1f}" for x, y in seg) + "'/>"
        for seg in segments
    )
    lx, ly = xy(*pts[-1])
    return (f"<svg width='{width}' height='{height}' role='img' aria-label='13 month trend'>{paths}"
            f"<circle cx='{lx:.1f}' cy='{ly:.1f}' r='2.5' fill='{colour}'/></svg>")


EXCEL_CELL_LIMIT = 32_767  # characters Excel holds in one cell; a longer text makes the file "need repair"


def short_id_list(ids, keep: int | None = None, limit: int | None = None) -> str:
    """A comma-separated list of IDs cut to its first ``keep`` IDs (all when None) and, when ``limit``
    is given, to at most ``limit`` characters, ending "… and N more" when anything was cut. Blank
    stays blank."""
    if ids is None or (isinstance(ids, float) and math.isnan(ids)) or not str(ids):
        return ""
    items = str(ids).split(",")
    shown = items[:keep]
    while True:
        rest = len(items) - len(shown)
        text = ",".join(shown) + (f" … and {rest:,} more" if rest else "")
        if limit is None or len(text) <= limit or not shown:
            return text
        shown = shown[: max(0, min(len(shown) - 1, len(shown) * limit // len(text)))]
