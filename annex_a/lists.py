"""Ofsted ILACS Annex A Lists 1-11 for a reference date, from the SSD-shaped cache tables.

:func:`annex_a_lists` is a pure function: tables in, one DataFrame per list out, with exactly the
Ofsted headers in order (:mod:`annex_a.spec`), dates as dates, counts as integers and coded
columns as the Ofsted drop-down values (:mod:`annex_a.codes`).

The rules every list follows:

- **The reference date** is the inspection date (normally the data's "as at" date). Everything is
  seen as it stood at the end of that day: events after it are not counted, and a date after it
  (a closure, an authorisation, a visit) is left blank, so a past reference date gives the lists
  as they would have been produced then (except where the SSD keeps only the current position:
  care leavers' accommodation, activity and contact are as currently recorded).
- **Look-back**: "in the six months before the inspection" is the six calendar months ending on
  the reference date: from the day after the same date six months earlier, to the reference date,
  both included (:func:`metrics.looked_after.months_before`). For 31 October 2026 that is
  1 May-31 October 2026; for 15 October 2026 a contact on 15 April 2026 is out, one on 16 April
  in. Lists 10 and 11 and the "in the last 12 months" columns use twelve months the same way.
- **Open** at the reference date follows the portal's one rule (:func:`metrics.front_door.open_at`):
  started on or before the date and not ended on or before it. "Ended in the last six months"
  means an end date inside the look-back, so a plan ending on the reference date is listed as
  ended, with its end date.
- **Counts of earlier events** ("Number of Referrals in Last 12 Months", S47s and ICPCs) count
  the child's *other* events dated in the 12 months before this one (the same window as the
  re-referral measure: from the same date a year earlier, up to the day before); this event is
  not counted, so a first referral shows 0.
- **Allocated team and worker**: on event lists (3-5) the team and worker recorded on the event,
  else the child's allocation on the event date; on case lists (6-9) the allocation
  (``ssd_involvements``) on the reference date, or on the closing date for a case that closed.
- **Ages** are whole years on the reference date.
- Columns the SSD cannot fill (Placement Location, LA of Placement, the adoptive Family identifier,
  and all of List 11, adopters) are left blank: see :data:`annex_a.spec.Column.available`.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Mapping

import numpy as np
import pandas as pd

from annex_a import codes as C
from annex_a.spec import LISTS, LONG_LOOKBACK_MONTHS, LOOKBACK_MONTHS
from metrics import prepared
from metrics.allocation import allocation_on
from metrics.care_leavers import PATHWAY_PLAN_AGES, care_leaver_records
from metrics.looked_after import (
    age_years, day, episodes, health_checks, legal_statuses, member, months_before, placements, text, upper,
    yes,
)
from metrics.lookups import label_org

NOT_DONE_FLAG = ("N", "NO", "FALSE", "0")


# ---- small helpers ----------------------------------------------------------------------------------

def _ts(value) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _table(tables: Mapping[str, pd.DataFrame], name: str, columns: list[str]) -> pd.DataFrame:
    """A source table, or an empty one with the named columns when the source lacks it."""
    frame = tables.get(name)
    if frame is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    missing = [c for c in columns if c not in frame]
    if missing:
        frame = frame.assign(**{c: None for c in missing})
    return frame


def _upto(values, when: pd.Timestamp) -> np.ndarray:
    """Dates on or before ``when``; later dates (not yet happened at the reference date) as NaT."""
    d = pd.Series(day(values))
    return d.where(d <= when).to_numpy()


def _json_items(value) -> list[str]:
    """The items a ``*_json`` cell names: a list's strings, an object's keys whose value is yes-like
    (or all its keys when values are not flags), or the plain text itself."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return []
    raw = str(value).strip()
    if not raw:
        return []
    try:
        parsed = json.loads(raw)
    except ValueError:
        return [raw]
    if isinstance(parsed, list):
        return [str(x).strip() for x in parsed if str(x).strip()]
    if isinstance(parsed, dict):
        flagged = [str(k) for k, v in parsed.items() if str(v).strip().upper() in ("Y", "YES", "TRUE", "1")]
        return flagged or [str(k) for k in parsed]
    return [str(parsed)]


def _first_item(values) -> np.ndarray:
    return np.array([(items[0] if items else None) for items in map(_json_items, pd.Series(values, dtype=object))],
                    dtype=object)


def _keyed(frame: pd.DataFrame, *keys: str) -> pd.DataFrame:
    """``frame`` with its join keys (person_id by default) as object columns, so an empty frame
    (whose columns may come back as float) still joins."""
    return frame.astype({k: object for k in (keys or ("person_id",)) if k in frame})


def _latest_between(rows: pd.DataFrame, events: pd.DataFrame, lo: str | None, hi: str,
                    cols: list[str], match: tuple[str, str] | None = None) -> pd.DataFrame:
    """For each row (by position), ``cols`` of the latest event of the same person dated within
    [rows[lo], rows[hi]] (``lo`` None: no lower bound); NaN where none. ``events`` has person_id,
    date and ``cols``; ``match`` = (row column, event column) must also be equal when both are set.
    Of several events on the latest day, the last in ``events``' order."""
    if match is None:
        return _latest_between_sorted(rows, events, lo, hi, cols)
    left = pd.DataFrame({"_i": np.arange(len(rows)), "person_id": rows["person_id"].to_numpy(dtype=object),
                         "_hi": pd.to_datetime(rows[hi]).to_numpy()})
    left["_lo"] = pd.to_datetime(rows[lo]).to_numpy() if lo else pd.NaT
    if match:
        left["_m"] = rows[match[0]].to_numpy(dtype=object)
    ev_cols = ["person_id", "date", *[c for c in cols if c != "date"]] + ([match[1]] if match else [])
    m = left.merge(_keyed(events[list(dict.fromkeys(ev_cols))]), on="person_id", how="inner")
    keep = m["date"].notna() & (m["date"] <= m["_hi"])
    if lo:
        keep &= m["date"] >= m["_lo"]
    if match:
        ev = m[match[1]].fillna("").astype(str)
        mine = m["_m"].fillna("").astype(str)
        keep &= (ev == "") | (mine == "") | (ev == mine)
    m = m[keep.to_numpy(dtype=bool)].sort_values(["_i", "date"], kind="stable").drop_duplicates("_i", keep="last")
    return m.set_index("_i")[cols].reindex(np.arange(len(rows))).reset_index(drop=True)


def _latest_between_sorted(rows: pd.DataFrame, events: pd.DataFrame, lo: str | None, hi: str,
                           cols: list[str]) -> pd.DataFrame:
    """:func:`_latest_between` without ``match``, by a binary search per row in the events sorted by
    person and day (:class:`metrics.prepared.EventIndex`) instead of joining every row to every event
    of its person: for a whole authority's episodes and visits that join held millions of pairs, the
    largest allocation of the whole Annex A build (~700 MiB above the loaded extract)."""
    index = prepared.EventIndex(events["person_id"].to_numpy(dtype=object), events["date"].to_numpy())
    pids = rows["person_id"].to_numpy(dtype=object)
    hi_days = prepared.day_numbers(pd.to_datetime(rows[hi]).to_numpy())
    found = index.latest(pids, hi_days)  # the latest event on or before hi (ties: the last given)
    if lo and len(found):
        lo_days, lo_nat = prepared.day_numbers(pd.to_datetime(rows[lo]).to_numpy())
        ev_days, _ = prepared.day_numbers(events["date"].to_numpy())
        ok = found >= 0
        ok[ok] = ~lo_nat[ok] & (ev_days[found[ok]] >= lo_days[ok])
        found = np.where(ok, found, -1)
    taken = events[cols].iloc[np.maximum(found, 0)] if len(events) else events[cols].reindex(range(len(rows)))
    return taken.reset_index(drop=True).where(pd.Series(found >= 0))  # NaN / NaT where none


def _count_between(rows: pd.DataFrame, events: pd.DataFrame, lo: str, hi: str, *, exclude_hi: bool,
                   self_col: str | None = None) -> np.ndarray:
    """For each row, the number of the person's events dated in [rows[lo], rows[hi]] (``hi``
    excluded when ``exclude_hi``), leaving out the event whose id equals rows[self_col]."""
    left = pd.DataFrame({"_i": np.arange(len(rows)), "person_id": rows["person_id"].to_numpy(dtype=object),
                         "_lo": pd.to_datetime(rows[lo]).to_numpy(), "_hi": pd.to_datetime(rows[hi]).to_numpy()})
    if self_col:
        left["_self"] = rows[self_col].to_numpy(dtype=object)
    m = left.merge(_keyed(events), on="person_id", how="inner")
    keep = (m["date"] >= m["_lo"]) & ((m["date"] < m["_hi"]) if exclude_hi else (m["date"] <= m["_hi"]))
    if self_col:
        keep &= m["event_id"] != m["_self"]
    counts = m[keep.to_numpy(dtype=bool)].groupby("_i").size()
    return counts.reindex(np.arange(len(rows)), fill_value=0).to_numpy(dtype=int)


def lookback_start(reference_date, months: int = LOOKBACK_MONTHS) -> pd.Timestamp:
    """The first day of the look-back ending on ``reference_date`` (see the module docstring)."""
    return months_before(_ts(reference_date), months)


class _Source:
    """What every list needs, built once: the reference date and windows, people, names."""

    def __init__(self, tables: Mapping[str, pd.DataFrame], reference_date):
        self.tables = tables
        self.D = _ts(reference_date)
        self.w6 = lookback_start(self.D, LOOKBACK_MONTHS)
        self.w12 = lookback_start(self.D, LONG_LOOKBACK_MONTHS)
        p = _table(tables, "ssd_person", ["pers_person_id", "pers_sex", "pers_gender", "pers_ethnicity",
                                          "pers_dob", "pers_death_date"])
        sex = pd.Series(text(p["pers_sex"]))
        gender = pd.Series(text(p["pers_gender"]))
        people = pd.DataFrame({
            "sex": sex.where(sex != "", gender).to_numpy(dtype=object),
            "ethnicity": text(p["pers_ethnicity"]),
            "dob": day(p["pers_dob"]),
            "death": day(p["pers_death_date"]),
        }, index=pd.Index(text(p["pers_person_id"]), dtype=object))
        self.people = people[~people.index.duplicated()]
        d = _table(tables, "ssd_disability", ["disa_person_id", "disa_disability_code"])
        code = upper(d["disa_disability_code"])
        self.disabled = set(text(d["disa_person_id"])[((code != "") & (code != "NONE")).to_numpy()])
        im = _table(tables, "ssd_immigration_status", ["immi_person_id", "immi_immigration_status",
                                                       "immi_immigration_status_start_date",
                                                       "immi_immigration_status_end_date"])
        status = upper(im["immi_immigration_status"])
        self.uasc = pd.DataFrame({
            "person_id": text(im["immi_person_id"]),
            "start": day(im["immi_immigration_status_start_date"]),
            "end": day(im["immi_immigration_status_end_date"]),
        })[status.str.contains("UASC|UNACCOMPANIED", regex=True).to_numpy(dtype=bool)]

    @cached_property
    def episodes(self) -> pd.DataFrame:
        """Every CLA episode with its period of care (:func:`metrics.looked_after.episodes`)."""
        if "ssd_cla_episodes" not in self.tables:
            return pd.DataFrame({"person_id": pd.Series(dtype=object), "episode_id": pd.Series(dtype=object),
                                 "cla_id": pd.Series(dtype=object), "start": pd.Series(dtype="datetime64[ns]"),
                                 "ceased": pd.Series(dtype="datetime64[ns]"), "primary_need": pd.Series(dtype=object),
                                 "ceased_reason": pd.Series(dtype=object), "poc": pd.Series(dtype=int),
                                 "poc_start": pd.Series(dtype="datetime64[ns]")})
        return episodes(self.tables)

    @cached_property
    def care_episodes(self) -> pd.DataFrame:
        """CLA episodes that had started by the reference date (a ceased date after it counts as
        not yet ceased)."""
        eps = self.episodes
        eps = eps[(eps["start"] <= self.D).to_numpy(dtype=bool)].copy()
        eps["ceased"] = _upto(eps["ceased"], self.D)
        return eps.reset_index(drop=True)

    # -- the common block ---------------------------------------------------------------------------
    def common(self, person_ids, *, disability: bool = False) -> dict[str, object]:
        ids = np.asarray(person_ids, dtype=object)
        found = self.people.reindex(ids)
        dob = found["dob"].to_numpy()
        age = age_years(dob, self.D) if len(ids) else np.zeros(0)
        age = pd.array(np.where(np.isnan(age) | (age < 0), np.nan, age), dtype="Float64").astype("Int64")
        out = {
            "Child Unique ID": ids,
            "Gender": C.GENDER.map(found["sex"]),
            "Ethnicity": C.ETHNICITY.map(found["ethnicity"]),
            "Date of Birth": dob,
            "Age of Child (Years)": age,
        }
        if disability:
            out["Does the Child have a Disability"] = np.where(member(ids, list(self.disabled)), C.YES, C.NO)
        return out

    def uasc_between(self, person_ids, start: pd.Timestamp | None, end: pd.Timestamp) -> np.ndarray:
        """a) Yes where the person had a UASC immigration status at any time in [start, end]
        (start None: ever up to ``end``), else b) No."""
        u = self.uasc
        keep = u["start"].isna() | (u["start"] <= end)
        if start is not None:
            keep &= u["end"].isna() | (u["end"] >= start)
        return np.where(member(person_ids, u.loc[keep.to_numpy(dtype=bool), "person_id"]), C.YES, C.NO)

    # -- names of teams and workers ---------------------------------------------------------------------
    def names(self, team_ids, worker_ids) -> tuple[np.ndarray, np.ndarray]:
        """Team and worker names; blank where not recorded (outside the viewer's access: said so)."""
        frame = pd.DataFrame({"_t": np.asarray(team_ids, dtype=object), "_w": np.asarray(worker_ids, dtype=object)})
        if frame.empty:
            return np.zeros(0, dtype=object), np.zeros(0, dtype=object)
        has_org = "ssd_department" in self.tables and "ssd_professionals" in self.tables
        if not has_org:
            return (np.where(frame["_t"].fillna("") == "", None, frame["_t"]),
                    np.where(frame["_w"].fillna("") == "", None, frame["_w"]))
        labelled = label_org(frame, self.tables, team_col="_t", worker_col="_w")
        team = np.where(frame["_t"].fillna("").astype(str).str.strip() == "", None, labelled["team"])
        worker = np.where(frame["_w"].fillna("").astype(str).str.strip() == "", None, labelled["worker"])
        return team, worker

    def allocated(self, person_ids, dates, team=None, worker=None) -> tuple[np.ndarray, np.ndarray]:
        """Names of the recorded team/worker where given, else the allocation on ``dates``."""
        alloc = allocation_on(self.tables, person_ids, dates) if len(person_ids) else \
            pd.DataFrame({"team_id": [], "worker_id": []})
        t = alloc["team_id"].to_numpy(dtype=object)
        w = alloc["worker_id"].to_numpy(dtype=object)
        if team is not None:
            rec_t, rec_w = text(team), text(worker) if worker is not None else np.full(len(t), "", dtype=object)
            recorded = (rec_t != "") | (rec_w != "")
            t = np.where(recorded, rec_t, t)
            w = np.where(recorded, rec_w, w)
        return self.names(t, w)


def _frame(name: str, data: Mapping[str, object], sort: list[str]) -> pd.DataFrame:
    """The list's frame: every header in order (blank where not given), dates as dates, counts as
    integers, rows sorted by ``sort``."""
    spec = LISTS[name]
    n = len(next(iter(data.values()))) if data else 0
    out = {}
    for col in spec.columns:
        value = data.get(col.header)
        if col.kind == "date":
            out[col.header] = pd.to_datetime(pd.Series(value if value is not None else [pd.NaT] * n)).dt.normalize().to_numpy()
        elif col.kind == "int":
            out[col.header] = pd.array(value if value is not None else [pd.NA] * n, dtype="Int64")
        else:
            s = pd.Series(value if value is not None else [None] * n, dtype=object)
            out[col.header] = s.where(s.notna(), None).to_numpy(dtype=object)
    frame = pd.DataFrame(out, columns=spec.headers)
    if len(frame):
        frame = frame.sort_values(sort, kind="stable", na_position="last").reset_index(drop=True)
    return frame


# ---- List 1: contacts -----------------------------------------------------------------------------

def list_1(src: _Source) -> pd.DataFrame:
    c = _table(src.tables, "ssd_contacts", ["cont_person_id", "cont_contact_date", "cont_contact_source_code",
                                            "cont_contact_source_desc"])
    date = pd.Series(day(c["cont_contact_date"]))
    keep = ((date >= src.w6) & (date <= src.D)).to_numpy(dtype=bool)
    c = c[keep]
    code = pd.Series(text(c["cont_contact_source_code"]))
    source = code.where(code != "", pd.Series(text(c["cont_contact_source_desc"])))
    data = src.common(text(c["cont_person_id"]))
    data["Date of Contact"] = date[keep].to_numpy()
    data["Contact Source"] = C.SOURCE.map(source)
    return _frame("List 1", data, ["Date of Contact", "Child Unique ID"])


# ---- List 2: early help ---------------------------------------------------------------------------

def list_2(src: _Source) -> pd.DataFrame:
    e = _table(src.tables, "ssd_early_help_episodes", ["earl_person_id", "earl_episode_start_date",
                                                       "earl_episode_end_date", "earl_episode_organisation"])
    start = pd.Series(day(e["earl_episode_start_date"]))
    end = pd.Series(day(e["earl_episode_end_date"]))
    started_in_window = (start >= src.w6) & (start <= src.D)
    open_now = (start <= src.D) & (end.isna() | (end > src.D))
    keep = (started_in_window | open_now).to_numpy(dtype=bool)
    e = e[keep]
    data = src.common(text(e["earl_person_id"]))
    data["Assessment start date"] = start[keep].to_numpy()
    data["Assessment completion date"] = _upto(end[keep], src.D)
    data["Organisation completing assessment"] = np.where(text(e["earl_episode_organisation"]) == "", None,
                                                          text(e["earl_episode_organisation"]))
    return _frame("List 2", data, ["Assessment start date", "Child Unique ID"])


# ---- List 3: referrals ----------------------------------------------------------------------------

def _referrals(src: _Source) -> pd.DataFrame:
    r = _table(src.tables, "ssd_cin_episodes", [
        "cine_referral_id", "cine_person_id", "cine_referral_date", "cine_cin_primary_need_code",
        "cine_referral_source_code", "cine_referral_source_desc", "cine_referral_nfa", "cine_close_reason",
        "cine_close_date", "cine_referral_team", "cine_referral_worker_id"])
    return pd.DataFrame({
        "event_id": text(r["cine_referral_id"]), "person_id": text(r["cine_person_id"]),
        "date": day(r["cine_referral_date"]), "close": day(r["cine_close_date"]),
        "need": text(r["cine_cin_primary_need_code"]),
        "source": text(r["cine_referral_source_code"]), "source_desc": text(r["cine_referral_source_desc"]),
        "nfa": text(r["cine_referral_nfa"]), "close_reason": text(r["cine_close_reason"]),
        "team": text(r["cine_referral_team"]), "worker": text(r["cine_referral_worker_id"]),
    })


def list_3(src: _Source) -> pd.DataFrame:
    allrefs = _referrals(src)
    refs = allrefs[((allrefs["date"] >= src.w6) & (allrefs["date"] <= src.D)).to_numpy(dtype=bool)].reset_index(drop=True)
    refs["since"] = refs["date"] - pd.DateOffset(months=LONG_LOOKBACK_MONTHS)
    earlier = _count_between(refs, allrefs[["person_id", "date", "event_id"]].dropna(subset=["date"]),
                             "since", "date", exclude_hi=True, self_col="event_id")
    source = refs["source"].where(refs["source"] != "", refs["source_desc"])
    data = src.common(refs["person_id"])
    data["Date of referral"] = refs["date"].to_numpy()
    data["Referral Source"] = C.SOURCE.map(source)
    data["Referral NFA?"] = C.YES_NO.map(refs["nfa"].where(refs["nfa"] != "", None))
    data["Number of Referrals in Last 12 Months"] = earlier
    data["Allocated Team"], data["Allocated Worker"] = src.allocated(
        refs["person_id"], refs["date"], refs["team"], refs["worker"])
    return _frame("List 3", data, ["Date of referral", "Child Unique ID"])


# ---- List 4: assessments --------------------------------------------------------------------------

def _assessments(src: _Source) -> pd.DataFrame:
    a = _table(src.tables, "ssd_cin_assessments", [
        "cina_assessment_id", "cina_person_id", "cina_assessment_start_date", "cina_assessment_child_seen",
        "cina_assessment_auth_date", "cina_assessment_outcome_json", "cina_assessment_outcome_nfa",
        "cina_assessment_team", "cina_assessment_worker_id"])
    return pd.DataFrame({
        "person_id": text(a["cina_person_id"]), "start": day(a["cina_assessment_start_date"]),
        "auth": day(a["cina_assessment_auth_date"]), "seen": text(a["cina_assessment_child_seen"]),
        "nfa": text(a["cina_assessment_outcome_nfa"]), "outcome": a["cina_assessment_outcome_json"].to_numpy(dtype=object),
        "team": text(a["cina_assessment_team"]), "worker": text(a["cina_assessment_worker_id"]),
    })


def _support_required(nfa: pd.Series, outcome: pd.Series) -> np.ndarray:
    """Assessed as requiring LA children's social care support: not NFA (the NFA flag, else the
    recorded outcome naming no further action)."""
    flag = C.YES_NO.map(nfa.where(nfa != "", None))
    out = np.where(flag == C.YES, C.NO, np.where(flag == C.NO, C.YES, flag)).astype(object)
    # worked out once per distinct outcome (a whole authority's assessments repeat a few dozen)
    codes, distinct = pd.factorize(pd.Series(outcome, dtype=object), use_na_sentinel=True)
    items = [" ".join(_json_items(v)).upper() for v in distinct]
    decided = np.array([None if not t else (C.NO if ("NO FURTHER ACTION" in t or t == "NFA") else C.YES)
                        for t in items] + [None], dtype=object)
    from_outcome = decided[np.where(codes < 0, len(items), codes)]
    return np.where(pd.isna(out), from_outcome, out)


def list_4(src: _Source) -> pd.DataFrame:
    a = _assessments(src)
    keep = ((a["start"] <= src.D) & (a["auth"].isna() | (a["auth"] >= src.w6))).to_numpy(dtype=bool)
    a = a[keep].reset_index(drop=True)
    auth = _upto(a["auth"], src.D)
    data = src.common(a["person_id"], disability=True)
    data["Continuous Assessment Start Date"] = a["start"].to_numpy()
    data["Child Seen During Continuous Assessment"] = C.YES_NO.map(a["seen"].where(a["seen"] != "", None))
    data["Continuous Assessment Date of Authorisation"] = auth
    required = _support_required(a["nfa"], a["outcome"])
    data["Was the child assessed as requiring LA children's social care support?"] = np.where(pd.isna(auth), None, required)
    data["Allocated Team"], data["Allocated Worker"] = src.allocated(a["person_id"], a["start"], a["team"], a["worker"])
    return _frame("List 4", data, ["Continuous Assessment Start Date", "Child Unique ID"])


# ---- List 5: section 47 enquiries and ICPCs ---------------------------------------------------------

def _icpcs(src: _Source) -> pd.DataFrame:
    i = _table(src.tables, "ssd_initial_cp_conference", [
        "icpc_icpc_id", "icpc_s47_enquiry_id", "icpc_person_id", "icpc_icpc_date", "icpc_icpc_outcome_cp_flag"])
    return pd.DataFrame({
        "event_id": text(i["icpc_icpc_id"]), "s47_id": text(i["icpc_s47_enquiry_id"]),
        "person_id": text(i["icpc_person_id"]), "date": day(i["icpc_icpc_date"]),
        "cp_flag": text(i["icpc_icpc_outcome_cp_flag"]),
    })


def _s47s(src: _Source) -> pd.DataFrame:
    s = _table(src.tables, "ssd_s47_enquiry", [
        "s47e_s47_enquiry_id", "s47e_person_id", "s47e_s47_start_date", "s47e_s47_end_date",
        "s47e_s47_outcome_json", "s47e_s47_completed_by_worker_id", "s47e_s47_completed_by_team"])
    return pd.DataFrame({
        "event_id": text(s["s47e_s47_enquiry_id"]), "person_id": text(s["s47e_person_id"]),
        "date": day(s["s47e_s47_start_date"]), "end": day(s["s47e_s47_end_date"]),
        "outcome": s["s47e_s47_outcome_json"].to_numpy(dtype=object),
        "team": text(s["s47e_s47_completed_by_team"]), "worker": text(s["s47e_s47_completed_by_worker_id"]),
    })


def list_5(src: _Source) -> pd.DataFrame:
    alls = _s47s(src)
    rows = alls[((alls["date"] <= src.D) & (alls["end"].isna() | (alls["end"] >= src.w6))).to_numpy(dtype=bool)]
    rows = rows.reset_index(drop=True)
    icpc = _icpcs(src)
    # The conference this enquiry led to (the first one linked to it).
    linked = icpc[icpc["s47_id"] != ""].sort_values("date", na_position="last", kind="stable")
    linked = linked.drop_duplicates(["s47_id", "person_id"], keep="first")
    got = _keyed(rows[["event_id", "person_id"]], "event_id", "person_id").merge(
        _keyed(linked.rename(columns={"s47_id": "event_id", "date": "icpc_date", "event_id": "icpc_id"}),
               "event_id", "person_id"),
        on=["event_id", "person_id"], how="left")
    icpc_date = pd.Series(_upto(got["icpc_date"], src.D))
    held = icpc_date.notna().to_numpy()
    ended = (rows["end"].notna() & (rows["end"] <= src.D)).to_numpy()
    to_icpc = np.array(["ICPC" in " ".join(_json_items(v)).upper() or "CONFERENCE" in " ".join(_json_items(v)).upper()
                        for v in rows["outcome"]], dtype=bool)
    unnecessary = np.where(held | (ended & to_icpc), C.NO, np.where(ended, C.YES, None))
    cp_flag = C.YES_NO.map(got["cp_flag"].where(got["cp_flag"].fillna("") != "", None))
    rows["since"] = rows["date"] - pd.DateOffset(months=LONG_LOOKBACK_MONTHS)
    data = src.common(rows["person_id"], disability=True)
    data["Strategy discussion initiating Section 47 Enquiry Start Date"] = rows["date"].to_numpy()
    data["Was an Initial Child Protection Conference deemed unnecessary?"] = unnecessary
    data["Date of Initial Child Protection Conference"] = icpc_date.to_numpy()
    data["Did the Initial Child Protection Conference Result in a Child Protection Plan"] = np.where(held, cp_flag, None)
    data["Number of Section 47 Enquiries in the last 12 months"] = _count_between(
        rows, alls[["person_id", "date", "event_id"]].dropna(subset=["date"]), "since", "date",
        exclude_hi=True, self_col="event_id")
    data["Number of ICPCs in the last 12 months"] = _count_between(
        rows, icpc[["person_id", "date", "event_id"]].dropna(subset=["date"]), "since", "date", exclude_hi=True)
    data["Allocated Team"], data["Allocated Worker"] = src.allocated(rows["person_id"], rows["date"],
                                                                     rows["team"], rows["worker"])
    return _frame("List 5", data, ["Strategy discussion initiating Section 47 Enquiry Start Date", "Child Unique ID"])


# ---- shared for Lists 6-8 -----------------------------------------------------------------------------

VISIT_SOURCES = {  # kind: (table, person, date, seen, seen alone, plan)
    "cin": ("ssd_cin_visits", "cinv_person_id", "cinv_cin_visit_date", "cinv_cin_visit_seen",
            "cinv_cin_visit_seen_alone", None),
    "cp": ("ssd_cp_visits", "cppv_person_id", "cppv_cp_visit_date", "cppv_cp_visit_seen",
           "cppv_cp_visit_seen_alone", "cppv_cp_plan_id"),
    "cla": ("ssd_cla_visits", "clav_person_id", "clav_cla_visit_date", "clav_cla_visit_seen",
            "clav_cla_visit_seen_alone", None),
}


def _visits(src: _Source, *, seen_only: bool, kinds=("cin", "cp", "cla")) -> pd.DataFrame:
    """CIN, CP and CLA visits (of ``kinds``): person_id, date, kind, plan_id, seen_alone (seen
    only: the child was not recorded as not seen)."""
    parts = []
    for kind in kinds:
        name, pid, date, seen, alone, plan = VISIT_SOURCES[kind]
        v = src.tables.get(name)
        if v is None or v.empty:
            continue
        frame = pd.DataFrame({
            "person_id": text(v[pid]), "date": day(v[date]), "kind": kind,
            "plan_id": text(v[plan]) if plan and plan in v else "",
            "seen": upper(v[seen]).to_numpy(dtype=object) if seen in v else "",
            "seen_alone": text(v[alone]) if alone in v else "",
        })
        keep = frame["date"].notna().to_numpy(dtype=bool, copy=True)
        if seen_only:
            keep &= ~member(frame["seen"], NOT_DONE_FLAG)
        parts.append(frame[keep])
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "date" else object)
                             for c in ("person_id", "date", "kind", "plan_id", "seen", "seen_alone")})
    return pd.concat(parts, ignore_index=True)


def _open_intervals(frame: pd.DataFrame, start: str, end: str, when: pd.Timestamp) -> np.ndarray:
    s, e = frame[start], frame[end]
    return ((s <= when) & (e.isna() | (e > when))).to_numpy(dtype=bool)


def _in_care_persons(src: _Source) -> set[str]:
    eps = src.care_episodes
    return set(eps.loc[_open_intervals(eps, "start", "ceased", src.D), "person_id"])


def _legal_at(src: _Source, person_ids, when) -> pd.DataFrame:
    """The legal status in force for each person on each date: the latest one started on or before
    it (person_id order kept): columns legal_status, start."""
    ls = legal_statuses(src.tables)
    rows = pd.DataFrame({"person_id": np.asarray(person_ids, dtype=object),
                         "_when": pd.to_datetime(pd.Series(np.asarray(when))).to_numpy()})
    ls = ls.rename(columns={"start": "date"})
    ls["ls_start"] = ls["date"]
    got = _latest_between(rows, ls, None, "_when", ["legal_status", "ls_start"])
    return got


# ---- List 6: children in need -----------------------------------------------------------------------

def list_6(src: _Source, in_care: set[str], care_leavers: set[str]) -> pd.DataFrame:
    refs = _referrals(src)
    nfa = C.YES_NO.map(refs["nfa"].where(refs["nfa"] != "", None)) == C.YES
    close = pd.Series(_upto(refs["close"], src.D))
    refs["close_at"] = close.to_numpy()
    keep = ((refs["date"] <= src.D) & (close.isna() | (close >= src.w6))).to_numpy(dtype=bool) & ~nfa
    eps = refs[keep]
    # Care leavers are not on List 6 (unless looked after in the look-back).
    eps = eps[~member(eps["person_id"], list(care_leavers))]
    eps = eps.assign(_open=eps["close_at"].isna()).sort_values(["person_id", "date", "_open", "close_at"], kind="stable")
    eps = eps.drop_duplicates("person_id", keep="last").reset_index(drop=True)
    closed = eps["close_at"].notna().to_numpy()
    ref_date = eps["close_at"].fillna(src.D)
    eps["until"] = ref_date.to_numpy()
    seen = _latest_between(eps, _visits(src, seen_only=True), "date", "until", ["date"])["date"]
    # Case status at the reference date: closed; else looked after, CP plan, CIN plan, open
    # assessment or section 47 enquiry (the first that applies); a child whose latest assessment found they need support
    # counts as on a CIN plan. An open episode with none of these (say, open after an NFA
    # assessment) is left blank rather than guessed: drift to fix in the source.
    pid = eps["person_id"].to_numpy(dtype=object)
    cp = _cp_plans(src)
    cp_open = set(cp.loc[_open_intervals(cp, "start", "end_at", src.D), "person_id"])
    cin = _table(src.tables, "ssd_cin_plans", ["cinp_person_id", "cinp_cin_plan_start_date", "cinp_cin_plan_end_date"])
    cin = pd.DataFrame({"person_id": text(cin["cinp_person_id"]), "start": day(cin["cinp_cin_plan_start_date"]),
                        "end": day(cin["cinp_cin_plan_end_date"])})
    cin_open = set(cin.loc[_open_intervals(cin, "start", "end", src.D), "person_id"])
    a = _assessments(src)
    s47 = _s47s(src)
    assess_open = set(a.loc[_open_intervals(a, "start", "auth", src.D), "person_id"]) | \
        set(s47.loc[_open_intervals(s47, "date", "end", src.D), "person_id"])   # a section 47 enquiry too
    # Receiving services without a formal plan: the episode's latest assessment (authorised by
    # the reference date) found the child needs support.
    done = a[(a["auth"] <= src.D).to_numpy(dtype=bool)].assign(date=lambda f: f["auth"])
    done["support"] = _support_required(done["nfa"], done["outcome"])
    latest = _latest_between(eps, done, "date", "until", ["support"])["support"]
    services = (latest == C.YES).to_numpy(dtype=bool)
    status = np.select(
        [closed, member(pid, list(in_care)), member(pid, list(cp_open)), member(pid, list(cin_open)),
         member(pid, list(assess_open)), services],
        [C.CASE_CLOSED, C.CASE_LOOKED_AFTER, C.CASE_CP, C.CASE_CIN_PLAN, C.CASE_ASSESSMENT, C.CASE_CIN_PLAN],
        default=None).astype(object)   # open with none of these: blank, for the data-quality check
    data = src.common(pid, disability=True)
    data["CIN Start Date"] = eps["date"].to_numpy()
    data["Primary Need Code"] = C.PRIMARY_NEED.map(eps["need"].where(eps["need"] != "", None))
    data["Date Child Was Last Seen"] = pd.to_datetime(seen).to_numpy()
    data["CIN Closure Date"] = eps["close_at"].to_numpy()
    data["Reason for Closure"] = np.where(closed, C.CIN_CLOSURE.map(eps["close_reason"].where(eps["close_reason"] != "", None)), None)
    data["Case Status"] = status
    data["Allocated Team"], data["Allocated Worker"] = src.allocated(pid, eps["until"])
    return _frame("List 6", data, ["CIN Start Date", "Child Unique ID"])


# ---- List 7: child protection ---------------------------------------------------------------------

def _cp_plans(src: _Source) -> pd.DataFrame:
    p = _table(src.tables, "ssd_cp_plans", [
        "cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date",
        "cppl_cp_plan_initial_category", "cppl_cp_plan_latest_category", "cppl_cp_plan_ola"])
    out = pd.DataFrame({
        "plan_id": text(p["cppl_cp_plan_id"]), "person_id": text(p["cppl_person_id"]),
        "start": day(p["cppl_cp_plan_start_date"]), "end": day(p["cppl_cp_plan_end_date"]),
        "initial": text(p["cppl_cp_plan_initial_category"]), "latest": text(p["cppl_cp_plan_latest_category"]),
        "ola": yes(p["cppl_cp_plan_ola"]),
    })
    out["end_at"] = _upto(out["end"], src.D)
    # Plans of another local authority (temporary, for a child visiting) are not this LA's plans.
    return out[~out["ola"].to_numpy(dtype=bool)].reset_index(drop=True)


PROTECTION = C.PROTECTION_LEGAL_STATUSES   # police protection, emergency protection order


def list_7(src: _Source) -> pd.DataFrame:
    plans = _cp_plans(src)
    keep = ((plans["start"] <= src.D) & (plans["end_at"].isna() | (plans["end_at"] >= src.w6))).to_numpy(dtype=bool)
    rows = plans[keep].assign(_open=lambda f: f["end_at"].isna())
    rows = rows.sort_values(["person_id", "start", "_open", "end_at"], kind="stable")
    rows = rows.drop_duplicates("person_id", keep="last").reset_index(drop=True)
    rows["until"] = rows["end_at"].fillna(src.D).to_numpy()
    visits = _visits(src, seen_only=False, kinds=("cp",))
    last = _latest_between(rows, visits, "start", "until", ["date", "seen_alone"], match=("plan_id", "plan_id"))
    r = _table(src.tables, "ssd_cp_reviews", ["cppr_person_id", "cppr_cp_plan_id", "cppr_cp_review_date"])
    reviews = pd.DataFrame({"person_id": text(r["cppr_person_id"]), "plan_id": text(r["cppr_cp_plan_id"]),
                            "date": day(r["cppr_cp_review_date"])})
    review = _latest_between(rows, reviews, "start", "until", ["date"], match=("plan_id", "plan_id"))["date"]
    # Emergency protection order or police protection at any time in the look-back.
    ls = legal_statuses(src.tables)
    prot = ls[member(ls["legal_status"], PROTECTION) & (ls["start"] <= src.D).to_numpy()
              & (ls["end"].isna() | (ls["end"] >= src.w6)).to_numpy()]
    previous = _count_between(rows.assign(_lo=pd.Timestamp("1900-01-01")),
                              plans[["person_id", "start", "plan_id"]].rename(columns={"start": "date", "plan_id": "event_id"}),
                              "_lo", "start", exclude_hi=True)
    pid = rows["person_id"].to_numpy(dtype=object)
    seen_alone = C.SEEN_ALONE.map(last["seen_alone"].where(last["seen_alone"].fillna("") != "", None))
    data = src.common(pid, disability=True)
    data["Child Protection Plan Start Date"] = rows["start"].to_numpy()
    data["Initial Category of Abuse"] = C.ABUSE.map(rows["initial"].where(rows["initial"] != "", None))
    data["Latest Category of Abuse"] = C.ABUSE.map(rows["latest"].where(rows["latest"] != "", None))
    data["Date of the Last Statutory Visit"] = pd.to_datetime(last["date"]).to_numpy()
    data["Was the Child Seen Alone?"] = np.where(last["date"].isna(), None, seen_alone)
    data["Date of latest review conference"] = pd.to_datetime(review).to_numpy()
    data["Child Protection Plan End Date"] = rows["end_at"].to_numpy()
    data["Subject to Emergency Protection Order or Protected Under Police Powers in Last Six Months (Y/N)"] = np.where(
        member(pid, prot["person_id"]), C.YES, C.NO)
    data["Number of Previous Child Protection Plans"] = previous
    data["Allocated Team"], data["Allocated Worker"] = src.allocated(pid, rows["until"])
    return _frame("List 7", data, ["Child Protection Plan Start Date", "Child Unique ID"])


# ---- List 8: children in care ---------------------------------------------------------------------------

def list_8(src: _Source) -> pd.DataFrame:
    eps = src.care_episodes
    latest = eps.sort_values(["person_id", "start"], kind="stable").drop_duplicates("person_id", keep="last")
    in_care = latest["ceased"].isna()
    ceased_recently = latest["ceased"].notna() & (latest["ceased"] >= src.w6)
    rows = latest[(in_care | ceased_recently).to_numpy(dtype=bool)].reset_index(drop=True)
    rows["until"] = rows["ceased"].fillna(src.D).to_numpy()
    # The legal status in force (for a child who left care: the one in force the day before).
    status_day = (rows["until"] - pd.to_timedelta(rows["ceased"].notna().astype(int), unit="D")).to_numpy()
    legal = _legal_at(src, rows["person_id"], status_day)
    legal_code = pd.Series(C.key(v) for v in legal["legal_status"].tolist())
    short_break = legal_code.str.split(r"[:\s-]", n=1, regex=True).str[0].isin(list(C.SHORT_BREAK_LEGAL_STATUSES))
    rows, legal = rows[~short_break.to_numpy()].reset_index(drop=True), legal[~short_break.to_numpy()].reset_index(drop=True)
    pid = rows["person_id"].to_numpy(dtype=object)
    # Period of care: start, the cla_ids in it, and whether an earlier one ran into the last 12 months.
    poc_keys = _keyed(rows[["person_id", "poc"]], "person_id", "poc")
    in_poc = _keyed(eps, "person_id", "poc").merge(poc_keys, on=["person_id", "poc"], how="inner")
    earlier = _keyed(eps).merge(poc_keys.rename(columns={"poc": "cur"}), on="person_id", how="inner")
    earlier = earlier[(earlier["poc"] < earlier["cur"]).to_numpy()]
    earlier_end = earlier.groupby("person_id")["ceased"].max()
    second = member(pid, earlier_end[earlier_end >= src.w12].index)
    # Reviews (by period of care), visits, care plans, health.
    r = _table(src.tables, "ssd_cla_reviews", ["clar_cla_id", "clar_cla_review_date", "clar_cla_review_cancelled"])
    cla_person = eps.drop_duplicates("cla_id").set_index("cla_id")["person_id"]
    reviews = pd.DataFrame({"cla_id": text(r["clar_cla_id"]), "date": day(r["clar_cla_review_date"]),
                            "cancelled": yes(r["clar_cla_review_cancelled"])})
    reviews = reviews[~reviews["cancelled"].to_numpy(dtype=bool)]
    reviews["person_id"] = cla_person.reindex(reviews["cla_id"].to_numpy(dtype=object)).to_numpy()
    review = _latest_between(rows.assign(lo=rows["poc_start"]), reviews.dropna(subset=["person_id"]), "lo", "until", ["date"])["date"]
    visit = _latest_between(rows.assign(lo=rows["poc_start"]), _visits(src, seen_only=False, kinds=("cla",)),
                            "lo", "until", ["date"])["date"]
    cp = _table(src.tables, "ssd_cla_care_plan", ["lacp_person_id", "lacp_cla_care_plan_start_date",
                                                  "lacp_cla_care_plan_json"])
    plans = pd.DataFrame({"person_id": text(cp["lacp_person_id"]), "date": day(cp["lacp_cla_care_plan_start_date"]),
                          "plan": _first_item(cp["lacp_cla_care_plan_json"])})
    plan = _latest_between(rows, plans, None, "until", ["plan"])["plan"]
    checks = health_checks(src.tables) if "ssd_cla_health" in src.tables else \
        pd.DataFrame({"person_id": [], "date": pd.Series(dtype="datetime64[ns]"), "kind": []})
    health = _latest_between(rows, checks[(checks["kind"] == "health").to_numpy()], None, "until", ["date"])["date"]
    dental = _latest_between(rows, checks[(checks["kind"] == "dental").to_numpy()], None, "until", ["date"])["date"]
    # IRO contact: the latest recorded on the period of care's episodes.
    e = src.tables.get("ssd_cla_episodes")
    if e is not None and "clae_cla_last_iro_contact_date" in e:
        iro_all = pd.DataFrame({"person_id": text(e["clae_person_id"]), "episode_id": text(e["clae_cla_episode_id"]),
                                "date": day(e["clae_cla_last_iro_contact_date"])})
        iro_all = _keyed(iro_all, "person_id", "episode_id").merge(
            _keyed(in_poc[["person_id", "episode_id"]], "person_id", "episode_id"),
            on=["person_id", "episode_id"], how="inner")
        iro_date = _latest_between(rows, iro_all, None, "until", ["date"])["date"]
    else:
        iro_date = pd.Series([pd.NaT] * len(rows))
    # Placements: the most recent one started by the end, and the number in the last 12 months.
    pl = placements(src.tables)
    pl = pl[(pl["start"] <= src.D).to_numpy(dtype=bool)].copy()
    pl["date"] = pl["start"]
    current = _latest_between(rows, pl, None, "until",
                              ["stint", "stint_start", "type", "provider", "postcode", "urn"])
    g = pl.assign(_open=pl["end"].isna()).groupby(["person_id", "stint"], sort=False)
    stints = g.agg(date=("stint_start", "first"), s_end=("end", "max"), _open=("_open", "any")).reset_index()
    stints["s_end"] = stints["s_end"].where(~stints["_open"].astype(bool))
    stints["s_end"] = _upto(stints["s_end"], src.D)
    n_placements = _count_overlapping(rows, stints, src.w12)
    # Missing and absent episodes from placement in the last 12 months (while looked after).
    mp = _table(src.tables, "ssd_missing", ["miss_table_id", "miss_person_id", "miss_missing_episode_start_date",
                                            "miss_missing_episode_type", "miss_missing_rhi_offered",
                                            "miss_missing_rhi_accepted"])
    kind = upper(mp["miss_missing_episode_type"])
    missing = pd.DataFrame({
        "person_id": text(mp["miss_person_id"]), "date": day(mp["miss_missing_episode_start_date"]),
        "event_id": text(mp["miss_table_id"]), "absent": kind.str.startswith("A").to_numpy(dtype=bool),
        "offered": text(mp["miss_missing_rhi_offered"]), "accepted": text(mp["miss_missing_rhi_accepted"]),
    })
    rows["miss_lo"] = np.maximum(rows["poc_start"].to_numpy(), np.datetime64(src.w12, "ns"))
    n_missing = _count_between(rows, missing[~missing["absent"]], "miss_lo", "until", exclude_hi=False)
    n_absent = _count_between(rows, missing[missing["absent"]], "miss_lo", "until", exclude_hi=False)
    last_missing = _latest_between(rows, missing[~missing["absent"]], "miss_lo", "until", ["offered", "accepted"])
    ceased = rows["ceased"].notna().to_numpy()

    data = src.common(pid, disability=True)
    data["Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"] = src.uasc_between(pid, src.w12, src.D)
    data["Date Started to be Looked After"] = rows["poc_start"].to_numpy()
    data["Child's Category of Need"] = C.PRIMARY_NEED.map(rows["primary_need"].where(rows["primary_need"] != "", None))
    data["Is this a second or subsequent period of being a Looked After Child within the last 12 months (Y/N)"] = \
        np.where(second, C.YES, C.NO)
    data["Start date of current legal status"] = pd.to_datetime(legal["ls_start"]).to_numpy()
    data["Child's Legal Status"] = C.LEGAL_STATUS.map(legal["legal_status"].where(legal["legal_status"].fillna("") != "", None))
    data["Date of Latest Statutory Review"] = pd.to_datetime(review).to_numpy()
    data["Date of Last Social Work Visit"] = pd.to_datetime(visit).to_numpy()
    data["What is the permanence plan for this child?"] = C.PERMANENCE_PLAN.map(plan)
    data["Date of Last IRO Visit / Contact to the Child"] = pd.to_datetime(iro_date).to_numpy()
    data["Date of Last Health Assessment"] = pd.to_datetime(health).to_numpy()
    data["Date of Last Dental Check"] = pd.to_datetime(dental).to_numpy()
    data["Number of Placements in the Last 12 months"] = n_placements
    data["Date Ceased to be Looked After"] = rows["ceased"].to_numpy()
    data["Reason Ceased to be Looked After"] = np.where(
        ceased, C.CEASED_REASON.map(rows["ceased_reason"].where(rows["ceased_reason"] != "", None)), None)
    data["Start Date of Most Recent Placement"] = pd.to_datetime(current["stint_start"]).to_numpy()
    data["Placement Type"] = C.PLACEMENT_TYPE.map(current["type"].where(current["type"].fillna("") != "", None))
    data["Placement Provider"] = C.PLACEMENT_PROVIDER.map(current["provider"].where(current["provider"].fillna("") != "", None))
    data["Placement postcode"] = _raw_text(_postcode(current["postcode"]))
    data["URN of Placement"] = _raw_text(current["urn"])
    data["Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months"] = n_missing
    data["Number of Episodes the Child has been \u2018Absent\u2019 from their Placement in the last 12 months"] = n_absent
    has_missing = n_missing > 0
    data["Was the child offered a Return Interview after their last missing episode (Y/N)?"] = np.where(
        has_missing, C.YES_NO.map(last_missing["offered"].where(last_missing["offered"].fillna("") != "", None)), None)
    data["Did the child accept a Return Interview after their last missing episode (Y/N)?"] = np.where(
        has_missing, C.YES_NO.map(last_missing["accepted"].where(last_missing["accepted"].fillna("") != "", None)), None)
    data["Allocated Team"], data["Allocated Worker"] = src.allocated(pid, rows["until"])
    return _frame("List 8", data, ["Date Started to be Looked After", "Child Unique ID"])


def _count_overlapping(rows: pd.DataFrame, stints: pd.DataFrame, window_start: pd.Timestamp) -> np.ndarray:
    """Placements (continuous stints) of each child running at any time from ``window_start`` to
    the row's ``until``: started by then and not ended before the window."""
    left = pd.DataFrame({"_i": np.arange(len(rows)), "person_id": rows["person_id"].to_numpy(dtype=object),
                         "_hi": pd.to_datetime(rows["until"]).to_numpy()})
    m = left.merge(_keyed(stints), on="person_id", how="inner")
    keep = (m["date"] <= m["_hi"]) & (m["s_end"].isna() | (m["s_end"] >= window_start))
    counts = m[keep.to_numpy(dtype=bool)].groupby("_i").size()
    return counts.reindex(np.arange(len(rows)), fill_value=0).to_numpy(dtype=int)


def _postcode(values) -> pd.Series:
    """Postcodes as written in the UK (outward code, space, inward code) when they look like one."""
    s = pd.Series(values, dtype=object).fillna("").astype(str).str.upper().str.replace(" ", "", regex=False)
    looks = s.str.fullmatch(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}", na=False)
    return s.where(~looks, s.str[:-3] + " " + s.str[-3:])


def _raw_text(values) -> np.ndarray:
    s = pd.Series(values, dtype=object)
    t = s.where(s.notna(), "").astype(str).str.strip()
    return np.where(t == "", None, t).astype(object)


# ---- List 9: care leavers ---------------------------------------------------------------------------

def _care_leaver_cohort(src: _Source) -> pd.DataFrame:
    """Care leaver records of young people entitled to leaving care services at the reference date:
    alive, aged 16-25 (the pathway-plan cohort of the care leaver measures) and, when the source
    holds their care episodes, looked after before the date."""
    if "ssd_care_leavers" not in src.tables:
        return pd.DataFrame(columns=["person_id"])
    rec = care_leaver_records(src.tables)
    people = src.people.reindex(rec["person_id"].to_numpy(dtype=object))
    age = age_years(people["dob"].to_numpy(), src.D) if len(rec) else np.zeros(0)
    death = people["death"].to_numpy()
    alive = pd.isna(death) | (death > np.datetime64(src.D, "ns"))
    eps = src.care_episodes
    first = eps.groupby("person_id")["start"].min() if len(eps) else pd.Series(dtype="datetime64[ns]")
    known = member(rec["person_id"], list(first.index)) if len(first) else np.zeros(len(rec), dtype=bool)
    never = ~member(rec["person_id"], src.episodes["person_id"])
    lo, hi = PATHWAY_PLAN_AGES
    keep = (age >= lo) & (age <= hi) & alive & (known | never)
    out = rec[keep].reset_index(drop=True)
    out["age"] = age[keep]
    return out


def _care_leavers_out_of_care(src: _Source) -> set[str]:
    """Care leavers not on List 6: aged 18 or over and not looked after at any time in the
    look-back (a young person who left care in it was a child in need, looked after, in it)."""
    c = _care_leaver_cohort(src)
    if c.empty:
        return set()
    eps = src.care_episodes
    recent = eps["ceased"].isna() | (eps["ceased"] >= src.w6)
    looked_after = eps.loc[recent.to_numpy(dtype=bool), "person_id"]
    return set(c.loc[(c["age"] >= 18).to_numpy() & ~member(c["person_id"], looked_after), "person_id"])


def list_9(src: _Source) -> pd.DataFrame:
    rec = _care_leaver_cohort(src)
    pid = rec["person_id"].to_numpy(dtype=object) if len(rec) else np.zeros(0, dtype=object)
    if rec.empty:
        return _frame("List 9", src.common(pid, disability=True), ["Child Unique ID"])
    # Allocation on the reference date; else the team and worker on the care leaver record.
    alloc = allocation_on(src.tables, pid, [src.D] * len(pid))
    t = alloc["team_id"].to_numpy(dtype=object)
    w = alloc["worker_id"].to_numpy(dtype=object)
    none = (t == "") & (w == "")
    t = np.where(none, rec["record_team"], t)
    w = np.where(none, rec["record_worker"], w)
    team, worker = src.names(t, w)
    # The personal adviser: a worker ID named in ssd_professionals, else the name as recorded.
    pa = rec["personal_advisor"].to_numpy(dtype=object)
    if "ssd_professionals" in src.tables:
        prof = src.tables["ssd_professionals"]
        names = pd.Series(text(prof["prof_professional_name"]), index=text(prof["prof_professional_id"]))
        names = names[~names.index.duplicated()]
        found = names.reindex(pa).to_numpy(dtype=object)
        pa = np.where(pd.isna(found) | (found == ""), pa, found)
    data = src.common(pid, disability=True)
    data["Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)"] = src.uasc_between(pid, None, src.D)
    data["Allocated Team"], data["Allocated Worker"] = team, worker
    data["Allocated Personal Advisor"] = _raw_text(pa)
    data["Eligibility Category"] = C.ELIGIBILITY.map(rec["eligibility"].where(rec["eligibility"] != "", None))
    data["Latest Pathway Plan Review Date"] = _upto(rec["pathway_plan_review_date"], src.D)
    data["LA in Touch"] = C.IN_TOUCH.map(rec["in_touch_category"].where(rec["in_touch_category"] != "", None))
    data["Latest Date of Contact"] = _upto(rec["latest_contact"], src.D)
    data["Type of Accommodation"] = C.accommodation(rec["accommodation"].where(rec["accommodation"] != "", None))
    data["Suitability of Accommodation"] = C.SUITABILITY.map(
        rec["accommodation_suitable"].where(rec["accommodation_suitable"] != "", None))
    data["Activity Status"] = C.ACTIVITY.map(rec["activity"].where(rec["activity"] != "", None))
    return _frame("List 9", data, ["Child Unique ID"])


# ---- List 10: adoption ------------------------------------------------------------------------------

def list_10(src: _Source) -> pd.DataFrame:
    p = _table(src.tables, "ssd_permanence", [
        "perm_person_id", "perm_cla_id", "perm_adm_decision_date", "perm_placement_order_date",
        "perm_matched_date", "perm_placed_for_adoption_date", "perm_permanence_order_date",
        "perm_permanence_order_type", "perm_decision_reversed_date", "perm_decision_reversed_reason",
        "perm_placed_ffa_cp_date"])
    D = src.D
    adm = pd.Series(day(p["perm_adm_decision_date"]))
    order_type = upper(p["perm_permanence_order_type"])
    order = pd.Series(_upto(p["perm_permanence_order_date"], D))
    adoption_order = order.where((order_type == "") | order_type.str.contains("ADOPT", regex=False))
    other_order = order.where((order_type != "") & ~order_type.str.contains("ADOPT", regex=False))
    reversed_ = pd.Series(_upto(p["perm_decision_reversed_date"], D))
    decided = adm.notna() & (adm <= D)
    adopted = adoption_order >= src.w12
    reversed_recent = reversed_ >= src.w12
    current = adoption_order.isna() & reversed_.isna() & other_order.isna()
    keep = (decided & (adopted | reversed_recent | current)).to_numpy(dtype=bool)
    p = p[keep]
    pid = text(p["perm_person_id"])
    # Entered care: the start of the period of care the decision belongs to (by CLA ID, else the
    # latest period of care started by the decision).
    eps = src.episodes
    by_cla = eps.drop_duplicates("cla_id").set_index("cla_id")["poc_start"] if len(eps) else pd.Series(dtype="datetime64[ns]")
    entered = pd.Series(by_cla.reindex(text(p["perm_cla_id"])).to_numpy())
    rows = pd.DataFrame({"person_id": pid, "adm": adm[keep].to_numpy()})
    pocs = eps.rename(columns={"poc_start": "date"})[["person_id", "date"]].drop_duplicates() if len(eps) else \
        pd.DataFrame({"person_id": [], "date": pd.Series(dtype="datetime64[ns]")})
    by_date = _latest_between(rows, pocs, None, "adm", ["date"])["date"]
    entered = entered.where(entered.notna(), pd.to_datetime(by_date))
    reason = text(p["perm_decision_reversed_reason"])
    rev = reversed_[keep].to_numpy()
    data = src.common(pid, disability=True)
    data["Date the Child Entered Care"] = pd.to_datetime(entered).to_numpy()
    data["Date of Decision that Child Should be Placed for Adoption"] = adm[keep].to_numpy()
    data["Date of Placement Order"] = _upto(p["perm_placement_order_date"], D)
    data["Date of Matching Child and Prospective Adopters"] = _upto(p["perm_matched_date"], D)
    data["Date Placed for Adoption"] = _upto(p["perm_placed_for_adoption_date"], D)
    data["Date of Adoption Order"] = adoption_order[keep].to_numpy()
    data["Date of Decision that Child Should No Longer be Placed for Adoption"] = rev
    data["Reason Why Child No Longer Placed for Adoption"] = np.where(
        pd.isna(rev), None, C.ADOPTION_REVERSED.map(pd.Series(reason).where(pd.Series(reason) != "", None)))
    data["Date the child was placed for fostering in FFA or concurrent planning placement"] = _upto(
        p["perm_placed_ffa_cp_date"], D)
    return _frame("List 10", data, ["Date of Decision that Child Should be Placed for Adoption", "Child Unique ID"])


# ---- List 11: adopters ------------------------------------------------------------------------------

def list_11(src: _Source) -> pd.DataFrame:
    """Adopters: the SSD holds no adopter records, so the list has its headers and no rows."""
    return _frame("List 11", {}, [])


# ---- all lists --------------------------------------------------------------------------------------

def annex_a_lists(tables: Mapping[str, pd.DataFrame], reference_date, settings=None) -> dict[str, pd.DataFrame]:
    """Lists 1-11 ("List 1" ... "List 11") for ``reference_date`` (see the module docstring).

    ``settings`` (a :class:`metrics.settings.MetricSettings`) is accepted for symmetry with the
    measures; no Annex A rule depends on an authority setting."""
    src = _Source(tables, reference_date)
    in_care = _in_care_persons(src)
    care_leavers = _care_leavers_out_of_care(src)
    return {
        "List 1": list_1(src), "List 2": list_2(src), "List 3": list_3(src), "List 4": list_4(src),
        "List 5": list_5(src), "List 6": list_6(src, in_care, care_leavers), "List 7": list_7(src),
        "List 8": list_8(src), "List 9": list_9(src), "List 10": list_10(src), "List 11": list_11(src),
    }
