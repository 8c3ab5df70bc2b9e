"""One "open at the period end" rule for every stock measure (metrics.front_door.open_at).

A plan, episode, placement or assessment is open at the end of day D when it started on or before
D and has no end date or one after D. So for each service the authority below has a pair of
children: *_END, whose plan/episode/placement ends exactly on the period end (31 March 2026), and
*_NEXT, whose ends the day after (1 April 2026). Every stock measure must leave out the first and
include the second; care leaver measures, which count young people who have *left* care, the
other way round. Month, quarter and year periods all end on 31 March 2026 here.

Every registered stock measure must appear below (or in NOT_APPLICABLE with a reason), so a new
stock measure cannot slip in with a rule of its own.

(Allocation - who holds the case on D, metrics.allocation - is a different rule: an involvement
ending on D still holds the case on D. It decides grouping and "allocated", not who is open.)
"""

import pandas as pd
import pytest

from metrics import registry
from metrics.periods import period_for
from tests.source_fixtures import _frame

END, NEXT = "2026-03-31", "2026-04-01"
PAIRS = {"CP": ("CP_END", "CP_NEXT"), "CIN": ("CIN_END", "CIN_NEXT"), "CLA": ("CLA_END", "CLA_NEXT")}
ENDS = {"_END": END, "_NEXT": NEXT}

# Measure -> the services whose END child must be left out and NEXT child counted.
OPEN_CASES = ["CP", "CIN", "CLA"]
MEASURE_PAIRS = {
    "assessments_overdue": ["CIN"],   # CIN_END's assessment is authorised on 31 Mar, CIN_NEXT's on 1 Apr
    "cp_plans": ["CP"], "cp_visits": ["CP"], "cp_reviews": ["CP"],
    "cin_plans": ["CIN"], "cin_visits": ["CIN"], "cin_reviews": ["CIN"],
    "cla": ["CLA"], "cla_visits": ["CLA"], "cla_reviews": ["CLA"], "cla_health": ["CLA"],
    "cla_dental": ["CLA"], "cla_sdq": ["CLA"], "cla_pep": ["CLA"], "cla_3plus": ["CLA"],
    "cla_long_term_stability": ["CLA"], "cla_residential": ["CLA"], "cla_distance": ["CLA"],
    "unallocated": OPEN_CASES, "case_supervision": OPEN_CASES, "worker_changes": OPEN_CASES,
}
# Checked in their own tests below.
SPECIAL = {"caseload", "cl_pathway_plan"}
NOT_APPLICABLE = {
    # Aged 19-21: nobody in the cohort can be in care, so no episode can end on the period end;
    # the care leaver side of the rule is checked through cl_pathway_plan (16-25).
    "cl_in_touch", "cl_accommodation", "cl_eet",
}
PERIODS = [("2026-03", "month"), ("2026-Q1", "quarter"), ("2026-03", "year")]


def authority(allocated: bool = True) -> dict:
    kids = [*[k for pair in PAIRS.values() for k in pair], "CL_END", "CL_NEXT"]

    def end_of(child):
        return ENDS["_END" if child.endswith("_END") else "_NEXT"]

    t = {}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Children's Social Care"},
        {"dept_team_id": "T1", "dept_team_name": "Team One", "dept_team_parent_id": "S1"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": w, "prof_professional_name": n, "prof_professional_department": "T1"}
        for w, n in [("WE", "Holds the END children"), ("WN", "Holds the NEXT children"), ("WC", "Holds the care leavers")]
    ])
    t["ssd_person"] = _frame("ssd_person", [
        # Aged 10 (17 for the care leavers) on 31 March 2026.
        {"pers_person_id": k, "pers_forename": k, "pers_surname": "Test",
         "pers_dob": "2009-01-01" if k.startswith("CL_") else "2016-01-01"} for k in kids])
    cp = [k for k in kids if k.startswith("CP_")]
    cin = [k for k in kids if k.startswith("CIN_")]
    looked_after = [k for k in kids if k.startswith(("CLA_", "CL_"))]
    # Referrals: open to social care until the plan ends.
    t["ssd_cin_episodes"] = _frame("ssd_cin_episodes", [
        {"cine_referral_id": "R" + k, "cine_person_id": k, "cine_referral_date": "2025-01-01",
         "cine_close_date": end_of(k), "cine_referral_nfa": "N"} for k in cp + cin])
    t["ssd_cin_assessments"] = _frame("ssd_cin_assessments", [
        {"cina_assessment_id": "A" + k, "cina_person_id": k, "cina_referral_id": "R" + k,
         "cina_assessment_start_date": "2026-01-05", "cina_assessment_auth_date": end_of(k)} for k in cin])
    t["ssd_cp_plans"] = _frame("ssd_cp_plans", [
        {"cppl_cp_plan_id": "P" + k, "cppl_person_id": k, "cppl_cp_plan_start_date": "2025-06-01",
         "cppl_cp_plan_end_date": end_of(k)} for k in cp])
    t["ssd_cp_visits"] = _frame("ssd_cp_visits", [
        {"cppv_cp_visit_id": f"V{k}{d}", "cppv_person_id": k, "cppv_cp_plan_id": "P" + k, "cppv_cp_visit_date": d}
        for k in cp for d in ("2026-03-10", "2026-03-24")])
    t["ssd_cp_reviews"] = _frame("ssd_cp_reviews", [
        {"cppr_cp_review_id": "RV" + k, "cppr_person_id": k, "cppr_cp_plan_id": "P" + k,
         "cppr_cp_review_date": "2025-08-20"} for k in cp])
    t["ssd_cin_plans"] = _frame("ssd_cin_plans", [
        {"cinp_cin_plan_id": "N" + k, "cinp_person_id": k, "cinp_referral_id": "R" + k,
         "cinp_cin_plan_start_date": "2025-06-01", "cinp_cin_plan_end_date": end_of(k)} for k in cin])
    t["ssd_cin_visits"] = _frame("ssd_cin_visits", [
        {"cinv_cin_visit_id": f"V{k}", "cinv_person_id": k, "cinv_cin_visit_date": "2026-03-16"} for k in cin])
    t["ext_cin_reviews"] = _frame("ext_cin_reviews", [
        {"cinr_id": "X" + k, "cinr_person_id": k, "cinr_cin_plan_id": "N" + k, "cinr_review_date": "2026-03-02"}
        for k in cin])
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": "E" + k, "clae_person_id": k, "clae_cla_id": "C" + k,
         "clae_cla_episode_start_date": "2020-01-01", "clae_entered_care_date": "2020-01-01",
         "clae_cla_episode_ceased_date": end_of(k), "clae_cla_placement_id": "PL" + k} for k in looked_after])
    # A private children's home 30 miles away, since care began and until care ends.
    t["ssd_cla_placement"] = _frame("ssd_cla_placement", [
        {"clap_cla_placement_id": "PL" + k, "clap_person_id": k, "clap_cla_id": "C" + k,
         "clap_cla_placement_start_date": "2020-01-01", "clap_cla_placement_end_date": end_of(k),
         "clap_cla_placement_type": "K2", "clap_cla_placement_provider": "PR4",
         "clap_cla_placement_urn": "SC1" + k, "clap_cla_placement_postcode": "LS1 1AA",
         "clap_cla_placement_distance": 30.0} for k in looked_after])
    t["ssd_cla_visits"] = _frame("ssd_cla_visits", [
        {"clav_cla_visit_id": f"V{k}", "clav_cla_id": "C" + k, "clav_person_id": k, "clav_cla_visit_date": "2026-03-20"}
        for k in looked_after])
    t["ssd_cla_reviews"] = _frame("ssd_cla_reviews", [
        {"clar_cla_review_id": "RV" + k, "clar_cla_id": "C" + k, "clar_cla_review_date": "2026-01-10"}
        for k in looked_after])
    t["ssd_cla_health"] = _frame("ssd_cla_health", [
        {"clah_health_check_id": f"H{k}{kind}", "clah_person_id": k, "clah_health_check_type": kind,
         "clah_health_check_date": "2026-01-10", "clah_health_check_status": "Completed"}
        for k in looked_after for kind in ("Health Assessment", "Dental Check")])
    t["ssd_sdq_scores"] = _frame("ssd_sdq_scores", [
        {"csdq_table_id": "Q" + k, "csdq_person_id": k, "csdq_sdq_completed_date": "2026-01-10", "csdq_sdq_score": "12"}
        for k in looked_after])
    t["ext_cla_pep"] = _frame("ext_cla_pep", [
        {"pepr_id": "PEP" + k, "pepr_person_id": k, "pepr_pep_date": "2026-02-10"} for k in looked_after])
    t["ssd_care_leavers"] = _frame("ssd_care_leavers", [
        {"clea_table_id": "CL" + k, "clea_person_id": k, "clea_care_leaver_eligibility": "Relevant",
         "clea_pathway_plan_review_date": "2026-03-01"} for k in ("CL_END", "CL_NEXT")])
    worker = {k: "WC" if k.startswith("CL_") else ("WE" if k.endswith("_END") else "WN") for k in kids}
    t["ssd_involvements"] = _frame("ssd_involvements", [
        {"invo_involvements_id": "I" + k, "invo_person_id": k, "invo_professional_id": worker[k],
         "invo_professional_team": "T1", "invo_involvement_start_date": "2019-01-01"}
        for k in (kids if allocated else [])])
    t["ext_case_supervision"] = _frame("ext_case_supervision", [
        {"supe_id": "S" + k, "supe_person_id": k, "supe_date": "2026-03-15"} for k in kids])
    return t


def people_in(measure_id: str, tables: dict, label: str, ptype: str) -> set:
    result = registry.get(measure_id).run(tables, [period_for(label, ptype)])
    return set(result.rows["person_id"])


def test_every_stock_measure_is_covered():
    stock = {m.id for m in registry.all_measures() if m.kind == "stock"}
    assert stock == set(MEASURE_PAIRS) | SPECIAL | NOT_APPLICABLE


@pytest.mark.parametrize("label,ptype", PERIODS)
@pytest.mark.parametrize("measure_id", sorted(MEASURE_PAIRS))
def test_ending_on_the_period_end_is_not_open(measure_id, label, ptype):
    # "unallocated" lists only children with no worker: run it on the same authority unallocated.
    tables = authority(allocated=measure_id != "unallocated")
    people = people_in(measure_id, tables, label, ptype)
    for service in MEASURE_PAIRS[measure_id]:
        ends_on_period_end, ends_day_after = PAIRS[service]
        assert ends_on_period_end not in people, f"{measure_id}: {service} ending on 31 March counted"
        assert ends_day_after in people, f"{measure_id}: {service} ending on 1 April not counted"


@pytest.mark.parametrize("label,ptype", PERIODS)
def test_caseload_counts_only_cases_open_at_the_period_end(label, ptype):
    result = registry.get("caseload").run(authority(), [period_for(label, ptype)])
    cases = result.rows.set_index("worker_id")["cases"].to_dict()
    # WN holds CP_NEXT, CIN_NEXT, CLA_NEXT; WE's three children all ended on 31 March, so WE has
    # no open case and is not listed; WC holds CL_NEXT (in care until 1 April) and CL_END (left
    # care on 31 March at 17: open as a care leaver).
    assert cases == {"WN": 3, "WC": 2}
    assert int(result.summary["numerator"].iloc[0]) == 5 and int(result.summary["denominator"].iloc[0]) == 2


@pytest.mark.parametrize("label,ptype", PERIODS)
def test_care_leavers_the_other_way_round(label, ptype):
    # Leaving care on 31 March makes a care leaver that day; leaving on 1 April does not.
    people = people_in("cl_pathway_plan", authority(), label, ptype)
    assert "CL_END" in people and "CL_NEXT" not in people
    # ... and the same two young people in the CLA count: CL_NEXT in care, CL_END not.
    in_care = people_in("cla", authority(), label, ptype)
    assert "CL_NEXT" in in_care and "CL_END" not in in_care


def test_a_month_later_both_have_ended():
    tables = authority()
    for measure_id, services in MEASURE_PAIRS.items():
        if measure_id == "unallocated":
            continue
        people = people_in(measure_id, tables, "2026-04", "month")
        for service in services:
            assert not set(PAIRS[service]) & people, measure_id


def test_open_at_rule():
    from metrics.front_door import open_at
    start = pd.Series(pd.to_datetime(["2026-01-01", "2026-01-01", "2026-01-01", "2026-03-31", "2026-04-01", None]))
    end = pd.Series(pd.to_datetime(["2026-03-31", "2026-04-01", None, None, None, None]))
    # Ends on the day: no; ends the next day: yes; no end: yes; starts on the day: yes; starts the
    # next day: no; no start: no.
    assert open_at(start, end, pd.Timestamp(END)).tolist() == [False, True, True, True, False, False]
    # A time of day on either side does not matter; scalars give a bool.
    assert open_at("2026-01-01", "2026-03-31 17:30", "2026-03-31") is False
    assert open_at("2026-03-31 09:00", None, pd.Timestamp("2026-03-31")) is True
