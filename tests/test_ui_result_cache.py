"""The measure and worklist caches hand every rerun the same computed frames (st.cache_resource,
no copy per hit). What keeps that safe is ui.measures._shallow: a page that adds or changes a
column of what it was handed must never change what the next viewer of the same scope gets."""

import numpy as np
import pandas as pd

from ui.measures import _shallow


def test_a_page_changing_its_copy_never_changes_the_cached_frame():
    cached = pd.DataFrame({"period": ["2026-09", "2026-10"], "value": [0.5, 0.75],
                           "child": ["C1", "C2"]})
    handed = _shallow(cached)
    handed["value"] = handed["value"] * 100          # a page formatting percentages
    handed.loc[0, "child"] = "changed"               # or editing a cell
    handed["extra"] = 1                              # or adding a column
    handed.drop(columns="period", inplace=True)      # or dropping one
    assert list(cached.columns) == ["period", "value", "child"]
    assert cached["value"].tolist() == [0.5, 0.75]
    assert cached["child"].tolist() == ["C1", "C2"]
    # and nothing was copied to hand it over: the same values until someone writes
    again = _shallow(cached)
    assert np.shares_memory(again["value"].to_numpy(), cached["value"].to_numpy())


# ---- ui.measures.derived / summary_of: page summaries worked out once per scope and selection ---

from types import SimpleNamespace  # noqa: E402

import pytest  # noqa: E402

from metrics.periods import month  # noqa: E402
from metrics.registry import MeasureResult  # noqa: E402
from ui import measures as ui_measures  # noqa: E402
from ui.filters import OrgChoice, OrgSelection  # noqa: E402


def fake_ctx(extract: str, scope: str, settings: str = "s"):
    return SimpleNamespace(cache=SimpleNamespace(key=extract), settings=settings,
                           viewer=SimpleNamespace(aggregate_scope=SimpleNamespace(key=scope)))


@pytest.fixture()
def fresh_cache():
    ui_measures._derived.clear()
    ui_measures._derived_large.clear()
    yield
    ui_measures._derived.clear()
    ui_measures._derived_large.clear()


def test_derived_is_built_once_per_extract_scope_name_and_key(fresh_cache):
    calls = []

    def build(tag):
        def inner():
            calls.append(tag)
            return pd.DataFrame({"n": [len(calls)]})
        return inner

    a = fake_ctx("extract-1", "team:T1")
    first = ui_measures.derived(a, "moves", ("2026-10",), build("a"))
    again = ui_measures.derived(a, "moves", ("2026-10",), build("a-again"))
    assert calls == ["a"] and again["n"].tolist() == first["n"].tolist() == [1]
    again["n"] = 99                                   # a page changing what it was handed
    assert ui_measures.derived(a, "moves", ("2026-10",), build("x"))["n"].tolist() == [1]
    # another scope, extract, key or name is never served the first one's value
    ui_measures.derived(fake_ctx("extract-1", "team:T2"), "moves", ("2026-10",), build("other scope"))
    ui_measures.derived(fake_ctx("extract-2", "team:T1"), "moves", ("2026-10",), build("newer extract"))
    ui_measures.derived(a, "moves", ("2026-09",), build("other month"))
    ui_measures.derived(a, "starts", ("2026-10",), build("other name"))
    ui_measures.derived(fake_ctx("extract-1", "team:T1", "t"), "moves", ("2026-10",), build("other settings"))
    assert calls == ["a", "other scope", "newer extract", "other month", "other name", "other settings"]


def test_summary_of_counts_the_chosen_part_of_the_selection(fresh_cache, monkeypatch):
    # Six children in two teams of service S1 and one in S2, at October 2026:
    # T1: C1 met, C2 met, C3 not met -> 2/3; T2: C4 met, C5 not met -> 1/2; T3 (S2): C6 met -> 1/1.
    rows = pd.DataFrame({
        "period": ["2026-10"] * 6,
        "person_id": ["C1", "C2", "C3", "C4", "C5", "C6"],
        "service_id": ["S1", "S1", "S1", "S1", "S1", "S2"], "service": ["One"] * 5 + ["Two"],
        "team_id": ["T1", "T1", "T1", "T2", "T2", "T3"], "team": ["Team 1"] * 3 + ["Team 2"] * 2 + ["Team 3"],
        "worker_id": ["W1", "W1", "W2", "W3", "W3", "W4"], "worker": ["Ann", "Ann", "Bo", "Cy", "Cy", "Di"],
        "in_denominator": [True] * 6, "in_numerator": [True, True, False, True, False, True],
    })
    asked = []

    def fake_run(ctx, measure_id, periods, by=None):
        asked.append(measure_id)
        return MeasureResult(measure_id, pd.DataFrame(), rows)

    monkeypatch.setattr(ui_measures, "run_measure", fake_run)
    teams = pd.DataFrame({"team_id": ["T1", "T2"], "team": ["Team 1", "Team 2"], "service_id": ["S1", "S1"],
                          "service": ["One", "One"]})
    ctx = fake_ctx("extract-1", "all")
    oct26 = month(2026, 10)
    service = OrgSelection(OrgChoice("S1", None, teams), sees_everything=True)
    by_team = ui_measures.summary_of(ctx, "cp_visits", [oct26], service, "in_service", "team")
    assert by_team.set_index("group_id")[["numerator", "denominator"]].to_dict("index") == {
        "T1": {"numerator": 2, "denominator": 3}, "T2": {"numerator": 1, "denominator": 2}}
    head = ui_measures.summary_of(ctx, "cp_visits", [oct26], service, "selected", None, [oct26])
    assert (int(head["numerator"].iloc[0]), int(head["denominator"].iloc[0])) == (3, 5)
    team1 = OrgSelection(OrgChoice("S1", "T1", teams), sees_everything=True)
    workers = ui_measures.summary_of(ctx, "cp_visits", [oct26], team1, "selected", "worker")
    assert workers.set_index("group")["value"].round(3).to_dict() == {"Ann": 1.0, "Bo": 0.0}
    calls = len(asked)
    ui_measures.summary_of(ctx, "cp_visits", [oct26], team1, "selected", "worker")  # a rerun
    assert len(asked) == calls
    with pytest.raises(ValueError):
        ui_measures.summary_of(ctx, "cp_visits", [oct26], team1, "everything", None)


def test_cached_frames_inside_dicts_tuples_and_dataclasses_are_handed_out_as_copies():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Week:
        label: str
        events: pd.DataFrame

    frame = pd.DataFrame({"n": [1, 2]})
    value = ({"Summary": frame}, [Week("W1", frame)], "text")
    got = ui_measures._handout(value)
    got[0]["Summary"]["n"] = 0
    got[1][0].events["n"] = 0
    assert frame["n"].tolist() == [1, 2]
    assert isinstance(got, tuple) and isinstance(got[1], list) and got[2] == "text" and got[1][0].label == "W1"


def test_large_values_are_kept_apart_and_bounded(fresh_cache):
    calls = []
    ctx = fake_ctx("extract-1", "all")
    for day in range(20):  # a senior leader trying twenty Annex A dates
        ui_measures.derived(ctx, "annex_a", (day,), lambda day=day: calls.append(day) or day, large=True)
    assert calls == list(range(20))
    assert ui_measures.derived(ctx, "annex_a", (19,), lambda: calls.append("again"), large=True) == 19
    ui_measures.derived(ctx, "annex_a", (0,), lambda: calls.append("rebuilt") or 0, large=True)
    assert calls[-1] == "rebuilt"  # the oldest of more than 16 was let go
    # and a large value is not served to the same name and key asked for without large
    ui_measures.derived(ctx, "annex_a", (19,), lambda: calls.append("small") or 19)
    assert calls[-1] == "small"
