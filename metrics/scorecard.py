"""Scorecards: many measures side by side, each with its recent values, trend, direction of
travel, target and RAG. Used by the "Doing the Simple Things Well" dashboard, the KPI scorecard
and the Monthly Highlight Report; benchmarks are joined by the caller-supplied lookup so this
module stays pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from metrics import registry
from metrics.periods import Period, trailing_months
from metrics.rag import direction, direction_is_good, rag
from metrics.settings import MetricSettings

# Seed 000 (Bradford): the twenty measures of "Doing the Simple Things Well", in this order.
DSTW_MEASURES = (
    "unallocated", "case_supervision", "contact_timeliness", "referrals", "assessments",
    "assessment_timeliness", "assessment_child_seen", "icpc_timeliness", "cin_plans", "cin_visits",
    "cin_reviews", "cp_plans", "cp_visits", "cp_reviews", "cla", "cla_visits", "cla_reviews",
    "cla_health", "cla_pep", "cla_sdq",
)

NOT_AVAILABLE = "Not available from this source"
NOT_BUILT = "Not yet calculated by the portal"


@dataclass(frozen=True)
class ScorecardLine:
    measure_id: str
    title: str
    unit: str
    polarity: str
    status: str | None  # None when calculated; otherwise why there is no figure
    periods: tuple[str, ...]  # labels of the trend, oldest first
    values: tuple[float, ...]  # one per period (NaN where no denominator)
    numerators: tuple[float, ...]
    denominators: tuple[float, ...]
    target: float | None
    rag: str | None
    dot: str | None  # up / down / same
    dot_good: bool | None

    @property
    def latest(self) -> float:
        return self.values[-1] if self.values else np.nan


def scorecard(tables: Mapping[str, pd.DataFrame], measure_ids: Sequence[str], last: Period,
              settings: MetricSettings, *, months: int = 13,
              run: Callable[[str, list[Period]], pd.DataFrame] | None = None) -> list[ScorecardLine]:
    """One line per measure, in the order given: the ``months`` months ending with ``last``.

    ``run(measure_id, periods)`` returns a measure's whole-authority summary; by default the
    measure is run on ``tables`` (pages pass a cached runner)."""
    periods = trailing_months(last, months)
    labels = tuple(p.label for p in periods)
    known = {m.id: m for m in registry.all_measures()}
    lines = []
    for mid in measure_ids:
        measure = known.get(mid)
        if measure is None:
            lines.append(ScorecardLine(mid, mid, "count", "none", NOT_BUILT, labels,
                                       (np.nan,) * len(labels), (np.nan,) * len(labels),
                                       (np.nan,) * len(labels), None, None, None, None))
            continue
        target = settings.target(mid)
        if target is None:
            target = measure.default_target
        try:
            summary = run(mid, periods) if run else measure.run(tables, periods, None, settings).summary
        except registry.MeasureUnavailable:
            lines.append(ScorecardLine(mid, measure.title, measure.unit, measure.polarity, NOT_AVAILABLE,
                                       labels, (np.nan,) * len(labels), (np.nan,) * len(labels),
                                       (np.nan,) * len(labels), target, None, None, None))
            continue
        s = summary[summary["group_id"] == "all"].set_index("period").reindex(list(labels))
        values = tuple(float(v) for v in s["value"])
        dot = direction(values[-1], values[-2]) if len(values) > 1 else None
        lines.append(ScorecardLine(
            measure_id=mid, title=measure.title, unit=measure.unit, polarity=measure.polarity,
            status=None, periods=labels, values=values,
            numerators=tuple(float(v) for v in s["numerator"]),
            denominators=tuple(float(v) for v in s["denominator"]),
            target=target,
            rag=rag(values[-1], target, measure.polarity, settings.rag_tolerance, measure.unit),
            dot=dot, dot_good=direction_is_good(dot, measure.polarity),
        ))
    return lines
