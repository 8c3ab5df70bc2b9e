"""An independent re-computation of assessment timeliness straight from the Parquet cache, for
page tests to check what the page shows. Deliberately shares no code with metrics/."""

from __future__ import annotations

from pathlib import Path

import holidays
import numpy as np
import pandas as pd


def live_extract(cache_folder: Path) -> Path:
    return Path(cache_folder) / (Path(cache_folder) / "CURRENT").read_text().strip()


def assessments_in_month(cache_folder: Path, year: int, month: int, limit: int = 45) -> pd.DataFrame:
    folder = live_extract(cache_folder)
    a = pd.read_parquet(folder / "ssd_cin_assessments.parquet")
    dept = pd.read_parquet(folder / "ssd_department.parquet")
    auth = pd.to_datetime(a["cina_assessment_auth_date"])
    a = a[(auth.dt.year == year) & (auth.dt.month == month)].copy()
    bank = np.array(sorted(holidays.country_holidays("GB", subdiv="ENG", years=range(2010, 2031))), dtype="datetime64[D]")
    start = pd.to_datetime(a["cina_assessment_start_date"]).values.astype("datetime64[D]")
    end = pd.to_datetime(a["cina_assessment_auth_date"]).values.astype("datetime64[D]")
    # working days after the start, up to and including the end
    a["wd"] = np.busday_count(start + 1, end + 1, holidays=bank)
    a["in_time"] = a["wd"] <= limit
    names = dict(zip(dept["dept_team_id"], dept["dept_team_name"]))
    a["team_name"] = a["cina_assessment_team"].map(names)
    return a
