"""An Ofsted ILACS Annex A workbook (sheets "List 1" … "List 11", 2023+ columns) as SSD tables.

Sheets are found by name ("List 3", "List_3", "list3 referrals", or the list's title such as
"Referrals"); in each, the header row is the first of the top ten rows holding "Child Unique ID".
Lists saved one per CSV file are read too, when the file name says the list ("List 3.csv").
Headers are matched tolerantly (case, spaces, punctuation, curly quotes, "Age" for "Age of Child
(Years)"). Values may carry the Ofsted drop-down prefix or not ("a) Suitable" or "Suitable");
dates may be real dates, Excel serial numbers or text; ``#N/A`` and blanks are empty. Formula
cells are read from the values Excel saved with the workbook.

======  =========================================================================================
List    SSD tables
======  =========================================================================================
1       ssd_contacts
2       ssd_early_help_episodes (assessment start and completion as the episode's start and end)
3       ssd_cin_episodes (referrals), with the allocated team and worker
4       ssd_cin_assessments (linked to the child's latest referral on or before the start)
5       ssd_s47_enquiry, ssd_initial_cp_conference
6       ssd_cin_episodes (CIN start date = referral date, primary need, closure)
7       ssd_cp_plans, ssd_cp_visits (the last statutory visit), ssd_cp_reviews (the latest review)
8       ssd_cla_episodes (one episode per period of care, from the date started to be looked after),
        ssd_cla_placement (the most recent placement), ssd_legal_status (the current one),
        ssd_cla_reviews, ssd_cla_visits, ssd_cla_health (latest review, visit, health assessment
        and dental check), ssd_immigration_status (UASC)
9       ssd_care_leavers, ssd_immigration_status (UASC)
10      ssd_permanence
11      not imported (adopters are not children; each row reported)
======  =========================================================================================

Every list adds the child (ssd_person: gender, ethnicity, date of birth) and, where it says,
disability (ssd_disability: "Y" when Annex A says only that the child has one, "NONE" when not).
Allocated teams and workers become ssd_department and ssd_professionals rows named (and
identified) by their names. Annex A holds no allocation history, so ssd_involvements stays absent.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from importers.common import (
    ABUSE, ACCOMMODATION, ACTIVITY, ADOPTION_REVERSED, BLANKED, CLOSURE_REASON, CORRECTED, ELIGIBILITY,
    ETHNICITY, IN_TOUCH, LEGAL_STATUS, EPISODE_CEASED, NOT_IMPORTED, PLACEMENT, PRIMARY_NEED, PROVIDER,
    REFERRAL_SOURCE, SEX, SUITABILITY, CodeList, MalformedFile, Row, RowRejected, Sink, event_id,
    json_list, match_columns, norm_key, read_csv_rows, require_columns,
)

FORMAT = "Annex A"
SEEN_ALONE = CodeList("seen alone", ["Y", "N", "U"], aliases={
    "Yes": "Y", "No": "N", "Unknown": "U", "1": "Y", "0": "N", "True": "Y", "False": "N"})

COMMON = {
    "id": ["Child Unique ID", "Child ID", "Unique ID", "LAchildID", "CHILD", "re:^child.*id"],
    "gender": ["Gender", "Sex"],
    "ethnicity": ["Ethnicity"],
    "dob": ["Date of Birth", "DOB", "re:dateofbirth|birthdate"],
    "disability": ["Does the Child have a Disability", "Disability"],
    "team": ["Allocated Team"],
    "worker": ["Allocated Worker"],
}
LISTS: dict[int, dict] = {
    1: {"title": "Contacts", "fields": {"date": ["Date of Contact", "Contact Date", "re:date.*contact|contact.*date"],
                                        "source": ["Contact Source", "re:source"]},
        "required": ["date"]},
    2: {"title": "Early help", "fields": {"start": ["Assessment start date", "re:start"],
                                          "end": ["Assessment completion date", "re:completion|enddate"],
                                          "org": ["Organisation completing assessment"]},
        "required": ["start"]},
    3: {"title": "Referrals", "fields": {"date": ["Date of referral", "Referral Date", "re:date.*referral|referral.*date"],
                                         "source": ["Referral Source", "re:source"],
                                         "nfa": ["Referral NFA?", "Referral NFA"]},
        "required": ["date"]},
    4: {"title": "Assessments", "fields": {
        "start": ["Continuous Assessment Start Date", "Assessment Start Date", "re:assessment.*start"],
        "seen": ["Child Seen During Continuous Assessment", "Child Seen During Assessment"],
        "auth": ["Continuous Assessment Date of Authorisation", "Assessment Date of Authorisation",
                 "re:authori[sz]"],
        "support": ["Was the child assessed as requiring LA children's social care support?"]},
        "required": ["start"]},
    5: {"title": "Section 47 enquiries and ICPCs", "fields": {
        "start": ["Strategy discussion initiating Section 47 Enquiry Start Date", "Section 47 Enquiry Start Date",
                  "re:(strategy|s47|section47).*(start|date)"],
        "unnecessary": ["Was an Initial Child Protection Conference deemed unnecessary?"],
        "icpc": ["Date of Initial Child Protection Conference", "re:^date.*(initialchildprotectionconference|icpc)"],
        "plan": ["Did the Initial Child Protection Conference Result in a Child Protection Plan"]},
        "required": ["start"]},
    6: {"title": "Children in need", "fields": {
        "start": ["CIN Start Date", "re:cin.*start|start.*cin"], "need": ["Primary Need Code", "Primary Need"],
        "close": ["CIN Closure Date"], "reason": ["Reason for Closure"]},
        "required": ["start"]},
    7: {"title": "Child protection", "fields": {
        "start": ["Child Protection Plan Start Date", "re:(childprotection|cp)plan.*start"],
        "initial": ["Initial Category of Abuse"],
        "latest": ["Latest Category of Abuse"], "visit": ["Date of the Last Statutory Visit"],
        "alone": ["Was the Child Seen Alone?"], "review": ["Date of latest review conference"],
        "end": ["Child Protection Plan End Date"]},
        "required": ["start"]},
    8: {"title": "Children in care", "fields": {
        "uasc": ["Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)", "UASC"],
        "start": ["Date Started to be Looked After", "re:start.*lookedafter|lookedafter.*start"],
        "need": ["Child's Category of Need", "Category of Need"],
        "ls_start": ["Start date of current legal status"], "ls": ["Child's Legal Status", "Legal Status"],
        "review": ["Date of Latest Statutory Review"], "visit": ["Date of Last Social Work Visit"],
        "iro": ["Date of Last IRO Visit / Contact to the Child"], "health": ["Date of Last Health Assessment"],
        "dental": ["Date of Last Dental Check"], "ceased": ["Date Ceased to be Looked After"],
        "reason": ["Reason Ceased to be Looked After"], "pstart": ["Start Date of Most Recent Placement"],
        "ptype": ["Placement Type"], "provider": ["Placement Provider"], "postcode": ["Placement postcode"],
        "urn": ["URN of Placement"]},
        "required": ["start"]},
    9: {"title": "Care leavers", "fields": {
        "uasc": ["Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)", "UASC"],
        "pa": ["Allocated Personal Advisor", "Allocated Personal Adviser"], "elig": ["Eligibility Category"],
        "pathway": ["Latest Pathway Plan Review Date"], "in_touch": ["LA in Touch"],
        "contact": ["Latest Date of Contact"], "accom": ["Type of Accommodation"],
        "suitable": ["Suitability of Accommodation"], "activity": ["Activity Status"]},
        "required": []},
    10: {"title": "Adoption", "fields": {
        "decision": ["Date of Decision that Child Should be Placed for Adoption"],
        "order": ["Date of Placement Order"], "matched": ["Date of Matching Child and Prospective Adopters"],
        "placed": ["Date Placed for Adoption"], "adoption": ["Date of Adoption Order"],
        "reversed": ["Date of Decision that Child Should No Longer be Placed for Adoption"],
        "reason": ["Reason Why Child No Longer Placed for Adoption"],
        "ffa": ["Date the child was placed for fostering in FFA or concurrent planning placement"]},
        "required": []},
    11: {"title": "Adopters", "fields": {"adopter": ["Individual adopter identifier"]}, "required": ["adopter"]},
}
_TITLE_WORDS = {
    "contacts": 1, "earlyhelp": 2, "referrals": 3, "assessments": 4, "section47": 5, "s47": 5,
    "s47andicpc": 5, "childreninneed": 6, "cin": 6, "childprotection": 7, "cp": 7, "childrenincare": 8,
    "cla": 8, "lookedafter": 8, "careleavers": 9, "adoption": 10, "adopters": 11,
}
PERSONAL = frozenset({"dob", "postcode"})
HEADER_SEARCH_ROWS = 10


def list_number(sheet_name: str) -> int | None:
    """The Annex A list a sheet (or CSV file) name says: "List 3", "list_3 referrals",
    "Annex A List 3", "Referrals"."""
    m = re.search(r"(?<![a-z])list\s*[_\-.]?\s*(\d{1,2})(?!\d)", sheet_name, re.I)
    if m and 1 <= int(m.group(1)) <= 11:
        return int(m.group(1))
    return _TITLE_WORDS.get(norm_key(sheet_name))


def _open(path: Path, label: str, data_only: bool):
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # a corrupt zip, not a workbook at all…
        raise MalformedFile(label, f"not a readable Excel workbook: {type(exc).__name__}: {exc}") from exc


def is_annex_a(path: Path) -> bool:
    """True when the workbook has at least one sheet named like an Annex A list."""
    try:
        wb = _open(path, path.name, data_only=True)
    except MalformedFile:
        return True   # cannot tell: read_file reports it properly
    try:
        return any(list_number(name) for name in wb.sheetnames)
    finally:
        wb.close()


def _header_row(rows: list[tuple], want: list[str]) -> int | None:
    """The first of the top rows with a cell naming the ID column (as :func:`match_columns`
    would match it)."""
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if "id" in match_columns([c if isinstance(c, str) else None for c in cells], {"id": want}):
            return i
    return None


def read_file(sink: Sink, path: Path, label: str) -> None:
    values_wb = _open(path, label, data_only=True)
    formulas_wb = _open(path, label, data_only=False)
    try:
        candidates: dict[int, list[str]] = {}
        for name in values_wb.sheetnames:
            number = list_number(name)
            if number is not None:
                candidates.setdefault(number, []).append(name)
        sheets: dict[int, tuple[str, list[Row]]] = {}
        for number, names in sorted(candidates.items()):
            # Several sheets may name one list ("List 3", "List 3 notes"): the first that has the
            # list's header row is the list; none having one is a malformed workbook.
            failure = None
            for name in names:
                values = [tuple(r) for r in values_wb[name].iter_rows(values_only=True)]
                if len(names) > 1 and _header_row(values, _id_aliases(number)) is None:
                    continue
                formulas = [tuple(r) for r in formulas_wb[name].iter_rows(values_only=True)]
                try:
                    sheets[number] = (name, _sheet_rows(sink, label, name, number, values, formulas))
                    break
                except MalformedFile as exc:
                    failure = exc
            else:
                if failure is not None:
                    raise failure
                raise MalformedFile(label, f"none of the sheets {', '.join(map(repr, names))} has a "
                                           f"{_id_aliases(number)[0]!r} column in its first {HEADER_SEARCH_ROWS} rows")
    finally:
        values_wb.close()
        formulas_wb.close()
    if not sheets:
        raise MalformedFile(label, "no sheet named like an Annex A list (\"List 1\" … \"List 11\")")
    _build(sink, {n: rows for n, (_, rows) in sheets.items()})


def _id_aliases(number: int) -> list[str]:
    return LISTS[11]["fields"]["adopter"] if number == 11 else COMMON["id"]


def _sheet_rows(sink: Sink, label: str, sheet: str, number: int, values: list[tuple],
                formulas: list[tuple], lines: list[int] | None = None) -> list[Row]:
    spec = LISTS[number]
    fields = {**COMMON, **spec["fields"]} if number != 11 else spec["fields"]
    id_key = "id" if number != 11 else "adopter"
    at = _header_row(values, fields[id_key])
    where = f"sheet {sheet!r}" if sheet else f"List {number}"
    if at is None:
        if not any(any(c is not None and str(c).strip() for c in r) for r in values):
            return []   # an empty list: nothing to read
        raise MalformedFile(label, f"{where}: no {fields[id_key][0]!r} column in its first "
                                   f"{HEADER_SEARCH_ROWS} rows (mandatory)")
    headers = list(values[at])
    found = match_columns(headers, fields)
    require_columns(label, where, found, fields, [id_key, *spec["required"]], headers)
    names = {f: str(headers[i]) for f, i in found.items()}
    record = f"List {number}"
    out = []
    for r in range(at + 1, len(values)):
        cells = values[r]
        if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
            continue
        formula_cells = formulas[r] if r < len(formulas) else ()
        row_values = {}
        lost = []
        for f, i in found.items():
            v = cells[i] if i < len(cells) else None
            if v is None and i < len(formula_cells) and isinstance(formula_cells[i], str) \
                    and formula_cells[i].startswith("="):
                lost.append(f)
            row_values[f] = v
        row = Row(sink, label, record, lines[r] if lines else r + 1, row_values, names, PERSONAL)
        for f in lost:
            row.report(BLANKED, "a formula with no saved result (open the workbook in Excel and save it)", f)
        out.append(row)
    sink.rows_read[label] += len(out)
    return out


def is_annex_csv(path: Path) -> bool:
    """A CSV file named like an Annex A list ("List 3.csv", "annex_a_list_3.csv")."""
    return list_number(path.stem) is not None


def read_csv_lists(sink: Sink, files: list[tuple[Path, str]]) -> None:
    """Annex A lists saved one per CSV file (named "List 3…"); read together like one workbook."""
    lists: dict[int, list[Row]] = {}
    for path, label in files:
        number = list_number(path.stem)
        if number in lists:
            raise MalformedFile(label, f"a second List {number} file in the same folder")
        headers, rows = read_csv_rows(path, label)
        values = [tuple(headers)] + [tuple(cells) for _, cells in rows]
        lines = [1] + [line for line, _ in rows]
        lists[number] = _sheet_rows(sink, label, "", number, values, [], lines)
    _build(sink, lists)


# ---------------------------------------------------------------------------------------------

def _try(row: Row, fn, *args):
    try:
        return fn(row, *args)
    except RowRejected as exc:
        row.reject(exc)
        return None


def _build(sink: Sink, lists: dict[int, list[Row]]) -> None:
    referrals: dict[str, list] = defaultdict(list)   # child -> [(date, id)] from Lists 3 and 6
    for number in (3, 6):
        for row in lists.get(number, []):
            row.child = row.id("id")
            got = _try(row, _referral, number)
            if got is not None:
                referrals[got[0]].append(got[1:])
    handlers = {1: _contact, 2: _early_help, 4: _assessment, 5: _s47, 7: _cp_plan, 8: _in_care,
                9: _care_leaver, 10: _adoption}
    for number in sorted(lists):
        if number in (3, 6):
            continue
        for row in lists[number]:
            row.child = row.id("id") if row.has("id") else None
            if number == 11:
                row.report(NOT_IMPORTED, "adopters are not children: the portal has no table for them")
                continue
            _try(row, handlers[number], referrals)


def _latest_referral(referrals: dict, pid: str, when) -> str | None:
    before = sorted((d, rid) for d, rid in referrals.get(pid, []) if when is not None and d <= when)
    return before[-1][1] if before else None


def _person(row: Row) -> str:
    """The child's ID (the row is rejected without one) and their ssd_person row."""
    pid = row.id("id", required=True)
    row.child = pid
    sex = row.code("gender", SEX) if row.has("gender") else None
    row.sink.emit("ssd_person", row, pers_person_id=pid, pers_sex=sex, pers_gender=sex,
                  pers_ethnicity=row.code("ethnicity", ETHNICITY) if row.has("ethnicity") else None,
                  pers_dob=row.date("dob") if row.has("dob") else None)
    if row.has("disability"):
        flag = row.flag("disability")
        if flag is not None:
            code = "Y" if flag == "Y" else "NONE"
            row.sink.emit("ssd_disability", row, disa_table_id=f"{pid}-D-{code}", disa_person_id=pid,
                          disa_disability_code=code)
    return pid


def _org(row: Row) -> tuple[str | None, str | None]:
    """(team ID, worker ID): Annex A names them; the names are the IDs."""
    team = row.text("team") if row.has("team") else None
    worker = row.text("worker") if row.has("worker") else None
    if team:
        row.sink.emit("ssd_department", row, dept_team_id=team, dept_team_name=team)
    if worker:
        row.sink.emit("ssd_professionals", row, prof_professional_id=worker, prof_professional_name=worker,
                      prof_professional_department=team)
    return team, worker


def _check_order(row: Row, start_key: str, end_key: str, start, end) -> None:
    if start is not None and end is not None and end < start:
        raise RowRejected(f"{row.header(end_key)} {end:%Y-%m-%d} is before {row.header(start_key)} "
                          f"{start:%Y-%m-%d}", end_key)


def _contact(row: Row, referrals) -> None:
    when = row.date("date", required=True)
    pid = _person(row)
    source = row.code("source", REFERRAL_SOURCE) if row.has("source") else None
    row.sink.emit("ssd_contacts", row, cont_contact_id=event_id(pid, "K", when, source or ""), cont_person_id=pid,
                  cont_contact_date=when, cont_contact_source_code=source,
                  cont_contact_source_desc=REFERRAL_SOURCE.describe(source))


def _early_help(row: Row, referrals) -> None:
    start = row.date("start", required=True)
    end = row.date("end") if row.has("end") else None
    _check_order(row, "start", "end", start, end)
    pid = _person(row)
    row.sink.emit("ssd_early_help_episodes", row, earl_episode_id=event_id(pid, "EH", start), earl_person_id=pid,
                  earl_episode_start_date=start, earl_episode_end_date=end,
                  earl_episode_organisation=row.text("org") if row.has("org") else None)


def _referral(row: Row, number: int) -> tuple:
    when = row.date("date" if number == 3 else "start", required=True)
    close = row.date("close") if row.has("close") else None
    if number == 6:
        _check_order(row, "start", "close", when, close)
    pid = _person(row)
    team, worker = _org(row)
    rid = event_id(pid, "R", when)
    values = {"cine_referral_team": team, "cine_referral_worker_id": worker}
    if number == 3:
        source = row.code("source", REFERRAL_SOURCE) if row.has("source") else None
        values.update(cine_referral_source_code=source, cine_referral_source_desc=REFERRAL_SOURCE.describe(source),
                      cine_referral_nfa=row.flag("nfa") if row.has("nfa") else None)
    else:
        values.update(cine_cin_primary_need_code=row.code("need", PRIMARY_NEED) if row.has("need") else None,
                      cine_close_date=close,
                      cine_close_reason=row.code("reason", CLOSURE_REASON) if row.has("reason") else None)
    row.sink.emit("ssd_cin_episodes", row, cine_referral_id=rid, cine_person_id=pid, cine_referral_date=when, **values)
    return pid, when, rid


def _assessment(row: Row, referrals) -> None:
    start = row.date("start", required=True)
    auth = row.date("auth") if row.has("auth") else None
    _check_order(row, "start", "auth", start, auth)
    pid = _person(row)
    team, worker = _org(row)
    support = row.flag("support") if row.has("support") else None
    row.sink.emit("ssd_cin_assessments", row, cina_assessment_id=event_id(pid, "A", start), cina_person_id=pid,
                  cina_referral_id=_latest_referral(referrals, pid, start), cina_assessment_start_date=start,
                  cina_assessment_child_seen=row.flag("seen") if row.has("seen") else None,
                  cina_assessment_auth_date=auth,
                  cina_assessment_outcome_nfa={"Y": "N", "N": "Y"}.get(support),
                  cina_assessment_team=team, cina_assessment_worker_id=worker)


def _s47(row: Row, referrals) -> None:
    start = row.date("start", required=True)
    icpc = row.date("icpc") if row.has("icpc") else None
    _check_order(row, "start", "icpc", start, icpc)
    pid = _person(row)
    team, worker = _org(row)
    ref = _latest_referral(referrals, pid, start)
    sid = event_id(pid, "S", start)
    unnecessary = row.flag("unnecessary") if row.has("unnecessary") else None
    row.sink.emit("ssd_s47_enquiry", row, s47e_s47_enquiry_id=sid, s47e_referral_id=ref, s47e_person_id=pid,
                  s47e_s47_start_date=start,
                  s47e_s47_outcome_json=json_list("ICPC not required") if unnecessary == "Y" else None,
                  s47e_s47_completed_by_worker_id=worker, s47e_s47_completed_by_team=team)
    if icpc is not None:
        row.sink.emit("ssd_initial_cp_conference", row, icpc_icpc_id=event_id(pid, "I", icpc), icpc_s47_enquiry_id=sid,
                      icpc_person_id=pid, icpc_referral_id=ref, icpc_icpc_date=icpc,
                      icpc_icpc_outcome_cp_flag=row.flag("plan") if row.has("plan") else None,
                      icpc_icpc_team=team, icpc_icpc_worker_id=worker)


def _cp_plan(row: Row, referrals) -> None:
    start = row.date("start", required=True)
    end = row.date("end") if row.has("end") else None
    _check_order(row, "start", "end", start, end)
    pid = _person(row)
    _org(row)
    plan = event_id(pid, "CPP", start)
    sink = row.sink
    sink.emit("ssd_cp_plans", row, cppl_cp_plan_id=plan, cppl_referral_id=_latest_referral(referrals, pid, start),
              cppl_person_id=pid, cppl_cp_plan_start_date=start, cppl_cp_plan_end_date=end,
              cppl_cp_plan_initial_category=row.code("initial", ABUSE) if row.has("initial") else None,
              cppl_cp_plan_latest_category=row.code("latest", ABUSE) if row.has("latest") else None)
    visit = row.date("visit") if row.has("visit") else None
    if visit is not None:
        alone = row.code("alone", SEEN_ALONE) if row.has("alone") else None
        sink.emit("ssd_cp_visits", row, cppv_cp_visit_id=event_id(pid, "CPV", visit), cppv_person_id=pid,
                  cppv_cp_plan_id=plan, cppv_cp_visit_date=visit,
                  cppv_cp_visit_seen_alone=alone if alone in ("Y", "N") else None)
    review = row.date("review") if row.has("review") else None
    if review is not None:
        sink.emit("ssd_cp_reviews", row, cppr_cp_review_id=event_id(plan, "RV", review), cppr_person_id=pid,
                  cppr_cp_plan_id=plan, cppr_cp_review_date=review)


def _uasc(row: Row, pid: str) -> None:
    if row.has("uasc") and row.flag("uasc") == "Y":
        row.sink.emit("ssd_immigration_status", row, immi_immigration_status_id=f"{pid}-UASC", immi_person_id=pid,
                      immi_immigration_status="UASC")


def _in_care(row: Row, referrals) -> None:
    start = row.date("start", required=True)
    ceased = row.date("ceased") if row.has("ceased") else None
    _check_order(row, "start", "ceased", start, ceased)
    got = {k: row.date(k) if row.has(k) else None for k in ("pstart", "ls_start", "review", "visit", "iro",
                                                            "health", "dental")}
    pid = _person(row)
    _org(row)
    _uasc(row, pid)
    sink = row.sink
    cla_id = event_id(pid, "C", start)
    starts = {}
    for key in ("pstart", "ls_start"):
        when = got[key]
        if when is not None and when < start:
            row.report(CORRECTED, f"before the date started to be looked after ({start:%Y-%m-%d}): taken as that date",
                       key, when)
            when = start
        if when is not None and ceased is not None and when > ceased:
            row.report(BLANKED, f"after the date ceased to be looked after ({ceased:%Y-%m-%d})", key, when)
            when = None
        starts[key] = when or start
    placement = event_id(pid, "P", starts["pstart"])
    sink.emit("ssd_cla_episodes", row, clae_cla_episode_id=event_id(pid, "E", start), clae_person_id=pid,
              clae_cla_episode_start_date=start, clae_cla_episode_start_reason="S",
              clae_cla_primary_need_code=row.code("need", PRIMARY_NEED) if row.has("need") else None,
              clae_cla_episode_ceased_date=ceased,
              clae_cla_episode_ceased_reason=row.code("reason", EPISODE_CEASED) if row.has("reason") else None,
              clae_cla_id=cla_id, clae_cla_placement_id=placement, clae_entered_care_date=start,
              clae_cla_last_iro_contact_date=got["iro"])
    sink.emit("ssd_cla_placement", row, clap_cla_placement_id=placement, clap_cla_placement_start_date=starts["pstart"],
              clap_cla_placement_type=row.code("ptype", PLACEMENT) if row.has("ptype") else None,
              clap_cla_placement_urn=row.text("urn") if row.has("urn") else None, clap_cla_id=cla_id,
              clap_cla_placement_provider=row.code("provider", PROVIDER) if row.has("provider") else None,
              clap_cla_placement_postcode=row.text("postcode") if row.has("postcode") else None,
              clap_cla_placement_end_date=ceased, clap_person_id=pid)
    if row.has("ls"):
        sink.emit("ssd_legal_status", row, lega_legal_status_id=event_id(pid, "L", starts["ls_start"]),
                  lega_person_id=pid, lega_legal_status=row.code("ls", LEGAL_STATUS),
                  lega_legal_status_start_date=starts["ls_start"], lega_legal_status_end_date=ceased)
    if got["review"] is not None:
        sink.emit("ssd_cla_reviews", row, clar_cla_review_id=event_id(pid, "CR", got["review"]), clar_cla_id=None,
                  clar_cla_review_date=got["review"], _person=pid)
    if got["visit"] is not None:
        sink.emit("ssd_cla_visits", row, clav_cla_visit_id=event_id(pid, "CV", got["visit"]), clav_cla_id=None,
                  clav_person_id=pid, clav_cla_visit_date=got["visit"])
    for key, kind, tag in (("health", "Health Assessment", "HA"), ("dental", "Dental Check", "DC")):
        if got[key] is not None:
            sink.emit("ssd_cla_health", row, clah_health_check_id=event_id(pid, tag, got[key]), clah_person_id=pid,
                      clah_health_check_type=kind, clah_health_check_date=got[key])


def _care_leaver(row: Row, referrals) -> None:
    contact = row.date("contact") if row.has("contact") else None
    pathway = row.date("pathway") if row.has("pathway") else None
    pid = _person(row)
    team, worker = _org(row)
    _uasc(row, pid)
    row.sink.emit("ssd_care_leavers", row, clea_table_id=f"{pid}-CL", clea_person_id=pid,
                  clea_care_leaver_eligibility=row.code("elig", ELIGIBILITY) if row.has("elig") else None,
                  clea_care_leaver_in_touch=row.code("in_touch", IN_TOUCH) if row.has("in_touch") else None,
                  clea_care_leaver_latest_contact=contact,
                  clea_care_leaver_accommodation=row.code("accom", ACCOMMODATION) if row.has("accom") else None,
                  clea_care_leaver_accom_suitable=row.code("suitable", SUITABILITY) if row.has("suitable") else None,
                  clea_care_leaver_activity=row.code("activity", ACTIVITY) if row.has("activity") else None,
                  clea_pathway_plan_review_date=pathway,
                  clea_care_leaver_personal_advisor=row.text("pa") if row.has("pa") else None,
                  clea_care_leaver_allocated_team=team, clea_care_leaver_worker_id=worker)


def _adoption(row: Row, referrals) -> None:
    dates = {k: row.date(k) if row.has(k) else None
             for k in ("decision", "order", "matched", "placed", "adoption", "reversed", "ffa")}
    pid = _person(row)
    adopted = dates["adoption"]
    row.sink.emit("ssd_permanence", row, perm_table_id=f"{pid}-PERM", perm_person_id=pid,
                  perm_adm_decision_date=dates["decision"], perm_placement_order_date=dates["order"],
                  perm_matched_date=dates["matched"], perm_placed_for_adoption_date=dates["placed"],
                  perm_decision_reversed_date=dates["reversed"],
                  perm_decision_reversed_reason=row.code("reason", ADOPTION_REVERSED) if row.has("reason") else None,
                  perm_placed_ffa_cp_date=dates["ffa"], perm_permanence_order_date=adopted,
                  perm_permanence_order_type="Adoption order" if adopted is not None else None)
