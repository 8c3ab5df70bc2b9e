"""The DfE children in need census (XML, ``Message/Header/Children/Child``) as SSD tables.

==========================================  ==============================================
CIN census                                  SSD tables
==========================================  ==============================================
ChildIdentifiers, ChildCharacteristics      ssd_person (GenderCurrent 0/1/2/9 or Sex M/F/U),
                                            ssd_disability (one row per Disability code)
CINdetails                                  ssd_cin_episodes (one referral each)
Assessments (+ AssessmentFactors)           ssd_cin_assessments, ssd_assessment_factors
CINPlanDates                                ssd_cin_plans
Section47                                   ssd_s47_enquiry, ssd_initial_cp_conference
DateOfInitialCPC (2022 layout, no S47)      ssd_initial_cp_conference
ChildProtectionPlans (+ Reviews)            ssd_cp_plans, ssd_cp_reviews
PreProceedingsandFGDM                       not imported (reported)
==========================================  ==============================================

Element names are matched ignoring case and underscores. The census's ReferenceDate is kept as
the data's "as at" date. An ICPC is recorded as leading to a plan when a child protection plan of
the same referral starts on the conference date.
"""

from __future__ import annotations

from pathlib import Path

from importers.common import (
    ABUSE, CLOSURE_REASON, DISABILITY, ETHNICITY, NOT_IMPORTED, PRIMARY_NEED, REFERRAL_SOURCE,
    REJECTED, SEX, UPN_UNKNOWN, MalformedFile, Row, RowRejected, Sink, event_id, find_child,
    find_children, json_list, leaf_values, line_of, norm_key, parse_date, read_xml,
)

FORMAT = "CIN census"
PERSONAL = frozenset({"PersonBirthDate", "ExpectedPersonBirthDate", "UPN", "FormerUPN"})


def is_cin_xml(root) -> bool:
    if norm_key(root.tag) != "message":
        return False
    children = find_child(root, "Children")
    return children is not None or find_child(root, "Child") is not None


def _row(sink: Sink, label: str, record: str, element, child: str | None = None) -> Row:
    """A Row over an element's leaves, fields keyed by lower-cased tag (so case never matters)."""
    values = leaf_values(element)
    keyed = {norm_key(k): v for k, v in values.items()}
    names = {norm_key(k): k for k in values}
    return Row(sink, label, record, line_of(element), keyed, names,
               frozenset(norm_key(p) for p in PERSONAL), child)


def read_file(sink: Sink, path: Path, label: str, root=None) -> None:
    root = root if root is not None else read_xml(path, label)
    if not is_cin_xml(root):
        raise MalformedFile(label, "not a CIN census XML file (no Message/Children/Child)")
    header = find_child(root, "Header")
    if header is not None:
        details = find_child(header, "CollectionDetails")
        ref = find_child(details, "ReferenceDate") if details is not None else None
        when, ok = parse_date(ref.text if ref is not None else None)
        if when is not None:
            sink.reference_dates.append(when)
    container = find_child(root, "Children")
    children = find_children(container if container is not None else root, "Child")
    for child in children:
        _child(sink, label, child)
    sink.rows_read[label] += len(children)


def _child(sink: Sink, label: str, el) -> None:
    ids = find_child(el, "ChildIdentifiers")
    if ids is None:
        Row(sink, label, "Child", line_of(el), {}).reject(RowRejected("a Child without ChildIdentifiers"))
        return
    row = _row(sink, label, "ChildIdentifiers", ids)
    try:
        pid = row.id("lachildid", required=True)
    except RowRejected as exc:
        row.reject(exc)
        details = find_children(el, "CINdetails")
        if details:
            row.report(REJECTED, f"its {len(details)} CINdetails not used: the child has no LAchildID")
        return
    row.child = pid
    sex_field = "sex" if row.has("sex") else "gendercurrent"
    sex = row.code(sex_field, SEX)
    chars = find_child(el, "ChildCharacteristics")
    crow = _row(sink, label, "ChildCharacteristics", chars, pid) if chars is not None else None
    upn_unknown = row.code("upnunknown", UPN_UNKNOWN) if row.has("upnunknown") else None
    sink.emit("ssd_person", row, pers_person_id=pid, pers_sex=sex, pers_gender=sex,
              pers_ethnicity=crow.code("ethnicity", ETHNICITY) if crow is not None and crow.has("ethnicity") else None,
              pers_dob=row.date("personbirthdate"), pers_expected_dob=row.date("expectedpersonbirthdate"),
              pers_death_date=row.date("persondeathdate"), pers_upn_unknown=upn_unknown)
    if chars is not None:
        dis = find_child(chars, "Disabilities")
        for d in find_children(dis, "Disability") if dis is not None else []:
            drow = Row(sink, label, "Disability", line_of(d), {"disability": d.text}, {"disability": "Disability"},
                       child=pid)
            code = drow.code("disability", DISABILITY)
            if code:
                sink.emit("ssd_disability", drow, disa_table_id=f"{pid}-D-{code}", disa_person_id=pid,
                          disa_disability_code=code)
    for details in find_children(el, "CINdetails"):
        _details(sink, label, pid, details)


def _details(sink: Sink, label: str, pid: str, el) -> None:
    row = _row(sink, label, "CINdetails", el, pid)
    try:
        ref_date = row.date("cinreferraldate", required=True)
    except RowRejected as exc:
        row.reject(exc)
        nested = sum(len(find_children(el, n)) for n in ("Assessments", "CINPlanDates", "Section47",
                                                          "ChildProtectionPlans"))
        if nested:
            row.report(REJECTED, f"its {nested} assessments, plans and enquiries not used: the referral has no date")
        return
    ref_id = event_id(pid, "R", ref_date)
    source = row.code("referralsource", REFERRAL_SOURCE) if row.has("referralsource") else None
    sink.emit("ssd_cin_episodes", row, cine_referral_id=ref_id, cine_person_id=pid, cine_referral_date=ref_date,
              cine_cin_primary_need_code=row.code("primaryneedcode", PRIMARY_NEED) if row.has("primaryneedcode") else None,
              cine_referral_source_code=source, cine_referral_source_desc=REFERRAL_SOURCE.describe(source),
              cine_referral_nfa=row.flag("referralnfa") if row.has("referralnfa") else None,
              cine_close_reason=row.code("reasonforclosure", CLOSURE_REASON) if row.has("reasonforclosure") else None,
              cine_close_date=row.date("cinclosuredate"))

    for a in find_children(el, "Assessments"):
        arow = _row(sink, label, "Assessments", a, pid)
        try:
            start = arow.date("assessmentactualstartdate", required=True)
        except RowRejected as exc:
            arow.reject(exc)
            continue
        aid = event_id(pid, "A", start)
        sink.emit("ssd_cin_assessments", arow, cina_assessment_id=aid, cina_person_id=pid, cina_referral_id=ref_id,
                  cina_assessment_start_date=start, cina_assessment_auth_date=arow.date("assessmentauthorisationdate"))
        factors_el = find_child(a, "FactorsIdentifiedAtAssessment")
        factors = sorted({(f.text or "").strip().upper() for f in find_children(factors_el, "AssessmentFactors")
                          if (f.text or "").strip()}) if factors_el is not None else []
        if factors:
            sink.emit("ssd_assessment_factors", arow, cinf_table_id=f"{aid}-F", cinf_assessment_id=aid,
                      cinf_assessment_factors_json=json_list(*factors))

    for p in find_children(el, "CINPlanDates"):
        prow = _row(sink, label, "CINPlanDates", p, pid)
        try:
            start = prow.date("cinplanstartdate", required=True)
        except RowRejected as exc:
            prow.reject(exc)
            continue
        sink.emit("ssd_cin_plans", prow, cinp_cin_plan_id=event_id(pid, "CINP", start), cinp_referral_id=ref_id,
                  cinp_person_id=pid, cinp_cin_plan_start_date=start, cinp_cin_plan_end_date=prow.date("cinplanenddate"))

    plans = []
    for cp in find_children(el, "ChildProtectionPlans"):
        cprow = _row(sink, label, "ChildProtectionPlans", cp, pid)
        try:
            start = cprow.date("cppstartdate", required=True)
        except RowRejected as exc:
            cprow.reject(exc)
            continue
        plans.append((cp, cprow, start))
    plan_starts = {start for _, _, start in plans}

    icpcs: list[tuple] = []   # (date, id)
    for s in find_children(el, "Section47"):
        srow = _row(sink, label, "Section47", s, pid)
        try:
            start = srow.date("s47actualstartdate", required=True)
        except RowRejected as exc:
            srow.reject(exc)
            continue
        sid = event_id(pid, "S", start)
        not_required = srow.flag("icpcnotrequired") if srow.has("icpcnotrequired") else None
        sink.emit("ssd_s47_enquiry", srow, s47e_s47_enquiry_id=sid, s47e_referral_id=ref_id, s47e_person_id=pid,
                  s47e_s47_start_date=start,
                  s47e_s47_outcome_json=json_list("ICPC not required") if not_required == "Y" else None)
        icpc_date = srow.date("dateofinitialcpc")
        if icpc_date is not None:
            iid = event_id(pid, "I", icpc_date)
            icpcs.append((icpc_date, iid))
            sink.emit("ssd_initial_cp_conference", srow, icpc_icpc_id=iid, icpc_s47_enquiry_id=sid,
                      icpc_person_id=pid, icpc_referral_id=ref_id, icpc_icpc_date=icpc_date,
                      icpc_icpc_target_date=srow.date("initialcpctarget"),
                      icpc_icpc_outcome_cp_flag="Y" if icpc_date in plan_starts else None)
    # The 2022 layout records the conference date on CINdetails itself.
    icpc_date = row.date("dateofinitialcpc")
    if icpc_date is not None and icpc_date not in {d for d, _ in icpcs}:
        iid = event_id(pid, "I", icpc_date)
        icpcs.append((icpc_date, iid))
        sink.emit("ssd_initial_cp_conference", row, icpc_icpc_id=iid, icpc_person_id=pid, icpc_referral_id=ref_id,
                  icpc_icpc_date=icpc_date, icpc_icpc_outcome_cp_flag="Y" if icpc_date in plan_starts else None)

    for cp, cprow, start in plans:
        plan_id = event_id(pid, "CPP", start)
        before = [iid for d, iid in sorted(icpcs) if d <= start]
        sink.emit("ssd_cp_plans", cprow, cppl_cp_plan_id=plan_id, cppl_referral_id=ref_id,
                  cppl_icpc_id=before[-1] if before else None, cppl_person_id=pid,
                  cppl_cp_plan_start_date=start, cppl_cp_plan_end_date=cprow.date("cppenddate"),
                  cppl_cp_plan_initial_category=cprow.code("initialcategoryofabuse", ABUSE)
                  if cprow.has("initialcategoryofabuse") else None,
                  cppl_cp_plan_latest_category=cprow.code("latestcategoryofabuse", ABUSE)
                  if cprow.has("latestcategoryofabuse") else None)
        for reviews in find_children(cp, "Reviews"):
            for r in find_children(reviews, "CPPreviewDate"):
                rrow = Row(sink, label, "CPPreviewDate", line_of(r), {"cppreviewdate": r.text},
                           {"cppreviewdate": "CPPreviewDate"}, child=pid)
                try:
                    when = rrow.date("cppreviewdate", required=True)
                except RowRejected as exc:
                    rrow.reject(exc)
                    continue
                sink.emit("ssd_cp_reviews", rrow, cppr_cp_review_id=event_id(plan_id, "RV", when),
                          cppr_person_id=pid, cppr_cp_plan_id=plan_id, cppr_cp_review_date=when)

    for pp in find_children(el, "PreProceedingsandFGDM") + find_children(el, "PreProceedings"):
        Row(sink, label, pp.tag, line_of(pp), {}, child=pid).report(
            NOT_IMPORTED, "pre-proceedings are not in the portal's tables")
