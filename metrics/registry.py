"""The measure registry: every number the portal shows is one registered measure.

A measure is a typed definition (id, title, unit, polarity, kind, plain-English rule, source
tables, default target, benchmark key) plus one pure function::

    compute(tables, periods, by, settings) -> MeasureResult

``tables`` is a dict of cached frames already limited to the viewer's access scope; ``periods`` a
list of :class:`metrics.periods.Period`; ``by`` one of None/"service"/"team"/"worker".
The result holds one summary row per period and group (numerator, denominator, value) and the
child-level rows behind them, so every figure can be drilled into.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal, Mapping

import pandas as pd

Unit = Literal["count", "percent", "days", "rate"]
Polarity = Literal["high", "low", "none"]
Kind = Literal["flow", "stock"]
GROUPINGS = (None, "service", "team", "worker")

SUMMARY_COLUMNS = ["period", "group_id", "group", "numerator", "denominator", "value"]


class MeasureUnavailable(Exception):
    """The source lacks a table the measure needs: the measure says so rather than show zero."""

    def __init__(self, measure_id: str, missing: list[str]):
        self.measure_id = measure_id
        self.missing = missing
        super().__init__(
            f"{measure_id}: not available from this source (missing {', '.join(missing)})"
        )


@dataclass(frozen=True)
class MeasureResult:
    measure_id: str
    # One row per period and group: SUMMARY_COLUMNS. value is a fraction 0-1 for percentages,
    # a count for counts; NaN where the denominator is 0.
    summary: pd.DataFrame
    # Child-level rows behind the figures: one row per counted item (e.g. assessment) with at
    # least period, person_id, group_id, group, in_denominator, in_numerator and the dates used.
    rows: pd.DataFrame


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    unit: Unit
    polarity: Polarity
    kind: Kind
    definition: str
    source_tables: tuple[str, ...]
    compute: Callable[..., MeasureResult] = field(repr=False, compare=False)
    default_target: float | None = None
    benchmark_key: str | None = None
    optional_tables: tuple[str, ...] = ()

    def run(self, tables: Mapping[str, pd.DataFrame], periods, by=None, settings=None) -> MeasureResult:
        if by not in GROUPINGS:
            raise ValueError(f"by must be one of service, team, worker (got {by!r})")
        missing = [t for t in self.source_tables if t not in tables]
        if missing:
            raise MeasureUnavailable(self.id, missing)
        from metrics.settings import MetricSettings

        return self.compute(tables, list(periods), by, settings or MetricSettings())


_REGISTRY: dict[str, Measure] = {}


def register(measure: Measure) -> Measure:
    if measure.id in _REGISTRY:
        raise ValueError(f"measure {measure.id!r} registered twice")
    _REGISTRY[measure.id] = measure
    return measure


def get(measure_id: str) -> Measure:
    _load_all()
    try:
        return _REGISTRY[measure_id]
    except KeyError:
        raise KeyError(
            f"unknown measure {measure_id!r}; known: {', '.join(sorted(_REGISTRY))}"
        ) from None


def all_measures() -> list[Measure]:
    """Every measure in catalogue order: by module (MEASURE_MODULES), then as each module
    registers them, whatever order the modules happened to be imported in."""
    _load_all()
    order = {name: i for i, name in enumerate(MEASURE_MODULES)}
    return sorted(_REGISTRY.values(),
                  key=lambda m: order.get(getattr(m.compute, "__module__", ""), len(order)))


# Modules that register measures, in catalogue order (measures.md sections).
MEASURE_MODULES = (
    "metrics.front_door",
    "metrics.assessments",
    "metrics.child_protection",
    "metrics.child_in_need",
    "metrics.visits",
    "metrics.looked_after",
    "metrics.care_leavers",
    "metrics.workforce",
)


def _load_all() -> None:
    # Importing the modules registers their measures. A module not written yet is skipped; an
    # error inside a module that exists is raised.
    import importlib
    import importlib.util

    for name in MEASURE_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
