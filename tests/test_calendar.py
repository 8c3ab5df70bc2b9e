"""Working days, worked by hand from a 2026 calendar (bank holidays: Fri 3 Apr, Mon 6 Apr,
Mon 4 May, Mon 25 May, Mon 31 Aug, Fri 25 Dec, Mon 28 Dec (Boxing Day substitute))."""

import numpy as np
import pandas as pd
import pytest

from metrics.calendar import add_working_days, bank_holidays, is_working_day, working_days_after

T = pd.Timestamp


def test_bank_holidays_come_from_the_holidays_package_including_substitutes():
    days = set(bank_holidays().astype(str))
    assert {"2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
            "2026-12-25", "2026-12-28"} <= days
    # Boxing Day 2026 is a Saturday: the day off is the substitute, Monday 28th (a weekend date
    # in the list does no harm: weekends never count).
    assert "2022-09-19" in days  # the Queen's state funeral, a one-off bank holiday


@pytest.mark.parametrize("start,end,expected", [
    # Mon 2 Mar 2026: 21 working days to 31 Mar, 20 in April (Good Friday, Easter Monday off),
    # 1 May = 42, Mon 4 May is a bank holiday, Tue-Thu 5-7 May = 43..45, Fri 8 May = 46.
    ("2026-03-02", "2026-05-07", 45),
    ("2026-03-02", "2026-05-08", 46),
    ("2026-03-02", "2026-05-04", 42),  # a naive weekday count would say 45 here
    ("2026-05-01", "2026-05-05", 1),   # Fri -> Tue over the May bank holiday
    ("2026-12-18", "2026-12-29", 5),   # 21-24 Dec, then 25 and 28 are holidays, then 29th
    ("2028-02-28", "2028-03-01", 2),   # leap year: 29 Feb 2028 is a Tuesday and counts
    ("2027-02-26", "2027-03-01", 1),   # no 29 Feb in 2027: Fri -> Mon
    ("2026-06-10", "2026-06-10", 0),   # same day
    ("2026-06-13", "2026-06-14", 0),   # Saturday to Sunday
    ("2026-06-12", "2026-06-10", -2),  # end before start: minus the count the other way
])
def test_working_days_after(start, end, expected):
    assert working_days_after(T(start), T(end)) == expected


def test_times_of_day_are_ignored():
    assert working_days_after(T("2026-03-02 16:45"), T("2026-05-07 08:00")) == 45


def test_vectorised_with_missing_dates():
    starts = pd.Series(pd.to_datetime(["2026-03-02", None, "2026-12-18"]))
    ends = pd.Series(pd.to_datetime(["2026-05-08", "2026-05-08", None]))
    out = working_days_after(starts, ends)
    assert out[0] == 46 and np.isnan(out[1]) and np.isnan(out[2])


@pytest.mark.parametrize("start,n,expected", [
    ("2026-03-02", 45, "2026-05-07"),
    ("2026-05-01", 1, "2026-05-05"),
    ("2026-12-24", 1, "2026-12-29"),
    ("2026-06-13", 1, "2026-06-15"),  # from a Saturday the first working day is Monday
    ("2026-06-10", 0, "2026-06-10"),
    ("2026-05-05", -1, "2026-05-01"),
])
def test_add_working_days(start, n, expected):
    assert add_working_days(T(start), n) == T(expected)


def test_add_is_the_inverse_of_count():
    starts = pd.date_range("2025-12-01", "2026-12-31", freq="D")
    for n in (1, 5, 15, 45):
        ends = add_working_days(starts, n)
        assert (working_days_after(starts, pd.Series(ends)) == n).all()


def test_is_working_day():
    assert is_working_day(T("2026-05-05"))
    assert not is_working_day(T("2026-05-04"))  # bank holiday
    assert not is_working_day(T("2026-05-09"))  # Saturday
