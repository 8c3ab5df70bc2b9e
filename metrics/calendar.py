"""Working days: Monday to Friday, excluding England and Wales bank holidays.

Bank holidays come from the ``holidays`` package (GB, England subdivision; England and Wales share
their bank holidays), never from a hand-typed list.

The convention everywhere in the portal (measures.md): "within N working days" means the number of
working days *after* the start date, up to and including the end date, is at most N. An assessment
started on a Monday and authorised the next day took 1 working day; authorised the same day, 0.
"""

from __future__ import annotations

from functools import lru_cache

import holidays
import numpy as np
import pandas as pd

FIRST_YEAR, LAST_YEAR = 1990, 2060


@lru_cache(maxsize=1)
def bank_holidays() -> np.ndarray:
    """Every England and Wales bank holiday from 1990 to 2060 as sorted ``datetime64[D]``."""
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(FIRST_YEAR, LAST_YEAR + 1))
    return np.array(sorted(days), dtype="datetime64[D]")


@lru_cache(maxsize=1)
def _calendar() -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays())


def _days(values) -> np.ndarray:
    """Dates (scalars, lists, Series, datetimes with times) as ``datetime64[D]``; NaT kept."""
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    arr = np.asarray(pd.to_datetime(values))
    return arr.astype("datetime64[D]")


def working_days_after(start, end):
    """Working days after ``start`` up to and including ``end`` (negative if end is earlier).

    Vectorised: scalars give a float, Series/arrays give a float array; NaT on either side gives NaN.
    """
    scalar = np.ndim(start) == 0 and np.ndim(end) == 0
    s = np.atleast_1d(_days(start))
    e = np.atleast_1d(_days(end))
    s, e = np.broadcast_arrays(s, e)
    out = np.full(s.shape, np.nan)
    ok = ~(np.isnat(s) | np.isnat(e))
    if ok.any():
        a, b = s[ok], e[ok]
        forward = b >= a
        lo, hi = np.where(forward, a, b), np.where(forward, b, a)
        n = np.busday_count(lo + 1, hi + 1, busdaycal=_calendar())
        out[ok] = np.where(forward, n, -n)
    return out[0] if scalar else out


def add_working_days(start, n: int):
    """The date ``n`` working days after ``start`` (so ``working_days_after(start, result) == n``).

    For n > 0 the result is always a working day. Scalars give a Timestamp, arrays a DatetimeIndex.
    """
    scalar = np.ndim(start) == 0
    s = np.atleast_1d(_days(start))
    out = np.full(s.shape, np.datetime64("NaT"), dtype="datetime64[D]")
    ok = ~np.isnat(s)
    if n >= 0:
        # roll forward to the first working day strictly after start, then step n-1 more.
        if n == 0:
            out[ok] = s[ok]
        else:
            out[ok] = np.busday_offset(s[ok] + 1, n - 1, roll="forward", busdaycal=_calendar())
    else:
        out[ok] = np.busday_offset(s[ok], n, roll="backward", busdaycal=_calendar())
    result = pd.to_datetime(out.astype("datetime64[ns]"))
    return result[0] if scalar else result


def is_working_day(dates):
    scalar = np.ndim(dates) == 0
    d = np.atleast_1d(_days(dates))
    out = np.zeros(d.shape, dtype=bool)
    ok = ~np.isnat(d)
    out[ok] = np.is_busday(d[ok], busdaycal=_calendar())
    return bool(out[0]) if scalar else out
