"""Catalogue sections (measures.md headings), from the module that registers each measure."""

from __future__ import annotations

from metrics.registry import Measure, all_measures

SECTIONS = {
    "metrics.front_door": "Front door and early help",
    "metrics.assessments": "Assessment, section 47 and child protection",
    "metrics.child_protection": "Assessment, section 47 and child protection",
    "metrics.visits": "Visits and reviews",
    "metrics.child_in_need": "Child in need",
    "metrics.looked_after": "Children looked after",
    "metrics.care_leavers": "Care leavers",
    "metrics.workforce": "Workforce and practice",
}


def section_of(measure: Measure) -> str:
    return SECTIONS.get(getattr(measure.compute, "__module__", ""), "Other")


def measures_by_section() -> dict[str, list[Measure]]:
    out: dict[str, list[Measure]] = {}
    for m in all_measures():
        out.setdefault(section_of(m), []).append(m)
    order = list(dict.fromkeys(SECTIONS.values()))
    return {s: out[s] for s in sorted(out, key=lambda s: order.index(s) if s in order else 99)}
