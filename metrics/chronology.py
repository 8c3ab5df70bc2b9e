"""One child's record, for the Client Summary (reports.md tier 1): who they are, where they are in
the service now, who holds their case and has held it, every recorded event in date order, the
people around them, what the latest assessments found, their plans, placements and legal status,
and what is due next.

Pure functions over the (already access-scoped) tables: a page passes ``ctx.tables``, so nothing
here can show a child, or a related person, that the viewer may not see.

- :func:`find_children`: search by ID (person ID, legacy ID, NHS number: exact) or by name
  (every word typed starts a word of the name), among the people in the tables given.
- :func:`child_tables`: every table cut down to one child's rows (fast helpers below).
- :func:`chronology`: one row per event from every table (``EVENT_TYPES``), with its date, event
  type, category, a short summary made only of the coded fields the SSD row holds (no free-text
  notes), the source table and the row's ID. Newest first; events on the same day in the order
  they happen in a child's journey (an allocation ends before the next starts; a contact comes
  before the referral it led to), then by row ID.
- :func:`identity`, :func:`current_status`, :func:`allocation_history`,
  :func:`key_relationships`, :func:`assessments`, :func:`assessment_answers`,
  :func:`current_plans`, :func:`placement_history`, :func:`legal_status_history`,
  :func:`periods_of_care`, :func:`due_next`.

Status rules reuse the one rule of each module: "open on a date" is
:func:`metrics.front_door.open_at`; in care is :func:`metrics.looked_after.in_care_on`; a care
leaver is :func:`metrics.care_leavers.care_leavers_on`; the allocated worker is
:func:`metrics.allocation.allocation_on`; visits and reviews due are :mod:`metrics.visits`.
"""

from __future__ import annotations

import json
import re
from typing import Mapping

import numpy as np
import pandas as pd

from data_access.schema import PERSON, TABLES
from metrics.allocation import allocation_on
from metrics.calendar import add_working_days
from metrics.front_door import open_at
from metrics.looked_after import age_years
from metrics.lookups import OTHER_TEAM, OTHER_WORKER, label_org
from metrics.settings import MetricSettings

Tables = Mapping[str, pd.DataFrame]

EVENT_COLUMNS = ["date", "event", "category", "summary", "source", "record_id"]

# Event type -> (category, order within a day). Ends come first in a day (a worker's allocation
# ends before the next worker's starts; a placement ends before the next begins), then the
# journey's order (contact, referral, assessment, S47, conference, plan, care), then activity.
EVENT_TYPES: dict[str, tuple[str, int]] = {
    "Born": ("Personal", 0),
    "Allocation ended": ("Allocation", 10),
    "Early help ended": ("Early help", 11),
    "CIN plan ended": ("Child in need", 12),
    "CP plan ended": ("Child protection", 13),
    "Placement ended": ("In care", 14),
    "Legal status ended": ("In care", 15),
    "Care plan ended": ("In care", 16),
    "CLA episode ended": ("In care", 17),
    "Ceased to be looked after": ("In care", 18),
    "Immigration status ended": ("Personal", 19),
    "Missing episode ended": ("Missing", 20),
    "Referral closed": ("Front door", 21),
    "Contact": ("Front door", 30),
    "Contact decision": ("Front door", 31),
    "Early help started": ("Early help", 32),
    "Referral": ("Front door", 33),
    "Assessment started": ("Assessment", 34),
    "S47 enquiry started": ("Child protection", 35),
    "S47 enquiry completed": ("Child protection", 36),
    "Assessment authorised": ("Assessment", 37),
    "Initial child protection conference": ("Child protection", 38),
    "CP plan started": ("Child protection", 39),
    "CIN plan started": ("Child in need", 40),
    "Started to be looked after": ("In care", 41),
    "CLA episode started": ("In care", 42),
    "Legal status": ("In care", 43),
    "Placement started": ("In care", 44),
    "Care plan": ("In care", 45),
    "Permanence": ("In care", 46),
    "Allocated": ("Allocation", 47),
    "CP visit": ("Child protection", 50),
    "CIN visit": ("Child in need", 51),
    "CLA visit": ("In care", 52),
    "CP review": ("Child protection", 53),
    "CIN review": ("Child in need", 54),
    "CLA review": ("In care", 55),
    "Health assessment": ("Health and education", 56),
    "Dental check": ("Health and education", 57),
    "Health check": ("Health and education", 58),
    "SDQ": ("Health and education", 59),
    "PEP": ("Health and education", 60),
    "Case supervision": ("Allocation", 61),
    "Missing episode": ("Missing", 62),
    "Care leaver contact": ("Care leaver", 63),
    "Pathway plan review": ("Care leaver", 64),
    "Immigration status": ("Personal", 65),
    "Own child born": ("Personal", 66),
    "Died": ("Personal", 99),
}
# Kinds of event, in the order of a child's journey (the order the page offers them in).
CATEGORIES = ["Front door", "Early help", "Assessment", "Child in need", "Child protection", "In care",
              "Health and education", "Missing", "Care leaver", "Allocation", "Personal"]
assert set(CATEGORIES) == {c for c, _ in EVENT_TYPES.values()}

# ---- code lists (DfE CIN census and SSDA903), for readable summaries ----------------------------

PRIMARY_NEED = {
    "N0": "Not stated", "N1": "Abuse or neglect", "N2": "Child's disability",
    "N3": "Parental disability or illness", "N4": "Family in acute stress", "N5": "Family dysfunction",
    "N6": "Socially unacceptable behaviour", "N7": "Low income", "N8": "Absent parenting",
    "N9": "Cases other than children in need",
}
ABUSE_CATEGORY = {"NEG": "Neglect", "PHY": "Physical abuse", "SAB": "Sexual abuse",
                  "EMO": "Emotional abuse", "MUL": "Multiple categories"}
CIN_CLOSURE = {
    "RC1": "Adopted", "RC2": "Died", "RC3": "Child arrangements order", "RC4": "Special guardianship order",
    "RC5": "Transferred to another local authority", "RC6": "Transferred to adult social care",
    "RC7": "Services ceased for any other reason", "RC8": "Closed after assessment, no further action",
    "RC9": "Closed after assessment, referred to early help",
}
LEGAL_STATUS = {
    "C1": "Interim care order", "C2": "Full care order", "D1": "Freeing order granted",
    "E1": "Placement order granted", "V2": "Accommodated under section 20",
    "V3": "Short breaks (single episodes)", "V4": "Short breaks (agreed series)",
    "L1": "Police protection, in LA accommodation", "L2": "Emergency protection order",
    "L3": "Child assessment order, in LA accommodation",
    "J1": "Remanded to LA or youth detention accommodation", "J2": "Placed in LA accommodation under PACE",
    "J3": "Youth rehabilitation order with residence requirement",
}
PLACEMENT_TYPE = {
    "A3": "Placed for adoption with consent, with current foster carer",
    "A4": "Placed for adoption with consent, not with current foster carer",
    "A5": "Placed for adoption under a placement order, with current foster carer",
    "A6": "Placed for adoption under a placement order, not with current foster carer",
    "H5": "Semi-independent living", "K1": "Secure children's home", "K2": "Children's home",
    "K3": "Supported accommodation", "P1": "Placed with parent(s)", "P2": "Independent living",
    "P3": "Residential employment", "R1": "Residential care home", "R2": "NHS or health establishment",
    "R3": "Family centre or mother and baby unit", "R5": "Young offender institution or prison",
    "S1": "Residential school", "T0": "Temporary placement", "T1": "Temporary placement",
    "T2": "Temporary placement", "T3": "Temporary placement", "T4": "Temporary placement",
    "U1": "Foster placement with relative or friend, long term",
    "U2": "Foster placement with relative or friend, FFA or concurrent planning",
    "U3": "Foster placement with relative or friend",
    "U4": "Foster placement with other foster carer, long term",
    "U5": "Foster placement with other foster carer, FFA or concurrent planning",
    "U6": "Foster placement with other foster carer", "Z1": "Other placement",
}
PLACEMENT_PROVIDER = {
    "PR0": "Parent or person with parental responsibility", "PR1": "Own provision (this authority)",
    "PR2": "Another local authority", "PR3": "Other public provision", "PR4": "Private provision",
    "PR5": "Voluntary or third sector provision",
}
PLACEMENT_CHANGE = {
    "CARPL": "Change to or implementation of care plan", "CLOSE": "Resignation or closure of provision",
    "ALLEG": "Allegation (s47)", "STAND": "Standards of care concern", "APPRR": "Approval removed",
    "CREQB": "Carer requested end due to child's behaviour", "CREQO": "Carer requested end, other reason",
    "CHILD": "Child requested end", "LAREQ": "Responsible authority requested end",
    "PLACE": "Change in the status of the placement only", "CUSTOD": "Custody arrangement", "OTHER": "Other",
}
EPISODE_START = {
    "S": "Started to be looked after", "L": "Change of legal status only",
    "P": "Change of placement and carer", "T": "Change of legal status and placement",
    "B": "Change of placement, same carer", "U": "Change of legal status and placement, same carer",
}
EPISODE_CEASED = {
    "E11": "Adopted (unopposed)", "E12": "Adopted (consent dispensed with)",
    "E13": "Left care to live with parent, relative or other person without parental responsibility",
    "E14": "Accommodation on remand ended", "E15": "Age assessment: aged 18 or over",
    "E16": "Moved abroad", "E17": "Aged 18, stayed with carers (staying put)", "E2": "Died",
    "E3": "Care taken over by another local authority", "E41": "Child arrangements order",
    "E45": "Special guardianship order to former foster carer (relative or friend)",
    "E46": "Special guardianship order to former foster carer",
    "E47": "Special guardianship order to carer (relative or friend)",
    "E48": "Special guardianship order to other carer",
    "E4A": "Returned home as part of the care plan", "E4B": "Returned home, not part of the care plan",
    "E5": "Independent living with support", "E6": "Independent living without support",
    "E7": "Transferred to adult residential care", "E8": "Ceased for any other reason",
    "E9": "Sentenced to custody", "X1": "Episode ended, care continues",
}
REVIEW_PARTICIPATION = {
    "PN0": "Child under 4", "PN1": "Attended and spoke for themselves",
    "PN2": "Attended, an advocate spoke for them", "PN3": "Attended, views conveyed non-verbally",
    "PN4": "Attended, views not conveyed", "PN5": "Did not attend, briefed an advocate",
    "PN6": "Did not attend, views conveyed by a facilitative medium",
    "PN7": "Did not attend, views not conveyed",
}
WORKER_CHANGE = {
    "MANAGE": "Management decision", "FCONTA": "Fixed-term contract ended", "LEFTRL": "Worker left the role",
    "ORGRST": "Organisational restructure", "TSPROC": "Transfer as part of the usual process",
    "ABSENC": "Worker absence", "CHCHAN": "Child requested a change", "PCCHAN": "Parent or carer requested a change",
    "SWDIED": "Worker died", "OTHERS": "Other",
}
DISABILITY = {
    "NONE": "No disability", "MOB": "Mobility", "HAND": "Hand function", "PC": "Personal care",
    "INC": "Incontinence", "COMM": "Communication", "LD": "Learning", "HEAR": "Hearing", "VIS": "Vision",
    "BEH": "Behaviour", "CON": "Consciousness", "AUT": "Autism or Asperger syndrome", "DDA": "Other disability",
}
ETHNICITY = {
    "WBRI": "White British", "WIRI": "White Irish", "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background", "WROM": "Gypsy or Roma", "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African", "MWAS": "White and Asian", "MOTH": "Any other mixed background",
    "AIND": "Indian", "APKN": "Pakistani", "ABAN": "Bangladeshi", "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean", "BAFR": "Black African", "BOTH": "Any other Black background",
    "CHNE": "Chinese", "OOTH": "Any other ethnic group", "REFU": "Refused", "NOBT": "Not yet obtained",
}
SEX = {"M": "Male", "F": "Female", "U": "Not known", "1": "Male", "2": "Female", "0": "Not known",
       "9": "Not specified"}


def _s(value) -> str:
    """Text of a cell: "" for blanks (None, NaN, NA)."""
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value).strip()


def _d(value) -> str:
    """dd/mm/yyyy, or "" for a blank date."""
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%d/%m/%Y")


def labelled(code, labels: Mapping[str, str]) -> str:
    """"C2 (Full care order)" for a known code, the code as recorded otherwise, "" for blank."""
    c = _s(code)
    label = labels.get(c.upper())
    return f"{c} ({label})" if label else c


def yes_no(value) -> str:
    """"yes" / "no" for Y/N style flags, "not recorded" when blank, the value otherwise."""
    v = _s(value).upper()
    if not v:
        return "not recorded"
    if v in ("Y", "YES", "TRUE", "T", "1"):
        return "yes"
    if v in ("N", "NO", "FALSE", "F", "0"):
        return "no"
    return _s(value)


def json_items(text) -> list[str]:
    """The items of a ``*_json`` cell (a JSON list of codes/labels, an object of flags, or plain
    text), as strings: ``'["A", "B"]'`` -> ["A", "B"]; ``'{"X": "Y", "Z": "N"}'`` -> ["X"]."""
    raw = _s(text)
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except (ValueError, TypeError):
        return [p.strip().strip('"') for p in raw.strip("[]").split(",") if p.strip().strip('"')]
    if isinstance(value, list):
        out = []
        for v in value:
            if isinstance(v, dict):
                out.extend(_s(x) for x in v.values() if _s(x))
            elif _s(v):
                out.append(_s(v))
        return out
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            sv = _s(v).upper()
            if isinstance(v, bool):
                if v:
                    out.append(str(k))
            elif sv in ("Y", "YES", "TRUE", "1"):
                out.append(str(k))
            elif sv and sv not in ("N", "NO", "FALSE", "0", "NULL", "NONE"):
                out.append(f"{k}: {_s(v)}")
        return out
    return [_s(value)] if _s(value) else []


def _join(items) -> str:
    return ", ".join(i for i in items if i)


def _sentence(*parts: str) -> str:
    """Non-empty parts joined as sentences."""
    return " ".join(p if p.endswith(".") else p + "." for p in parts if p)


# ---- finding a child --------------------------------------------------------------------------

FIND_COLUMNS = ["person_id", "name", "dob", "sex", "matched_on"]


def _norm_id(values: pd.Series) -> pd.Series:
    """IDs as typed: spaces removed, upper case, "" for blanks (vectorised: many rows)."""
    v = values.fillna("")
    if v.dtype == object:
        v = v.astype(str)
    return v.str.replace(" ", "", regex=False).str.upper()


def find_children(tables: Tables, query: str, limit: int = 50) -> pd.DataFrame:
    """People in ``tables["ssd_person"]`` matching ``query``: an exact ID (person ID, legacy ID or
    NHS number; spaces and case ignored), else a name: every word typed must start a word of the
    forename or surname ("jo smi" finds John Smith). Exact ID matches first, then by surname,
    forename. At most ``limit`` rows: person_id, name, dob, sex, matched_on ("ID" / "name")."""
    p = tables["ssd_person"]
    q = _s(query)
    empty = pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "dob" else object) for c in FIND_COLUMNS})
    if not q or p.empty:
        return empty
    key = re.sub(r"\s+", "", q).upper()
    by_id = np.zeros(len(p), dtype=bool)
    for col in ("pers_person_id", "pers_legacy_id", "pers_common_child_id"):
        if col in p:
            by_id |= (_norm_id(p[col]) == key).to_numpy(dtype=bool)
    if by_id.any():
        hits, how = p[by_id], "ID"
    else:
        words = [w for w in re.split(r"[\s,]+", q.lower()) if w]
        fore = p["pers_forename"].fillna("").astype(str).str.lower()
        sur = p["pers_surname"].fillna("").astype(str).str.lower()
        full = (" " + fore + " " + sur + " ").str.replace("-", " ", regex=False).str.replace("'", " ", regex=False)
        mask = pd.Series(True, index=p.index)
        for w in words:
            w = re.sub(r"[-']", " ", w).strip()
            mask &= full.str.contains(" " + w, regex=False)
        hits, how = p[mask.to_numpy(dtype=bool)], "name"
    out = pd.DataFrame({
        "person_id": hits["pers_person_id"].astype(str).to_numpy(dtype=object),
        "name": (hits["pers_forename"].fillna("").astype(str) + " "
                 + hits["pers_surname"].fillna("").astype(str)).str.strip().to_numpy(dtype=object),
        "dob": pd.to_datetime(hits["pers_dob"]).to_numpy(),
        "sex": [SEX.get(_s(v).upper(), _s(v)) for v in hits["pers_sex"].tolist()],
        "matched_on": how,
        "_sur": hits["pers_surname"].fillna("").astype(str).str.lower().to_numpy(dtype=object),
        "_fore": hits["pers_forename"].fillna("").astype(str).str.lower().to_numpy(dtype=object),
    })
    out = out.sort_values(["_sur", "_fore", "person_id"], kind="stable").head(limit)
    return out[FIND_COLUMNS].reset_index(drop=True)


def person_row(tables: Tables, person_id: str) -> pd.Series | None:
    """The child's ssd_person row, or None when the tables do not hold them."""
    p = tables["ssd_person"]
    hit = p[(p["pers_person_id"].astype(str) == str(person_id)).to_numpy(dtype=bool)]
    return None if hit.empty else hit.iloc[0]


# ---- one child's rows -------------------------------------------------------------------------

def _person_columns(name: str) -> list[str]:
    spec = TABLES.get(name)
    if spec is None:
        return []
    table, column = PERSON.split(".")
    cols = [fk.column for fk in spec.foreign_keys if (fk.ref_table, fk.ref_column) == (table, column)]
    if name == table:
        cols = [column]
    return cols


ORG_TABLE_NAMES = ("ssd_professionals", "ssd_department")


def _rows_in(frame: pd.DataFrame, column: str, values) -> pd.DataFrame:
    wanted = {str(v) for v in values if _s(v)}
    if not wanted:
        return frame.iloc[0:0]
    keep = pd.Index(list(wanted)).get_indexer(frame[column].astype(str).to_numpy()) >= 0
    return frame[keep]


LINKED_TABLES = ("ssd_cla_reviews", "ssd_assessment_factors", "ext_assessment_answers", "ext_contact_decisions")


def child_tables(tables: Tables, person_id: str, linked: Tables | None = None) -> dict[str, pd.DataFrame]:
    """Every table cut down to one child's rows (any person column naming them: ssd_mother as the
    mother or as the child); the looked-after reviews of their periods of care; the factors and
    answers of their assessments; the decisions on their contacts. The organisation tables are
    kept whole (names of workers and teams).

    ``linked``: where to take the tables that name no person (``LINKED_TABLES``) from, when
    ``tables`` are access-scoped and lack them: only the rows of this child's own periods of care,
    assessments and contacts (IDs found in ``tables``) are taken, so nothing of another child can
    come in. Default: ``tables``."""
    pid = str(person_id)
    source = tables if linked is None else {**tables, **{k: v for k, v in linked.items() if k in LINKED_TABLES}}
    out: dict[str, pd.DataFrame] = {}
    for name, frame in tables.items():
        if name in ORG_TABLE_NAMES:
            out[name] = frame
            continue
        cols = _person_columns(name)
        if not cols:
            continue
        mask = np.zeros(len(frame), dtype=bool)
        for c in cols:
            mask |= (frame[c].astype(str) == pid).to_numpy(dtype=bool)
        out[name] = frame[mask]
    if "ssd_cla_reviews" in source:
        cla_ids = out.get("ssd_cla_episodes", pd.DataFrame({"clae_cla_id": []}))["clae_cla_id"].tolist()
        out["ssd_cla_reviews"] = _rows_in(source["ssd_cla_reviews"], "clar_cla_id", cla_ids)
    assessment_ids = out.get("ssd_cin_assessments", pd.DataFrame({"cina_assessment_id": []}))["cina_assessment_id"].tolist()
    for name, col in (("ssd_assessment_factors", "cinf_assessment_id"), ("ext_assessment_answers", "cinq_assessment_id")):
        if name in source:
            out[name] = _rows_in(source[name], col, assessment_ids)
    if "ext_contact_decisions" in source:
        contact_ids = out.get("ssd_contacts", pd.DataFrame({"cont_contact_id": []}))["cont_contact_id"].tolist()
        out["ext_contact_decisions"] = _rows_in(source["ext_contact_decisions"], "cond_contact_id", contact_ids)
    return out


def _rows(t: Tables, name: str) -> pd.DataFrame:
    frame = t.get(name)
    return frame if frame is not None else pd.DataFrame()


def _org_names(t: Tables, team_ids, worker_ids) -> tuple[list[str], list[str]]:
    """Team and worker names for parallel lists of IDs ("" where none recorded)."""
    frame = pd.DataFrame({"_t": [(_s(x)) for x in team_ids], "_w": [(_s(x)) for x in worker_ids]})
    if frame.empty:
        return [], []
    teams = [OTHER_TEAM if x else "" for x in frame["_t"]]
    workers = [OTHER_WORKER if x else "" for x in frame["_w"]]
    dept, prof = t.get("ssd_department"), t.get("ssd_professionals")
    if dept is None or dept.empty:
        # a viewer whose organisation tables hold no team at all: nobody can be named
        return teams, workers
    with_workers = prof is not None and not prof.empty
    lab = label_org(frame, t, team_col="_t", worker_col="_w" if with_workers else None)
    teams = [n if tid else "" for n, tid in zip(lab["team"].tolist(), frame["_t"].tolist())]
    if with_workers:
        workers = [n if wid else "" for n, wid in zip(lab["worker"].tolist(), frame["_w"].tolist())]
    return teams, workers


def _who(team: str, worker: str) -> str:
    """"Worker (Team)", "Worker" or "Team"; "A worker in another team" when both are outside the
    viewer's organisation tables (:data:`metrics.lookups.OTHER_WORKER`)."""
    if worker == OTHER_WORKER and team in (OTHER_TEAM, ""):
        return OTHER_WHO
    if worker and team:
        return f"{worker} ({team})"
    return worker or team


OTHER_WHO = "A worker in another team"


def _by(team: str, worker: str) -> str:
    who = _who(team, worker)
    if who == OTHER_WHO:
        who = who[0].lower() + who[1:]
    return f"By {who}" if who else ""


# ---- the chronology ---------------------------------------------------------------------------

class _Events:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, date, event: str, summary: str, source: str, record_id) -> None:
        if pd.isna(date):
            return
        self.rows.append({"date": pd.Timestamp(date).normalize(), "event": event, "summary": summary,
                          "source": source, "record_id": _s(record_id)})


def _contacts(t: Tables, ev: _Events) -> None:
    c = _rows(t, "ssd_contacts")
    for r in c.itertuples(index=False):
        source = _s(r.cont_contact_source_desc) or _s(r.cont_contact_source_code)
        ev.add(r.cont_contact_date, "Contact",
               _sentence(f"From {source}" if source else "", _join(json_items(r.cont_contact_outcome_json))
                         and "Outcome: " + _join(json_items(r.cont_contact_outcome_json))),
               "ssd_contacts", r.cont_contact_id)
    d = _rows(t, "ext_contact_decisions")
    for r in d.itertuples(index=False):
        ev.add(r.cond_decision_date, "Contact decision", f"Decision on contact {_s(r.cond_contact_id)}.",
               "ext_contact_decisions", r.cond_contact_id)


def _early_help(t: Tables, ev: _Events) -> None:
    e = _rows(t, "ssd_early_help_episodes")
    if e.empty:
        return
    _, workers = _org_names(t, [""] * len(e), e["earl_episode_worker_id"].tolist())
    for r, worker in zip(e.itertuples(index=False), workers):
        ev.add(r.earl_episode_start_date, "Early help started",
               _sentence(_s(r.earl_episode_reason) and f"Reason: {_s(r.earl_episode_reason)}",
                         _s(r.earl_episode_organisation), worker and f"Worker: {worker}"),
               "ssd_early_help_episodes", r.earl_episode_id)
        ev.add(r.earl_episode_end_date, "Early help ended",
               _sentence(_s(r.earl_episode_end_reason) and f"End reason: {_s(r.earl_episode_end_reason)}"),
               "ssd_early_help_episodes", r.earl_episode_id)


def _referrals(t: Tables, ev: _Events) -> None:
    e = _rows(t, "ssd_cin_episodes")
    if e.empty:
        return
    teams, workers = _org_names(t, e["cine_referral_team"].tolist(), e["cine_referral_worker_id"].tolist())
    for r, team, worker in zip(e.itertuples(index=False), teams, workers):
        source = _s(r.cine_referral_source_desc) or _s(r.cine_referral_source_code)
        outcome = _join(json_items(r.cine_referral_outcome_json))
        ev.add(r.cine_referral_date, "Referral",
               _sentence(source and f"From {source}",
                         _s(r.cine_cin_primary_need_code) and "Primary need: " + labelled(r.cine_cin_primary_need_code, PRIMARY_NEED),
                         outcome and f"Outcome: {outcome}",
                         "No further action" if yes_no(r.cine_referral_nfa) == "yes" else "",
                         _by(team, worker)),
               "ssd_cin_episodes", r.cine_referral_id)
        ev.add(r.cine_close_date, "Referral closed",
               _sentence(_s(r.cine_close_reason) and "Reason: " + labelled(r.cine_close_reason, CIN_CLOSURE)),
               "ssd_cin_episodes", r.cine_referral_id)


def _factors(t: Tables) -> dict[str, list[str]]:
    f = _rows(t, "ssd_assessment_factors")
    out: dict[str, list[str]] = {}
    for r in f.itertuples(index=False):
        out.setdefault(_s(r.cinf_assessment_id), []).extend(json_items(r.cinf_assessment_factors_json))
    return out


def _assessments(t: Tables, ev: _Events) -> None:
    a = _rows(t, "ssd_cin_assessments")
    if a.empty:
        return
    factors = _factors(t)
    teams, workers = _org_names(t, a["cina_assessment_team"].tolist(), a["cina_assessment_worker_id"].tolist())
    for r, team, worker in zip(a.itertuples(index=False), teams, workers):
        aid = _s(r.cina_assessment_id)
        ev.add(r.cina_assessment_start_date, "Assessment started",
               _sentence(f"Child seen: {yes_no(r.cina_assessment_child_seen)}", _by(team, worker)),
               "ssd_cin_assessments", aid)
        outcome = _join(json_items(r.cina_assessment_outcome_json))
        ev.add(r.cina_assessment_auth_date, "Assessment authorised",
               _sentence(outcome and f"Outcome: {outcome}",
                         "No further action" if yes_no(r.cina_assessment_outcome_nfa) == "yes" else "",
                         factors.get(aid) and "Factors: " + _join(factors[aid]), _by(team, worker)),
               "ssd_cin_assessments", aid)


def _s47(t: Tables, ev: _Events) -> None:
    s = _rows(t, "ssd_s47_enquiry")
    if s.empty:
        return
    teams, workers = _org_names(t, s["s47e_s47_completed_by_team"].tolist(), s["s47e_s47_completed_by_worker_id"].tolist())
    for r, team, worker in zip(s.itertuples(index=False), teams, workers):
        ev.add(r.s47e_s47_start_date, "S47 enquiry started", "Strategy discussion: section 47 enquiry started.",
               "ssd_s47_enquiry", r.s47e_s47_enquiry_id)
        outcome = _join(json_items(r.s47e_s47_outcome_json))
        ev.add(r.s47e_s47_end_date, "S47 enquiry completed",
               _sentence(outcome and f"Outcome: {outcome}",
                         "No further action" if yes_no(r.s47e_s47_nfa) == "yes" else "", _by(team, worker)),
               "ssd_s47_enquiry", r.s47e_s47_enquiry_id)


def _icpc(t: Tables, ev: _Events) -> None:
    c = _rows(t, "ssd_initial_cp_conference")
    for r in c.itertuples(index=False):
        plan = yes_no(r.icpc_icpc_outcome_cp_flag)
        ev.add(r.icpc_icpc_date, "Initial child protection conference",
               _sentence({"yes": "Child protection plan made", "no": "No child protection plan"}.get(plan, ""),
                         _s(r.icpc_icpc_target_date) and f"Target date {_d(r.icpc_icpc_target_date)}",
                         "Transferred in" if yes_no(r.icpc_icpc_transfer_in) == "yes" else ""),
               "ssd_initial_cp_conference", r.icpc_icpc_id)


def _cp(t: Tables, ev: _Events) -> None:
    for r in _rows(t, "ssd_cp_plans").itertuples(index=False):
        ev.add(r.cppl_cp_plan_start_date, "CP plan started",
               _sentence(_s(r.cppl_cp_plan_initial_category) and "Category: " + labelled(r.cppl_cp_plan_initial_category, ABUSE_CATEGORY),
                         "Other local authority's plan" if yes_no(r.cppl_cp_plan_ola) == "yes" else ""),
               "ssd_cp_plans", r.cppl_cp_plan_id)
        ev.add(r.cppl_cp_plan_end_date, "CP plan ended",
               _sentence(_s(r.cppl_cp_plan_latest_category) and "Latest category: " + labelled(r.cppl_cp_plan_latest_category, ABUSE_CATEGORY)),
               "ssd_cp_plans", r.cppl_cp_plan_id)
    for r in _rows(t, "ssd_cp_visits").itertuples(index=False):
        ev.add(r.cppv_cp_visit_date, "CP visit",
               _sentence(f"Child seen: {yes_no(r.cppv_cp_visit_seen)}; seen alone: {yes_no(r.cppv_cp_visit_seen_alone)}; "
                         f"bedroom seen: {yes_no(r.cppv_cp_visit_bedroom)}"),
               "ssd_cp_visits", r.cppv_cp_visit_id)
    for r in _rows(t, "ssd_cp_reviews").itertuples(index=False):
        ev.add(r.cppr_cp_review_date, "CP review",
               _sentence(_s(r.cppr_cp_review_due) and f"Due {_d(r.cppr_cp_review_due)}",
                         _s(r.cppr_cp_review_outcome_continue_cp) and f"Plan to continue: {yes_no(r.cppr_cp_review_outcome_continue_cp)}",
                         _s(r.cppr_cp_review_quorate) and f"Quorate: {yes_no(r.cppr_cp_review_quorate)}",
                         _s(r.cppr_cp_review_participation) and f"Child's participation: {_s(r.cppr_cp_review_participation)}"),
               "ssd_cp_reviews", r.cppr_cp_review_id)


def _cin(t: Tables, ev: _Events) -> None:
    p = _rows(t, "ssd_cin_plans")
    if not p.empty:
        teams, workers = _org_names(t, p["cinp_cin_plan_team"].tolist(), p["cinp_cin_plan_worker_id"].tolist())
        for r, team, worker in zip(p.itertuples(index=False), teams, workers):
            ev.add(r.cinp_cin_plan_start_date, "CIN plan started", _sentence(_by(team, worker)),
                   "ssd_cin_plans", r.cinp_cin_plan_id)
            ev.add(r.cinp_cin_plan_end_date, "CIN plan ended", "", "ssd_cin_plans", r.cinp_cin_plan_id)
    for r in _rows(t, "ssd_cin_visits").itertuples(index=False):
        ev.add(r.cinv_cin_visit_date, "CIN visit",
               _sentence(f"Child seen: {yes_no(r.cinv_cin_visit_seen)}; seen alone: {yes_no(r.cinv_cin_visit_seen_alone)}; "
                         f"bedroom seen: {yes_no(r.cinv_cin_visit_bedroom)}"),
               "ssd_cin_visits", r.cinv_cin_visit_id)
    for r in _rows(t, "ext_cin_reviews").itertuples(index=False):
        ev.add(r.cinr_review_date, "CIN review",
               _sentence(_s(r.cinr_review_due_date) and f"Due {_d(r.cinr_review_due_date)}"),
               "ext_cin_reviews", r.cinr_id)


def _care(t: Tables, ev: _Events) -> None:
    e = _rows(t, "ssd_cla_episodes")
    starts = set(pd.to_datetime(e["clae_cla_episode_start_date"]).dt.normalize().dropna()) if len(e) else set()
    for r in e.itertuples(index=False):
        reason = _s(r.clae_cla_episode_start_reason).upper()
        ev.add(r.clae_cla_episode_start_date, "Started to be looked after" if reason == "S" else "CLA episode started",
               _sentence(reason and reason != "S" and "Reason: " + labelled(reason, EPISODE_START),
                         _s(r.clae_cla_primary_need_code) and "Primary need: " + labelled(r.clae_cla_primary_need_code, PRIMARY_NEED)),
               "ssd_cla_episodes", r.clae_cla_episode_id)
        if pd.isna(r.clae_cla_episode_ceased_date):
            continue
        ceased = pd.Timestamp(r.clae_cla_episode_ceased_date).normalize()
        why = _s(r.clae_cla_episode_ceased_reason).upper()
        if why == "X1" and ceased in starts:
            continue  # the next episode's start says what changed
        ev.add(ceased, "CLA episode ended" if why == "X1" else "Ceased to be looked after",
               _sentence(why and "Reason: " + labelled(why, EPISODE_CEASED)), "ssd_cla_episodes", r.clae_cla_episode_id)
    for r in _rows(t, "ssd_cla_placement").itertuples(index=False):
        dist = pd.to_numeric(pd.Series([r.clap_cla_placement_distance]), errors="coerce").iloc[0]
        ev.add(r.clap_cla_placement_start_date, "Placement started",
               _sentence(_s(r.clap_cla_placement_type) and labelled(r.clap_cla_placement_type, PLACEMENT_TYPE),
                         _s(r.clap_cla_placement_provider) and "Provider: " + labelled(r.clap_cla_placement_provider, PLACEMENT_PROVIDER),
                         "" if pd.isna(dist) else f"{dist:g} miles from home"),
               "ssd_cla_placement", r.clap_cla_placement_id)
        ev.add(r.clap_cla_placement_end_date, "Placement ended",
               _sentence(_s(r.clap_cla_placement_change_reason) and "Reason: " + labelled(r.clap_cla_placement_change_reason, PLACEMENT_CHANGE)),
               "ssd_cla_placement", r.clap_cla_placement_id)
    ls = _rows(t, "ssd_legal_status")
    ls_starts = set(pd.to_datetime(ls["lega_legal_status_start_date"]).dt.normalize().dropna()) if len(ls) else set()
    for r in ls.itertuples(index=False):
        ev.add(r.lega_legal_status_start_date, "Legal status", _sentence(labelled(r.lega_legal_status, LEGAL_STATUS)),
               "ssd_legal_status", r.lega_legal_status_id)
        end = r.lega_legal_status_end_date
        if not pd.isna(end) and pd.Timestamp(end).normalize() not in ls_starts:
            ev.add(end, "Legal status ended", _sentence(labelled(r.lega_legal_status, LEGAL_STATUS)),
                   "ssd_legal_status", r.lega_legal_status_id)
    for r in _rows(t, "ssd_cla_visits").itertuples(index=False):
        ev.add(r.clav_cla_visit_date, "CLA visit",
               _sentence(f"Child seen: {yes_no(r.clav_cla_visit_seen)}; seen alone: {yes_no(r.clav_cla_visit_seen_alone)}"),
               "ssd_cla_visits", r.clav_cla_visit_id)
    for r in _rows(t, "ssd_cla_reviews").itertuples(index=False):
        cancelled = yes_no(r.clar_cla_review_cancelled) == "yes"
        ev.add(r.clar_cla_review_date, "CLA review",
               _sentence("Cancelled" if cancelled else "",
                         _s(r.clar_cla_review_due_date) and f"Due {_d(r.clar_cla_review_due_date)}",
                         _s(r.clar_cla_review_participation) and "Participation: " + labelled(r.clar_cla_review_participation, REVIEW_PARTICIPATION)),
               "ssd_cla_reviews", r.clar_cla_review_id)
    for r in _rows(t, "ssd_cla_care_plan").itertuples(index=False):
        plan = _join(json_items(r.lacp_cla_care_plan_json))
        ev.add(r.lacp_cla_care_plan_start_date, "Care plan", _sentence(plan and f"Permanence plan: {plan}"),
               "ssd_cla_care_plan", r.lacp_table_id)
        ev.add(r.lacp_cla_care_plan_end_date, "Care plan ended", _sentence(plan and f"Permanence plan: {plan}"),
               "ssd_cla_care_plan", r.lacp_table_id)
    perm_events = (
        ("perm_adm_decision_date", "Agency decision: should be placed for adoption"),
        ("perm_ffa_cp_decision_date", "Decision: fostering for adoption / concurrent planning"),
        ("perm_placed_ffa_cp_date", "Placed in a fostering for adoption / concurrent planning placement"),
        ("perm_placement_order_date", "Placement order"),
        ("perm_matched_date", "Matched with prospective adopters"),
        ("perm_placed_for_adoption_date", "Placed for adoption"),
        ("perm_decision_reversed_date", "Decision reversed: no longer to be placed for adoption"),
        ("perm_permanence_order_date", "Permanence order"),
    )
    for r in _rows(t, "ssd_permanence").itertuples(index=False):
        for col, text in perm_events:
            extra = ""
            if col == "perm_permanence_order_date":
                extra = _s(r.perm_permanence_order_type)
            elif col == "perm_decision_reversed_date":
                extra = _s(r.perm_decision_reversed_reason) and f"Reason: {_s(r.perm_decision_reversed_reason)}"
            ev.add(getattr(r, col), "Permanence", _sentence(text, extra), "ssd_permanence", r.perm_table_id)


def _health(t: Tables, ev: _Events) -> None:
    for r in _rows(t, "ssd_cla_health").itertuples(index=False):
        kind = _s(r.clah_health_check_type)
        up = kind.upper()
        event = "Dental check" if "DENT" in up else (
            "Health assessment" if ("ASSESS" in up or up in ("IHA", "RHA", "HA")) else "Health check")
        ev.add(r.clah_health_check_date, event,
               _sentence(kind if event == "Health check" else "", _s(r.clah_health_check_status) and f"Status: {_s(r.clah_health_check_status)}"),
               "ssd_cla_health", r.clah_health_check_id)
    for r in _rows(t, "ssd_sdq_scores").itertuples(index=False):
        ev.add(r.csdq_sdq_completed_date, "SDQ",
               _sentence(_s(r.csdq_sdq_score) and f"Score {_s(r.csdq_sdq_score)}",
                         _s(r.csdq_sdq_reason) and f"Reason: {_s(r.csdq_sdq_reason)}"),
               "ssd_sdq_scores", r.csdq_table_id)
    for r in _rows(t, "ext_cla_pep").itertuples(index=False):
        ev.add(r.pepr_pep_date, "PEP", "Personal education plan.", "ext_cla_pep", r.pepr_id)


def _missing(t: Tables, ev: _Events) -> None:
    for r in _rows(t, "ssd_missing").itertuples(index=False):
        kind = _s(r.miss_missing_episode_type)
        ev.add(r.miss_missing_episode_start_date, "Missing episode",
               _sentence(kind and f"Type: {kind}",
                         f"Return interview offered: {yes_no(r.miss_missing_rhi_offered)}; "
                         f"accepted: {yes_no(r.miss_missing_rhi_accepted)}"),
               "ssd_missing", r.miss_table_id)
        if not pd.isna(r.miss_missing_episode_end_date) and not pd.isna(r.miss_missing_episode_start_date):
            days = (pd.Timestamp(r.miss_missing_episode_end_date).normalize()
                    - pd.Timestamp(r.miss_missing_episode_start_date).normalize()).days
            ev.add(r.miss_missing_episode_end_date, "Missing episode ended",
                   f"Returned after {days} day{'' if days == 1 else 's'}.", "ssd_missing", r.miss_table_id)


def _care_leaver(t: Tables, ev: _Events) -> None:
    from metrics.care_leavers import in_eet

    c = _rows(t, "ssd_care_leavers")
    seen: set[tuple] = set()
    for r in c.itertuples(index=False):
        activity = _s(r.clea_care_leaver_activity)
        eet = ""
        if activity:
            eet = "in education, employment or training" if bool(in_eet(pd.Series([activity]))[0]) else \
                "not in education, employment or training"
        key = ("contact", _d(r.clea_care_leaver_latest_contact))
        if key not in seen:
            seen.add(key)
            ev.add(r.clea_care_leaver_latest_contact, "Care leaver contact",
                   _sentence(_s(r.clea_care_leaver_in_touch) and f"In touch: {_s(r.clea_care_leaver_in_touch)}",
                             _s(r.clea_care_leaver_accommodation) and "Accommodation: " + _join(
                                 [_s(r.clea_care_leaver_accommodation), _s(r.clea_care_leaver_accom_suitable).lower()]),
                             activity and f"Activity: {activity} ({eet})",
                             _s(r.clea_care_leaver_personal_advisor) and f"Personal adviser: {_s(r.clea_care_leaver_personal_advisor)}"),
                   "ssd_care_leavers", r.clea_table_id)
        key = ("pathway", _d(r.clea_pathway_plan_review_date))
        if key not in seen:
            seen.add(key)
            ev.add(r.clea_pathway_plan_review_date, "Pathway plan review", "Pathway plan reviewed.",
                   "ssd_care_leavers", r.clea_table_id)


def _allocations(t: Tables, ev: _Events) -> None:
    inv = _rows(t, "ssd_involvements")
    if not inv.empty:
        teams, workers = _org_names(t, inv["invo_professional_team"].tolist(), inv["invo_professional_id"].tolist())
        for r, team, worker in zip(inv.itertuples(index=False), teams, workers):
            who = _who(team, worker or "Worker not recorded")
            role = _s(r.invo_professional_role_id).capitalize()
            ev.add(r.invo_involvement_start_date, "Allocated", _sentence(f"{who}" + (f", {role.lower()}" if role else "")),
                   "ssd_involvements", r.invo_involvements_id)
            ev.add(r.invo_involvement_end_date, "Allocation ended",
                   _sentence(who, _s(r.invo_worker_change_reason) and "Reason for change: " + labelled(r.invo_worker_change_reason, WORKER_CHANGE)),
                   "ssd_involvements", r.invo_involvements_id)
    sup = _rows(t, "ext_case_supervision")
    if not sup.empty:
        _, workers = _org_names(t, [""] * len(sup), sup["supe_professional_id"].tolist())
        for r, worker in zip(sup.itertuples(index=False), workers):
            ev.add(r.supe_date, "Case supervision", _sentence(worker and f"Worker: {worker}"),
                   "ext_case_supervision", r.supe_id)


def _personal(t: Tables, ev: _Events, pid: str) -> None:
    for r in _rows(t, "ssd_person").itertuples(index=False):
        if _s(r.pers_person_id) != pid:
            continue
        ev.add(r.pers_dob, "Born", "Date of birth.", "ssd_person", r.pers_person_id)
        ev.add(r.pers_death_date, "Died", "Date of death.", "ssd_person", r.pers_person_id)
    for r in _rows(t, "ssd_immigration_status").itertuples(index=False):
        ev.add(r.immi_immigration_status_start_date, "Immigration status", _sentence(_s(r.immi_immigration_status)),
               "ssd_immigration_status", r.immi_immigration_status_id)
        ev.add(r.immi_immigration_status_end_date, "Immigration status ended", _sentence(_s(r.immi_immigration_status)),
               "ssd_immigration_status", r.immi_immigration_status_id)
    for r in _rows(t, "ssd_mother").itertuples(index=False):
        if _s(r.moth_person_id) == pid:
            ev.add(r.moth_childs_dob, "Own child born", f"Child {_s(r.moth_childs_person_id)} born.",
                   "ssd_mother", r.moth_table_id)


def chronology(tables: Tables, person_id: str) -> pd.DataFrame:
    """Every recorded event of one child, newest first: date, event, category, summary, source
    (table), record_id (the row's ID in that table). See the module docstring for the order."""
    pid = str(person_id)
    t = child_tables(tables, pid)
    ev = _Events()
    for build in (_contacts, _early_help, _referrals, _assessments, _s47, _icpc, _cp, _cin, _care,
                  _health, _missing, _care_leaver, _allocations):
        build(t, ev)
    _personal(t, ev, pid)
    if not ev.rows:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c == "date" else object) for c in EVENT_COLUMNS})
    out = pd.DataFrame(ev.rows)
    out["category"] = [EVENT_TYPES[e][0] for e in out["event"]]
    out["_rank"] = [EVENT_TYPES[e][1] for e in out["event"]]
    out = out.sort_values(["date", "_rank", "record_id"], ascending=False, kind="stable", ignore_index=True)
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out[EVENT_COLUMNS]


# ---- who, where now, who holds the case -------------------------------------------------------

def identity(tables: Tables, person_id: str, as_at) -> dict[str, object]:
    """The child's identity: person_id, name, forename, surname, dob, expected_dob, age (whole
    years at ``as_at``; None if unknown or unborn), sex, gender, ethnicity, disability (labels, or
    "None recorded"), uasc ("Yes (since ...)" / "Previously (...)" / "No"), nationality,
    legacy_id, death_date, send. Empty dict when the tables do not hold the child."""
    row = person_row(tables, person_id)
    if row is None:
        return {}
    pid = str(person_id)
    as_at = pd.Timestamp(as_at).normalize()
    dob = row.get("pers_dob")
    age = age_years(dob, as_at) if not pd.isna(dob) else float("nan")
    t = child_tables({k: v for k, v in tables.items() if k in ("ssd_disability", "ssd_immigration_status")}, pid)
    dis = [labelled(c, DISABILITY) for c in _rows(t, "ssd_disability").get("disa_disability_code", pd.Series(dtype=object)).tolist() if _s(c)]
    dis = [d for d in dict.fromkeys(dis) if not d.upper().startswith("NONE")] or []
    immi = _rows(t, "ssd_immigration_status")
    uasc = "No"
    if len(immi):
        is_uasc = immi["immi_immigration_status"].fillna("").astype(str).str.upper().str.contains(r"UASC|UNACCOMPANIED", regex=True)
        started = (pd.to_datetime(immi["immi_immigration_status_start_date"]) <= as_at).to_numpy(dtype=bool)
        u = immi[is_uasc.to_numpy(dtype=bool) & started]
        if len(u):
            open_ = open_at(u["immi_immigration_status_start_date"], u["immi_immigration_status_end_date"], as_at)
            start = pd.to_datetime(u["immi_immigration_status_start_date"]).min()
            uasc = f"Yes (since {_d(start)})" if np.any(open_) else f"Previously (from {_d(start)})"
    sex = _s(row.get("pers_sex"))
    return {
        "person_id": pid,
        "name": f"{_s(row.get('pers_forename'))} {_s(row.get('pers_surname'))}".strip(),
        "forename": _s(row.get("pers_forename")),
        "surname": _s(row.get("pers_surname")),
        "dob": None if pd.isna(dob) else pd.Timestamp(dob),
        "expected_dob": None if pd.isna(row.get("pers_expected_dob")) else pd.Timestamp(row.get("pers_expected_dob")),
        "age": None if pd.isna(age) or (not pd.isna(dob) and pd.Timestamp(dob) > as_at) else int(age),
        "sex": SEX.get(sex.upper(), sex) or "Not recorded",
        "gender": _s(row.get("pers_gender")),
        "ethnicity": labelled(row.get("pers_ethnicity"), ETHNICITY) or "Not recorded",
        "disability": ", ".join(dis) if dis else "None recorded",
        "uasc": uasc,
        "nationality": _s(row.get("pers_nationality")),
        "legacy_id": _s(row.get("pers_legacy_id")),
        "death_date": None if pd.isna(row.get("pers_death_date")) else pd.Timestamp(row.get("pers_death_date")),
        "send": yes_no(row.get("pers_send_flag")),
    }


STATUS_COLUMNS = ["status", "since", "detail", "record_id"]
# Most to least intensive: the first status that applies is the child's headline status.
STATUS_ORDER = ["Care leaver", "In care", "Child protection plan", "Child in need plan",
                "Open referral", "Early help", "Not open"]


def current_status(tables: Tables, person_id: str, as_at) -> pd.DataFrame:
    """Every status that applies to the child at the end of ``as_at``, most intensive first
    (``STATUS_ORDER``): Care leaver (:func:`metrics.care_leavers.care_leavers_on`), In care
    (:func:`metrics.looked_after.in_care_on`), Child protection plan, Child in need plan, Open
    referral (a referral not closed, shown only when none of the above applies: the assessment
    stage), Early help; "Not open" when none applies (since the last thing that closed). Columns:
    status, since, detail, record_id."""
    from metrics.care_leavers import care_leavers_on
    from metrics.looked_after import in_care_on

    pid = str(person_id)
    d = pd.Timestamp(as_at).normalize()
    t = child_tables(tables, pid)
    rows: list[dict] = []

    def add(status, since, detail, record_id):
        rows.append({"status": status, "since": None if pd.isna(since) else pd.Timestamp(since),
                     "detail": detail, "record_id": _s(record_id)})

    if "ssd_care_leavers" in t and "ssd_cla_episodes" in t and len(t["ssd_care_leavers"]):
        cl = care_leavers_on(t, d)
        for r in cl.itertuples(index=False):
            add("Care leaver", None, _sentence(r.eligibility and f"Eligibility: {r.eligibility}",
                                               r.personal_advisor and f"Personal adviser: {r.personal_advisor}"), r.record_id)
    if "ssd_cla_episodes" in t and len(t["ssd_cla_episodes"]):
        ic = in_care_on(t, d)
        for r in ic.itertuples(index=False):
            add("In care", r.period_of_care_start,
                _sentence(r.legal_status and "Legal status: " + labelled(r.legal_status, LEGAL_STATUS),
                          r.placement_type and "Placement: " + labelled(r.placement_type, PLACEMENT_TYPE)),
                r.cla_id or r.episode_id)

    def open_rows(name, start, end):
        f = _rows(t, name)
        if f.empty:
            return f
        return f[open_at(f[start], f[end], d)].sort_values(start)

    for r in open_rows("ssd_cp_plans", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date").itertuples(index=False):
        cat = _s(r.cppl_cp_plan_latest_category) or _s(r.cppl_cp_plan_initial_category)
        add("Child protection plan", r.cppl_cp_plan_start_date,
            _sentence(cat and "Category: " + labelled(cat, ABUSE_CATEGORY)), r.cppl_cp_plan_id)
    for r in open_rows("ssd_cin_plans", "cinp_cin_plan_start_date", "cinp_cin_plan_end_date").itertuples(index=False):
        add("Child in need plan", r.cinp_cin_plan_start_date, "", r.cinp_cin_plan_id)
    if not rows:
        for r in open_rows("ssd_cin_episodes", "cine_referral_date", "cine_close_date").itertuples(index=False):
            a = _rows(t, "ssd_cin_assessments")
            open_a = a[(a["cina_referral_id"].astype(str) == _s(r.cine_referral_id)).to_numpy(dtype=bool)
                       & open_at(a["cina_assessment_start_date"], a["cina_assessment_auth_date"], d)] if len(a) else a
            add("Open referral", r.cine_referral_date,
                _sentence("Assessment in progress" if len(open_a) else "",
                          _s(r.cine_cin_primary_need_code) and "Primary need: " + labelled(r.cine_cin_primary_need_code, PRIMARY_NEED)),
                r.cine_referral_id)
    for r in open_rows("ssd_early_help_episodes", "earl_episode_start_date", "earl_episode_end_date").itertuples(index=False):
        add("Early help", r.earl_episode_start_date, _sentence(_s(r.earl_episode_reason)), r.earl_episode_id)
    if not rows:
        ends = []
        for name, col in (("ssd_cin_episodes", "cine_close_date"), ("ssd_early_help_episodes", "earl_episode_end_date"),
                          ("ssd_cla_episodes", "clae_cla_episode_ceased_date")):
            f = _rows(t, name)
            if len(f):
                ends.append(pd.to_datetime(f[col]).max())
        last = max((e for e in ends if not pd.isna(e) and e <= d), default=None)
        add("Not open", last, "Closed" if last is not None else "No open episode recorded", "")
    out = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    out["_o"] = [STATUS_ORDER.index(s) for s in out["status"]]
    return out.sort_values(["_o", "since"], kind="stable").drop(columns="_o").reset_index(drop=True)


ALLOCATION_COLUMNS = ["worker", "team", "role", "start", "end", "change_reason", "current", "record_id"]


def allocation_history(tables: Tables, person_id: str, as_at) -> pd.DataFrame:
    """The child's allocations (``ssd_involvements``), newest first: worker, team, role, start,
    end, change_reason, current (the allocation :func:`metrics.allocation.allocation_on` gives for
    ``as_at``), record_id."""
    pid = str(person_id)
    t = child_tables({k: v for k, v in tables.items() if k in ("ssd_involvements", *ORG_TABLE_NAMES)}, pid)
    inv = _rows(t, "ssd_involvements")
    if inv.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c in ("start", "end") else object)
                             for c in ALLOCATION_COLUMNS})
    teams, workers = _org_names(t, inv["invo_professional_team"].tolist(), inv["invo_professional_id"].tolist())
    out = pd.DataFrame({
        "worker": [w or "Worker not recorded" for w in workers],
        "team": [x or "Team not recorded" for x in teams],
        "role": [_s(v).capitalize() for v in inv["invo_professional_role_id"].tolist()],
        "start": pd.to_datetime(inv["invo_involvement_start_date"]).dt.normalize().to_numpy(),
        "end": pd.to_datetime(inv["invo_involvement_end_date"]).dt.normalize().to_numpy(),
        "change_reason": [labelled(v, WORKER_CHANGE) for v in inv["invo_worker_change_reason"].tolist()],
        "record_id": [_s(v) for v in inv["invo_involvements_id"].tolist()],
        "_w": [_s(v) for v in inv["invo_professional_id"].tolist()],
        "_t": [_s(v) for v in inv["invo_professional_team"].tolist()],
    })
    cur = allocation_on(t, [pid], [as_at]).iloc[0]
    d = pd.Timestamp(as_at).normalize()
    open_ = (out["start"] <= d) & (out["end"].isna() | (out["end"] >= d))
    match = open_ & (out["_w"] == cur["worker_id"]) & (out["_t"] == cur["team_id"])
    out["current"] = False
    if match.any() and (cur["worker_id"] or cur["team_id"]):
        latest = out[match].sort_values("start", kind="stable").index[-1]
        out.loc[latest, "current"] = True
    out = out.sort_values(["start", "record_id"], ascending=False, kind="stable", ignore_index=True)
    return out[ALLOCATION_COLUMNS]


# ---- relationships ----------------------------------------------------------------------------

RELATIONSHIP_COLUMNS = ["relationship", "person_id", "name", "key", "start", "end", "current", "source"]


def key_relationships(tables: Tables, person_id: str, as_at) -> pd.DataFrame:
    """The people around the child, key and current first: the extension table
    ``ext_relationships`` (mother, father, sibling, carers...; its key flag); the other members of
    the child's family groups (``ssd_family``); a mother and her children (``ssd_mother``). A
    related person's name is given only when ``tables`` hold them (so, for a viewer, only people
    they may see); otherwise their ID alone. Columns: relationship, person_id, name, key (bool),
    start, end, current (bool), source."""
    pid = str(person_id)
    d = pd.Timestamp(as_at).normalize()
    names_src = tables["ssd_person"]
    rows: list[dict] = []

    def name_of(other: str) -> str:
        r = person_row({"ssd_person": names_src}, other) if other else None
        return "" if r is None else f"{_s(r.get('pers_forename'))} {_s(r.get('pers_surname'))}".strip()

    rel = tables.get("ext_relationships")
    if rel is not None and len(rel):
        mine = rel[(rel["rela_person_id"].astype(str) == pid).to_numpy(dtype=bool)]
        for r in mine.itertuples(index=False):
            other = _s(r.rela_related_person_id)
            start, end = r.rela_start_date, r.rela_end_date
            rows.append({"relationship": _s(r.rela_relationship).capitalize() or "Not recorded", "person_id": other,
                         "name": name_of(other), "key": yes_no(r.rela_is_key) == "yes",
                         "start": start, "end": end, "current": pd.isna(end) or pd.Timestamp(end) > d,
                         "source": "ext_relationships"})
    fam = tables.get("ssd_family")
    if fam is not None and len(fam):
        fam_ids = set(fam.loc[(fam["fami_person_id"].astype(str) == pid).to_numpy(dtype=bool), "fami_family_id"].astype(str))
        if fam_ids:
            members = fam[(pd.Index(list(fam_ids)).get_indexer(fam["fami_family_id"].astype(str).to_numpy()) >= 0)
                          & (fam["fami_person_id"].astype(str) != pid).to_numpy(dtype=bool)]
            listed = {r["person_id"] for r in rows}
            for r in members.itertuples(index=False):
                other = _s(r.fami_person_id)
                if other in listed:
                    continue
                listed.add(other)
                rows.append({"relationship": "Family member", "person_id": other, "name": name_of(other), "key": False,
                             "start": pd.NaT, "end": pd.NaT, "current": True, "source": "ssd_family"})
    mo = tables.get("ssd_mother")
    if mo is not None and len(mo):
        for r in mo[(mo["moth_person_id"].astype(str) == pid).to_numpy(dtype=bool)].itertuples(index=False):
            other = _s(r.moth_childs_person_id)
            rows.append({"relationship": "Child", "person_id": other, "name": name_of(other), "key": True,
                         "start": r.moth_childs_dob, "end": pd.NaT, "current": True, "source": "ssd_mother"})
        for r in mo[(mo["moth_childs_person_id"].astype(str) == pid).to_numpy(dtype=bool)].itertuples(index=False):
            other = _s(r.moth_person_id)
            if any(x["person_id"] == other for x in rows):
                continue
            rows.append({"relationship": "Mother", "person_id": other, "name": name_of(other), "key": True,
                         "start": pd.NaT, "end": pd.NaT, "current": True, "source": "ssd_mother"})
    out = pd.DataFrame(rows, columns=RELATIONSHIP_COLUMNS)
    for c in ("start", "end"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    out["key"] = out["key"].astype(bool)
    out["current"] = out["current"].astype(bool)
    return out.sort_values(["key", "current", "relationship", "person_id"], ascending=[False, False, True, True],
                           kind="stable", ignore_index=True)


# ---- assessments ------------------------------------------------------------------------------

ASSESSMENT_COLUMNS = ["assessment_id", "referral_id", "start", "authorised", "status", "child_seen",
                      "outcome", "no_further_action", "factors", "team", "worker", "by"]


def assessments(tables: Tables, person_id: str) -> pd.DataFrame:
    """The child's child and family assessments, latest first (by start date): status ("In
    progress" until authorised), outcome, NFA, the assessment factors (``ssd_assessment_factors``,
    codes as recorded), team and worker, and "by" (both in words: "Worker (Team)")."""
    pid = str(person_id)
    t = child_tables({k: v for k, v in tables.items()
                      if k in ("ssd_cin_assessments", "ssd_assessment_factors", *ORG_TABLE_NAMES)}, pid)
    a = _rows(t, "ssd_cin_assessments")
    if a.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c in ("start", "authorised") else object)
                             for c in ASSESSMENT_COLUMNS})
    factors = _factors(t)
    teams, workers = _org_names(t, a["cina_assessment_team"].tolist(), a["cina_assessment_worker_id"].tolist())
    out = pd.DataFrame({
        "assessment_id": [_s(v) for v in a["cina_assessment_id"].tolist()],
        "referral_id": [_s(v) for v in a["cina_referral_id"].tolist()],
        "start": pd.to_datetime(a["cina_assessment_start_date"]).dt.normalize().to_numpy(),
        "authorised": pd.to_datetime(a["cina_assessment_auth_date"]).dt.normalize().to_numpy(),
        "child_seen": [yes_no(v) for v in a["cina_assessment_child_seen"].tolist()],
        "outcome": [_join(json_items(v)) for v in a["cina_assessment_outcome_json"].tolist()],
        "no_further_action": [yes_no(v) for v in a["cina_assessment_outcome_nfa"].tolist()],
        "team": teams, "worker": workers,
    })
    out["status"] = np.where(out["authorised"].isna(), "In progress", "Authorised")
    out["factors"] = [_join(factors.get(i, [])) for i in out["assessment_id"]]
    out["by"] = [_who(team, worker) for team, worker in zip(teams, workers)]
    out = out.sort_values(["start", "assessment_id"], ascending=False, kind="stable", ignore_index=True)
    return out[ASSESSMENT_COLUMNS]


def assessment_answers(tables: Tables, assessment_ids) -> pd.DataFrame:
    """The key questions and answers recorded for the given assessments (``ext_assessment_answers``:
    e.g. what are we worried about, what is working well, what needs to happen), in the order
    recorded: assessment_id, question, answer. Empty when the source has no such table."""
    cols = ["assessment_id", "question", "answer"]
    ans = tables.get("ext_assessment_answers")
    if ans is None or ans.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    got = _rows_in(ans, "cinq_assessment_id", list(assessment_ids))
    got = got.sort_values(["cinq_assessment_id", "cinq_id"], kind="stable")
    return pd.DataFrame({"assessment_id": [_s(v) for v in got["cinq_assessment_id"].tolist()],
                         "question": [_s(v) for v in got["cinq_question"].tolist()],
                         "answer": [_s(v) for v in got["cinq_answer"].tolist()]}, columns=cols)


# ---- plans, placements, legal status ----------------------------------------------------------

PLAN_COLUMNS = ["plan", "since", "detail", "record_id"]


def current_plans(tables: Tables, person_id: str, as_at) -> pd.DataFrame:
    """The child's plans open at the end of ``as_at`` (:func:`metrics.front_door.open_at`): CP and
    CIN plans, the looked-after care (permanence) plan, and a care leaver's pathway plan (with its
    last review). Columns: plan, since, detail, record_id."""
    pid = str(person_id)
    d = pd.Timestamp(as_at).normalize()
    t = child_tables(tables, pid)
    rows: list[dict] = []

    def open_rows(name, start, end):
        f = _rows(t, name)
        return f if f.empty else f[open_at(f[start], f[end], d)].sort_values(start)

    for r in open_rows("ssd_cp_plans", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date").itertuples(index=False):
        cat = _s(r.cppl_cp_plan_latest_category) or _s(r.cppl_cp_plan_initial_category)
        rows.append({"plan": "Child protection plan", "since": r.cppl_cp_plan_start_date,
                     "detail": _sentence(cat and "Category: " + labelled(cat, ABUSE_CATEGORY)), "record_id": _s(r.cppl_cp_plan_id)})
    cin = open_rows("ssd_cin_plans", "cinp_cin_plan_start_date", "cinp_cin_plan_end_date")
    if len(cin):
        teams, workers = _org_names(t, cin["cinp_cin_plan_team"].tolist(), cin["cinp_cin_plan_worker_id"].tolist())
        for r, team, worker in zip(cin.itertuples(index=False), teams, workers):
            rows.append({"plan": "Child in need plan", "since": r.cinp_cin_plan_start_date,
                         "detail": _sentence(_by(team, worker).replace("By ", "Held by ", 1)), "record_id": _s(r.cinp_cin_plan_id)})
    for r in open_rows("ssd_cla_care_plan", "lacp_cla_care_plan_start_date", "lacp_cla_care_plan_end_date").itertuples(index=False):
        plan = _join(json_items(r.lacp_cla_care_plan_json))
        rows.append({"plan": "Care plan (child in care)", "since": r.lacp_cla_care_plan_start_date,
                     "detail": _sentence(plan and f"Permanence plan: {plan}"), "record_id": _s(r.lacp_table_id)})
    if "ssd_care_leavers" in t and len(t["ssd_care_leavers"]) and "ssd_cla_episodes" in t:
        from metrics.care_leavers import care_leavers_on

        for r in care_leavers_on(t, d).itertuples(index=False):
            rows.append({"plan": "Pathway plan (care leaver)", "since": pd.NaT,
                         "detail": _sentence(f"Last reviewed {_d(r.pathway_plan_review_date)}" if not pd.isna(r.pathway_plan_review_date)
                                             else "No review recorded"), "record_id": r.record_id})
    out = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    out["since"] = pd.to_datetime(out["since"]).astype("datetime64[ns]")
    return out


PLACEMENT_COLUMNS = ["start", "end", "placement_type", "provider", "urn", "postcode", "distance_miles",
                     "change_reason", "current", "record_id"]


def placement_history(tables: Tables, person_id: str, as_at) -> pd.DataFrame:
    """Every placement of the child, newest first, with type and provider labelled, URN, postcode,
    distance from home (miles), reason for change, current (open at ``as_at``), record_id."""
    pid = str(person_id)
    t = child_tables({k: v for k, v in tables.items() if k in ("ssd_cla_placement",)}, pid)
    p = _rows(t, "ssd_cla_placement")
    if p.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c in ("start", "end") else object)
                             for c in PLACEMENT_COLUMNS})
    out = pd.DataFrame({
        "start": pd.to_datetime(p["clap_cla_placement_start_date"]).dt.normalize().to_numpy(),
        "end": pd.to_datetime(p["clap_cla_placement_end_date"]).dt.normalize().to_numpy(),
        "placement_type": [labelled(v, PLACEMENT_TYPE) for v in p["clap_cla_placement_type"].tolist()],
        "provider": [labelled(v, PLACEMENT_PROVIDER) for v in p["clap_cla_placement_provider"].tolist()],
        "urn": [_s(v) for v in p["clap_cla_placement_urn"].tolist()],
        "postcode": [_s(v) for v in p["clap_cla_placement_postcode"].tolist()],
        "distance_miles": pd.to_numeric(p["clap_cla_placement_distance"], errors="coerce").to_numpy(dtype=float),
        "change_reason": [labelled(v, PLACEMENT_CHANGE) for v in p["clap_cla_placement_change_reason"].tolist()],
        "record_id": [_s(v) for v in p["clap_cla_placement_id"].tolist()],
    })
    out["current"] = open_at(out["start"], out["end"], pd.Timestamp(as_at))
    return out.sort_values(["start", "record_id"], ascending=False, kind="stable", ignore_index=True)[PLACEMENT_COLUMNS]


LEGAL_COLUMNS = ["start", "end", "legal_status", "current", "record_id"]


def legal_status_history(tables: Tables, person_id: str, as_at) -> pd.DataFrame:
    """Every legal status of the child, newest first: start, end, legal_status (labelled), current
    (open at ``as_at``), record_id."""
    pid = str(person_id)
    t = child_tables({k: v for k, v in tables.items() if k in ("ssd_legal_status",)}, pid)
    ls = _rows(t, "ssd_legal_status")
    if ls.empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c in ("start", "end") else object)
                             for c in LEGAL_COLUMNS})
    out = pd.DataFrame({
        "start": pd.to_datetime(ls["lega_legal_status_start_date"]).dt.normalize().to_numpy(),
        "end": pd.to_datetime(ls["lega_legal_status_end_date"]).dt.normalize().to_numpy(),
        "legal_status": [labelled(v, LEGAL_STATUS) for v in ls["lega_legal_status"].tolist()],
        "record_id": [_s(v) for v in ls["lega_legal_status_id"].tolist()],
    })
    out["current"] = open_at(out["start"], out["end"], pd.Timestamp(as_at))
    return out.sort_values(["start", "record_id"], ascending=False, kind="stable", ignore_index=True)[LEGAL_COLUMNS]


CARE_PERIOD_COLUMNS = ["start", "end", "start_reason", "ceased_reason", "current"]


def periods_of_care(tables: Tables, person_id: str, as_at) -> pd.DataFrame:
    """The child's periods of care (:func:`metrics.looked_after.periods_of_care`), newest first:
    start, end (NaT while in care), start_reason, ceased_reason (labelled), current."""
    from metrics.looked_after import periods_of_care as _poc

    pid = str(person_id)
    t = child_tables({k: v for k, v in tables.items() if k in ("ssd_cla_episodes",)}, pid)
    if _rows(t, "ssd_cla_episodes").empty:
        return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c in ("start", "end") else object)
                             for c in CARE_PERIOD_COLUMNS})
    p = _poc(t)
    out = pd.DataFrame({
        "start": pd.to_datetime(p["start"]).to_numpy(), "end": pd.to_datetime(p["end"]).to_numpy(),
        "start_reason": [labelled(v, EPISODE_START) for v in p["start_reason"].tolist()],
        "ceased_reason": [labelled(v, EPISODE_CEASED) if not pd.isna(e) else "" for v, e in zip(p["ceased_reason"].tolist(), p["end"].tolist())],
    })
    out["current"] = open_at(out["start"], out["end"], pd.Timestamp(as_at))
    return out.sort_values("start", ascending=False, kind="stable", ignore_index=True)[CARE_PERIOD_COLUMNS]


# ---- what is due next -------------------------------------------------------------------------

DUE_COLUMNS = ["task", "last_done", "next_due", "status", "detail"]
OVERDUE, DUE_SOON, ON_TRACK = "Overdue", "Due soon", "On track"
_STATUS_ORDER = {OVERDUE: 0, DUE_SOON: 1, ON_TRACK: 2}


def _pick(frame: pd.DataFrame, *names: str) -> pd.Series | None:
    for n in names:
        if n in frame.columns:
            return frame[n]
    return None


def _from_task_engine(tables: Tables, pid: str, as_at, settings: MetricSettings) -> pd.DataFrame | None:
    """The task engine's rows for the child (``metrics.tasks.tasks``), in DUE_COLUMNS; None when
    there is no task engine in this release."""
    try:
        from metrics.tasks import tasks as task_engine  # built alongside this page (issue 5)
    except ImportError:
        return None
    rows = task_engine(tables, pd.Timestamp(as_at).normalize(), settings)
    if "person_id" in rows.columns:
        rows = rows[(rows["person_id"].astype(str) == pid).to_numpy(dtype=bool)]
    task = _pick(rows, "task", "task_name", "title", "label", "task_id")
    last = _pick(rows, "last_done", "last_done_date", "last_date")
    due = _pick(rows, "next_due", "next_due_date", "due_date", "due")
    status = _pick(rows, "status", "rag", "state")
    detail = _pick(rows, "detail", "rule", "limit", "note", "reason")
    n = len(rows)
    out = pd.DataFrame({
        "task": task.astype(str).to_numpy() if task is not None else [""] * n,
        "last_done": pd.to_datetime(last).to_numpy() if last is not None else [pd.NaT] * n,
        "next_due": pd.to_datetime(due).to_numpy() if due is not None else [pd.NaT] * n,
        "status": [_s(v) for v in status.tolist()] if status is not None else [""] * n,
        "detail": [_s(v) for v in detail.tolist()] if detail is not None else [""] * n,
    })
    return out


def _from_visits(t: Tables, pid: str, as_at, settings: MetricSettings) -> pd.DataFrame:
    """Visits and reviews due (:mod:`metrics.visits`), for a release without the task engine."""
    from metrics.visits import review_status, visit_status

    d = pd.Timestamp(as_at).normalize()
    soon = pd.Timestamp(add_working_days(np.datetime64(d, "D"), settings.due_soon_working_days))
    parts = []
    checks = [
        ("CP visit", lambda: visit_status(t, "cp", d, settings), ("ssd_cp_plans", "ssd_cp_visits")),
        ("CP review", lambda: review_status(t, "cp", d, settings), ("ssd_cp_plans", "ssd_cp_reviews")),
        ("CIN visit", lambda: visit_status(t, "cin", d, settings), ("ssd_cin_plans", "ssd_cin_visits")),
        ("CIN review", lambda: review_status(t, "cin", d, settings), ("ssd_cin_plans", "ext_cin_reviews")),
        ("CLA visit", lambda: visit_status(t, "cla", d, settings), ("ssd_cla_placement", "ssd_cla_visits")),
        ("CLA review", lambda: review_status(t, "cla", d, settings), ("ssd_cla_episodes", "ssd_cla_reviews")),
    ]
    for task, run, needs in checks:
        if any(n not in t for n in needs):
            continue
        s = run()
        s = s[(s["person_id"].astype(str) == pid).to_numpy(dtype=bool)]
        for r in s.itertuples(index=False):
            due = pd.Timestamp(r.next_due_date) if not pd.isna(r.next_due_date) else pd.NaT
            if bool(r.overdue):
                status = OVERDUE
            elif not pd.isna(due) and due <= soon:
                status = DUE_SOON
            else:
                status = ON_TRACK
            parts.append({"task": task, "last_done": r.last_done_date, "next_due": due, "status": status,
                          "detail": f"At most {r.limit} apart" if _s(r.limit) else ""})
    out = pd.DataFrame(parts, columns=DUE_COLUMNS)
    for c in ("last_done", "next_due"):
        out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
    return out


def due_next(tables: Tables, person_id: str, as_at, settings: MetricSettings | None = None) -> tuple[pd.DataFrame, str]:
    """What is due next for the child at ``as_at``, most urgent first: (rows in DUE_COLUMNS,
    source). Source "tasks" when the statutory task engine (``metrics.tasks``) is present (every
    statutory task, in its order of urgency), else "visits": CP/CIN/CLA visits and reviews only
    (:mod:`metrics.visits`), status Overdue / Due soon (within ``settings.due_soon_working_days``
    working days) / On track, overdue first, then by due date."""
    settings = settings or MetricSettings()
    pid = str(person_id)
    t = child_tables(tables, pid)
    out = _from_task_engine(t, pid, as_at, settings)
    if out is not None:
        return out.reset_index(drop=True), "tasks"
    out = _from_visits(t, pid, as_at, settings)
    out = out.assign(_o=[_STATUS_ORDER[s] for s in out["status"]])
    out = out.sort_values(["_o", "next_due"], kind="stable", na_position="first")
    return out.drop(columns="_o").reset_index(drop=True), "visits"
