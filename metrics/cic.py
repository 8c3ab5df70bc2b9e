"""The Children in Care report (seed 004 "LAC Report", seed 000 "CiC Throughput"): how the
registered looked-after measures break down, as pure functions over their child rows or the tables.

- :func:`throughput`: per month, children in care at the end, periods of care started and ceased,
  and the two ways of measuring the change (started - ceased; in care - in care a month before).
- :func:`starters_and_leavers`: starts (``cla_starts`` rows) and leavers (``cla_ceased`` rows, with
  :func:`placement_on_leaving`) side by side by age band, legal status or placement type.
- :func:`in_care_breakdown`: children in care at the period end (``cla`` rows) by the same.
- :func:`placement_moves` / :func:`moves_by_reason`: placement changes in a period and the recorded
  reason for each.

Counts come from the measures' rows, so the totals here are the measures' own figures; nothing is
counted twice in two ways. Codes are the SSDA903 code lists (reference/domain.md 3.2).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from metrics.looked_after import AGE_BANDS, AGE_NOT_RECORDED, on_dates
from metrics.looked_after import placements as placement_records
from metrics.periods import Period

NOT_RECORDED = "Not recorded"
OTHER = "Other"
TOTAL = "Total"

LEGAL_STATUS = {
    "C1": "Interim care order", "C2": "Full care order", "D1": "Freeing order",
    "E1": "Placement order", "V2": "Section 20 (single period)", "V3": "Short breaks (episodes)",
    "V4": "Short breaks (agreement)", "L1": "Police protection", "L2": "Emergency protection order",
    "L3": "Child assessment order", "J1": "Remanded", "J2": "PACE accommodation",
    "J3": "Youth rehabilitation order",
}

# DfE-style groups of the 903 placement types, in the order the report lists them.
PLACEMENT_GROUPS: dict[str, tuple[str, ...]] = {
    "Foster care": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "Placed for adoption": ("A3", "A4", "A5", "A6"),
    "Placed with parents": ("P1",),
    "Independent and semi-independent living": ("P2", "H5", "K3"),
    "Children's homes and secure units": ("K1", "K2"),
    "Other residential settings": ("R1", "R2", "R3", "R5", "S1", "P3"),
    "Temporary placements": ("T0", "T1", "T2", "T3", "T4"),
}
_GROUP_OF = {code: group for group, codes in PLACEMENT_GROUPS.items() for code in codes}

REASON_CEASED = {
    "E11": "Adopted (unopposed)", "E12": "Adopted (consent dispensed with)",
    "E13": "Left to live with someone without parental responsibility", "E14": "Remand ended",
    "E15": "Age assessed as 18 or over", "E16": "Moved abroad", "E17": "Aged 18, staying put",
    "E2": "Died", "E3": "Care taken over by another authority", "E41": "Residence or child arrangements order",
    "E45": "Special guardianship: former foster carer, relative or friend",
    "E46": "Special guardianship: former foster carer", "E47": "Special guardianship: relative or friend",
    "E48": "Special guardianship: other carer", "E4A": "Returned home as planned",
    "E4B": "Returned home, not as planned", "E5": "Independent living with support",
    "E6": "Independent living without support", "E7": "Adult residential care", "E8": "Any other reason",
    "E9": "Sentenced to custody",
}

PLACEMENT_CHANGE_REASON = {
    "CARPL": "Change to or carrying out the care plan", "CLOSE": "Resignation or closure of provision",
    "ALLEG": "Allegation (s47)", "STAND": "Standards of care concern", "APPRR": "Approval removed",
    "CREQB": "Carer asked to end: child's behaviour", "CREQO": "Carer asked to end: other reason",
    "CHILD": "Child asked to end", "LAREQ": "Responsible authority asked to end",
    "PLACE": "Change in the status of the placement only", "CUSTOD": "Custody arrangement",
    "OTHER": "Other",
}

BREAKDOWNS = {"age_band": "Age band", "legal_status": "Legal status", "placement_group": "Placement type"}


def _codes(values) -> pd.Series:
    s = pd.Series(values, dtype=object).reset_index(drop=True)
    return s.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip().upper())


def placement_group(types) -> pd.Series:
    """The report's group of each 903 placement type ("U6" -> "Foster care"); blank -> "Not
    recorded"; a code outside the list -> "Other"."""
    codes = _codes(types)
    return codes.map(lambda c: NOT_RECORDED if not c else _GROUP_OF.get(c, OTHER))


def _labelled(values, labels: Mapping[str, str]) -> pd.Series:
    codes = _codes(values)
    return codes.map(lambda c: NOT_RECORDED if not c else (f"{c} {labels[c]}" if c in labels else c))


def legal_status_label(codes) -> pd.Series:
    """"C2 Full care order"; blank -> "Not recorded"; an unknown code as recorded."""
    return _labelled(codes, LEGAL_STATUS)


def reason_ceased_label(codes) -> pd.Series:
    return _labelled(codes, REASON_CEASED)


def placement_change_label(codes) -> pd.Series:
    return _labelled(codes, PLACEMENT_CHANGE_REASON)


def _order(kind: str, present) -> list[str]:
    """Categories in report order: the known ones first (as listed), then any other, then
    Other and Not recorded last."""
    present = list(dict.fromkeys(present))
    if kind == "age_band":
        known = [*AGE_BANDS, AGE_NOT_RECORDED]
    elif kind == "placement_group":
        known = [*PLACEMENT_GROUPS, OTHER, NOT_RECORDED]
    elif kind == "legal_status":
        known = [f"{c} {l}" for c, l in LEGAL_STATUS.items()]
    elif kind == "reason_ceased":
        known = [f"{c} {l}" for c, l in REASON_CEASED.items()]
    else:
        known = []
    extra = sorted(p for p in present if p not in known and p not in (OTHER, NOT_RECORDED))
    tail = [p for p in (OTHER, NOT_RECORDED) if p in present and p not in known]
    return [k for k in known if k in present] + extra + tail


def categorise(rows: pd.DataFrame, kind: str) -> pd.Series:
    """The category of each row for a breakdown: ``age_band`` as recorded on the row,
    ``legal_status`` labelled, ``placement_group`` from ``placement_type``, ``reason_ceased``
    labelled."""
    if kind == "age_band":
        return pd.Series(rows["age_band"], dtype=object).reset_index(drop=True).fillna(AGE_NOT_RECORDED)
    if kind == "legal_status":
        return legal_status_label(rows["legal_status"])
    if kind == "placement_group":
        return placement_group(rows["placement_type"])
    if kind == "reason_ceased":
        return reason_ceased_label(rows["reason_ceased"])
    raise ValueError(f"unknown breakdown {kind!r}")


def _counted(rows: pd.DataFrame) -> pd.DataFrame:
    if "in_numerator" in rows:
        rows = rows[rows["in_numerator"].astype(bool).to_numpy()]
    return rows.reset_index(drop=True)


def _with_total(frame: pd.DataFrame, first: str) -> pd.DataFrame:
    total = {c: (TOTAL if c == first else frame[c].sum()) for c in frame.columns}
    return pd.concat([frame, pd.DataFrame([total])], ignore_index=True)


def _with_share(frame: pd.DataFrame, first: str, counts: str) -> pd.DataFrame:
    """A Total row and each row's share of the total (a fraction; blank when the total is 0)."""
    total = int(frame[counts].sum())
    out = _with_total(frame, first)
    out[counts] = out[counts].astype(int)
    out["Share"] = (out[counts] / total).astype(float) if total else pd.Series(np.nan, index=out.index, dtype=float)
    return out


def starters_and_leavers(starts: pd.DataFrame, ceased: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Periods of care started (``cla_starts`` rows) and ceased (``cla_ceased`` rows, which need a
    ``placement_type`` column for ``placement_group``: :func:`placement_on_leaving`) per category,
    in report order, with a Total row: columns <label>, Started, Ceased, Net (started - ceased)."""
    label = BREAKDOWNS[kind]
    s, c = _counted(starts), _counted(ceased)
    s_cat = categorise(s, kind) if len(s) else pd.Series(dtype=object)
    c_cat = categorise(c, kind) if len(c) else pd.Series(dtype=object)
    order = _order(kind, [*s_cat, *c_cat])
    out = pd.DataFrame({label: order})
    out["Started"] = out[label].map(s_cat.value_counts()).fillna(0).astype(int)
    out["Ceased"] = out[label].map(c_cat.value_counts()).fillna(0).astype(int)
    out["Net"] = out["Started"] - out["Ceased"]
    return _with_total(out, label)


def in_care_breakdown(cla_rows: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Children in care at the period end (``cla`` rows of one period) per category, with each
    category's share of them and a Total row: columns <label>, Children, Share (fraction)."""
    label = BREAKDOWNS[kind]
    rows = _counted(cla_rows)
    cat = categorise(rows, kind) if len(rows) else pd.Series(dtype=object)
    out = pd.DataFrame({label: _order(kind, cat)})
    out["Children"] = out[label].map(cat.value_counts()).fillna(0).astype(int)
    return _with_share(out, label, "Children")


def leavers_by_reason(ceased: pd.DataFrame) -> pd.DataFrame:
    """Periods of care ceased per reason (the reason on the last episode), in code-list order, with
    a Total row: columns Reason care ceased, Ceased."""
    rows = _counted(ceased)
    cat = categorise(rows, "reason_ceased") if len(rows) else pd.Series(dtype=object)
    out = pd.DataFrame({"Reason care ceased": _order("reason_ceased", cat)})
    out["Ceased"] = out["Reason care ceased"].map(cat.value_counts()).fillna(0).astype(int)
    return _with_total(out, "Reason care ceased")


def placement_on_leaving(ceased: pd.DataFrame, tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """``cla_ceased`` rows with ``placement_type``: the placement open on the child's last day in
    care (the day before the ceased date, or the day care started for a period of care that
    ended the day it began); blank when no placement was open."""
    out = ceased.copy().reset_index(drop=True)
    if out.empty or "ssd_cla_placement" not in tables:
        out["placement_type"] = pd.Series([""] * len(out), dtype=object)
        return out
    end = pd.to_datetime(out["end_date"])
    start = pd.to_datetime(out["period_of_care_start"])
    last_day = np.maximum(end - pd.Timedelta(days=1), start)
    pl = placement_records(tables)
    got = on_dates(pl, out["person_id"], last_day, ["type"])
    out["placement_type"] = got["type"].fillna("").to_numpy(dtype=object)
    return out


def throughput(cla: pd.DataFrame, starts: pd.DataFrame, ceased: pd.DataFrame) -> pd.DataFrame:
    """Per month, from the whole-authority summaries of ``cla``, ``cla_starts`` and ``cla_ceased``
    over the same months: period, in_care (at the month end), started, ceased, net_flow (started -
    ceased) and change (in care - in care at the end of the month before; blank for the first).

    With every period of care counted once when it starts and once when it ends, change equals
    net_flow; where it does not, the records disagree with themselves (e.g. episodes overlapping)."""
    def values(summary: pd.DataFrame) -> pd.Series:
        s = summary[summary["group_id"] == "all"] if "group_id" in summary else summary
        return s.set_index("period")["value"]

    periods = list(values(cla).index)
    out = pd.DataFrame({"period": periods})
    out["in_care"] = values(cla).reindex(periods).to_numpy()
    out["started"] = values(starts).reindex(periods).fillna(0).to_numpy()
    out["ceased"] = values(ceased).reindex(periods).fillna(0).to_numpy()
    out["net_flow"] = out["started"] - out["ceased"]
    out["change"] = out["in_care"].diff()
    return out


MOVE_COLUMNS = ["period", "person_id", "move_date", "from_placement_id", "from_type", "to_placement_id",
                "to_type", "reason_code", "reason"]


def placement_moves(tables: Mapping[str, pd.DataFrame], period: Period) -> pd.DataFrame:
    """Placement changes in ``period``: a child's placement followed, without a break in care, by
    a different placement (a new placement record that only carries the previous one on
    unchanged, e.g. split by a legal-status change, is not a move: ``metrics.looked_after.placements``).
    The move date is the new placement's start; the reason is the one recorded on the placement
    that ended (``clap_cla_placement_change_reason``; "Not recorded" when blank)."""
    if "ssd_cla_placement" not in tables:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MOVE_COLUMNS})
    pl = placement_records(tables)
    raw = tables["ssd_cla_placement"]
    reasons = pd.Series(raw["clap_cla_placement_change_reason"].to_numpy(dtype=object),
                        index=raw["clap_cla_placement_id"].astype(str).to_numpy()).groupby(level=0).first()
    # One row per continuous placement: its first record's start, its last record's end and id.
    # (groupby "last" would skip a blank end; the records are in start order within a stint)
    pl = pl.sort_values(["person_id", "stint", "start"], kind="stable")
    head = pl.drop_duplicates(["person_id", "stint"], keep="first").reset_index(drop=True)
    tail = pl.drop_duplicates(["person_id", "stint"], keep="last").reset_index(drop=True)
    stints = pd.DataFrame({
        "person_id": head["person_id"], "start": head["start"], "first_id": head["placement_id"],
        "type": head["type"], "end": tail["end"], "last_id": tail["placement_id"], "last_type": tail["type"],
    })
    prev = stints.groupby("person_id", sort=False)[["end", "last_id", "last_type"]].shift(1)
    move = prev["end"].notna() & (stints["start"] <= prev["end"])
    move &= period.contains(stints["start"]).fillna(False)
    m = stints[move.to_numpy(dtype=bool)]
    p = prev[move.to_numpy(dtype=bool)]
    codes = reasons.reindex(p["last_id"].astype(str).to_numpy()).to_numpy(dtype=object)
    out = pd.DataFrame({
        "period": period.label,
        "person_id": m["person_id"].to_numpy(dtype=object),
        "move_date": m["start"].to_numpy(),
        "from_placement_id": p["last_id"].to_numpy(dtype=object),
        "from_type": p["last_type"].to_numpy(dtype=object),
        "to_placement_id": m["first_id"].to_numpy(dtype=object),
        "to_type": m["type"].to_numpy(dtype=object),
        "reason_code": _codes(codes).to_numpy(dtype=object),
    })
    out["reason"] = placement_change_label(out["reason_code"]).to_numpy(dtype=object)
    return out[MOVE_COLUMNS].sort_values(["move_date", "person_id"], kind="stable").reset_index(drop=True)


def moves_by_reason(moves: pd.DataFrame) -> pd.DataFrame:
    """Placement changes per recorded reason (most frequent first, Not recorded last), with each
    reason's share and a Total row: columns Reason for placement change, Moves, Share."""
    counts = moves["reason"].value_counts() if len(moves) else pd.Series(dtype=int)
    order = sorted(counts.index, key=lambda r: (r == NOT_RECORDED, -counts[r], r))
    out = pd.DataFrame({"Reason for placement change": order})
    out["Moves"] = out["Reason for placement change"].map(counts).fillna(0).astype(int)
    return _with_share(out, "Reason for placement change", "Moves")
