"""Care leavers: in touch, in suitable accommodation, in education, employment or training, and
pathway plans reviewed.

Measures (``../shared/spec/measures.md``, "Care leavers"):

- ``cl_in_touch``: care leavers aged 19-21 at the period end whose latest contact with the
  authority is within the last ``care_leaver_contact_weeks`` (default 8) weeks.
- ``cl_accommodation``: the same cohort, accommodation recorded as suitable.
- ``cl_eet``: the same cohort, activity is education, employment or training.
- ``cl_pathway_plan``: care leavers (16-25) whose pathway plan was reviewed in the last 6 months.

``ssd_care_leavers`` holds one current record per young person: the *latest* contact date,
pathway plan review date, accommodation and activity, with no history. So for a period that has
ended, a latest contact (or review) dated after the period end tells us nothing about the period:
such young people are listed, flagged and left out of that measure's numerator and denominator.
Accommodation and activity carry no date and are read as currently recorded.

Who is a care leaver on a date (:func:`care_leavers_on`): a young person with a care leaver
record, of the given age on the date, alive, not in care on the date and, when the source holds
their looked-after episodes, whose care started before the date (so they had left care by then).

Grouping: the worker and team holding the case at the period end (``ssd_involvements``); where
the young person has no open allocation, the team and worker recorded on the care leaver record.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from metrics import prepared
from metrics.allocation import allocation_on
from metrics.looked_after import (
    BASE_COLUMNS, ORG_TABLES, _Sources, age_years, day, days_before, finish, member, months_before,
    stock_rows, text, upper,
)
from metrics.lookups import label_org
from metrics.periods import Period
from metrics.registry import Measure, MeasureResult, register
from metrics.settings import MetricSettings

HEADLINE_AGES = (19, 21)          # DfE headline cohort: aged 19, 20 or 21 at the period end
PATHWAY_PLAN_AGES = (16, 25)      # cl_pathway_plan: care leavers entitled to support (to 25)
PATHWAY_PLAN_MONTHS = 6           # pathway plan reviewed at least every 6 months

CL_BASE = [*BASE_COLUMNS, "age", "eligibility", "personal_advisor"]


def care_leaver_records(tables: Mapping[str, pd.DataFrame], on=None) -> pd.DataFrame:
    """One record per young person: the one with the latest contact, or with ``on`` the latest
    whose contact is on or before that day (a source that keeps a record per contact then gives
    the position as it was; a young person with no record by then keeps their earliest one)."""
    c = tables["ssd_care_leavers"]
    out = pd.DataFrame({
        "record_id": text(c["clea_table_id"]),
        "person_id": text(c["clea_person_id"]),
        "eligibility": text(c["clea_care_leaver_eligibility"]),
        "in_touch_category": text(c["clea_care_leaver_in_touch"]),
        "latest_contact": day(c["clea_care_leaver_latest_contact"]),
        "accommodation": text(c["clea_care_leaver_accommodation"]),
        "accommodation_suitable": text(c["clea_care_leaver_accom_suitable"]),
        "activity": text(c["clea_care_leaver_activity"]),
        "pathway_plan_review_date": day(c["clea_pathway_plan_review_date"]),
        "personal_advisor": text(c["clea_care_leaver_personal_advisor"]),
        "record_team": text(c["clea_care_leaver_allocated_team"]),
        "record_worker": text(c["clea_care_leaver_worker_id"]),
    })
    out = out[(out["person_id"] != "").to_numpy()]
    out = out.sort_values(["person_id", "latest_contact", "record_id"], na_position="first", kind="stable")
    if on is not None:
        day_ = pd.Timestamp(on).normalize()
        later = (out["latest_contact"] > day_).fillna(False).to_numpy(dtype=bool)
        by_then = out[~later]
        # Nobody's record by then: keep their earliest record (flagged "after the period end").
        first = out[later].drop_duplicates("person_id", keep="first")
        first = first[~first["person_id"].isin(by_then["person_id"].unique())]
        out = pd.concat([by_then, first]).sort_values(
            ["person_id", "latest_contact", "record_id"], na_position="first", kind="stable")
    return out.drop_duplicates("person_id", keep="last").reset_index(drop=True)


def _care_leavers(src: _Sources, records: pd.DataFrame, date, min_age: int, max_age: int) -> pd.DataFrame:
    d = pd.Timestamp(date).normalize()
    keep, age = _care_leaver_flags(src, records, [d], min_age, max_age)
    out = records[keep[:, 0]].reset_index(drop=True)
    out["age"] = age[keep[:, 0], 0]
    return out


def _care_leaver_flags(src: _Sources, records: pd.DataFrame, dates, min_age: int, max_age: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """For each record (rows) and date (columns): whether the young person is a care leaver of that
    age on that date (the module docstring's rule), and their age then."""
    ids = records["person_id"].to_numpy(dtype=object)
    index, dobs, deaths = prepared.person_dates(src.tables)
    k = prepared.index_of(index, ids)
    dob, death = prepared.take(dobs, k), prepared.take(deaths, k)
    first_ids, first_dates = src.first_start()
    started = prepared.take(first_dates, prepared.index_of(first_ids, ids))
    in_care = src.in_care_people(dates)
    keep = np.zeros((len(ids), len(dates)), dtype=bool)
    ages = np.full((len(ids), len(dates)), np.nan)
    for j, date in enumerate(dates):
        d = np.datetime64(pd.Timestamp(date).normalize(), "ns")
        age = age_years(dob, d) if len(ids) else np.zeros(0)
        alive = pd.isna(death) | (death > d)
        before = pd.isna(started) | (started <= d)
        keep[:, j] = (age >= min_age) & (age <= max_age) & alive & ~member(ids, in_care[j]) & before
        ages[:, j] = age
    return keep, ages


def care_leavers_on(tables: Mapping[str, pd.DataFrame], date, min_age: int = 16, max_age: int = 25) -> pd.DataFrame:
    """Care leavers on ``date`` aged ``min_age`` to ``max_age`` (inclusive): their care leaver
    record (see :func:`care_leaver_records`) plus age. See the module docstring for the rule."""
    return _care_leavers(_Sources(tables), care_leaver_records(tables), date, min_age, max_age)


def describes_a_later_time(cohort: pd.DataFrame, p: Period) -> bool:
    """True when more than half of the cohort's latest contacts are dated after the period end:
    the care leaver records (current position only) then describe a later time than the period."""
    if cohort.empty:
        return False
    after = (cohort["latest_contact"] > p.end).fillna(False).to_numpy(dtype=bool)
    return bool(after.mean() > 0.5)


def _label(rows: pd.DataFrame, tables) -> pd.DataFrame:
    """Allocation at the period end; the care leaver record's team/worker where there is none."""
    rows = rows.reset_index(drop=True)
    if rows.empty:
        alloc = pd.DataFrame({"worker_id": pd.Series(dtype=object), "team_id": pd.Series(dtype=object)})
    else:
        alloc = allocation_on(tables, rows["person_id"], rows["period_end"])
    none = ((alloc["worker_id"] == "") & (alloc["team_id"] == "")).to_numpy(dtype=bool)
    rows["_team"] = np.where(none, rows["record_team"].to_numpy(dtype=object), alloc["team_id"].to_numpy(dtype=object))
    rows["_worker"] = np.where(none, rows["record_worker"].to_numpy(dtype=object), alloc["worker_id"].to_numpy(dtype=object))
    return label_org(rows, tables, team_col="_team", worker_col="_worker").drop(columns=["_team", "_worker"])


def _run(measure_id: str, tables, periods: list[Period], by, columns: list[str], ages: tuple[int, int],
         flag) -> MeasureResult:
    src = _Sources(tables)
    many = tables["ssd_care_leavers"]["clea_person_id"].duplicated().any()
    latest = care_leaver_records(tables)

    def build(p: Period) -> pd.DataFrame:
        records = care_leaver_records(tables, on=p.end) if many else latest
        c = _care_leavers(src, records, p.end, *ages)
        if describes_a_later_time(c, p):
            # Most of the cohort's records have been updated since the period ended: they describe
            # a later time, not the period. Nobody is counted, so the figure is blank ("–") rather
            # than a number made only of the young people nobody has contacted since.
            return flag(c, p).iloc[0:0]
        return flag(c, p)

    rows = _label(stock_rows(periods, build), tables)
    return finish(measure_id, rows, tables, periods, by, columns, count_only=False, labelled=True)


# ---- in touch -------------------------------------------------------------------------------

IN_TOUCH_COLUMNS = [*CL_BASE, "latest_contact", "days_since_contact", "window_start",
                    "contact_after_period_end", "in_touch_category"]


def compute_in_touch(tables, periods, by, settings: MetricSettings) -> MeasureResult:
    def flag(c: pd.DataFrame, p: Period) -> pd.DataFrame:
        w0 = days_before(p.end, 7 * settings.care_leaver_contact_weeks)
        contact = c["latest_contact"]
        c["days_since_contact"] = (p.end - contact).dt.days.to_numpy()
        c["window_start"] = w0
        c["contact_after_period_end"] = (contact > p.end).fillna(False).to_numpy(dtype=bool)
        c["in_denominator"] = ~c["contact_after_period_end"]
        c["in_numerator"] = ((contact >= w0) & (contact <= p.end)).fillna(False).to_numpy(dtype=bool)
        return c

    return _run("cl_in_touch", tables, periods, by, IN_TOUCH_COLUMNS, HEADLINE_AGES, flag)


# ---- accommodation --------------------------------------------------------------------------

ACCOMMODATION_COLUMNS = [*CL_BASE, "accommodation", "accommodation_suitable", "suitable"]


def _without_option_letter(values) -> pd.Series:
    """Upper-case text without an Ofsted Annex A drop-down prefix ("a) Suitable" -> "SUITABLE")."""
    return upper(values).str.replace(r"^[A-Z]\)\s*", "", regex=True)


def accommodation_suitable(suitability, accommodation) -> np.ndarray:
    """Suitable when the suitability says so (Suitable, Y, Yes, 1, or Annex A's "a) Suitable");
    "Unsuitable", "Not suitable" or "Suitability not known" are not. When it is blank, when the
    SSDA903 accommodation code ends in 1 (e.g. "B1": suitable; "B2": unsuitable)."""
    s = _without_option_letter(suitability)
    a = _without_option_letter(accommodation)
    said_yes = s.str.match(r"SUITABLE\b") | s.isin(["Y", "YES", "1", "TRUE"])
    by_code = (s == "") & a.str.fullmatch(r"[A-Z]1")
    return (said_yes | by_code).to_numpy(dtype=bool)


def compute_accommodation(tables, periods, by, settings) -> MeasureResult:
    def flag(c: pd.DataFrame, p: Period) -> pd.DataFrame:
        c["suitable"] = accommodation_suitable(c["accommodation_suitable"], c["accommodation"])
        c["in_denominator"] = True
        c["in_numerator"] = c["suitable"]
        return c

    return _run("cl_accommodation", tables, periods, by, ACCOMMODATION_COLUMNS, HEADLINE_AGES, flag)


# ---- education, employment or training -------------------------------------------------------

EET_COLUMNS = [*CL_BASE, "activity", "eet"]


def in_eet(activity) -> np.ndarray:
    """Education, employment or training: SSDA903 activity codes F1-F5 / P1-P5 (full or part time),
    or text naming education, employment, training, an apprenticeship or work (an Annex A option
    letter such as "a) " is ignored). Codes G4-G6, "NEET", "not in ..." and "unemployed" are not
    EET; blank is not known (not EET)."""
    a = _without_option_letter(activity)
    neet = (a.str.match(r"^G\d") | a.str.contains("NEET", regex=False) | a.str.contains(r"\bNOT\b", regex=True)
            | a.str.contains("UNEMPLOY", regex=False) | a.str.contains("UNKNOWN", regex=False))
    code = a.str.fullmatch(r"[FP][1-5]")
    words = a.str.contains(r"EDUCAT|EMPLOY|TRAIN|APPRENTIC|WORK|UNIVERSITY|COLLEGE|\bEET\b", regex=True)
    return ((code | words) & ~neet).to_numpy(dtype=bool)


def compute_eet(tables, periods, by, settings) -> MeasureResult:
    def flag(c: pd.DataFrame, p: Period) -> pd.DataFrame:
        c["eet"] = in_eet(c["activity"])
        c["in_denominator"] = True
        c["in_numerator"] = c["eet"]
        return c

    return _run("cl_eet", tables, periods, by, EET_COLUMNS, HEADLINE_AGES, flag)


# ---- pathway plan ---------------------------------------------------------------------------

PATHWAY_COLUMNS = [*CL_BASE, "pathway_plan_review_date", "window_start", "review_after_period_end"]


def compute_pathway(tables, periods, by, settings) -> MeasureResult:
    def flag(c: pd.DataFrame, p: Period) -> pd.DataFrame:
        # "Qualifying" care leavers are entitled to advice, not a pathway plan.
        c = c[~upper(c["eligibility"]).str.contains("QUALIFY", regex=False).to_numpy(dtype=bool)].reset_index(drop=True)
        w0 = months_before(p.end, PATHWAY_PLAN_MONTHS)
        review = c["pathway_plan_review_date"]
        c["window_start"] = w0
        c["review_after_period_end"] = (review > p.end).fillna(False).to_numpy(dtype=bool)
        c["in_denominator"] = ~c["review_after_period_end"]
        c["in_numerator"] = ((review >= w0) & (review <= p.end)).fillna(False).to_numpy(dtype=bool)
        return c

    return _run("cl_pathway_plan", tables, periods, by, PATHWAY_COLUMNS, PATHWAY_PLAN_AGES, flag)


# ---- registration -------------------------------------------------------------------------

_SOURCES = ("ssd_care_leavers", "ssd_cla_episodes", *ORG_TABLES)
_OPTIONAL = ("ssd_involvements", "ssd_cla_placement", "ssd_legal_status")
_COHORT = (
    "Care leavers aged 19, 20 or 21 at the period end (a care leaver record, alive, not in care on "
    "that day)"
)
_SNAPSHOT = (
    " The care leaver record holds only the latest {what}: for a past period, a young person whose "
    "latest {what} is dated after the period end is listed but not counted."
)
_CURRENT_ONLY = (
    " The source keeps only each young person's current position: a past period in which more than "
    "half of the cohort has been contacted since it ended is left blank, as the records describe a "
    "later time."
)

register(Measure(
    id="cl_in_touch", title="Care leavers in touch", unit="percent", polarity="high", kind="stock",
    definition=(
        f"{_COHORT}: the share whose latest contact with the authority is in the 8 weeks (a setting, "
        "care_leaver_contact_weeks) up to and including the period end. No recorded contact counts as "
        "not in touch." + _SNAPSHOT.format(what="contact") + _CURRENT_ONLY
    ),
    source_tables=_SOURCES, optional_tables=_OPTIONAL, compute=compute_in_touch,
    benchmark_key="CareLeavers_LA_NotInTouch",
))

register(Measure(
    id="cl_accommodation", title="Care leavers in suitable accommodation", unit="percent",
    polarity="high", kind="stock",
    definition=(
        f"{_COHORT}: the share whose accommodation is recorded as suitable (or, with no suitability "
        "recorded, whose SSDA903 accommodation code ends in 1). Not recorded counts as not suitable. "
        "Accommodation is as currently recorded." + _CURRENT_ONLY
    ),
    source_tables=_SOURCES, optional_tables=_OPTIONAL, compute=compute_accommodation,
    benchmark_key="CareLeaverAcc",
))

register(Measure(
    id="cl_eet", title="Care leavers in education, employment or training", unit="percent",
    polarity="high", kind="stock",
    definition=(
        f"{_COHORT}: the share whose activity is education, employment or training (SSDA903 codes "
        "F1-F5 full time, P1-P5 part time, or the same in words). NEET (G4-G6) and not recorded count "
        "as not in EET. Activity is as currently recorded." + _CURRENT_ONLY
    ),
    source_tables=_SOURCES, optional_tables=_OPTIONAL, compute=compute_eet,
    benchmark_key="CareLeaverEET",
))

register(Measure(
    id="cl_pathway_plan", title="Pathway plan reviewed in the last 6 months", unit="percent",
    polarity="high", kind="stock",
    definition=(
        "Care leavers aged 16 to 25 at the period end (a care leaver record, alive, not in care on "
        "that day; 'qualifying' care leavers, who have no pathway plan, are left out): the share whose "
        "pathway plan was last reviewed in the 6 months up to and including the period end. No "
        "recorded review counts as not reviewed." + _SNAPSHOT.format(what="review")
    ),
    source_tables=_SOURCES, optional_tables=_OPTIONAL, compute=compute_pathway,
))
