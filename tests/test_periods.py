import pandas as pd
import pytest

from metrics.periods import financial_year, month, months_between, period_for, trailing_months

T = pd.Timestamp


def test_month_ends_including_leap_february():
    assert month(2028, 2).end == T("2028-02-29")
    assert month(2027, 2).end == T("2027-02-28")
    assert month(2026, 12).end == T("2026-12-31")


def test_period_contains_the_whole_last_day_and_nothing_after():
    oct26 = period_for("2026-10")
    dates = pd.Series(pd.to_datetime(["2026-09-30 23:59", "2026-10-01 00:00", "2026-10-31 23:59", "2026-11-01 00:00"]))
    assert oct26.contains(dates).tolist() == [False, True, True, False]


@pytest.mark.parametrize("label,ptype,start,end,out_label", [
    ("2026-05", "month", "2026-05-01", "2026-05-31", "2026-05"),
    ("2026-05", "quarter", "2026-04-01", "2026-06-30", "2026-Q2"),
    ("2026-02", "year", "2025-04-01", "2026-03-31", "2025-26"),
    ("2026-04", "year", "2026-04-01", "2027-03-31", "2026-27"),
    ("2026-05", "rolling12", "2025-06-01", "2026-05-31", "R12-2026-05"),
    ("2026-Q4", "month", "2026-10-01", "2026-12-31", "2026-Q4"),
    ("R12-2028-02", "month", "2027-03-01", "2028-02-29", "R12-2028-02"),
])
def test_period_types(label, ptype, start, end, out_label):
    p = period_for(label, ptype)
    assert (p.start, p.end, p.label) == (T(start), T(end), out_label)


def test_financial_year_label():
    assert financial_year(2025).label == "2025-26"


@pytest.mark.parametrize("bad", ["2026-13", "May 2026", "2026-00", ""])
def test_bad_labels_are_refused(bad):
    with pytest.raises(ValueError):
        period_for(bad)


def test_trailing_months_cross_the_year():
    months = trailing_months("2026-02", 13)
    assert [m.label for m in months][:2] == ["2025-02", "2025-03"]
    assert months[-1].label == "2026-02" and len(months) == 13
    assert len(months_between("2025-11", "2026-02")) == 4


def test_period_titles_are_written_for_people():
    from metrics.periods import period_for

    assert period_for("2026-10").title == "October 2026"
    assert period_for("2026-10", "quarter").title == "Oct to Dec 2026"
    assert period_for("2026-02", "year").title == "April 2025 to March 2026"  # Feb 2026 is in 2025-26
    assert period_for("2024-02", "rolling12").title == "12 months to February 2024"
