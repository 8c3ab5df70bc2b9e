"""The highlight report's one-line narrative and its benchmark lines, on hand-made series with the
expected sentences worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics import registry
from metrics.benchmarks import benchmark_series
from metrics.narrative import (HIGHLIGHT_MEASURES, HIGHLIGHT_SECTIONS, benchmark_phrase, benchmarks_by_month,
                               change_phrase, extreme_phrase, narrative)

NAN = float("nan")


def test_the_example_from_the_brief():
    # 19.4% last month, 22.6% this month: up 3.2 points; England 2024-25 re-referrals 22.6% would be
    # "level with", so take England at 20.0%: above.
    assert narrative([0.194, 0.226], "percent", [("England", 0.200)]) == \
        "Up 3.2 points on last month; above England (20.0%)"
    # 25.8% against England's 22.6%: the sentence the report is built around
    assert narrative([0.226, 0.258], "percent", [("England", 0.226)]) == \
        "Up 3.2 points on last month; above England (22.6%)"


def test_change_on_last_month():
    assert change_phrase(0.75, 0.76, "percent") == "Down 1.0 point on last month"  # singular
    assert change_phrase(0.7512, 0.7549, "percent") == "Down 0.4 points on last month"  # 75.1 vs 75.5
    # 75.04% and 74.96% are both 75.0% as shown: no change, not "up 0.1"
    assert change_phrase(0.7504, 0.7496, "percent") == "No change on last month"
    assert change_phrase(124, 120, "count") == "Up 4 on last month, to 124"
    assert change_phrase(31, 33, "count") == "Down 2 on last month, to 31"
    assert change_phrase(1_250, 1_250, "count") == "No change on last month"
    assert change_phrase(23.04, 21.5, "days") == "Up 1.5 on last month, to 23.0"
    # no figure last month (no denominator): say this month's and that last month had none
    assert change_phrase(0.5, NAN, "percent") == "50.0% this month; no figure for last month"
    assert change_phrase(7, None, "count") == "7 this month; no figure for last month"


def test_highest_and_lowest_in_the_window():
    rising = [0.50, 0.52, 0.51, 0.53, 0.55, 0.54, 0.56]
    assert extreme_phrase(rising, "percent") == "the highest in 7 months"
    assert extreme_phrase([0.5, 0.4, 0.45, 0.42, 0.41, 0.44, 0.39], "percent") == "the lowest in 7 months"
    # equal to an earlier month at the precision shown (56.0%): not "the highest"
    assert extreme_phrase([0.560, 0.52, 0.51, 0.53, 0.55, 0.54, 0.5601], "percent") is None
    # too few months with a figure (five of seven): nothing said
    assert extreme_phrase([NAN, 0.1, 0.2, NAN, 0.3, 0.4, 0.5], "percent") is None
    # the window is counted in months, gaps included: six figures over 13 months
    thirteen = [NAN] * 7 + [10, 11, 12, 13, 14, 15]
    assert extreme_phrase(thirteen, "count") == "the highest in 13 months"
    assert narrative(thirteen, "count") == "Up 1 on last month, to 15, the highest in 13 months"
    # "no change" is never also "the highest"
    assert narrative([1, 2, 3, 4, 5, 5], "count") == "No change on last month"


def test_benchmark_comparison():
    assert benchmark_phrase(0.80, [("England", 0.857)], "percent") == "below England (85.7%)"
    assert benchmark_phrase(0.8574, [("England", 0.857)], "percent") == "level with England (85.7%)"
    # England suppressed (NaN) or absent: the next comparator with a figure
    assert benchmark_phrase(0.30, [("England", NAN), ("statistical neighbours", 0.2008)], "percent") == \
        "above statistical neighbours (20.1%)"
    assert benchmark_phrase(0.30, [("England", None)], "percent") is None
    assert narrative([0.3, 0.3], "percent", [("England", NAN)]) == "No change on last month"


def test_no_figure_this_month():
    assert narrative([0.2, NAN], "percent", [("England", 0.2)]) == "No figure this month"
    assert narrative([], "count") == "No figure this month"


def test_benchmark_lines_step_at_each_year_end():
    series = pd.DataFrame({
        "year_end": pd.to_datetime(["2024-03-31", "2025-03-31"]),
        "period_label": ["2023-24", "2024-25"],
        "england": [0.224, 0.226], "region": [0.259, 0.247], "neighbours_mean": [0.2182, 0.2008],
    })
    ends = [pd.Timestamp("2024-02-29"), pd.Timestamp("2024-03-31"), pd.Timestamp("2025-02-28"),
            pd.Timestamp("2025-03-31"), pd.Timestamp("2026-10-31")]
    lines = benchmarks_by_month(series, ends)
    # February 2024: no year had ended yet (2023-24 ends on 31 March 2024) -> blank
    assert lines["period_label"].tolist() == ["", "2023-24", "2023-24", "2024-25", "2024-25"]
    assert math.isnan(lines["england"][0])
    assert lines["england"].tolist()[1:] == [0.224, 0.224, 0.226, 0.226]
    assert lines["neighbours_mean"].tolist()[-1] == 0.2008
    empty = benchmarks_by_month(series.iloc[0:0], ends)
    assert empty["england"].isna().all() and (empty["period_label"] == "").all()


def test_benchmark_lines_from_the_shipped_dfe_file():
    # England re-referrals 2024-25 read by hand from the DfE file: 22.6%; Derby (E06000015), East
    # Midlands 24.7%; in force in October 2026.
    lines = benchmarks_by_month(benchmark_series("re_referrals", "E06000015"), [pd.Timestamp("2026-10-31")])
    assert lines.loc[0, "period_label"] == "2024-25"
    assert lines.loc[0, "england"] == pytest.approx(0.226)
    assert lines.loc[0, "region"] == pytest.approx(0.247)


def test_the_highlight_measures_are_registered_once():
    ids = {m.id for m in registry.all_measures()}
    assert set(HIGHLIGHT_MEASURES) <= ids
    assert len(HIGHLIGHT_MEASURES) == len(set(HIGHLIGHT_MEASURES))
    assert {"re_referrals", "icpc_timeliness", "assessment_timeliness"} <= set(HIGHLIGHT_SECTIONS["Front door"]
                                                                             + HIGHLIGHT_SECTIONS["Child protection"])
