"""Assessment (child seen, overdue), section 47, ICPC and CP plan measures on a hand-built
authority. Every expected figure is worked out in the comments. 2026 calendar: Good Friday 3 Apr
and Easter Monday 6 Apr are bank holidays; March 2026 has 22 working days, February 20, April 20
(1-2, 7-10, 13-17, 20-24, 27-30). 2028 is a leap year (Tue 29 Feb)."""

import numpy as np
import pandas as pd
import pytest

from metrics import registry
from metrics.periods import period_for
from metrics.registry import MeasureUnavailable
from metrics.settings import MetricSettings
from tests.source_fixtures import _frame


@pytest.fixture()
def tables():
    t = {}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Safeguarding"},
        {"dept_team_id": "T1", "dept_team_name": "CP Team North", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "CP Team South", "dept_team_parent_id": "S1"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_professional_name": "Sam Jones", "prof_professional_department": "T1"},
        {"prof_professional_id": "W2", "prof_professional_name": "Ann Lee", "prof_professional_department": "T2"},
    ])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": f"C{i}", "pers_forename": f"Child{i}", "pers_surname": "Test"} for i in range(1, 12)
    ])
    t["ssd_involvements"] = _frame("ssd_involvements", [
        {"invo_involvements_id": iid, "invo_person_id": child, "invo_professional_id": w,
         "invo_professional_team": team, "invo_involvement_start_date": s, "invo_involvement_end_date": e}
        for iid, child, w, team, s, e in [
            ("I1", "C1", "W1", "T1", "2025-01-01", None),
            ("I2", "C5", "W2", "T2", "2026-01-01", "2026-04-30"),   # ends exactly on 30 Apr: still held then
            ("I3", "C6", "W1", "T1", "2026-01-01", None),
            ("I4", "C7", "W2", "T2", "2025-01-01", "2026-03-31"),   # ends exactly on 31 Mar
        ]
    ])
    t["ssd_cin_episodes"] = _frame("ssd_cin_episodes", [
        {"cine_referral_id": "R5", "cine_person_id": "C5", "cine_referral_date": "2026-02-20"},  # Fri
        {"cine_referral_id": "R6", "cine_person_id": "C6", "cine_referral_date": None},
    ])
    t["ssd_cin_assessments"] = _frame("ssd_cin_assessments", [
        {"cina_assessment_id": aid, "cina_person_id": child, "cina_referral_id": ref,
         "cina_assessment_start_date": s, "cina_assessment_auth_date": e, "cina_assessment_child_seen": seen,
         "cina_assessment_team": team, "cina_assessment_worker_id": w}
        for aid, child, ref, s, e, seen, team, w in [
            # completed: child seen
            ("A1", "C1", None, "2026-02-02", "2026-03-10", "Y", "T1", "W1"),
            ("A2", "C2", None, "2026-02-02", "2026-03-31 23:00", "N", "T2", "W2"),
            ("A3", "C3", None, "2026-03-01", "2026-04-01", None, "T1", "W1"),    # blank: not seen
            ("A4", "C4", None, "2026-03-02", "2026-03-20", "y", "T1", "W1"),
            # open at 30 Apr: WD from start to Thu 30 Apr
            ("O1", "C5", "R5", "2026-02-24", None, None, "T2", "W2"),  # 3 + 22 + 20 = 45: not overdue
            ("O2", "C6", "R6", "2026-02-23", None, None, "T1", "W1"),  # 46: overdue
            ("O3", "C7", None, "2026-01-05", "2026-04-30", None, "T2", "W2"),  # authorised on 30 Apr
            ("O4", "C8", None, "2026-05-01", None, None, "T1", "W1"),  # not started by 30 Apr
            ("O5", "C1", None, None, None, None, "T1", "W1"),          # no start: never open
        ]
    ])
    t["ssd_s47_enquiry"] = _frame("ssd_s47_enquiry", [
        {"s47e_s47_enquiry_id": sid, "s47e_person_id": child, "s47e_s47_start_date": s,
         "s47e_s47_completed_by_team": team, "s47e_s47_completed_by_worker_id": w}
        for sid, child, s, team, w in [
            ("S1", "C1", "2026-03-02", "T1", "W1"),
            ("S2", "C2", "2026-03-31 23:00", "T2", "W2"),
            ("S3", "C3", "2026-04-01", "T2", "W2"),
            ("S4", "C4", "2026-03-20", "T1", "W1"),
            ("S5", "C9", "2026-02-27", "T1", "W1"),
            ("S6", "C10", "2028-02-28", "T1", "W1"),
        ]
    ])
    t["ssd_initial_cp_conference"] = _frame("ssd_initial_cp_conference", [
        {"icpc_icpc_id": iid, "icpc_person_id": child, "icpc_s47_enquiry_id": s47, "icpc_icpc_date": d,
         "icpc_icpc_transfer_in": tr, "icpc_icpc_outcome_cp_flag": flag, "icpc_cp_plan_id": plan,
         "icpc_icpc_team": team, "icpc_icpc_worker_id": w}
        for iid, child, s47, d, tr, flag, plan, team, w in [
            # Mon 2 Mar -> Mon 23 Mar: 4 + 5 + 5 + 1 = 15 WD: in time (the last day)
            ("I1", "C1", "S1", "2026-03-23", "N", "Y", None, "T1", "W1"),
            # no S47 linked: listed, not counted for timeliness; no outcome, no plan
            ("I5", "C9", None, "2026-03-20", "N", None, None, "T1", "W1"),
            # Fri 20 Mar -> Tue 14 Apr: 5 + 2 + 2 + (Easter) 4 + 2 = 15: in time
            ("I2", "C4", "S4", "2026-04-14", "N", "Y", None, "T1", "W1"),
            # Tue 31 Mar (23:00) -> Fri 24 Apr: 2 + 4 + 5 + 5 = 16: late
            ("I3", "C2", "S2", "2026-04-24", "", "N", None, "T2", "W2"),
            # transfer-in: not counted for timeliness; outcome blank but a plan is linked
            ("I4", "C3", "S3", "2026-04-08", "Y", None, "P9", "T2", "W2"),
            # outcome blank, no plan ID on the ICPC, but plan P11 names this ICPC
            ("I7", "C11", None, "2026-04-27", "N", None, None, "T2", "W2"),
            # leap year: Mon 28 Feb 2028 -> Mon 20 Mar: 29 Feb + 3 + 5 + 5 + 1 = 15: in time
            ("I6", "C10", "S6", "2028-03-20", "N", "Y", None, "T1", "W1"),
        ]
    ])
    t["ssd_cp_plans"] = _frame("ssd_cp_plans", [
        {"cppl_cp_plan_id": pid, "cppl_person_id": child, "cppl_cp_plan_start_date": s,
         "cppl_cp_plan_end_date": e, "cppl_icpc_id": icpc}
        for pid, child, s, e, icpc in [
            ("P1", "C1", "2024-03-01", "2026-03-01", None),   # exactly 2 years: long
            ("P2", "C2", "2024-03-02", "2026-03-01", None),   # one day short of 2 years
            ("P5", "C5", "2026-01-10", "2026-03-31", None),   # ends on 31 Mar: not open at 31 Mar
            ("P6", "C6", "2026-03-31", None, None),           # starts on 31 Mar: open at 31 Mar
            ("P7", "C7", "2025-06-01", None, None),
            ("P8", "C7", "2026-02-01", None, None),           # C7's second open plan: one child
            ("P9", "C8", "2026-04-01", None, None),
            ("P10", "C1", "2026-03-15", None, None),          # C1's second plan (after P1)
            ("P11", "C11", "2026-04-28", None, "I7"),
            ("P12", "C9", "2026-01-20", "2026-01-25", None),  # two plans starting the same day:
            ("P13", "C9", "2026-01-20", "2026-01-25", None),  # neither is "previous" to the other
            ("P3", "C3", "2028-02-29", "2030-02-28", None),   # 29 Feb 2028 + 2 years = 28 Feb 2030: long
            ("P4", "C4", "2028-02-29", "2030-02-27", None),   # a day short
        ]
    ])
    return t


def summary(tables, measure_id, label, ptype="month", by=None, settings=None):
    result = registry.get(measure_id).run(tables, [period_for(label, ptype)], by, settings)
    return result, result.summary.set_index("group")


def nd(s, group="All"):
    return int(s.at[group, "numerator"]), int(s.at[group, "denominator"])


# ---- assessments ----------------------------------------------------------------------------------

def test_assessment_child_seen(tables):
    result, s = summary(tables, "assessment_child_seen", "2026-03")
    # Authorised in March: A1 (Y), A2 (N, 23:00 on the 31st), A4 ("y") -> 2 of 3.
    assert nd(s) == (2, 3)
    _, april = summary(tables, "assessment_child_seen", "2026-04")
    # April: A3 (blank: counted, not seen) and O3 (authorised 30 Apr, blank) -> 0 of 2.
    assert nd(april) == (0, 2)
    _, teams = summary(tables, "assessment_child_seen", "2026-03", by="team")
    assert nd(teams, "CP Team North") == (2, 2) and nd(teams, "CP Team South") == (0, 1)


def test_assessments_overdue_day_45_and_46(tables):
    result, s = summary(tables, "assessments_overdue", "2026-04")
    # Open at 30 Apr: O1 (45 WD: not overdue) and O2 (46: overdue). O3 was authorised on 30 Apr,
    # O4 starts in May, O5 has no start -> count 1.
    assert s.at["All", "value"] == 1 and np.isnan(s.at["All", "denominator"])
    rows = result.rows.set_index("assessment_id")
    assert sorted(rows.index) == ["O1", "O2"]
    assert (rows.at["O1", "working_days"], rows.at["O2", "working_days"]) == (45, 46)
    assert str(rows.at["O2", "due_date"].date()) == "2026-04-29"  # 45 WD after Mon 23 Feb


def test_assessments_overdue_at_an_earlier_month_end(tables):
    result, s = summary(tables, "assessments_overdue", "2026-03")
    # Open at 31 Mar: O1 (25 WD), O2 (26), O3 (5 Jan -> 31 Mar: 4 + 15 + 20 + 22 = 61: overdue),
    # A3 (authorised 1 Apr; 22 WD). A2 was authorised on 31 Mar itself -> not open.
    assert s.at["All", "value"] == 1
    assert sorted(result.rows["assessment_id"]) == ["A3", "O1", "O2", "O3"]
    assert result.rows.set_index("assessment_id").at["O3", "working_days"] == 61


def test_assessments_overdue_from_referral(tables):
    settings = MetricSettings(assessment_start_point="referral")
    result, s = summary(tables, "assessments_overdue", "2026-04", settings=settings)
    # From the referral: O1 from Fri 20 Feb = 47 WD: overdue. O2's referral has no date: listed,
    # flagged, not counted -> 1 (a different assessment from the default setting).
    assert s.at["All", "value"] == 1
    rows = result.rows.set_index("assessment_id")
    assert rows.at["O1", "in_numerator"] and rows.at["O2", "start_missing"] and not rows.at["O2", "in_numerator"]


def test_assessments_overdue_by_allocation_at_period_end(tables):
    _, s = summary(tables, "assessments_overdue", "2026-04", by="team")
    # O2 (C6, W1 North) overdue; O1 (C5, W2 South until 30 Apr inclusive) open, not overdue.
    assert s.at["CP Team North", "value"] == 1 and s.at["CP Team South", "value"] == 0


# ---- section 47 -----------------------------------------------------------------------------------

def test_s47(tables):
    result, s = summary(tables, "s47", "2026-03")
    # March: S1, S2 (23:00 on the 31st), S4.
    assert s.at["All", "value"] == 3
    _, teams = summary(tables, "s47", "2026-03", by="team")
    assert teams.at["CP Team North", "value"] == 2 and teams.at["CP Team South", "value"] == 1
    _, year = summary(tables, "s47", "2026-03", "year")
    assert year.at["All", "value"] == 4  # 2025-26: S1, S2, S4 and S5 (27 Feb 2026)


# ---- ICPCs -----------------------------------------------------------------------------------------

def test_icpc_timeliness_day_15_over_easter_and_day_16(tables):
    result, s = summary(tables, "icpc_timeliness", "2026-04")
    # April: I2 (15 WD over Easter: in), I3 (16: late); I4 transfer-in and I7 (no S47) not counted.
    assert nd(s) == (1, 2)
    rows = result.rows.set_index("icpc_id")
    assert (rows.at["I2", "working_days"], rows.at["I3", "working_days"]) == (15, 16)
    assert (rows.at["I2", "band"], rows.at["I3", "band"]) == ("11-15", "16-20")
    assert rows.at["I4", "transfer_in"] and not rows.at["I4", "in_denominator"]
    assert rows.at["I7", "s47_start_missing"] and not rows.at["I7", "in_denominator"]


def test_icpc_timeliness_march_and_leap_year(tables):
    _, march = summary(tables, "icpc_timeliness", "2026-03")
    assert nd(march) == (1, 1)  # I1 (15 WD); I5 has no S47
    result, leap = summary(tables, "icpc_timeliness", "2028-03")
    assert nd(leap) == (1, 1) and result.rows["working_days"].tolist() == [15]


def test_icpc_timeliness_by_team(tables):
    _, s = summary(tables, "icpc_timeliness", "2026-04", by="team")
    assert nd(s, "CP Team North") == (1, 1)   # I2
    assert nd(s, "CP Team South") == (0, 1)   # I3 (I4, I7 not counted)


def test_icpc_timeliness_needs_s47_table(tables):
    del tables["ssd_s47_enquiry"]
    with pytest.raises(MeasureUnavailable, match="ssd_s47_enquiry"):
        registry.get("icpc_timeliness").run(tables, [period_for("2026-04")])


def test_icpc_to_plan(tables):
    result, s = summary(tables, "icpc_to_plan", "2026-04")
    # April: I2 (Y), I3 (N), I4 (blank, plan P9 on the ICPC), I7 (blank, plan P11 names it) -> 3 of 4.
    assert nd(s) == (3, 4)
    _, march = summary(tables, "icpc_to_plan", "2026-03")
    assert nd(march) == (1, 2)  # I1 (Y); I5 blank with no plan
    # Without the plans table only the ICPC's own plan ID links: I7 no longer counts.
    del tables["ssd_cp_plans"]
    _, s2 = summary(tables, "icpc_to_plan", "2026-04")
    assert nd(s2) == (2, 4)


# ---- CP plans --------------------------------------------------------------------------------------

def test_cp_plans_at_month_end(tables):
    result, s = summary(tables, "cp_plans", "2026-03")
    # Open at 31 Mar: C1 (P10), C6 (P6 starts that day), C7 (P7 and P8: once). P5 ends on 31 Mar,
    # P1 and P2 ended 1 Mar, P9 starts 1 Apr -> 3 children.
    assert s.at["All", "value"] == 3
    rows = result.rows.set_index("person_id")
    assert rows.at["C7", "open_plans"] == 2 and rows.at["C7", "cp_plan_id"] == "P8"
    _, feb = summary(tables, "cp_plans", "2026-02")
    assert feb.at["All", "value"] == 4  # 28 Feb: C1 (P1), C2 (P2), C5 (P5), C7


def test_cp_plans_grouped_by_allocation_at_period_end(tables):
    _, s = summary(tables, "cp_plans", "2026-03", by="team")
    # 31 Mar: C1 and C6 with North; C7's South allocation ends on 31 Mar and still holds.
    assert s.at["CP Team North", "value"] == 2 and s.at["CP Team South", "value"] == 1
    _, april = summary(tables, "cp_plans", "2026-04", by="worker")
    # 30 Apr: C1, C6 (Sam Jones); C7 (allocation ended), C8, C11 unallocated.
    assert april.at["Sam Jones", "value"] == 2 and april.at["Worker not recorded", "value"] == 3


def test_cp_plans_quarter_is_the_position_at_quarter_end(tables):
    _, s = summary(tables, "cp_plans", "2026-Q1", "quarter")
    assert s.at["All", "value"] == 3


def test_cp_repeat(tables):
    result, s = summary(tables, "cp_repeat", "2026-03")
    # Starting in March: P10 (C1 had P1: repeat), P6 (C6's first) -> 1 of 2.
    assert nd(s) == (1, 2)
    assert result.rows.set_index("cp_plan_id").at["P10", "previous_plans"] == 1
    _, feb = summary(tables, "cp_repeat", "2026-02")
    assert nd(feb) == (1, 1)  # P8: C7 has P7 (still open) before it
    _, jan = summary(tables, "cp_repeat", "2026-01")
    assert nd(jan) == (0, 3)  # P5, and C9's same-day P12 and P13
    _, teams = summary(tables, "cp_repeat", "2026-03", by="team")
    assert nd(teams, "CP Team North") == (1, 2)  # C1 and C6 both with North on their start dates


def test_cp_long(tables):
    result, s = summary(tables, "cp_long", "2026-03")
    # Ending in March: P1 (exactly 2 years: yes), P2 (a day short), P5 (11 weeks) -> 1 of 3.
    assert nd(s) == (1, 3)
    rows = result.rows.set_index("cp_plan_id")
    assert rows.at["P1", "duration_days"] == 730 and rows.at["P2", "duration_days"] == 729
    _, leap = summary(tables, "cp_long", "2030-02")
    assert nd(leap) == (1, 2)  # P3 (29 Feb 2028 -> 28 Feb 2030: yes), P4 (27 Feb: no)
    _, teams = summary(tables, "cp_long", "2026-03", by="team")
    # Allocation on the end date: P1 (C1, North), P5 (C5, South on 31 Mar), P2 (C2, none).
    assert nd(teams, "CP Team North") == (1, 1) and nd(teams, "CP Team South") == (0, 1)
    assert nd(teams, "Team not recorded") == (0, 1)


def test_cp_long_empty_month(tables):
    _, s = summary(tables, "cp_long", "2026-05")
    assert nd(s) == (0, 0) and np.isnan(s.at["All", "value"])


def test_several_periods(tables):
    periods = [period_for(m) for m in ("2026-01", "2026-02", "2026-03", "2026-04")]
    s = registry.get("cp_plans").run(tables, periods).summary
    # 31 Jan: C1 (P1), C2 (P2), C5 (P5), C7 (P7) = 4; 28 Feb 4; 31 Mar 3; 30 Apr: C1, C6, C7, C8, C11 = 5.
    assert s["period"].tolist() == ["2026-01", "2026-02", "2026-03", "2026-04"]
    assert s["value"].tolist() == [4, 4, 3, 5]


def test_cp_plans_needs_its_table(tables):
    del tables["ssd_cp_plans"]
    for mid in ("cp_plans", "cp_repeat", "cp_long"):
        with pytest.raises(MeasureUnavailable, match="not available from this source"):
            registry.get(mid).run(tables, [period_for("2026-03")])


def test_rows_carry_names_and_org(tables):
    result, _ = summary(tables, "cp_plans", "2026-03", by="service")
    rows = result.rows.set_index("person_id")
    assert rows.at["C1", "child_name"] == "Child1 Test"
    assert rows.at["C1", "service"] == "Safeguarding" and rows.at["C1", "group"] == "Safeguarding"
    assert pd.Timestamp(rows.at["C1", "as_at"]) == pd.Timestamp("2026-03-31")


def test_registration():
    m = {x.id: x for x in registry.all_measures()}
    assert (m["icpc_timeliness"].default_target, m["icpc_timeliness"].polarity) == (0.75, "high")
    assert (m["assessments_overdue"].kind, m["assessments_overdue"].polarity) == ("stock", "low")
    assert (m["cp_plans"].kind, m["cp_long"].benchmark_key, m["s47"].benchmark_key) == ("stock", "CPPlans2yrs", "Section_47")


MEASURES = ["assessment_child_seen", "assessments_overdue", "s47", "icpc_timeliness", "icpc_to_plan", "cp_plans", "cp_repeat", "cp_long"]
MONTHS = ["2026-01", "2026-03", "2026-04", "2028-03", "2030-02"]

def test_same_figures_with_the_cache_string_types(tables):
    # The Parquet cache hands measures pandas "str" columns, not the object columns built here.
    import pyarrow as pa
    cached = {k: pa.Table.from_pandas(v, preserve_index=False).to_pandas() for k, v in tables.items()}
    periods = [period_for(m) for m in MONTHS]
    for mid in MEASURES:
        for by in (None, "team", "worker"):
            a = registry.get(mid).run(tables, periods, by)
            b = registry.get(mid).run(cached, periods, by)
            pd.testing.assert_frame_equal(a.summary, b.summary)
            assert a.rows["in_numerator"].tolist() == b.rows["in_numerator"].tolist()
