"""Running registered measures from pages, cached per extract, scope and arguments.

Results depend on who is asking, so the cache key always includes the scope key; the tables
themselves are passed unhashed (they are determined by extract + scope)."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Callable, Hashable, TypeVar

import pandas as pd
import streamlit as st

from metrics import registry
from metrics.periods import Period, period_for
from metrics.registry import MeasureResult
from ui.frame import PageContext

T = TypeVar("T")


def _shallow(frame: pd.DataFrame) -> pd.DataFrame:
    """A new frame over the same data: with pandas' copy-on-write, a page adding or changing a
    column of what it was handed never changes the cached original, and nothing is copied."""
    return frame.copy(deep=False)


@st.cache_resource(show_spinner=False, max_entries=512)
def _run(cache_key: str, scope_key: str, measure_id: str, periods: tuple[tuple[str, str], ...],
         by: str | None, settings_key: str, _tables, _settings) -> MeasureResult:
    measure = registry.get(measure_id)
    return measure.run(_tables, [period_for(label, kind) for label, kind in periods], by, _settings)


def run_measure(ctx: PageContext, measure_id: str, periods: list[Period], by: str | None = None) -> MeasureResult:
    key = tuple((p.label, p.type) for p in periods)
    # Figures count what the viewer's aggregate scope allows (a practitioner: the team); the
    # child rows behind them are filtered again by ctx.visible_rows before anything is shown.
    # A resource, not cache_data: a hit hands back the computed frames instead of unpickling a copy
    # of every child row (seconds for a whole large authority); _shallow keeps the original intact.
    res = _run(ctx.cache.key, ctx.viewer.aggregate_scope.key, measure_id, key, by, repr(ctx.settings),
               ctx.aggregate_tables, ctx.settings)
    return replace(res, summary=_shallow(res.summary), rows=_shallow(res.rows))


def run_scorecard(ctx: PageContext, measure_ids, last: Period, months: int = 13):
    """Scorecard lines for ``measure_ids``, each measure's trend from the shared measure cache."""
    from metrics.scorecard import scorecard

    return scorecard(ctx.aggregate_tables, measure_ids, last, ctx.settings, months=months,
                     run=lambda mid, periods: run_measure(ctx, mid, periods).summary)


@st.cache_resource(show_spinner="Working out what is due…", max_entries=64)
def _worklist(cache_key: str, scope_key: str, settings_key: str, as_at, _tables, _settings):
    # Keyed by extract, record scope and settings: one viewer's children never serve another scope.
    # A resource, not cache_data: the same frames are handed to every run (no copy of a whole
    # authority's tasks per rerun); pages only ever read them.
    from metrics.tasks import worklist

    return worklist(_tables, as_at, _settings)


def run_worklist(ctx: PageContext):
    """The statutory task worklist (metrics.tasks.worklist) of the viewer's record scope at the data
    date, shared by the Caseload, Weekly planning and Leaving care pages."""
    wl = _worklist(ctx.cache.key, ctx.viewer.scope.key, repr(ctx.settings), ctx.as_at, ctx.tables, ctx.settings)
    return replace(wl, children=_shallow(wl.children), tasks=_shallow(wl.tasks), leavers=_shallow(wl.leavers))


@st.cache_resource(show_spinner=False, max_entries=512)
def _derived(cache_key: str, scope_key: str, settings_key: str, name: str, key: tuple, _build):
    return _build()


@st.cache_resource(show_spinner=False, max_entries=16)
def _derived_large(cache_key: str, scope_key: str, settings_key: str, name: str, key: tuple, _build):
    # Whole-authority child lists (Annex A for a chosen date, a week's activity): few kept at once.
    return _build()


def derived(ctx: PageContext, name: str, key: tuple[Hashable, ...], build: Callable[[], T], *,
            records: bool = False, large: bool = False) -> T:
    """``build()`` once per extract, the viewer's aggregate scope, settings, ``name`` and ``key``,
    shared by every session with that scope: for what a page works out from shared results on
    every rerun (a measure's rows summarised for the chosen team, the placement moves of a period).
    ``build`` must depend only on ``ctx.aggregate_tables`` (or cached measure results, which have
    the same scope), the settings and what ``key`` names; with ``records=True``, on the viewer's
    record scope (``ctx.tables``) instead. A frame is handed out as a shallow copy-on-write copy,
    so a page changing it never changes the cached one. ``large=True`` (a value holding rows for a
    whole authority that a user can ask for again and again with another date or week) keeps only
    the 16 most recent such values, so memory stays bounded."""
    scope = ctx.viewer.scope if records else ctx.viewer.aggregate_scope
    cached = _derived_large if large else _derived
    return _handout(cached(ctx.cache.key, ("records:" if records else "") + scope.key, repr(ctx.settings), name,
                           key, build))


def _handout(value):
    """A cached value as a page may have it: frames (alone, in a dict or in a dataclass) as shallow
    copy-on-write copies, so a page changing one never changes the cached original."""
    if isinstance(value, pd.DataFrame):
        return _shallow(value)
    if isinstance(value, dict):
        return {k: _handout(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        return type(value)(_handout(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        frames = {f.name: _shallow(getattr(value, f.name)) for f in fields(value)
                  if isinstance(getattr(value, f.name), pd.DataFrame)}
        return replace(value, **frames) if frames else value
    return value


def summary_of(ctx: PageContext, measure_id: str, periods: list[Period], selection, part: str,
               by: str | None, summary_periods: list[Period] | None = None):
    """``metrics.activity.group_summary`` of a measure's rows over ``periods`` for one part of an
    OrgSelection (``"selected"``: the chosen team or service, ``"in_service"``: every team the
    page compares), grouped ``by`` (None: one "All" row per period of ``summary_periods``);
    computed once per selection and shared (:func:`derived`)."""
    from metrics.activity import group_summary

    if part not in ("selected", "in_service"):
        raise ValueError(part)
    key = (measure_id, tuple((p.label, p.type) for p in periods), selection.key, part, by,
           tuple((p.label, p.type) for p in summary_periods or ()))

    def build():
        rows = getattr(selection, part)(run_measure(ctx, measure_id, periods).rows)
        return group_summary(rows, by, count_only=False, periods=summary_periods)

    return derived(ctx, "summary_of", key, build)
