"""The data-quality check run before the Annex A lists are sent: what to fix in the source first.

:func:`data_quality` reads the lists (and the source tables for what the lists cannot show) and
returns one :class:`Issue` per check that found something, each with the offending rows as they
appear in the list, plus the row number on the workbook sheet and the problem in words.

Checks (the kinds the Ofsted guidance and the D2I/ChAT pre-flight checks look for):

- **Blank mandatory field**: a column every row needs (the child's ID, gender, ethnicity, date of
  birth, age; each list's key dates and codes) is blank; and fields needed once something else is
  recorded (a closure date needs a reason, an ICPC needs its outcome, a visit whether the child
  was seen alone, a missing episode whether a return interview was offered, ...).
- **Invalid code**: a coded column holds a value that is not one of the Ofsted drop-down values
  (the source code could not be mapped: fix the code in the source).
- **Impossible dates**: a date after the reference date (a date of birth after it: an unborn child
  recorded with an expected date as the birth date); a date before the child's birth where that
  cannot happen (being seen, entering care, a placement, a health check, an adoption step), or
  more than ten months before birth where pre-birth work is possible (a contact, referral,
  assessment, enquiry or plan about an unborn child); an end date before its start date.
- **Lists that disagree**: a child on List 7 (child protection) or List 8 (in care) who is not on
  List 6 (children in need: CP and looked-after children are children in need); a List 6 case
  status of CP plan or looked after for a child missing from List 7 or List 8; an ICPC on List 5
  that resulted in a plan in the look-back for a child not on List 7.
- **Open cases**: with no allocated worker, with no visit recorded, or for a young person aged 18
  or over (a child protection plan, care or a CIN episode still open at 18).
- **Duplicates**: the same child, date and source twice on List 1 or 3; a child twice on a
  one-row-per-child list.
- **Not in ssd_person**: an ID on a list with no person record (so no gender, ethnicity or birth date).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from annex_a.codes import CASE_CIN_PLAN, CASE_CP, CASE_LOOKED_AFTER, YES
from annex_a.spec import LISTS, LOOKBACK_MONTHS, ListSpec
from metrics.looked_after import member, months_before

ROW = "Sheet row"        # the row number on the workbook sheet (the header is row 1)
PROBLEM = "Problem"
ID = "Child Unique ID"
DOB = "Date of Birth"
AGE = "Age of Child (Years)"
PRE_BIRTH_MONTHS = 10    # work about an unborn child can start in pregnancy, not earlier

# Dates that can come before the child's birth (work about an unborn child).
PRE_BIRTH_ALLOWED = frozenset({
    "Date of Contact", "Assessment start date", "Assessment completion date", "Date of referral",
    "Continuous Assessment Start Date", "Continuous Assessment Date of Authorisation",
    "Strategy discussion initiating Section 47 Enquiry Start Date", "Date of Initial Child Protection Conference",
    "CIN Start Date", "CIN Closure Date", "Child Protection Plan Start Date", "Child Protection Plan End Date",
    "Date of latest review conference", "Date of the Last Statutory Visit",
})

# (list, column needed, when this column is recorded)
NEEDED_WHEN = (
    ("List 4", "Was the child assessed as requiring LA children's social care support?",
     "Continuous Assessment Date of Authorisation"),
    ("List 4", "Child Seen During Continuous Assessment", "Continuous Assessment Date of Authorisation"),
    ("List 5", "Did the Initial Child Protection Conference Result in a Child Protection Plan",
     "Date of Initial Child Protection Conference"),
    ("List 6", "Reason for Closure", "CIN Closure Date"),
    ("List 7", "Was the Child Seen Alone?", "Date of the Last Statutory Visit"),
    ("List 8", "Reason Ceased to be Looked After", "Date Ceased to be Looked After"),
    ("List 8", "Was the child offered a Return Interview after their last missing episode (Y/N)?",
     "Number of Episodes the Child has been \u2018Missing\u2019 from their Placement in the last 12 months"),
    ("List 10", "Reason Why Child No Longer Placed for Adoption",
     "Date of Decision that Child Should No Longer be Placed for Adoption"),
)

# Blank mandatory fields that mean something more specific: (list, column) -> (check, problem).
BLANK_MEANS = {
    ("List 6", "Case Status"): (
        "open episode with no plan, assessment or care",
        "Open CIN episode with no CP plan, CIN plan, open assessment or care episode at the reference "
        "date: close the episode or record the plan"),
}

# Open-case lists: (list, the visit column, what is open)
VISIT_COLUMNS = {"List 6": "Date Child Was Last Seen", "List 7": "Date of the Last Statutory Visit",
                 "List 8": "Date of Last Social Work Visit"}
ONE_ROW_PER_CHILD = ("List 6", "List 7", "List 8", "List 9", "List 10")
DUPLICATE_KEYS = {"List 1": ("Date of Contact", "Contact Source"), "List 3": ("Date of referral", "Referral Source")}


@dataclass(frozen=True)
class Issue:
    list_name: str
    check: str
    count: int
    rows: pd.DataFrame     # the list's rows, with "Sheet row" and "Problem" first

    @property
    def title(self) -> str:
        return f"{self.list_name} · {self.check}"


def _blank(values: pd.Series) -> np.ndarray:
    s = pd.Series(values).reset_index(drop=True)
    if s.dtype == object:
        return (s.isna() | (s.astype(str).str.strip() == "")).to_numpy(dtype=bool)
    return s.isna().to_numpy(dtype=bool)


def _issue(name: str, check: str, frame: pd.DataFrame, mask, problems) -> Issue | None:
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return None
    rows = frame[mask].copy()
    problem = np.broadcast_to(np.asarray(problems, dtype=object), (len(frame),))[mask]
    rows.insert(0, PROBLEM, problem)
    rows.insert(0, ROW, np.flatnonzero(mask) + 2)
    return Issue(name, check, int(mask.sum()), rows.reset_index(drop=True))


def _dates(frame: pd.DataFrame, header: str) -> pd.Series:
    return pd.to_datetime(frame[header]).reset_index(drop=True)


def _fmt(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


def _list_checks(spec: ListSpec, frame: pd.DataFrame, when: pd.Timestamp) -> list[Issue | None]:
    name, out = spec.name, []
    f = frame.reset_index(drop=True)
    # Blank mandatory fields, then fields needed once something else is recorded.
    for col in spec.columns:
        if col.mandatory and col.available and col.header in f:
            why = BLANK_MEANS.get((name, col.header))
            out.append(_issue(name, f"Blank mandatory field: {col.header}" + (f" ({why[0]})" if why else ""), f,
                              _blank(f[col.header]), why[1] if why else f"{col.header} is blank"))
    for list_name, needed, when_col in NEEDED_WHEN:
        if list_name == name and needed in f and when_col in f:
            recorded = ~_blank(f[when_col])
            if spec.column(when_col).kind == "int":
                recorded &= pd.to_numeric(f[when_col], errors="coerce").fillna(0).to_numpy() > 0
            out.append(_issue(name, f"Blank {needed} (needed when {when_col} is recorded)", f,
                              recorded & _blank(f[needed]), f"{needed} is blank"))
    # Invalid codes.
    for col in spec.columns:
        if col.codes is not None and col.available and col.header in f:
            values = f[col.header]
            bad = ~_blank(values) & ~col.codes.valid(values)
            out.append(_issue(name, f"Invalid code: {col.header}", f, bad,
                              [f"'{v}' is not an Ofsted value for {col.header}" for v in values]))
    date_cols = [c.header for c in spec.columns if c.kind == "date" and c.header in f]
    # Dates after the reference date.
    late = np.zeros(len(f), dtype=bool)
    words = [[] for _ in range(len(f))]
    for h in date_cols:
        d = _dates(f, h)
        hit = (d > when).to_numpy(dtype=bool)
        late |= hit
        for i in np.flatnonzero(hit):
            words[i].append(f"{h} {_fmt(d[i])}")
    out.append(_issue(name, "Date after the reference date", f, late,
                      [f"After {when:%d/%m/%Y}: " + "; ".join(w) for w in words]))
    # Dates before birth.
    if DOB in f:
        dob = _dates(f, DOB)
        early = np.zeros(len(f), dtype=bool)
        words = [[] for _ in range(len(f))]
        for h in date_cols:
            if h == DOB:
                continue
            d = _dates(f, h)
            limit = dob - pd.DateOffset(months=PRE_BIRTH_MONTHS) if h in PRE_BIRTH_ALLOWED else dob
            hit = (d < limit).fillna(False).to_numpy(dtype=bool)
            early |= hit
            for i in np.flatnonzero(hit):
                words[i].append(f"{h} {_fmt(d[i])}")
        out.append(_issue(name, "Date before the child's date of birth", f, early,
                          [f"Born {_fmt(b)}: " + "; ".join(w) for b, w in zip(dob, words)]))
    # End before start.
    bad = np.zeros(len(f), dtype=bool)
    words = [[] for _ in range(len(f))]
    for earlier, later in spec.date_pairs:
        if earlier in f and later in f:
            a, b = _dates(f, earlier), _dates(f, later)
            hit = (b < a).fillna(False).to_numpy(dtype=bool)
            bad |= hit
            for i in np.flatnonzero(hit):
                words[i].append(f"{later} {_fmt(b[i])} is before {earlier} {_fmt(a[i])}")
    out.append(_issue(name, "End date before start date", f, bad, ["; ".join(w) for w in words]))
    # Open cases: no worker, no visit, aged 18 or over.
    if spec.end_column or name == "List 9":
        open_ = _blank(f[spec.end_column]) if spec.end_column else np.ones(len(f), dtype=bool)
        if "Allocated Worker" in f and name != "List 4":
            out.append(_issue(name, "Open case with no allocated worker", f, open_ & _blank(f["Allocated Worker"]),
                              "Open at the reference date; no allocated worker"))
        if name in VISIT_COLUMNS:
            visited = open_.copy()
            if name == "List 6":   # visits are due under a plan or care, not during an assessment
                visited &= member(f["Case Status"].astype(object), [CASE_LOOKED_AFTER, CASE_CP, CASE_CIN_PLAN])
            out.append(_issue(name, "Open case with no visit recorded", f, visited & _blank(f[VISIT_COLUMNS[name]]),
                              f"Open at the reference date; {VISIT_COLUMNS[name]} is blank"))
        if name in ("List 6", "List 7", "List 8"):
            age = pd.to_numeric(f[AGE], errors="coerce").fillna(-1).to_numpy()
            out.append(_issue(name, "Open case for a young person aged 18 or over", f, open_ & (age >= 18),
                              [f"Aged {int(a)} and still open at the reference date" for a in age]))
    # Duplicates.
    if name in DUPLICATE_KEYS:
        cols = [ID, *DUPLICATE_KEYS[name]]
        dup = f.duplicated(cols, keep=False).to_numpy(dtype=bool)
        out.append(_issue(name, "Possible duplicate: same child, date and source twice", f, dup,
                          "Same child, date and source as another row"))
    if name in ONE_ROW_PER_CHILD:
        dup = f.duplicated([ID], keep=False).to_numpy(dtype=bool)
        out.append(_issue(name, "Child listed more than once", f, dup, "The child has another row on this list"))
    return out


def _ids(frame: pd.DataFrame) -> set[str]:
    return set(frame[ID].dropna().astype(str)) if ID in frame else set()


def _cross_checks(lists: Mapping[str, pd.DataFrame], when: pd.Timestamp) -> list[Issue | None]:
    out = []
    get = lambda n: lists.get(n, pd.DataFrame(columns=LISTS[n].headers)).reset_index(drop=True)
    l5, l6, l7, l8 = get("List 5"), get("List 6"), get("List 7"), get("List 8")
    on6, on7, on8 = _ids(l6), _ids(l7), _ids(l8)
    missing = ~member(l7[ID].astype(object), list(on6))
    out.append(_issue("List 7", "Child on List 7 (child protection) but not on List 6 (children in need)", l7,
                      missing, "Not on List 6: check the CIN episode (referral) for this plan is recorded"))
    missing = ~member(l8[ID].astype(object), list(on6))
    out.append(_issue("List 8", "Child on List 8 (in care) but not on List 6 (children in need)", l8,
                      missing, "Not on List 6: check the CIN episode for this period of care is recorded"))
    if len(l6):
        status = l6["Case Status"].astype(object)
        ids = l6[ID].astype(object)
        out.append(_issue("List 6", "Case status is child protection plan but the child is not on List 7", l6,
                          (status == CASE_CP).to_numpy(dtype=bool) & ~member(ids, list(on7)),
                          "Case Status b) Child Protection plan, not on List 7"))
        out.append(_issue("List 6", "Case status is looked after but the child is not on List 8", l6,
                          (status == CASE_LOOKED_AFTER).to_numpy(dtype=bool) & ~member(ids, list(on8)),
                          "Case Status a) Looked after child, not on List 8"))
    if len(l5):
        icpc = pd.to_datetime(l5["Date of Initial Child Protection Conference"])
        plan = l5["Did the Initial Child Protection Conference Result in a Child Protection Plan"].astype(object)
        window = months_before(when, LOOKBACK_MONTHS)
        hit = ((plan == YES) & (icpc >= window)).to_numpy(dtype=bool) & ~member(l5[ID].astype(object), list(on7))
        out.append(_issue("List 5", "ICPC resulted in a plan but the child is not on List 7", l5, hit,
                          "The ICPC made a child protection plan in the look-back; no plan on List 7 (check the plan is "
                          "recorded, and not marked as another authority's)"))
    return out


def _person_checks(lists: Mapping[str, pd.DataFrame], tables: Mapping[str, pd.DataFrame]) -> list[Issue | None]:
    person = tables.get("ssd_person")
    if person is None:
        return []
    known = person["pers_person_id"].dropna().astype(str).to_numpy(dtype=object)
    out = []
    for name, frame in lists.items():
        if not LISTS[name].child_list or frame.empty:
            continue
        f = frame.reset_index(drop=True)
        ids = f[ID].astype(object)
        unknown = ids.notna().to_numpy(dtype=bool) & ~member(ids, known)
        out.append(_issue(name, "Child not found in ssd_person", f, unknown,
                          "No person record: gender, ethnicity and date of birth cannot be filled"))
    return out


def data_quality(lists: Mapping[str, pd.DataFrame], tables: Mapping[str, pd.DataFrame], reference_date) -> list[Issue]:
    """Every check that found something, in list order (see the module docstring)."""
    when = pd.Timestamp(reference_date).normalize()
    found: list[Issue | None] = []
    for name, spec in LISTS.items():
        if name in lists:
            found += _list_checks(spec, lists[name], when)
    found += _person_checks(lists, tables)
    found += _cross_checks(lists, when)
    order = {n: i for i, n in enumerate(LISTS)}
    issues = [i for i in found if i is not None]
    return sorted(issues, key=lambda i: order.get(i.list_name, 99))   # stable: checks keep their order


def source_gaps(tables: Mapping[str, pd.DataFrame]) -> list[str]:
    """What the lists cannot hold from this source, in words (not problems to fix in the data)."""
    out = []
    needs = {"List 1": "ssd_contacts", "List 2": "ssd_early_help_episodes", "List 3": "ssd_cin_episodes",
             "List 4": "ssd_cin_assessments", "List 5": "ssd_s47_enquiry", "List 6": "ssd_cin_episodes",
             "List 7": "ssd_cp_plans", "List 8": "ssd_cla_episodes", "List 9": "ssd_care_leavers",
             "List 10": "ssd_permanence"}
    for name, table in needs.items():
        if table not in tables:
            out.append(f"{name} ({LISTS[name].title}) is empty: this source has no {table} table.")
    for name, spec in LISTS.items():
        if not spec.child_list:
            out.append(f"{name} ({spec.title}) has its headers only: the SSD holds no adopter records; "
                       "fill it from the adoption agency's own system.")
            continue
        blank = [c.header for c in spec.columns if not c.available]
        if blank:
            out.append(f"{name}: {', '.join(blank)} left blank (not held in the SSD).")
    return out


def summary(issues: list[Issue]) -> pd.DataFrame:
    """One row per issue: List, Check, Rows."""
    return pd.DataFrame({"List": [i.list_name for i in issues], "Check": [i.check for i in issues],
                         "Rows": [i.count for i in issues]})


__all__ = ["Issue", "data_quality", "source_gaps", "summary"]
