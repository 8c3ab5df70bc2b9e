"""Reporting periods: month (default), quarter, year to 31 March, rolling 12 months.

A period is a closed date range [start, end] with a label. Flow measures count events dated in
the range; stock measures look at the position on ``end``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

PERIOD_TYPES = ("month", "quarter", "year", "rolling12")


@dataclass(frozen=True, order=True)
class Period:
    start: pd.Timestamp
    end: pd.Timestamp  # inclusive, midnight of the last day
    label: str
    type: str = "month"

    @property
    def end_exclusive(self) -> pd.Timestamp:
        return self.end + pd.Timedelta(days=1)

    @property
    def title(self) -> str:
        """How the period is written for people: "October 2026", "Jul to Sep 2026",
        "April 2025 to March 2026", "12 months to October 2026"."""
        if self.type == "month":
            return f"{self.end:%B %Y}"
        if self.type == "quarter":
            return f"{self.start:%b} to {self.end:%b %Y}"
        if self.type == "year":
            return f"{self.start:%B %Y} to {self.end:%B %Y}"
        if self.type == "rolling12":
            return f"12 months to {self.end:%B %Y}"
        return f"{self.start:%d %b %Y} to {self.end:%d %b %Y}"

    def contains(self, dates: pd.Series) -> pd.Series:
        """True for dates (datetimes allowed) falling on a day within the period."""
        return (dates >= self.start) & (dates < self.end_exclusive)


def month(year: int, month_: int) -> Period:
    start = pd.Timestamp(year=year, month=month_, day=1)
    end = start + pd.offsets.MonthEnd(0)
    return Period(start, end, f"{year:04d}-{month_:02d}", "month")


def period_for(label_or_month: str, type_: str = "month") -> Period:
    """The period of a type that ends in the month ``YYYY-MM`` (or parses a full label).

    Labels: ``2026-03`` (month), ``2026-Q1`` (calendar quarter), ``2025-26`` (year to 31 March),
    ``R12-2026-03`` (rolling 12 months to the end of March 2026).
    """
    text = label_or_month.strip()
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        y, q = int(m[1]), int(m[2])
        start = pd.Timestamp(year=y, month=3 * q - 2, day=1)
        end = start + pd.offsets.MonthEnd(3)
        return Period(start, end, f"{y}-Q{q}", "quarter")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        y, mo = int(m[1]), int(m[2])
        if type_ == "year" and mo > 12:  # "2025-26" style year label
            return financial_year(y)
        if not 1 <= mo <= 12:
            raise ValueError(f"not a month: {text!r} (expected YYYY-MM)")
        last = month(y, mo)
        if type_ == "month":
            return last
        if type_ == "quarter":
            q = (mo - 1) // 3 + 1
            return period_for(f"{y}-Q{q}")
        if type_ == "year":
            return financial_year(y if mo >= 4 else y - 1)
        if type_ == "rolling12":
            start = (last.start - pd.DateOffset(months=11)).normalize()
            return Period(start, last.end, f"R12-{y:04d}-{mo:02d}", "rolling12")
        raise ValueError(f"unknown period type {type_!r}; use one of {', '.join(PERIOD_TYPES)}")
    if m := re.fullmatch(r"R12-(\d{4})-(\d{2})", text):
        return period_for(f"{m[1]}-{m[2]}", "rolling12")
    raise ValueError(f"not a period: {text!r} (expected YYYY-MM, YYYY-Qn, YYYY-YY or R12-YYYY-MM)")


def financial_year(start_year: int) -> Period:
    """The year from 1 April ``start_year`` to 31 March the year after."""
    start = pd.Timestamp(year=start_year, month=4, day=1)
    end = pd.Timestamp(year=start_year + 1, month=3, day=31)
    return Period(start, end, f"{start_year}-{(start_year + 1) % 100:02d}", "year")


def months_between(first: Period | str, last: Period | str) -> list[Period]:
    """Every month from ``first`` to ``last`` inclusive (labels or month periods)."""
    a = first if isinstance(first, Period) else period_for(first)
    b = last if isinstance(last, Period) else period_for(last)
    out = []
    cur = a.start
    while cur <= b.start:
        out.append(month(cur.year, cur.month))
        cur = cur + pd.DateOffset(months=1)
    return out


def trailing_months(last: Period | str, count: int) -> list[Period]:
    b = last if isinstance(last, Period) else period_for(last)
    first = b.start - pd.DateOffset(months=count - 1)
    return months_between(month(first.year, first.month), b)
