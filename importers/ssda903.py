"""SSDA903 (the children looked after return) as SSD tables, from its CSV tables or its XML file.

Recognised CSV tables (by file name, else by their columns; extra columns are ignored):

=====================  =================================================  =========================
903 table              SSD tables                                         notes
=====================  =================================================  =========================
Header                 ssd_person, ssd_mother                             SEX 1/2 or M/F/U
Episodes               ssd_cla_episodes, ssd_cla_placement,               periods of care, placements
                       ssd_legal_status, ssd_permanence (adoption order)  and legal statuses derived
Reviews                ssd_cla_reviews                                    linked to the period of care
                                                                          holding the review date
UASC                   ssd_immigration_status ("UASC", ended DUC)
OC3                    ssd_care_leavers                                   ACCOM "U1" = U, suitable
AD1, PlacedAdoption    ssd_permanence
Missing                ssd_missing                                        M = Missing, A = Absent
SWEpisodes             ssd_involvements, ssd_professionals                worker IDs only (no names)
OC2, PrevPerm, DoLo    (not imported; each row reported)                  OC2 has no dates
=====================  =================================================  =========================

All the 903 returns of a folder are read together (several years: one history per child).
Episodes are cleaned with the London LIIA rules for 903 episodes (liia-tools-pipeline
``docs/fix_episodes.md``): an open episode followed by another is closed when the next starts
(rule 1; the day before when the next starts a new period of care, rule 1A); an episode ending
after the next one starts is ended when it starts (rule 4); a second episode with the same
start is a duplicate (rule 3), or, from a later return, replaces it (rule 3A). Each correction
is reported.

A period of care starts with an episode whose reason is S, or after a gap, or after an episode
that ended care (a reason other than X1). A new placement starts with every episode except a
legal-status-only change (RNE L).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pandas as pd

from importers.common import (
    ACCOMMODATION, ACTIVITY, ADOPTER_LEGAL_STATUS, ADOPTER_SEX, ADOPTION_REVERSED, CONFLICT,
    CORRECTED, EPISODE_CEASED, ETHNICITY, IN_TOUCH, LEGAL_STATUS, MERGED, MISSING_TYPE,
    NEW_EPISODE_REASON, NOT_IMPORTED, PARTICIPATION, PLACE_CHANGE, PLACEMENT, PRIMARY_NEED, PROVIDER,
    SEX, UPN_UNKNOWN, WORKER_CHANGE, MalformedFile, Row, RowRejected, Sink, event_id, find_child,
    find_children, leaf_values, line_of, match_columns, norm_key, read_csv_rows, read_xml,
    require_columns,
)

FORMAT = "SSDA903"

# Each 903 table: its fields (canonical name -> header spellings), the mandatory ones, and the
# words a file name may use for it.
TABLES: dict[str, dict] = {
    "header": {
        "fields": {"CHILD": ["CHILD", "CHILDID", "CHILD_ID"], "SEX": ["SEX"], "DOB": ["DOB"],
                   "ETHNIC": ["ETHNIC", "ETHNICITY"], "UPN": ["UPN"], "MOTHER": ["MOTHER"],
                   "MC_DOB": ["MC_DOB"]},
        "required": ["CHILD", "SEX", "DOB"], "names": ["header"], "signature": ["ETHNIC"],
    },
    "episodes": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "DECOM": ["DECOM"], "RNE": ["RNE"], "LS": ["LS"],
                   "CIN": ["CIN"], "PLACE": ["PLACE", "PL"], "PLACE_PROVIDER": ["PLACE_PROVIDER"],
                   "DEC": ["DEC"], "REC": ["REC"], "REASON_PLACE_CHANGE": ["REASON_PLACE_CHANGE"],
                   "HOME_POST": ["HOME_POST"], "PL_POST": ["PL_POST"], "URN": ["URN"],
                   "PL_DISTANCE": ["PL_DISTANCE"]},
        "required": ["CHILD", "DECOM", "DEC", "RNE", "LS", "PLACE", "REC"], "names": ["episode"],
        "signature": ["DECOM"],
    },
    "reviews": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "REVIEW": ["REVIEW"], "REVIEW_CODE": ["REVIEW_CODE"]},
        "required": ["CHILD", "REVIEW"], "names": ["review"], "signature": ["REVIEW"],
    },
    "uasc": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "DUC": ["DUC"]},
        "required": ["CHILD", "DUC"], "names": ["uasc"], "signature": ["DUC"],
    },
    "oc2": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "SDQ_SCORE": ["SDQ_SCORE"], "HEALTH_CHECK": ["HEALTH_CHECK"]},
        "required": ["CHILD"], "names": ["oc2"], "signature": ["HEALTH_CHECK"],
    },
    "oc3": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "IN_TOUCH": ["IN_TOUCH"], "ACTIV": ["ACTIV"], "ACCOM": ["ACCOM"]},
        "required": ["CHILD", "IN_TOUCH"], "names": ["oc3"], "signature": ["IN_TOUCH"],
    },
    "ad1": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "DATE_INT": ["DATE_INT"], "DATE_MATCH": ["DATE_MATCH"],
                   "FOSTER_CARE": ["FOSTER_CARE"], "NB_ADOPTR": ["NB_ADOPTR"], "SEX_ADOPTR": ["SEX_ADOPTR"],
                   "LS_ADOPTR": ["LS_ADOPTR"]},
        "required": ["CHILD", "DATE_INT"], "names": ["ad1"], "signature": ["DATE_INT"],
    },
    "placed_for_adoption": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "DATE_PLACED": ["DATE_PLACED"],
                   "DATE_PLACED_CEASED": ["DATE_PLACED_CEASED"], "REASON_PLACED_CEASED": ["REASON_PLACED_CEASED"]},
        "required": ["CHILD", "DATE_PLACED"], "names": ["placedforadoption", "placedadoption"],
        "signature": ["DATE_PLACED"],
    },
    "previous_permanence": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "PREV_PERM": ["PREV_PERM"]},
        "required": ["CHILD"], "names": ["previouspermanence", "prevperm"], "signature": ["PREV_PERM"],
    },
    "missing": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "MISSING": ["MISSING"], "MIS_START": ["MIS_START"],
                   "MIS_END": ["MIS_END"]},
        "required": ["CHILD", "MIS_START"], "names": ["missing"], "signature": ["MIS_START"],
    },
    "sw_episodes": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "SW_ID": ["SW_ID"], "SW_DECOM": ["SW_DECOM"],
                   "SW_DEC": ["SW_DEC"], "SW_REASON": ["SW_REASON"]},
        "required": ["CHILD", "SW_ID", "SW_DECOM"], "names": ["swepisode"], "signature": ["SW_ID"],
    },
    "dolo": {
        "fields": {"CHILD": ["CHILD", "CHILDID"], "DOLO_START": ["DOLO_START"]},
        "required": ["CHILD"], "names": ["dolo"], "signature": ["DOLO_START"],
    },
}
# File-name words, most specific first ("sw_episodes" before "episodes").
_NAME_ORDER = ["sw_episodes", "placed_for_adoption", "previous_permanence", "header", "episodes",
               "reviews", "uasc", "oc2", "oc3", "ad1", "missing", "dolo"]
PERSONAL = frozenset({"DOB", "MC_DOB", "UPN", "HOME_POST", "PL_POST"})

NOT_IMPORTED_WHY = {
    "oc2": "OC2 holds yes/no outcomes at 31 March without dates; the portal's health, dental and "
           "SDQ measures need dated checks",
    "previous_permanence": "permanence before this period of care has no place in the portal's tables",
    "dolo": "deprivation of liberty is not in the portal's tables",
}


# ---------------------------------------------------------------------------------------------
# Recognising and reading the CSV tables

def table_of_name(path: Path) -> tuple[str | None, str]:
    """(903 table the file name says, the name with that word removed: files of one return share it)."""
    stem = norm_key(path.stem)
    for kind in _NAME_ORDER:
        for word in TABLES[kind]["names"]:
            if word in stem:
                return kind, stem.replace(word + "s", "").replace(word, "")
    return None, stem


def table_of_headers(headers: list[str]) -> str | None:
    keys = {norm_key(h) for h in headers}
    if "child" not in keys and "childid" not in keys:
        return None
    for kind in _NAME_ORDER:
        if all(norm_key(s) in keys for s in TABLES[kind]["signature"]):
            return kind
    return None


def sniff_csv(path: Path) -> str | None:
    """The 903 table a CSV file holds, from its name or else its header line (None: not a 903 table)."""
    kind, _ = table_of_name(path)
    if kind is not None:
        return kind
    try:
        headers, _ = read_csv_rows(path, path.name)
    except MalformedFile:
        return None
    return table_of_headers(headers)


def csv_rows(sink: Sink, path: Path, label: str, kind: str) -> list[Row]:
    """Rows of one 903 CSV table, fields matched tolerantly; MalformedFile when a mandatory
    column is missing."""
    spec = TABLES[kind]
    headers, rows = read_csv_rows(path, label)
    found = match_columns(headers, spec["fields"])
    require_columns(label, f"SSDA903 {kind} table", found, spec["fields"], spec["required"], headers)
    names = {f: headers[i] for f, i in found.items()}
    out = []
    for line, cells in rows:
        values = {f: (cells[i] if i < len(cells) else None) for f, i in found.items()}
        out.append(Row(sink, label, kind, line, values, names, PERSONAL))
    sink.rows_read[label] += len(rows)
    return out


def read_csv_set(sink: Sink, files: dict[str, tuple[Path, str]]) -> None:
    """One return's CSV tables ({903 table: (path, label)}) into ``sink``."""
    read_all(sink, [files], [])


def read_all(sink: Sink, csv_sets: list[dict[str, tuple[Path, str]]], xml_files: list[tuple]) -> None:
    """Every 903 return of a folder at once (CSV sets and XML files ``(path, label, root)``), so a
    child's episodes from several years form one history: periods of care, placements and legal
    statuses run across returns, and an episode in two returns is read from the later one."""
    tables: dict[str, list[Row]] = defaultdict(list)
    for files in csv_sets:
        for kind, (path, label) in files.items():
            tables[kind] += csv_rows(sink, path, label, kind)
    for path, label, root in xml_files:
        for kind, rows in xml_tables(sink, path, label, root).items():
            tables[kind] += rows
    build(sink, tables)


# ---------------------------------------------------------------------------------------------
# The XML file

# XML element -> 903 table, for elements nested in HEADER.
_XML_NESTED = {"AREVIEW": "reviews", "AMISSING": "missing", "OC2": "oc2", "AD_PLACED": "placed_for_adoption",
               "PERMANENCE": "previous_permanence", "SWEPISODE": "sw_episodes", "SW_EPISODE": "sw_episodes",
               "DOLO": "dolo"}
_XML_FIELD_ALIASES = {"CHILDID": "CHILD", "PL": "PLACE"}


def is_903_xml(root) -> bool:
    if norm_key(root.tag) == "expssda903":
        return True
    child = find_child(root, "CHILD")
    return child is not None and find_child(child, "HEADER") is not None and norm_key(root.tag) != "message"


def _xml_row(sink: Sink, label: str, kind: str, element, values: dict, child: str | None) -> Row:
    canon = {}
    names = {}
    for tag, value in values.items():
        field = _XML_FIELD_ALIASES.get(tag.upper(), tag.upper())
        canon[field] = value
        names[field] = tag
    if child is not None:
        canon.setdefault("CHILD", child)
    return Row(sink, label, kind, line_of(element), canon, names, PERSONAL)


def read_xml_file(sink: Sink, path: Path, label: str, root=None) -> None:
    """A 903 XML file (``<EXPSSDA903><CHILD><HEADER>…<EPISODE>…``) into ``sink``."""
    read_all(sink, [], [(path, label, root)])


def xml_tables(sink: Sink, path: Path, label: str, root=None) -> dict[str, list[Row]]:
    """The 903 tables of an XML file, as rows like the CSV tables'."""
    root = root if root is not None else read_xml(path, label)
    if not is_903_xml(root):
        raise MalformedFile(label, "not an SSDA903 XML file (no EXPSSDA903/CHILD/HEADER)")
    tables: dict[str, list[Row]] = defaultdict(list)
    children = find_children(root, "CHILD")
    for child_el in children:
        header = find_child(child_el, "HEADER")
        if header is None:
            row = Row(sink, label, "CHILD", line_of(child_el), {})
            row.reject(RowRejected("a CHILD element without a HEADER"))
            continue
        values = leaf_values(header)
        child_id = values.get("CHILDID", values.get("CHILD"))
        tables["header"].append(_xml_row(sink, label, "header", header, values, None))
        leaves = {k.upper() for k in values}
        if "DUC" in leaves:
            tables["uasc"].append(_xml_row(sink, label, "uasc", header, values, child_id))
        if leaves & {"IN_TOUCH", "ACTIV", "ACCOM"}:
            tables["oc3"].append(_xml_row(sink, label, "oc3", header, values, child_id))
        if leaves & {"DATE_INT", "DATE_MATCH"}:
            tables["ad1"].append(_xml_row(sink, label, "ad1", header, values, child_id))
        for nested in header:
            kind = _XML_NESTED.get(nested.tag.upper())
            if kind is not None and len(nested):
                tables[kind].append(_xml_row(sink, label, kind, nested, leaf_values(nested), child_id))
        for episode in find_children(child_el, "EPISODE"):
            tables["episodes"].append(_xml_row(sink, label, "episodes", episode, leaf_values(episode), child_id))
        for sw in find_children(child_el, "SWEPISODE") + find_children(child_el, "SW_EPISODE"):
            tables["sw_episodes"].append(_xml_row(sink, label, "sw_episodes", sw, leaf_values(sw), child_id))
    sink.rows_read[label] += len(children)
    return tables


# ---------------------------------------------------------------------------------------------
# 903 tables -> SSD tables

def build(sink: Sink, tables: dict[str, list[Row]]) -> None:
    for row in tables.get("header", []):
        _try(row, _header)
    episodes = []
    for row in tables.get("episodes", []):
        got = _try(row, _episode)
        if got is not None:
            episodes.append(got)
    adopted = _periods(sink, episodes)
    for row in tables.get("reviews", []):
        _try(row, _review)
    for row in tables.get("uasc", []):
        _try(row, _uasc)
    for row in tables.get("oc3", []):
        _try(row, _oc3)
    for row in tables.get("missing", []):
        _try(row, _missing)
    for row in tables.get("sw_episodes", []):
        _try(row, _sw_episode)
    _permanence(sink, tables.get("ad1", []), tables.get("placed_for_adoption", []), adopted)
    for kind, why in NOT_IMPORTED_WHY.items():
        for row in tables.get(kind, []):
            row.child = row.id("CHILD")
            row.report(NOT_IMPORTED, why)


def _try(row: Row, fn):
    try:
        return fn(row)
    except RowRejected as exc:
        row.reject(exc)
        return None


def _child(row: Row) -> str:
    row.child = row.id("CHILD", required=True)
    return row.child


def _header(row: Row) -> None:
    pid = _child(row)
    sex = row.code("SEX", SEX)
    upn = row.text("UPN")
    upn_unknown = UPN_UNKNOWN.lookup(upn)[0] if upn and re.fullmatch(r"UN\d+", upn.upper()) else None
    mother = row.flag("MOTHER") if row.has("MOTHER") else None
    mc_dob = row.date("MC_DOB") if row.has("MC_DOB") else None
    sink = row.sink
    sink.emit("ssd_person", row, pers_person_id=pid, pers_sex=sex, pers_gender=sex,
              pers_ethnicity=row.code("ETHNIC", ETHNICITY), pers_dob=row.date("DOB"),
              pers_upn_unknown=upn_unknown, pers_is_mother=mother)
    if mother == "Y" and mc_dob is not None:
        sink.emit("ssd_mother", row, moth_table_id=event_id(pid, "MO", mc_dob), moth_person_id=pid,
                  moth_childs_dob=mc_dob)


def _episode(row: Row) -> dict:
    pid = _child(row)
    return {
        "row": row, "pid": pid, "decom": row.date("DECOM", required=True), "dec": row.date("DEC"),
        "rne": row.code("RNE", NEW_EPISODE_REASON), "ls": row.code("LS", LEGAL_STATUS),
        "cin": row.code("CIN", PRIMARY_NEED), "place": row.code("PLACE", PLACEMENT),
        "provider": row.code("PLACE_PROVIDER", PROVIDER), "rec": row.code("REC", EPISODE_CEASED),
        "change": row.code("REASON_PLACE_CHANGE", PLACE_CHANGE), "pl_post": row.text("PL_POST"),
        "urn": row.text("URN"), "distance": row.number("PL_DISTANCE") if row.has("PL_DISTANCE") else None,
    }


def _fix_episodes(eps: list[dict]) -> list[dict]:
    """One child's episodes in date order, with the LIIA corrections (reported)."""
    # Same start: within one file the first is kept (rule 3, a duplicate); from two returns, the
    # later return's (rule 3A: replaced in a later submission; later = file name sorting last,
    # e.g. 2024_episodes.csv after 2023_episodes.csv).
    eps = sorted(eps, key=lambda e: (e["decom"], e["row"].file, e["row"].row or 0))
    out: list[dict] = []
    for e in eps:
        if out and out[-1]["decom"] == e["decom"]:
            kept = out[-1]
            if kept["row"].file != e["row"].file:
                kept["row"].report(MERGED, f"the same episode is in {e['row'].file} row {e['row'].row}, a later "
                                           "return, which is used instead (LIIA rule 3A)")
                out[-1] = e
            else:
                e["row"].report(MERGED, f"an episode of this child starting the same day is in row "
                                        f"{kept['row'].row}; this one is a duplicate and was not used (LIIA rule 3)")
            continue
        out.append(e)
    for prev, nxt in zip(out, out[1:]):
        row = prev["row"]
        if prev["dec"] is None:
            if nxt["rne"] == "S":
                prev["dec"] = max(prev["decom"], nxt["decom"] - pd.Timedelta(days=1))
                row.report(CORRECTED, "open episode followed by a new period of care: ended the day before "
                                      f"it starts, {prev['dec']:%Y-%m-%d} (LIIA rule 1A)", "DEC")
            else:
                prev["dec"] = nxt["decom"]
                row.report(CORRECTED, f"open episode followed by another: ended when it starts, "
                                      f"{prev['dec']:%Y-%m-%d} (LIIA rule 1)", "DEC")
                if prev["rec"] is None:
                    prev["rec"] = "X1"
        elif prev["dec"] > nxt["decom"]:
            old = prev["dec"]
            prev["dec"] = nxt["decom"]
            row.report(CORRECTED, f"ends {old:%Y-%m-%d}, after the next episode starts: ended when it "
                                  f"starts, {prev['dec']:%Y-%m-%d} (LIIA rule 4)", "DEC")
    kept = []
    for e in out:
        if e["dec"] is not None and e["dec"] < e["decom"]:
            e["row"].reject(RowRejected(f"DEC {e['dec']:%Y-%m-%d} is before DECOM {e['decom']:%Y-%m-%d}", "DEC"))
            continue
        kept.append(e)
    return kept


def _periods(sink: Sink, episodes: list[dict]) -> dict[str, tuple[pd.Timestamp, str]]:
    """Episodes, placements, legal statuses and periods of care; returns {child: (adoption order
    date, period ID)} for children whose care ended by adoption (E11, E12)."""
    by_child: dict[str, list[dict]] = defaultdict(list)
    for e in episodes:
        by_child[e["pid"]].append(e)
    adopted: dict[str, tuple[pd.Timestamp, str]] = {}
    for pid, eps in by_child.items():
        eps = _fix_episodes(eps)
        prev = None
        placement = legal = None
        for e in eps:
            new_period = (prev is None or e["rne"] == "S" or prev["dec"] is None or prev["dec"] != e["decom"]
                          or (prev["rec"] not in (None, "X1")))
            if new_period:
                period_start = e["decom"]
                cla_id = event_id(pid, "C", period_start)
            same_place = prev is not None and all(prev[k] == e[k] for k in ("place", "provider", "urn", "pl_post"))
            if new_period or e["rne"] in ("S", "P", "T", "B", "U") or (e["rne"] not in ("L",) and not same_place):
                placement = {"id": event_id(pid, "P", e["decom"]), "first": e, "last": e, "cla_id": cla_id}
                e["placement"] = placement
            else:
                placement["last"] = e
                e["placement"] = placement
            if new_period or legal is None or legal["ls"] != e["ls"]:
                legal = {"id": event_id(pid, "L", e["decom"]), "first": e, "last": e, "ls": e["ls"]}
                e["legal"] = legal
            else:
                legal["last"] = e
                e["legal"] = legal
            e["cla_id"], e["period_start"] = cla_id, period_start
            if e["rec"] in ("E11", "E12") and e["dec"] is not None:
                adopted[pid] = (e["dec"], cla_id)
            prev = e
        for e in eps:
            sink.emit("ssd_cla_episodes", e["row"], clae_cla_episode_id=event_id(pid, "E", e["decom"]),
                      clae_person_id=pid, clae_cla_episode_start_date=e["decom"],
                      clae_cla_episode_start_reason=e["rne"], clae_cla_primary_need_code=e["cin"],
                      clae_cla_episode_ceased_date=e["dec"], clae_cla_episode_ceased_reason=e["rec"],
                      clae_cla_id=e["cla_id"], clae_cla_placement_id=e["placement"]["id"],
                      clae_entered_care_date=e["period_start"])
        seen = set()
        for e in eps:
            p = e["placement"]
            if p["id"] not in seen:
                seen.add(p["id"])
                first, last = p["first"], p["last"]
                sink.emit("ssd_cla_placement", first["row"], clap_cla_placement_id=p["id"],
                          clap_cla_placement_start_date=first["decom"], clap_cla_placement_type=first["place"],
                          clap_cla_placement_urn=first["urn"], clap_cla_placement_distance=first["distance"],
                          clap_cla_id=p["cla_id"], clap_cla_placement_provider=first["provider"],
                          clap_cla_placement_postcode=first["pl_post"],
                          clap_cla_placement_end_date=last["dec"],
                          clap_cla_placement_change_reason=last["change"] if last["dec"] is not None else None,
                          clap_person_id=pid)
            lg = e["legal"]
            if lg["id"] not in seen:
                seen.add(lg["id"])
                sink.emit("ssd_legal_status", lg["first"]["row"], lega_legal_status_id=lg["id"], lega_person_id=pid,
                          lega_legal_status=lg["ls"], lega_legal_status_start_date=lg["first"]["decom"],
                          lega_legal_status_end_date=lg["last"]["dec"])
    return adopted


def _review(row: Row) -> None:
    pid = _child(row)
    when = row.date("REVIEW", required=True)
    # The period of care is found by the source (the review date inside it), across files.
    row.sink.emit("ssd_cla_reviews", row, clar_cla_review_id=event_id(pid, "CR", when), clar_cla_id=None,
                  clar_cla_review_date=when,
                  clar_cla_review_participation=row.code("REVIEW_CODE", PARTICIPATION) if row.has("REVIEW_CODE") else None,
                  _person=pid)


def _uasc(row: Row) -> None:
    pid = _child(row)
    row.sink.emit("ssd_immigration_status", row, immi_immigration_status_id=f"{pid}-UASC", immi_person_id=pid,
                  immi_immigration_status="UASC", immi_immigration_status_end_date=row.date("DUC"))


def _oc3(row: Row) -> None:
    pid = _child(row)
    accommodation = suitable = None
    raw = row.text("ACCOM")
    if raw is not None:
        m = re.fullmatch(r"([A-Za-z])\s*([12])", raw)
        if m:
            accommodation = m.group(1).upper()
            suitable = "Suitable" if m.group(2) == "1" else "Unsuitable"
        else:
            accommodation = row.code("ACCOM", ACCOMMODATION)
    row.sink.emit("ssd_care_leavers", row, clea_table_id=f"{pid}-CL", clea_person_id=pid,
                  clea_care_leaver_in_touch=row.code("IN_TOUCH", IN_TOUCH),
                  clea_care_leaver_activity=row.code("ACTIV", ACTIVITY) if row.has("ACTIV") else None,
                  clea_care_leaver_accommodation=accommodation, clea_care_leaver_accom_suitable=suitable)


def _missing(row: Row) -> None:
    pid = _child(row)
    start = row.date("MIS_START", required=True)
    kind = row.code("MISSING", MISSING_TYPE) if row.has("MISSING") else None
    row.sink.emit("ssd_missing", row, miss_table_id=event_id(pid, "M", start), miss_person_id=pid,
                  miss_missing_episode_start_date=start,
                  miss_missing_episode_type={"M": "Missing", "A": "Absent"}.get(kind, kind),
                  miss_missing_episode_end_date=row.date("MIS_END"))


def _sw_episode(row: Row) -> None:
    pid = _child(row)
    worker = row.text("SW_ID")
    if worker is None:
        raise RowRejected("no SW_ID", "SW_ID")
    start = row.date("SW_DECOM", required=True)
    sink = row.sink
    # The worker is known by this ID only; the source keeps the row while an episode refers to it.
    sink.emit("ssd_professionals", row, prof_professional_id=worker, prof_staff_id=worker)
    sink.emit("ssd_involvements", row, invo_involvements_id=event_id(pid, "SW", start, worker),
              invo_professional_id=worker, invo_professional_role_id="ALLOCATED CASE WORKER",
              invo_involvement_start_date=start, invo_involvement_end_date=row.date("SW_DEC"),
              invo_worker_change_reason=row.code("SW_REASON", WORKER_CHANGE) if row.has("SW_REASON") else None,
              invo_person_id=pid)


def _permanence(sink: Sink, ad1: list[Row], placed: list[Row], adopted: dict) -> None:
    """One ssd_permanence record per child from AD1 and PlacedAdoption (and the adoption order
    date: the end of the episode that ceased with E11/E12)."""
    records: dict[str, dict] = {}
    origin: dict[str, Row] = {}

    def put(row: Row, pid: str, field: str, value) -> None:
        rec = records.setdefault(pid, {})
        origin.setdefault(pid, row)
        if value is None:
            return
        old = rec.get(field)
        if old is not None and old != value:
            row.report(CONFLICT, f"differs from {old:%Y-%m-%d} in row {origin[pid].row}; that one is kept"
                       if isinstance(old, pd.Timestamp) else f"differs from {old!r} in row {origin[pid].row}; "
                       "that one is kept", field, value)
            return
        rec[field] = value

    for row in ad1:
        try:
            pid = _child(row)
            put(row, pid, "perm_adm_decision_date", row.date("DATE_INT"))
            put(row, pid, "perm_matched_date", row.date("DATE_MATCH") if row.has("DATE_MATCH") else None)
            put(row, pid, "perm_adopted_by_carer_flag", row.flag("FOSTER_CARE") if row.has("FOSTER_CARE") else None)
            put(row, pid, "perm_number_of_adopters", row.text("NB_ADOPTR"))
            put(row, pid, "perm_adopter_sex", row.code("SEX_ADOPTR", ADOPTER_SEX) if row.has("SEX_ADOPTR") else None)
            put(row, pid, "perm_adopter_legal_status",
                row.code("LS_ADOPTR", ADOPTER_LEGAL_STATUS) if row.has("LS_ADOPTR") else None)
        except RowRejected as exc:
            row.reject(exc)
    for row in placed:
        try:
            pid = _child(row)
            put(row, pid, "perm_adm_decision_date", row.date("DATE_PLACED", required=True))
            put(row, pid, "perm_decision_reversed_date",
                row.date("DATE_PLACED_CEASED") if row.has("DATE_PLACED_CEASED") else None)
            put(row, pid, "perm_decision_reversed_reason",
                row.code("REASON_PLACED_CEASED", ADOPTION_REVERSED) if row.has("REASON_PLACED_CEASED") else None)
        except RowRejected as exc:
            row.reject(exc)
    for pid, rec in records.items():
        order = adopted.get(pid)
        extra = {}
        if order is not None:
            extra = {"perm_permanence_order_date": order[0], "perm_permanence_order_type": "Adoption order",
                     "perm_cla_id": order[1]}
        sink.emit("ssd_permanence", origin[pid], perm_table_id=f"{pid}-PERM", perm_person_id=pid, **rec, **extra)

