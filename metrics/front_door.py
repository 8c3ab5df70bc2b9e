"""The front door and early help: contacts, referrals, re-referrals, referral NFA, early help.

Measures (``../shared/spec/measures.md``, "Front door and early help"):

- ``contacts``: contacts dated in the period (count).
- ``contact_timeliness``: of the contacts in the period with a decision recorded
  (``ext_contact_decisions``), the share decided within 1 working day of the contact date.
- ``contact_to_referral``: of the contacts in the period, the share whose outcome includes a new
  referral to children's social care.
- ``referrals``: referrals (CIN episodes) dated in the period (count).
- ``re_referrals``: of the referrals in the period, the share where the same child had a previous
  referral dated within the 12 months before.
- ``referral_nfa``: of the referrals in the period, the share with the NFA flag set.
- ``eh_episodes``: early help episodes starting in the period (count).
- ``eh_repeat``: of the early help episodes starting in the period, the share where the child had
  another early help episode ending in the 12 months before the start.

Grouping (metrics.allocation): referrals by the team and worker recorded on the referral; early
help episodes by the recorded worker and that worker's team (the child's allocation on the start
date when no worker is recorded); contacts, which record neither, by the child's allocation on
the contact date.

This module also holds the small helpers the other front-door/CP/CIN modules share (period
expansion, grouping, summary), so that every measure summarises the same way.
"""

from __future__ import annotations

import json
import re
from typing import Mapping

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from metrics.allocation import as_id_strings, label_by_allocation
from metrics.calendar import working_days_after
from metrics.lookups import child_name_array, label_org, worker_lookup
from metrics.periods import Period
from metrics.registry import SUMMARY_COLUMNS, Measure, MeasureResult, register

ALL_ID, ALL_LABEL = "all", "All"

# Thresholds the catalogue fixes (no per-authority setting exists for them).
CONTACT_DECISION_WORKING_DAYS = 1   # contact_timeliness: decided within 1 working day
REREFERRAL_MONTHS = 12              # re_referrals: previous referral within 12 months
EH_REPEAT_MONTHS = 12               # eh_repeat: previous episode ended within 12 months

ORG_COLUMNS = ["service_id", "service", "team_id", "team", "worker_id", "worker"]
BASE_COLUMNS = ["period", "person_id", "child_name", *ORG_COLUMNS, "group_id", "group",
                "in_denominator", "in_numerator"]
ORG_TABLES = ("ssd_person", "ssd_department", "ssd_professionals")


# ---- shared helpers -----------------------------------------------------------------------------

def yes_flag(values: pd.Series) -> np.ndarray:
    """True where a Y/N style flag says yes (Y, Yes, True, 1; case and spaces ignored)."""
    text = pd.Series(values).astype(object).where(pd.Series(values).notna(), "").astype(str).str.strip().str.upper()
    return (text.str.startswith("Y") | (text == "1") | (text == "TRUE") | (text == "T")).to_numpy(dtype=bool)


def day(values: pd.Series) -> pd.Series:
    """Dates at midnight (times dropped), NaT kept."""
    return pd.to_datetime(values).dt.normalize()


def add_child_names(frame: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    frame["child_name"] = child_name_array(tables, as_id_strings(frame["person_id"]))
    return frame


def label_recorded(frame: pd.DataFrame, tables, *, team_col: str, worker_col: str) -> pd.DataFrame:
    """Team, service and worker as recorded on the event."""
    return label_org(frame, tables, team_col=team_col, worker_col=worker_col)


def label_allocated(frame: pd.DataFrame, tables, *, date_col: str) -> pd.DataFrame:
    """Team, service and worker of the child's allocation on ``date_col``."""
    if frame.empty:
        out = frame.copy()
        for c in ORG_COLUMNS:
            out[c] = pd.Series(dtype=object)
        return out
    return label_by_allocation(frame, tables, date_col=date_col)


def set_group(rows: pd.DataFrame, by: str | None) -> pd.DataFrame:
    if by is None:
        rows["group_id"], rows["group"] = ALL_ID, ALL_LABEL
    else:
        rows["group_id"], rows["group"] = rows[f"{by}_id"], rows[by]
    return rows


def in_any_period(dates: pd.Series, periods: list[Period]) -> np.ndarray:
    mask = np.zeros(len(dates), dtype=bool)
    for p in periods:
        mask |= p.contains(dates).fillna(False).to_numpy(dtype=bool)
    return mask


def events_in_periods(base: pd.DataFrame, periods: list[Period], date_col: str) -> pd.DataFrame:
    """One row per event per period whose range holds the event's ``date_col`` (a flow)."""
    parts = []
    for p in periods:
        part = base[p.contains(base[date_col]).fillna(False).to_numpy(dtype=bool)].copy()
        part.insert(0, "period", p.label)
        parts.append(part)
    if not parts:
        return base.iloc[0:0].assign(period="")
    return pd.concat(parts, ignore_index=True)


def _as_days(values):
    """Dates (scalar, list, array or Series; times dropped) as ``datetime64[D]``; NaT kept."""
    if np.ndim(values) == 0:
        return np.datetime64("NaT", "D") if pd.isna(values) else np.datetime64(pd.Timestamp(values), "D")
    return pd.to_datetime(pd.Series(np.asarray(values))).to_numpy().astype("datetime64[D]")


def open_at(start, end, when):
    """THE "open on a date" rule every stock measure uses (CP and CIN plans, in care, placements,
    legal statuses, open cases, the visit and review cohorts): open at the end of day ``when``
    when it started on or before that day and has not ended on or before it (no end date, or an
    end date after it). So a plan or episode ending ON the period end is not open at the period
    end (the DfE counts "at 31 March" this way, and an SSDA903 ceased date is the first day out of
    care); one ending the day after is. A missing start is never open.

    ``start``, ``end`` and ``when`` may each be a date or a sequence of dates (broadcast, by
    position: a Series' index is not used); times of day are ignored. Returns a bool array (a bool
    for scalars)."""
    s, e, w = _as_days(start), _as_days(end), _as_days(when)
    out = ~np.isnat(s) & (s <= w) & (np.isnat(e) | (e > w))
    return bool(out) if np.ndim(out) == 0 else np.asarray(out, dtype=bool)


def summarise(rows: pd.DataFrame, periods: list[Period], *, count_only: bool) -> pd.DataFrame:
    """Summary rows (SUMMARY_COLUMNS) per period and group from flagged child-level rows.

    Counts: value = numerator, denominator NaN. Percentages: value = numerator / denominator
    (NaN when 0). The whole-authority figure has a row for every period, even an empty one."""
    g = rows.groupby(["period", "group_id", "group"], sort=False, observed=True)
    summary = g.agg(numerator=("in_numerator", "sum"), denominator=("in_denominator", "sum")).reset_index()
    summary["numerator"] = summary["numerator"].astype(int)
    summary["denominator"] = summary["denominator"].astype(int)
    if count_only:
        summary["value"] = summary["numerator"].astype(float)
        summary["denominator"] = np.nan
    else:
        den = summary["denominator"].astype(float)
        summary["value"] = np.where(den > 0, summary["numerator"] / den.where(den > 0, 1), np.nan)
    labels = [p.label for p in periods]
    if rows.empty or (rows["group_id"] == ALL_ID).all():
        present = set(summary["period"])
        missing = [label for label in labels if label not in present]
        if missing:
            empty = pd.DataFrame({
                "period": missing, "group_id": ALL_ID, "group": ALL_LABEL,
                "numerator": 0, "denominator": np.nan if count_only else 0,
                "value": 0.0 if count_only else np.nan,
            })
            summary = pd.concat([summary, empty], ignore_index=True) if len(summary) else empty
    order = {label: i for i, label in enumerate(labels)}
    summary = summary.sort_values(
        ["period", "group"], key=lambda s: s.map(order) if s.name == "period" else s.astype(str))
    return summary[SUMMARY_COLUMNS].reset_index(drop=True)


def finish(measure_id: str, rows: pd.DataFrame, periods: list[Period], by: str | None,
           columns: list[str], *, count_only: bool) -> MeasureResult:
    rows = set_group(rows, by)
    rows["in_denominator"] = rows["in_denominator"].astype(bool)
    rows["in_numerator"] = rows["in_numerator"].astype(bool)
    for c in columns:
        if c not in rows:
            rows[c] = pd.Series(dtype=object)
    rows = rows[columns].reset_index(drop=True)
    return MeasureResult(measure_id, summarise(rows, periods, count_only=count_only), rows)


# ---- contact outcomes ---------------------------------------------------------------------------

# A referral outcome is a token mentioning a referral that is not an early help referral, a
# referral to another agency, "no referral" or a contact added to an existing referral.
_NOT_A_CSC_REFERRAL = {"EH", "EHM", "EARLY", "CAF", "TAF", "NO", "NOT", "NON", "OTHER", "AGENCY",
                       "AGENCIES", "EXTERNAL", "EXISTING"}
_COMMENT_KEYS = ("COMMENT", "NOTE", "TEXT", "REASON", "DESC")
_YES = {"Y", "YES", "TRUE", "1", "T"}


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Z0-9]+", text.upper().replace("_", " "))


def _is_referral_token(text: str) -> bool:
    words = _words(text)
    return any(w.startswith("REFER") for w in words) and not (set(words) & _NOT_A_CSC_REFERRAL)


def _truthy(value) -> bool:
    if value is True:
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value == 1
    return isinstance(value, str) and value.strip().upper() in _YES


def _walk(obj) -> bool:
    if isinstance(obj, dict):
        for key, value in obj.items():
            key_text = str(key)
            if isinstance(value, (dict, list)):
                if _walk(value):
                    return True
            elif _truthy(value):
                if _is_referral_token(key_text):  # {"OUTCOME_NEW_REFERRAL_FLAG": "Y"}
                    return True
            elif isinstance(value, str) and not any(k in key_text.upper() for k in _COMMENT_KEYS):
                if _walk(value):  # {"outcome": "CIN Referral"}
                    return True
        return False
    if isinstance(obj, list):
        return any(_walk(item) for item in obj)
    if isinstance(obj, str):
        return any(_is_referral_token(part) for part in re.split(r"[,;|/]+", obj))
    return False


def _has_referral(text: str) -> bool:
    text = text.strip()
    if not text:
        return False
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = text
    return _walk(parsed)


def outcome_has_referral(values: pd.Series) -> np.ndarray:
    """True where a contact outcome (JSON object of Y/N flags, JSON list of codes, or plain text)
    includes a new referral to children's social care. Each distinct outcome is read once."""
    text = pd.Series(values).astype(object).where(pd.Series(values).notna(), "").astype(str)
    codes, uniques = pd.factorize(text.to_numpy())
    flags = np.fromiter((_has_referral(u) for u in uniques), dtype=bool, count=len(uniques))
    return flags[codes] if len(codes) else np.zeros(0, dtype=bool)


# ---- contacts -----------------------------------------------------------------------------------

CONTACT_COLUMNS = [*BASE_COLUMNS, "contact_id", "contact_date", "contact_source"]


def _contacts(tables, periods: list[Period]) -> pd.DataFrame:
    c = tables["ssd_contacts"]
    c = c[in_any_period(c["cont_contact_date"], periods)]
    out = pd.DataFrame({
        "contact_id": c["cont_contact_id"].astype(str).to_numpy(),
        "person_id": c["cont_person_id"].astype(str).to_numpy(),
        "contact_datetime": c["cont_contact_date"].to_numpy(),
        "contact_date": day(c["cont_contact_date"]).to_numpy(),
        "contact_source": c["cont_contact_source_desc"].where(
            c["cont_contact_source_desc"].notna(), c["cont_contact_source_code"]).to_numpy(),
        "outcome": c["cont_contact_outcome_json"].to_numpy(),
    })
    out = add_child_names(out, tables)
    return label_allocated(out, tables, date_col="contact_date")


def compute_contacts(tables, periods, by, settings) -> MeasureResult:
    rows = events_in_periods(_contacts(tables, periods), periods, "contact_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return finish("contacts", rows, periods, by, CONTACT_COLUMNS, count_only=True)


TIMELINESS_COLUMNS = [*CONTACT_COLUMNS, "decision_date", "working_days", "decision_missing", "in_time"]


def _decisions_of(d: pd.DataFrame, contact_ids: np.ndarray) -> pd.DataFrame:
    """The decision rows of the given contacts (matched on the contact ID as text, in Arrow: the
    decisions table is as long as the contacts table, the period's contacts a small part of it)."""
    ids = d["cond_contact_id"]
    if not isinstance(ids.dtype, pd.StringDtype):
        ids = ids.astype(str)
    wanted = pa.array(np.asarray(contact_ids, dtype=object), type=pa.large_string())
    keep = pc.is_in(pa.array(ids).cast(pa.large_string()), value_set=wanted).to_numpy(zero_copy_only=False)
    return d[keep]


def compute_contact_timeliness(tables, periods, by, settings) -> MeasureResult:
    base = _contacts(tables, periods)
    d = _decisions_of(tables["ext_contact_decisions"], base["contact_id"].to_numpy(dtype=object))
    d = pd.DataFrame({"contact_id": d["cond_contact_id"].astype(str).to_numpy(),
                      "decision_date": day(d["cond_decision_date"]).to_numpy()})
    d = d.dropna(subset=["decision_date"]).sort_values("decision_date").drop_duplicates("contact_id")
    base = base.merge(d, on="contact_id", how="left")
    base["working_days"] = working_days_after(base["contact_date"], base["decision_date"])
    base["decision_missing"] = base["decision_date"].isna()
    base["in_time"] = (base["working_days"] <= CONTACT_DECISION_WORKING_DAYS) & ~base["decision_missing"]
    rows = events_in_periods(base, periods, "contact_datetime")
    # A contact with no decision recorded yet cannot be judged: listed, flagged, not counted.
    rows["in_denominator"] = ~rows["decision_missing"]
    rows["in_numerator"] = rows["in_time"] & rows["in_denominator"]
    return finish("contact_timeliness", rows, periods, by, TIMELINESS_COLUMNS, count_only=False)


def compute_contact_to_referral(tables, periods, by, settings) -> MeasureResult:
    base = _contacts(tables, periods)
    base["outcome_referral"] = outcome_has_referral(base["outcome"])
    rows = events_in_periods(base, periods, "contact_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["outcome_referral"]
    return finish("contact_to_referral", rows, periods, by,
                  [*CONTACT_COLUMNS, "outcome", "outcome_referral"], count_only=False)


# ---- referrals ----------------------------------------------------------------------------------

REFERRAL_COLUMNS = [*BASE_COLUMNS, "referral_id", "referral_date", "referral_source", "referral_nfa",
                    "close_date"]


def _all_referrals(tables) -> pd.DataFrame:
    e = tables["ssd_cin_episodes"]
    e = e[e["cine_referral_date"].notna()]
    return pd.DataFrame({
        "referral_id": e["cine_referral_id"].astype(str).to_numpy(),
        "person_id": e["cine_person_id"].astype(str).to_numpy(),
        "referral_datetime": e["cine_referral_date"].to_numpy(),
        "referral_date": day(e["cine_referral_date"]).to_numpy(),
        "referral_source": e["cine_referral_source_desc"].where(
            e["cine_referral_source_desc"].notna(), e["cine_referral_source_code"]).to_numpy(),
        "referral_nfa": yes_flag(e["cine_referral_nfa"]),
        "close_date": day(e["cine_close_date"]).to_numpy(),
        "team_code": e["cine_referral_team"].to_numpy(),
        "worker_code": e["cine_referral_worker_id"].to_numpy(),
    })


def _label_referrals(base: pd.DataFrame, tables, periods) -> pd.DataFrame:
    base = base[in_any_period(base["referral_datetime"], periods)].copy()
    base = add_child_names(base, tables)
    return label_recorded(base, tables, team_col="team_code", worker_col="worker_code")


def compute_referrals(tables, periods, by, settings) -> MeasureResult:
    base = _label_referrals(_all_referrals(tables), tables, periods)
    rows = events_in_periods(base, periods, "referral_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return finish("referrals", rows, periods, by, REFERRAL_COLUMNS, count_only=True)


def compute_re_referrals(tables, periods, by, settings) -> MeasureResult:
    allrefs = _all_referrals(tables)
    # The child's latest referral dated strictly before this one (any age: the whole history).
    dates = allrefs[["person_id", "referral_date"]].drop_duplicates().sort_values(["person_id", "referral_date"])
    dates["previous_referral_date"] = dates.groupby("person_id", sort=False)["referral_date"].shift()
    allrefs = allrefs.merge(dates, on=["person_id", "referral_date"], how="left")
    allrefs["window_start"] = allrefs["referral_date"] - pd.DateOffset(months=REREFERRAL_MONTHS)
    allrefs["days_since_previous"] = (allrefs["referral_date"] - allrefs["previous_referral_date"]).dt.days
    allrefs["re_referral"] = (allrefs["previous_referral_date"].notna()
                              & (allrefs["previous_referral_date"] >= allrefs["window_start"]))
    rows = events_in_periods(_label_referrals(allrefs, tables, periods), periods, "referral_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["re_referral"]
    return finish("re_referrals", rows, periods, by,
                  [*REFERRAL_COLUMNS, "previous_referral_date", "days_since_previous", "window_start",
                   "re_referral"], count_only=False)


def compute_referral_nfa(tables, periods, by, settings) -> MeasureResult:
    rows = events_in_periods(_label_referrals(_all_referrals(tables), tables, periods), periods,
                             "referral_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["referral_nfa"]
    return finish("referral_nfa", rows, periods, by, REFERRAL_COLUMNS, count_only=False)


# ---- early help ---------------------------------------------------------------------------------

EH_COLUMNS = [*BASE_COLUMNS, "episode_id", "start_date", "end_date", "reason", "organisation"]


def _all_eh(tables) -> pd.DataFrame:
    e = tables["ssd_early_help_episodes"]
    return pd.DataFrame({
        "episode_id": e["earl_episode_id"].astype(str).to_numpy(),
        "person_id": e["earl_person_id"].astype(str).to_numpy(),
        "start_datetime": e["earl_episode_start_date"].to_numpy(),
        "start_date": day(e["earl_episode_start_date"]).to_numpy(),
        "end_date": day(e["earl_episode_end_date"]).to_numpy(),
        "reason": e["earl_episode_reason"].to_numpy(),
        "organisation": e["earl_episode_organisation"].to_numpy(),
        "worker_code": e["earl_episode_worker_id"].fillna("").astype(str).to_numpy(),
    })


def _label_eh(base: pd.DataFrame, tables) -> pd.DataFrame:
    """The recorded worker and their team; the allocation on the start date if no worker."""
    base = add_child_names(base.reset_index(drop=True), tables)
    workers = worker_lookup(tables).drop_duplicates("worker_id")
    dept = pd.Series(workers["team_id"].to_numpy(), index=workers["worker_id"].to_numpy())
    base["team_code"] = dept.reindex(base["worker_code"].to_numpy()).fillna("").astype(str).to_numpy()
    recorded = base["worker_code"] != ""
    parts = []
    if recorded.any():
        parts.append(label_recorded(base[recorded], tables, team_col="team_code", worker_col="worker_code"))
    if (~recorded).any():
        parts.append(label_allocated(base[~recorded], tables, date_col="start_date"))
    if not parts:
        return label_allocated(base, tables, date_col="start_date")
    return pd.concat(parts, ignore_index=True)


def compute_eh_episodes(tables, periods, by, settings) -> MeasureResult:
    base = _all_eh(tables)
    base = _label_eh(base[in_any_period(base["start_datetime"], periods)], tables)
    rows = events_in_periods(base, periods, "start_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = True
    return finish("eh_episodes", rows, periods, by, EH_COLUMNS, count_only=True)


def compute_eh_repeat(tables, periods, by, settings) -> MeasureResult:
    allep = _all_eh(tables)
    starts = allep[in_any_period(allep["start_datetime"], periods)]
    # The child's other episodes that had ended on or before this one's start: the latest of them.
    ended = allep.loc[allep["end_date"].notna(), ["person_id", "episode_id", "start_date", "end_date"]]
    ended = ended.rename(columns={"episode_id": "previous_episode_id", "start_date": "previous_start",
                                  "end_date": "previous_end_date"})
    pairs = starts[["episode_id", "person_id", "start_date"]].merge(ended, on="person_id", how="inner")
    pairs = pairs[(pairs["previous_episode_id"] != pairs["episode_id"])
                  & (pairs["previous_end_date"] <= pairs["start_date"])
                  & (pairs["previous_start"] <= pairs["start_date"])]
    latest = pairs.sort_values("previous_end_date").drop_duplicates("episode_id", keep="last")
    base = starts.merge(latest[["episode_id", "previous_episode_id", "previous_end_date"]],
                        on="episode_id", how="left")
    base["window_start"] = base["start_date"] - pd.DateOffset(months=EH_REPEAT_MONTHS)
    base["repeat"] = base["previous_end_date"].notna() & (base["previous_end_date"] >= base["window_start"])
    rows = events_in_periods(_label_eh(base, tables), periods, "start_datetime")
    rows["in_denominator"] = True
    rows["in_numerator"] = rows["repeat"]
    return finish("eh_repeat", rows, periods, by,
                  [*EH_COLUMNS, "previous_episode_id", "previous_end_date", "window_start", "repeat"],
                  count_only=False)


# ---- registration -------------------------------------------------------------------------------

_ALLOCATION = ("ssd_involvements",)

CONTACTS = register(Measure(
    id="contacts",
    title="Contacts",
    unit="count",
    polarity="none",
    kind="flow",
    definition=(
        "The number of contacts received in the period (by contact date). Contacts are grouped "
        "by the team and worker the child was allocated to on the contact date, if any."
    ),
    source_tables=("ssd_contacts", *ORG_TABLES),
    optional_tables=_ALLOCATION,
    compute=compute_contacts,
))

CONTACT_TIMELINESS = register(Measure(
    id="contact_timeliness",
    title="Contacts decided within 1 working day",
    unit="percent",
    polarity="high",
    kind="flow",
    definition=(
        "Of the contacts received in the period that have a decision recorded, the share decided "
        "within 1 working day: the decision date is the contact date or the next working day. "
        "Working days are Monday to Friday, excluding England and Wales bank holidays, counted "
        "from the day after the contact up to and including the decision date (a contact on a "
        "Friday decided on the Monday is in time; one before a bank holiday Monday has until the "
        "Tuesday). Contacts with no decision recorded are listed but not counted. Needs the "
        "contact decisions extension table."
    ),
    source_tables=("ssd_contacts", "ext_contact_decisions", *ORG_TABLES),
    optional_tables=_ALLOCATION,
    compute=compute_contact_timeliness,
    default_target=0.78,
))

CONTACT_TO_REFERRAL = register(Measure(
    id="contact_to_referral",
    title="Contacts resulting in a referral",
    unit="percent",
    polarity="low",
    kind="flow",
    definition=(
        "Of the contacts received in the period, the share whose recorded outcome includes a new "
        "referral to children's social care (for example \"CIN Referral\" or a new-referral flag "
        "set to Y). Early help referrals, referrals to other agencies and contacts added to an "
        "already open referral do not count as a referral."
    ),
    source_tables=("ssd_contacts", *ORG_TABLES),
    optional_tables=_ALLOCATION,
    compute=compute_contact_to_referral,
))

REFERRALS = register(Measure(
    id="referrals",
    title="Referrals",
    unit="count",
    polarity="none",
    kind="flow",
    definition=(
        "The number of referrals to children's social care dated in the period (each CIN "
        "episode is one referral), grouped by the team and worker recorded on the referral."
    ),
    source_tables=("ssd_cin_episodes", *ORG_TABLES),
    compute=compute_referrals,
    benchmark_key="CPP_Total_Rateper10,000",
))

RE_REFERRALS = register(Measure(
    id="re_referrals",
    title="Re-referrals within 12 months",
    unit="percent",
    polarity="low",
    kind="flow",
    definition=(
        "Of the referrals dated in the period, the share where the same child had a previous "
        "referral dated within the 12 months before (on or after the same date a year earlier, "
        "and before the day of this referral). The child's whole referral history is searched, "
        "not just the period."
    ),
    source_tables=("ssd_cin_episodes", *ORG_TABLES),
    compute=compute_re_referrals,
    benchmark_key="ReReferral",
))

REFERRAL_NFA = register(Measure(
    id="referral_nfa",
    title="Referrals with no further action",
    unit="percent",
    polarity="none",
    kind="flow",
    definition=(
        "Of the referrals dated in the period, the share with the referral NFA (no further "
        "action) flag set to Y."
    ),
    source_tables=("ssd_cin_episodes", *ORG_TABLES),
    compute=compute_referral_nfa,
))

EH_EPISODES = register(Measure(
    id="eh_episodes",
    title="Early help episodes started",
    unit="count",
    polarity="none",
    kind="flow",
    definition=(
        "The number of early help episodes starting in the period, grouped by the worker "
        "recorded on the episode and that worker's team."
    ),
    source_tables=("ssd_early_help_episodes", *ORG_TABLES),
    optional_tables=_ALLOCATION,
    compute=compute_eh_episodes,
))

EH_REPEAT = register(Measure(
    id="eh_repeat",
    title="Repeat early help episodes",
    unit="percent",
    polarity="low",
    kind="flow",
    definition=(
        "Of the early help episodes starting in the period, the share where the child had "
        "another early help episode that ended in the 12 months before this one started (ended "
        "on or before the start date, and no more than 12 months earlier)."
    ),
    source_tables=("ssd_early_help_episodes", *ORG_TABLES),
    optional_tables=_ALLOCATION,
    compute=compute_eh_repeat,
))
