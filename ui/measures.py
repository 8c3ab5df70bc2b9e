"""Running registered measures from pages, cached per extract, scope and arguments.

Results depend on who is asking, so the cache key always includes the scope key; the tables
themselves are passed unhashed (they are determined by extract + scope)."""

from __future__ import annotations

import streamlit as st

from metrics import registry
from metrics.periods import Period, period_for
from metrics.registry import MeasureResult
from ui.frame import PageContext


@st.cache_data(show_spinner=False, max_entries=512)
def _run(cache_key: str, scope_key: str, measure_id: str, periods: tuple[tuple[str, str], ...],
         by: str | None, settings_key: str, _tables, _settings) -> MeasureResult:
    measure = registry.get(measure_id)
    return measure.run(_tables, [period_for(label, kind) for label, kind in periods], by, _settings)


def run_measure(ctx: PageContext, measure_id: str, periods: list[Period], by: str | None = None) -> MeasureResult:
    key = tuple((p.label, p.type) for p in periods)
    # Figures count what the viewer's aggregate scope allows (a practitioner: the team); the
    # child rows behind them are filtered again by ctx.visible_rows before anything is shown.
    return _run(ctx.cache.key, ctx.viewer.aggregate_scope.key, measure_id, key, by, repr(ctx.settings),
                ctx.aggregate_tables, ctx.settings)


def run_scorecard(ctx: PageContext, measure_ids, last: Period, months: int = 13):
    """Scorecard lines for ``measure_ids``, each measure's trend from the shared measure cache."""
    from metrics.scorecard import scorecard

    return scorecard(ctx.aggregate_tables, measure_ids, last, ctx.settings, months=months,
                     run=lambda mid, periods: run_measure(ctx, mid, periods).summary)
