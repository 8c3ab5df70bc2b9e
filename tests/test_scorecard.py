import numpy as np
import pytest

from metrics.periods import period_for
from metrics.rag import AMBER, GREEN, RED, rag
from metrics.scorecard import DSTW_MEASURES, NOT_AVAILABLE, NOT_BUILT, scorecard
from metrics.settings import MetricSettings
from tests.test_assessment_measures import tables  # noqa: F401  (the hand-built fixture)


def test_dstw_has_the_twenty_measures_in_seed_order():
    assert len(DSTW_MEASURES) == 20 and len(set(DSTW_MEASURES)) == 20
    assert DSTW_MEASURES[0] == "unallocated" and DSTW_MEASURES[-1] == "cla_sdq"


@pytest.mark.parametrize("value,target,polarity,unit,expected", [
    (0.85, 0.85, "high", "percent", GREEN),
    (0.80, 0.85, "high", "percent", AMBER),   # exactly 5 points below
    (0.7999, 0.85, "high", "percent", RED),
    (0.12, 0.10, "low", "percent", AMBER),
    (0.16, 0.10, "low", "percent", RED),
    (104, 100, "low", "count", AMBER),        # counts: within 5% of the target
    (106, 100, "low", "count", RED),
    (0.5, None, "high", "percent", None),
    (float("nan"), 0.85, "high", "percent", None),
    (3, 5, "none", "count", None),
])
def test_rag(value, target, polarity, unit, expected):
    assert rag(value, target, polarity, 0.05, unit) == expected


def test_scorecard_lines(tables):  # noqa: F811
    settings = MetricSettings()
    lines = scorecard(tables, ["assessment_timeliness", "assessments", "no_such", "cla_pep"],
                      period_for("2026-05"), settings, months=5)
    at, count, missing, pep = lines
    # Jan 2/2, Feb 1/1, Mar -, Apr -, May 2/3 (see test_assessment_measures)
    assert at.periods == ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
    assert at.values[0] == 1.0 and np.isnan(at.values[2]) and at.latest == pytest.approx(2 / 3)
    assert at.target == 0.85 and at.rag == RED and at.dot is None  # April has no figure
    assert count.values == (2.0, 1.0, 0.0, 0.0, 3.0) and count.dot == "up" and count.dot_good is None
    assert missing.status == NOT_BUILT
    # A source without the ext_cla_pep table: the measure says so (or is not built yet).
    assert pep.status in (NOT_AVAILABLE, NOT_BUILT)
