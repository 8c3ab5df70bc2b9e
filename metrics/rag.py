"""RAG rating and direction of travel, by a measure's polarity (measures.md, Conventions)."""

from __future__ import annotations

import math

GREEN, AMBER, RED = "Green", "Amber", "Red"


def rag(value: float | None, target: float | None, polarity: str, tolerance: float = 0.05,
        unit: str = "percent") -> str | None:
    """Green meets the target; amber within ``tolerance`` of it; red otherwise.

    For percentages (fractions) the tolerance is in percentage points (0.05 = 5 points); for
    counts, days and rates it is relative to the target (0.05 = within 5% of it).
    None when there is no value, no target or no polarity."""
    if value is None or target is None or polarity not in ("high", "low"):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if unit != "percent":
        tolerance = abs(target) * tolerance
    gap = (value - target) if polarity == "high" else (target - value)
    if gap >= -1e-12:
        return GREEN
    if gap >= -tolerance - 1e-12:
        return AMBER
    return RED


def direction(latest: float | None, previous: float | None) -> str | None:
    """'up', 'down' or 'same' comparing the latest period with the one before."""
    for v in (latest, previous):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            return None
    if abs(latest - previous) < 1e-12:
        return "same"
    return "up" if latest > previous else "down"


def direction_is_good(dot: str | None, polarity: str) -> bool | None:
    if dot in (None, "same") or polarity not in ("high", "low"):
        return None
    return (dot == "up") == (polarity == "high")
