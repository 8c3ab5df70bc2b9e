"""Settings that authorities set differently, with the specification's defaults.

Built from the ``[measures]`` and ``[targets]`` sections of config.toml by the caller; metric
functions receive them as an argument and never read files themselves. Unknown keys in
``[measures]`` are refused so that a typo cannot silently fall back to a default.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Literal, Mapping

StartPoint = Literal["assessment_start", "referral"]
IntervalUnit = Literal["working_days", "days"]


@dataclass(frozen=True)
class MetricSettings:
    # Child and family assessments (measures.md: assessment_timeliness).
    assessment_timescale_working_days: int = 45
    assessment_start_point: StartPoint = "assessment_start"
    # Visits "through the month": the longest allowed gap (measures.md conventions).
    cp_visit_threshold: int = 10
    cp_visit_unit: IntervalUnit = "working_days"
    cin_visit_threshold: int = 20
    cin_visit_unit: IntervalUnit = "working_days"
    cla_visit_first_days: int = 7          # first visit within 1 week of a placement starting
    cla_visit_interval_days: int = 42      # then at most 6 weeks apart
    cla_visit_long_term_months: int = 3    # placement intended to last until 18: 3 months
    # Practice.
    supervision_interval_days: int = 30    # case supervision "up to date"
    pep_window_months: int = 4             # PEP "in the current school term"
    care_leaver_contact_weeks: int = 8     # care leaver "in touch"
    due_soon_working_days: int = 5         # worker tier: "due soon"
    caseload_threshold: int = 18           # management caseload: cases per worker above which to flag
    # Reporting.
    rag_tolerance: float = 0.05
    suppress_below: int = 5                # publication exports: counts 1-4 and % with denominator < 5
    targets: Mapping[str, float] = field(default_factory=lambda: {"assessment_timeliness": 0.85})

    @classmethod
    def from_config(cls, measures: Mapping[str, Any], targets: Mapping[str, float]) -> "MetricSettings":
        base = cls()
        known = {f.name: f for f in fields(cls) if f.name != "targets"}
        unknown = sorted(set(measures) - set(known))
        if unknown:
            raise ValueError(f"unknown setting(s) in [measures]: {', '.join(unknown)}; known: {', '.join(known)}")
        values: dict[str, Any] = {}
        for name, value in measures.items():
            default = getattr(base, name)
            values[name] = type(default)(value) if not isinstance(default, str) else str(value)
        start = values.get("assessment_start_point", base.assessment_start_point)
        if start not in ("assessment_start", "referral"):
            raise ValueError(f"assessment_start_point must be 'assessment_start' or 'referral', not {start!r}")
        for unit_key in ("cp_visit_unit", "cin_visit_unit"):
            if values.get(unit_key, "working_days") not in ("working_days", "days"):
                raise ValueError(f"{unit_key} must be 'working_days' or 'days', not {values[unit_key]!r}")
        return cls(**values, targets={**base.targets, **{k: float(v) for k, v in targets.items()}})

    def target(self, measure_id: str) -> float | None:
        return self.targets.get(measure_id)
