"""What the measures derive once per extract (metrics.memo) is kept only for read-only shared
frames (a loaded extract, the scoped frames cut from it), dropped with the frame, and never
changes a figure: every measure gives the same result on registered and unregistered frames."""

from __future__ import annotations

import gc

import pandas as pd
from pandas.testing import assert_frame_equal

from data_access.cache import is_read_only, load_current, mark_read_only
from data_access.config import load_config
from data_access.scope import Scope, apply_scope
from metrics import memo, registry
from metrics.periods import period_for, trailing_months
from metrics.settings import MetricSettings


def test_only_read_only_frames_are_cached_and_the_value_goes_with_the_frame():
    calls = []
    frame = pd.DataFrame({"a": [1, 2]})

    def build():
        calls.append(1)
        return len(calls)

    # a hand-built frame: built every time (changing it in place is always safe)
    assert memo.derived("t", (frame,), build) == 1
    assert memo.derived("t", (frame,), build) == 2
    mark_read_only([frame])
    assert is_read_only(frame)
    assert memo.derived("t", (frame,), build) == 3
    assert memo.derived("t", (frame,), build) == 3  # kept
    assert memo.derived("t", (frame,), build, "other key") == 4
    before = memo.size()
    del frame
    gc.collect()
    assert memo.size() == before - 2  # both values went with the frame


def test_a_copy_of_a_read_only_frame_is_not_read_only():
    frame = pd.DataFrame({"a": [1]})
    mark_read_only([frame])
    assert not is_read_only(frame.copy())
    assert not is_read_only(frame[frame["a"] > 0])


def test_scoped_frames_cut_from_an_extract_are_read_only(demo_portal):
    cache = load_current(load_config(demo_portal).cache_folder)
    assert all(is_read_only(f) for f in cache.tables.values())
    person = cache.tables["ssd_person"]["pers_person_id"].astype(str).tolist()[:5]
    scoped = apply_scope(cache.tables, Scope(children=frozenset(person)))
    assert scoped and all(is_read_only(f) for f in scoped.values())
    # a hand-made dict of frames is not
    own = {k: v.copy() for k, v in list(cache.tables.items())[:2]}
    assert not any(is_read_only(f) for f in apply_scope(own, Scope(children=frozenset(person))).values())


def test_every_measure_gives_the_same_result_with_and_without_the_cache(demo_portal):
    cache = load_current(load_config(demo_portal).cache_folder)
    shared = cache.tables                                   # registered: derived values kept
    private = {k: v.copy() for k, v in shared.items()}      # not registered: built afresh
    assert not any(is_read_only(f) for f in private.values())
    periods = trailing_months(period_for("2026-10"), 3)
    settings = MetricSettings()
    for m in registry.all_measures():
        for by in (None, "team"):
            try:
                first = m.run(shared, periods, by, settings)
            except registry.MeasureUnavailable:
                continue
            again = m.run(shared, periods, by, settings)    # from the kept values
            fresh = m.run(private, periods, by, settings)
            for other in (again, fresh):
                assert_frame_equal(first.summary, other.summary, obj=f"{m.id} {by} summary")
                assert_frame_equal(first.rows, other.rows, obj=f"{m.id} {by} rows")
