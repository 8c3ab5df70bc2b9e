"""Care leaver measures on a hand-built authority; expected figures worked out in the comments.
Period end 31 March 2026 unless said otherwise."""

import numpy as np
import pandas as pd
import pytest

from metrics import registry
from metrics.care_leavers import accommodation_suitable, care_leavers_on, in_eet
from metrics.periods import period_for
from metrics.settings import MetricSettings
from tests.source_fixtures import _frame

PEOPLE = {
    # id: (dob, death)
    "L1": ("2007-03-31", None),   # 19 on 31 Mar 2026 (birthday that day)
    "L2": ("2007-04-01", None),   # 18
    "L3": ("2004-04-01", None),   # 21
    "L4": ("2004-03-31", None),   # 22
    "L5": ("2006-01-01", "2026-02-01"),  # 20 but died
    "L6": ("2005-06-01", None),   # 20
    "L7": ("2006-06-01", None),   # 19
    "L8": ("2010-01-01", None),   # 16, still in care
    "L9": ("2000-01-01", None),   # 26
    "L10": ("2008-01-01", None),  # in care 2025-01-01 to 2026-01-01
}

RECORDS = [
    # person, eligibility, latest contact, accommodation, suitable, activity, pathway review, team, worker
    ("L1", "Former relevant", "2026-02-04", "B1", "Suitable", "F1", "2025-10-01", None, None),
    ("L2", "Former relevant", "2026-03-01", "B1", "Suitable", "F1", "2025-09-30", None, None),
    ("L3", "Former relevant", "2026-02-03", "B2", None, "G4", None, "T2", "W2"),
    ("L4", "Former relevant", "2026-03-01", "U1", None, "F2", "2026-01-01", None, None),
    ("L5", "Former relevant", "2026-01-20", "U1", None, "F2", "2026-01-01", None, None),
    ("L6", "Former relevant", None, "U1", None, "Part-time employment", "2026-04-02", None, None),
    ("L7", "Qualifying", "2026-04-10", "Z1", "Unsuitable", "NEET", "2026-01-01", "T2", "W2"),
    ("L8", "Eligible", "2026-03-01", None, None, None, "2026-03-01", None, None),
    ("L9", "Former relevant", "2026-03-01", "U1", "Suitable", "F1", "2026-03-01", None, None),
    ("L10", "Relevant", "2026-03-01", "U1", "Suitable", "F1", "2026-03-01", None, None),
]


@pytest.fixture()
def tables():
    t = {}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Leaving Care Service"},
        {"dept_team_id": "T1", "dept_team_name": "Leaving Care 1", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "Leaving Care 2", "dept_team_parent_id": "S1"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_professional_name": "Ann Lee"},
        {"prof_professional_id": "W2", "prof_professional_name": "Bo Chan"},
    ])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": p, "pers_forename": p, "pers_surname": "Test", "pers_dob": dob, "pers_death_date": death}
        for p, (dob, death) in PEOPLE.items()])
    t["ssd_care_leavers"] = _frame("ssd_care_leavers", [
        {"clea_table_id": f"R{i}", "clea_person_id": p, "clea_care_leaver_eligibility": e,
         "clea_care_leaver_latest_contact": c, "clea_care_leaver_accommodation": a,
         "clea_care_leaver_accom_suitable": s, "clea_care_leaver_activity": act,
         "clea_pathway_plan_review_date": pp, "clea_care_leaver_allocated_team": tm,
         "clea_care_leaver_worker_id": w, "clea_care_leaver_personal_advisor": "PA " + p}
        for i, (p, e, c, a, s, act, pp, tm, w) in enumerate(RECORDS)])
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": "E8", "clae_person_id": "L8", "clae_cla_episode_start_date": "2020-01-01"},
        {"clae_cla_episode_id": "E10", "clae_person_id": "L10", "clae_cla_episode_start_date": "2025-01-01",
         "clae_cla_episode_ceased_date": "2026-01-01", "clae_cla_episode_ceased_reason": "E17"},
    ])
    t["ssd_involvements"] = _frame("ssd_involvements", [
        {"invo_involvements_id": "I1", "invo_person_id": "L1", "invo_professional_id": "W1",
         "invo_professional_team": "T1", "invo_involvement_start_date": "2025-01-01"},
        # L7's allocation ended: grouped by the worker on the care leaver record instead.
        {"invo_involvements_id": "I2", "invo_person_id": "L7", "invo_professional_id": "W1",
         "invo_professional_team": "T1", "invo_involvement_start_date": "2025-01-01",
         "invo_involvement_end_date": "2026-01-01"},
    ])
    return t


def run(tables, measure_id, label="2026-03", by=None, settings=None):
    result = registry.get(measure_id).run(tables, [period_for(label)], by, settings)
    return result, result.summary.set_index("group")


def figures(summary, group="All"):
    return int(summary.at[group, "numerator"]), int(summary.at[group, "denominator"])


def test_who_is_a_care_leaver(tables):
    # 19-21 at 31 March 2026: L1 (19 today), L3 (21), L6, L7; not L2 (18), L4 (22), L5 (died).
    assert sorted(care_leavers_on(tables, "2026-03-31", 19, 21)["person_id"]) == ["L1", "L3", "L6", "L7"]
    # 16-25: also L2, L4 and L10 (left care on 1 Jan 2026); not L8 (in care), L9 (26).
    assert sorted(care_leavers_on(tables, "2026-03-31", 16, 25)["person_id"]) == \
        ["L1", "L10", "L2", "L3", "L4", "L6", "L7"]
    # On 31 Dec 2024 L10 (16) had not yet come into care, so was not a care leaver; on 1 Jan 2026
    # (the day care ended) they were.
    assert "L10" not in set(care_leavers_on(tables, "2024-12-31", 16, 25)["person_id"])
    assert "L10" in set(care_leavers_on(tables, "2026-01-01", 16, 25)["person_id"])


def test_in_touch(tables):
    result, s = run(tables, "cl_in_touch")
    # 8 weeks up to 31 March 2026 = 4 Feb - 31 Mar. L1 (4 Feb) in; L3 (3 Feb) out; L6 no contact
    # (out); L7's latest contact is after the period end: listed, not counted.
    assert figures(s) == (1, 3)
    rows = result.rows.set_index("person_id")
    assert rows.at["L7", "contact_after_period_end"] and not rows.at["L7", "in_denominator"]
    assert rows.at["L1", "days_since_contact"] == 55
    # 9 weeks: from 28 Jan, so L3 too.
    _, nine = run(tables, "cl_in_touch", settings=MetricSettings(care_leaver_contact_weeks=9))
    assert figures(nine) == (2, 3)
    # By worker: L1 held by Ann Lee; L3 and L7 (allocation ended) by the record's worker Bo Chan;
    # L6 none.
    _, w = run(tables, "cl_in_touch", by="worker")
    assert figures(w, "Ann Lee") == (1, 1) and figures(w, "Bo Chan") == (0, 1)
    assert figures(w, "Worker not recorded") == (0, 1)
    _, teams = run(tables, "cl_in_touch", by="team")
    assert figures(teams, "Leaving Care 1") == (1, 1) and figures(teams, "Leaving Care 2") == (0, 1)


def test_in_touch_a_year_earlier(tables):
    # 31 March 2025: L3 (20), L4 (21), L5 (19, alive then), L6 (19) are 19-21. The latest contacts
    # of L3, L4, L5 (Jan-Mar 2026) are after that date, and L6 has none: 3 of 4 records describe a
    # later time, so the month is blank (0 of 0) rather than "0 of 1 in touch" (L6 alone).
    rows, s = run(tables, "cl_in_touch", "2025-03")
    assert figures(s) == (0, 0) and s["value"].isna().all() and rows.rows.empty


def test_accommodation(tables):
    _, s = run(tables, "cl_accommodation")
    # L1 "Suitable" yes; L3 B2 (code: unsuitable) no; L6 U1 with no suitability (code: suitable)
    # yes; L7 "Unsuitable" no.
    assert figures(s) == (2, 4)
    assert accommodation_suitable(pd.Series(["Suitable", "Unsuitable", "", "", "Y", "No", "not suitable"]),
                                  pd.Series(["", "", "B1", "B2", "", "B1", ""])).tolist() == \
        [True, False, True, False, True, False, False]


def test_eet(tables):
    _, s = run(tables, "cl_eet")
    # L1 F1 yes; L3 G4 no; L6 "Part-time employment" yes; L7 NEET no.
    assert figures(s) == (2, 4)
    assert in_eet(pd.Series(["P4", "G6", "In education", "Not in education, employment or training",
                             "Unemployed", "", "Apprenticeship", "F3x"])).tolist() == \
        [True, False, True, False, False, False, True, False]


def test_pathway_plan(tables):
    result, s = run(tables, "cl_pathway_plan")
    # 16-25 care leavers: L1, L2, L3, L4, L6, L7, L10. L7 is "qualifying" (no pathway plan): out.
    # 6 months up to 31 March 2026 = 1 Oct 2025 on. L1 (1 Oct) yes; L2 (30 Sep) no; L3 none no;
    # L4 (Jan) yes; L6's review is after the period end: listed, not counted; L10 (Mar) yes.
    assert figures(s) == (3, 5)
    assert "L7" not in set(result.rows["person_id"])
    rows = result.rows.set_index("person_id")
    assert rows.at["L6", "review_after_period_end"] and not rows.at["L6", "in_denominator"]


def test_empty_month_has_a_row(tables):
    _, s = run(tables, "cl_eet", "2010-03")
    assert int(s.at["All", "denominator"]) == 0 and np.isnan(s.at["All", "value"])


# ---- boundaries: leap-day birthdays, Annex A values, the 6-month window ------------------------

def authority(people: dict, records: list, episodes=()):
    """people: id -> dob. records: (person, eligibility, accommodation, suitable, activity,
    pathway review). episodes: (person, start, ceased)."""
    t = {}
    t["ssd_department"] = _frame("ssd_department", [{"dept_team_id": "S1", "dept_team_name": "Leaving Care"}])
    t["ssd_professionals"] = _frame("ssd_professionals", [{"prof_professional_id": "W1", "prof_professional_name": "Ann Lee"}])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": p, "pers_forename": p, "pers_surname": "Test", "pers_dob": dob} for p, dob in people.items()])
    t["ssd_care_leavers"] = _frame("ssd_care_leavers", [
        {"clea_table_id": f"R{i}", "clea_person_id": p, "clea_care_leaver_eligibility": e,
         "clea_care_leaver_accommodation": a, "clea_care_leaver_accom_suitable": s,
         "clea_care_leaver_activity": act, "clea_pathway_plan_review_date": pp}
        for i, (p, e, a, s, act, pp) in enumerate(records)])
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": f"E{i}", "clae_person_id": p, "clae_cla_episode_start_date": s,
         "clae_cla_episode_ceased_date": c}
        for i, (p, s, c) in enumerate(episodes)])
    return t


@pytest.fixture()
def leap():
    people = {
        "M1": "2004-02-29",   # 21 on 28 Feb 2026 (22nd birthday taken as 1 March): in Feb, not March
        "M2": "2007-03-01",   # 18 on 28 Feb 2026, 19 on 1 March: in March, not Feb
        "M3": "2006-06-01", "M4": "2006-06-01", "M5": "2006-06-01", "M6": "2006-06-01",
        "M7": "2006-06-01", "M8": "2006-06-01",
    }
    records = [
        # person, eligibility, accommodation, suitability, activity, pathway review
        ("M1", "Former relevant", "U1", "Suitable", "F1", None),
        ("M2", "Former relevant", "U1", "a) Suitable", "a) F2", None),   # Annex A drop-down values
        ("M3", "Former relevant", "U1", "b) Unsuitable", "G5", None),
        ("M4", "Former relevant", "B2", None, "P3", None),                # code ends in 2: unsuitable
        ("M5", "Former relevant", "B1", None, "F3: Full time in training or employment", None),
        ("M6", "Former relevant", "U1", "Not suitable", "G6: NEET due to pregnancy or young parenthood", None),
        ("M7", "Former relevant", None, None, None, None),                # nothing recorded
        ("M8", "Former relevant", "U1", "Suitability not known", "Not in education, employment or training", None),
    ]
    return authority(people, records)


def test_accommodation_leap_day_birthday_and_annex_a_values(leap):
    result, s = run(leap, "cl_accommodation", "2026-02")
    # 28 Feb 2026, aged 19-21: M1 (21), M3-M8; not M2 (18). Suitable: M1 ("Suitable"), M5 (blank,
    # code B1). Not: M3 ("b) Unsuitable"), M4 (B2), M6 ("Not suitable"), M7 (not recorded),
    # M8 ("Suitability not known") -> 2 of 7.
    assert figures(s) == (2, 7)
    assert sorted(result.rows.loc[result.rows["in_numerator"], "person_id"]) == ["M1", "M5"]
    result, s = run(leap, "cl_accommodation", "2026-03")
    # 31 Mar 2026: M1 is 22 (out), M2 is 19 (in, "a) Suitable") -> M2, M5 of M2-M8: 2 of 7.
    assert figures(s) == (2, 7)
    assert sorted(result.rows.loc[result.rows["in_numerator"], "person_id"]) == ["M2", "M5"]


def test_eet_leap_day_birthday_and_codes(leap):
    result, s = run(leap, "cl_eet", "2026-02")
    # 28 Feb 2026 cohort M1, M3-M8. EET: M1 (F1), M4 (P3 part time), M5 ("F3: ... training or
    # employment"). Not: M3 (G5), M6 (G6 NEET), M7 (blank), M8 ("Not in education, ...") -> 3 of 7.
    assert figures(s) == (3, 7)
    assert sorted(result.rows.loc[result.rows["in_numerator"], "person_id"]) == ["M1", "M4", "M5"]
    result, s = run(leap, "cl_eet", "2026-03")
    # 31 Mar 2026: M1 out, M2 in ("a) F2") -> M2, M4, M5: 3 of 7.
    assert sorted(result.rows.loc[result.rows["in_numerator"], "person_id"]) == ["M2", "M4", "M5"]
    assert figures(s) == (3, 7)


def test_pathway_plan_six_months_back_from_31_august_in_a_leap_year():
    # 31 Aug 2028 less 6 months is 29 Feb 2028, so "the last 6 months" starts on 1 March 2028.
    people = {"N1": "2005-01-01", "N2": "2005-01-01",
              "N3": "2002-08-31",   # 26 on 31 Aug 2028: too old
              "N4": "2002-09-01",   # 25 until tomorrow: in
              "N5": "2012-08-31",   # 16 today, left care in June: in
              "N6": "2010-01-01",   # leaves care on 31 Aug 2028 itself: a care leaver that day
              "N7": "2010-01-01",   # leaves care on 1 Sep 2028: still in care on 31 Aug
              "N8": "2012-09-01"}   # 15
    records = [
        ("N1", "Former relevant", None, None, None, "2028-02-29"),   # exactly 6 months before: no
        ("N2", "Former relevant", None, None, None, "2028-03-01"),   # first day of the window: yes
        ("N3", "Former relevant", None, None, None, "2028-08-01"),
        ("N4", "Former relevant", None, None, None, "2028-08-31"),   # on the period end: yes
        ("N5", "Relevant", None, None, None, None),                  # no review: no
        ("N6", "Relevant", None, None, None, "2028-08-15"),          # yes
        ("N7", "Eligible", None, None, None, "2028-08-15"),
        ("N8", "Relevant", None, None, None, "2028-08-15"),
    ]
    episodes = [("N5", "2020-01-01", "2028-06-01"), ("N6", "2020-01-01", "2028-08-31"),
                ("N7", "2020-01-01", "2028-09-01"), ("N8", "2020-01-01", "2028-06-01")]
    result, s = run(authority(people, records, episodes), "cl_pathway_plan", "2028-08")
    # Cohort (16-25, not in care): N1, N2, N4, N5, N6. Reviewed from 1 March 2028: N2, N4, N6 -> 3 of 5.
    assert sorted(result.rows["person_id"]) == ["N1", "N2", "N4", "N5", "N6"]
    assert figures(s) == (3, 5)
    assert result.rows["window_start"].iloc[0] == pd.Timestamp("2028-03-01")
    assert sorted(result.rows.loc[result.rows["in_numerator"], "person_id"]) == ["N2", "N4", "N6"]


def test_a_past_month_the_records_no_longer_describe_is_blank(tables):
    # 30 September 2025: the 19-21 cohort is L3 (21), L4 (21), L5 (19, alive then), L6 (20) and L7
    # (19); L1 and L2 are 18. Latest contacts after the period end: L3, L4, L5, L7 (2026) = 4 of 5
    # (L6 has none) > half. For cl_pathway_plan (16-25) the cohort adds L1, L2 and L9: 7 of 8 after.
    # The records describe a later time, so nobody is counted and every value is blank.
    for measure_id in ("cl_in_touch", "cl_accommodation", "cl_eet", "cl_pathway_plan"):
        s = registry.get(measure_id).run(tables, [period_for("2025-09")], None, MetricSettings()).summary
        assert s["denominator"].sum() == 0 and s["value"].isna().all(), measure_id


def test_a_source_with_a_record_per_contact_gives_each_month_as_it_was(tables):
    # L3 (21 on 31 Mar 2026) also has an older record: contact 10 Mar 2025. On 31 March 2025 L3 is
    # 20; the records then: L3's older record (contact 10 Mar 2025, in the 8 weeks from 3 Feb:
    # in touch); L4 (21 then), L5 (19), L6 (19) as before (L4 and L5 contacts 2026: after the
    # period end; L6 none). "After" is 2 of 4, not more than half, so the month is counted:
    # denominator L3 + L6 = 2 (L4, L5 listed, not counted), numerator L3 = 1.
    t = dict(tables)
    extra = _frame("ssd_care_leavers", [
        {"clea_table_id": "OLD3", "clea_person_id": "L3", "clea_care_leaver_eligibility": "Former relevant",
         "clea_care_leaver_latest_contact": "2025-03-10", "clea_care_leaver_accommodation": "B1",
         "clea_care_leaver_accom_suitable": "Suitable", "clea_care_leaver_activity": "F1"}])
    t["ssd_care_leavers"] = pd.concat([tables["ssd_care_leavers"], extra], ignore_index=True)
    _, s = run(t, "cl_in_touch", "2025-03")
    assert figures(s) == (1, 2)
    # and the latest month still uses L3's latest record (3 Feb 2026: out of the 8 weeks), as before
    _, now = run(t, "cl_in_touch")
    assert figures(now) == (1, 3)
