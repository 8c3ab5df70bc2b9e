"""Settings that authorities set differently, with the specification's defaults.

Built from the ``[measures]`` and ``[targets]`` sections of config.toml by the caller; metric
functions receive them as an argument and never read files themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

StartPoint = Literal["assessment_start", "referral"]


@dataclass(frozen=True)
class MetricSettings:
    assessment_timescale_working_days: int = 45
    assessment_start_point: StartPoint = "assessment_start"
    rag_tolerance: float = 0.05
    targets: Mapping[str, float] = field(default_factory=lambda: {"assessment_timeliness": 0.85})

    @classmethod
    def from_config(cls, measures: Mapping[str, Any], targets: Mapping[str, float]) -> "MetricSettings":
        base = cls()
        start = measures.get("assessment_start_point", base.assessment_start_point)
        if start not in ("assessment_start", "referral"):
            raise ValueError(
                f"assessment_start_point must be 'assessment_start' or 'referral', not {start!r}"
            )
        return cls(
            assessment_timescale_working_days=int(
                measures.get("assessment_timescale_working_days", base.assessment_timescale_working_days)
            ),
            assessment_start_point=start,
            rag_tolerance=float(measures.get("rag_tolerance", base.rag_tolerance)),
            targets={**base.targets, **dict(targets)},
        )

    def target(self, measure_id: str) -> float | None:
        return self.targets.get(measure_id)
