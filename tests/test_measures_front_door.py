"""Front door and early help measures on a hand-built authority. Every expected figure is worked
out in the comments. 2026 calendar: Thu 2 Apr, then Good Friday 3 Apr and Easter Monday 6 Apr
are bank holidays; Mon 4 May is a bank holiday. 2028 is a leap year (Tue 29 Feb)."""

import numpy as np
import pandas as pd
import pytest

from metrics import registry
from metrics.front_door import outcome_has_referral
from metrics.periods import period_for
from metrics.registry import MeasureUnavailable
from tests.source_fixtures import _frame


@pytest.fixture()
def tables():
    t = {}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Front Door Service"},
        {"dept_team_id": "T1", "dept_team_name": "MASH", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "Early Help Hub", "dept_team_parent_id": "S1"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_professional_name": "Sam Jones", "prof_professional_department": "T1"},
        {"prof_professional_id": "W2", "prof_professional_name": "Ann Lee", "prof_professional_department": "T2"},
    ])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": f"C{i}", "pers_forename": f"Child{i}", "pers_surname": "Test"} for i in range(1, 8)
    ])
    t["ssd_involvements"] = _frame("ssd_involvements", [
        # C1 allocated to W1 (T1) from 1 Jan 2026; C2 to W2 (T2) until 31 Mar 2026; C5 to W2 (T2).
        {"invo_involvements_id": "I1", "invo_person_id": "C1", "invo_professional_id": "W1",
         "invo_professional_team": "T1", "invo_involvement_start_date": "2026-01-01"},
        {"invo_involvements_id": "I2", "invo_person_id": "C2", "invo_professional_id": "W2",
         "invo_professional_team": "T2", "invo_involvement_start_date": "2025-01-01",
         "invo_involvement_end_date": "2026-03-31"},
        {"invo_involvements_id": "I3", "invo_person_id": "C5", "invo_professional_id": "W2",
         "invo_professional_team": "T2", "invo_involvement_start_date": "2026-01-01"},
    ])
    t["ssd_contacts"] = _frame("ssd_contacts", [
        {"cont_contact_id": cid, "cont_person_id": child, "cont_contact_date": when,
         "cont_contact_outcome_json": outcome, "cont_contact_source_code": "1A"}
        for cid, child, when, outcome in [
            ("K1", "C1", "2026-04-02 09:00", '{"OUTCOME_NEW_REFERRAL_FLAG": "Y", "OUTCOME_NFA_FLAG": "N"}'),
            ("K2", "C1", "2026-04-02", '{"OUTCOME_NEW_REFERRAL_FLAG": "N", "OUTCOME_EXISTING_REFERRAL_FLAG": "Y"}'),
            ("K3", "C2", "2026-04-10 17:45", "CIN Referral"),
            ("K4", "C2", "2026-04-13", "EH Referral"),
            ("K5", "C3", "2026-04-15", '["NFA", "ADVICE"]'),
            ("K6", "C3", "2026-04-30 23:30", '["REFERRAL"]'),
            ("K7", "C1", "2026-05-01 00:00", None),
            ("K8", "C2", "2026-03-31", '{"OUTCOME_COMMENTS": "referred to school nurse", "OUTCOME_ADVICE_FLAG": "Y"}'),
        ]
    ])
    t["ext_contact_decisions"] = _frame("ext_contact_decisions", [
        {"cond_contact_id": cid, "cond_decision_date": d}
        for cid, d in [
            ("K1", "2026-04-07"),  # Thu 2 Apr -> (Fri 3, Mon 6 bank holidays) Tue 7 = 1 WD: in time
            ("K2", "2026-04-08"),  # 2 WD: late
            ("K3", "2026-04-13"),  # Fri 10 (17:45) -> Mon 13 = 1 WD: in time
            ("K4", "2026-04-13"),  # same day = 0 WD: in time
            # K5: no decision recorded -> listed, not counted
            ("K6", "2026-05-01"),  # Thu 30 Apr 23:30 -> Fri 1 May = 1 WD: in time (an April contact)
            ("K7", "2026-05-05"),  # Fri 1 May -> (Mon 4 May bank holiday) Tue 5 = 1 WD: in time
            ("K8", "2026-04-01"),  # Tue 31 Mar -> Wed 1 Apr = 1 WD: in time (a March contact)
        ]
    ])
    t["ssd_cin_episodes"] = _frame("ssd_cin_episodes", [
        {"cine_referral_id": rid, "cine_person_id": child, "cine_referral_date": when,
         "cine_referral_nfa": nfa, "cine_referral_team": team, "cine_referral_worker_id": worker}
        for rid, child, when, nfa, team, worker in [
            ("R1", "C1", "2025-03-15", "N", "T1", "W1"),
            ("R2", "C1", "2026-03-15", "N", "T1", "W1"),        # R1 exactly 12 months before: re-referral
            ("R3", "C1", "2026-03-20", "Y", "T2", "W2"),        # R2 5 days before: re-referral; NFA
            ("R4", "C2", "2025-03-14", "N", "T1", "W1"),
            ("R5", "C2", "2026-03-16", None, "T1", "W1"),       # R4 is 12 months + 2 days before: not
            ("R10", "C5", "2026-03-31 23:00", "y", "T1", "W1"),  # first referral; NFA; still March
            ("R12", "C6", "2026-04-01", "N", "T1", "W1"),       # April
            ("R6", "C3", "2028-02-29", "N", "T1", "W1"),
            ("R7", "C3", "2029-02-28", "N", "T1", "W1"),        # 28 Feb 2029 - 12 months = 28 Feb 2028 <= 29 Feb: re-referral
            ("R8", "C4", "2028-02-29", "N", "T1", "W1"),
            ("R9", "C4", "2029-03-01", "N", "T1", "W1"),        # window starts 1 Mar 2028 > 29 Feb: not
            ("R13", "C7", None, "Y", "T1", "W1"),               # no referral date: never counted
            ("R14", "C7", "2026-06-10 09:00", "N", "T1", "W1"),  # two referrals on the same day:
            ("R15", "C7", "2026-06-10 15:00", "N", "T1", "W1"),  # neither is the other's "previous"
        ]
    ])
    t["ssd_early_help_episodes"] = _frame("ssd_early_help_episodes", [
        {"earl_episode_id": eid, "earl_person_id": child, "earl_episode_start_date": start,
         "earl_episode_end_date": end, "earl_episode_worker_id": worker}
        for eid, child, start, end, worker in [
            ("E1", "C1", "2025-01-10", "2025-05-31", "W1"),
            ("E2", "C1", "2026-05-31", None, "W1"),        # E1 ended exactly 12 months before: repeat
            ("E3", "C2", "2025-01-01", "2025-05-30", "W2"),
            ("E4", "C2", "2026-05-31", None, "W2"),        # E3 ended 12 months + 1 day before: not
            ("E5", "C3", "2026-04-01", "2026-05-15", "W2"),
            ("E6", "C3", "2026-05-15", None, None),        # E5 ended the day E6 started: repeat
            ("E7", "C4", "2026-05-01", None, "W1"),        # first episode
            ("E8", "C4", "2026-05-20", None, "W1"),        # E7 still open (not ended): not a repeat
            ("E9", "C5", "2026-05-10", "2026-05-12", None),  # first episode; no worker -> C5's allocation (T2)
        ]
    ])
    return t


def summary(tables, measure_id, label, ptype="month", by=None):
    result = registry.get(measure_id).run(tables, [period_for(label, ptype)], by)
    return result, result.summary.set_index("group")


def nd(s, group="All"):
    return int(s.at[group, "numerator"]), int(s.at[group, "denominator"])


# ---- contacts --------------------------------------------------------------------------------------

def test_contacts_count_by_date_with_month_end_times(tables):
    result, s = summary(tables, "contacts", "2026-04")
    # April: K1-K6 (K6 at 23:30 on 30 Apr is still April); K7 (1 May 00:00) is May; K8 is March.
    assert s.at["All", "value"] == 6 and np.isnan(s.at["All", "denominator"])
    assert sorted(result.rows["contact_id"]) == ["K1", "K2", "K3", "K4", "K5", "K6"]
    _, may = summary(tables, "contacts", "2026-05")
    _, march = summary(tables, "contacts", "2026-03")
    assert may.at["All", "value"] == 1 and march.at["All", "value"] == 1


def test_contacts_grouped_by_allocation_on_the_contact_date(tables):
    _, teams = summary(tables, "contacts", "2026-04", by="team")
    # K1, K2: C1 allocated to MASH. K3, K4: C2's allocation ended 31 Mar. K5, K6: C3 never allocated.
    assert teams.at["MASH", "value"] == 2
    assert teams.at["Team not recorded", "value"] == 4
    _, march = summary(tables, "contacts", "2026-03", by="team")
    # K8 on 31 Mar: C2's allocation ends that day and still holds.
    assert list(march.index) == ["Early Help Hub"]


def test_contacts_without_allocation_table(tables):
    del tables["ssd_involvements"]
    _, s = summary(tables, "contacts", "2026-04", by="team")
    assert list(s.index) == ["Team not recorded"] and s.at["Team not recorded", "value"] == 6


def test_contact_timeliness_bank_holidays_and_missing_decisions(tables):
    result, s = summary(tables, "contact_timeliness", "2026-04")
    # Decided: K1 (1 WD over Easter, in), K2 (2, late), K3 (1, in), K4 (0, in), K6 (1, in) -> 4 of 5.
    assert nd(s) == (4, 5)
    assert s.at["All", "value"] == pytest.approx(0.8)
    rows = result.rows.set_index("contact_id")
    assert rows.at["K1", "working_days"] == 1 and rows.at["K2", "working_days"] == 2
    assert rows.at["K5", "decision_missing"] and not rows.at["K5", "in_denominator"]
    _, may = summary(tables, "contact_timeliness", "2026-05")
    assert nd(may) == (1, 1)  # K7: Fri 1 May -> Tue 5 May over the May Day bank holiday


def test_contact_timeliness_by_team(tables):
    _, s = summary(tables, "contact_timeliness", "2026-04", by="team")
    # MASH: K1 in, K2 late -> 1/2. Not recorded: K3, K4, K6 in (K5 not counted) -> 3/3.
    assert nd(s, "MASH") == (1, 2)
    assert nd(s, "Team not recorded") == (3, 3)


def test_contact_timeliness_needs_the_decisions_table(tables):
    del tables["ext_contact_decisions"]
    with pytest.raises(MeasureUnavailable, match="not available from this source"):
        registry.get("contact_timeliness").run(tables, [period_for("2026-04")])
    # The other contact measures do not need it.
    registry.get("contacts").run(tables, [period_for("2026-04")])


def test_contact_to_referral(tables):
    result, s = summary(tables, "contact_to_referral", "2026-04")
    # Referral outcomes: K1 (new referral flag Y), K3 ("CIN Referral"), K6 (["REFERRAL"]).
    # Not: K2 (existing referral only), K4 (early help referral), K5 (NFA/advice) -> 3 of 6.
    assert nd(s) == (3, 6)
    assert sorted(result.rows.loc[result.rows["in_numerator"], "contact_id"]) == ["K1", "K3", "K6"]
    _, march = summary(tables, "contact_to_referral", "2026-03")
    assert nd(march) == (0, 1)  # K8: "referred" only appears in a comment


@pytest.mark.parametrize("outcome,expected", [
    ('{"OUTCOME_NEW_REFERRAL_FLAG": "Y"}', True),
    ('{"NEW_REFERRAL_FLAG": "Y", "NFA_FLAG": "N"}', True),
    ('{"OUTCOME_NEW_REFERRAL_FLAG": "N", "OUTCOME_NFA_FLAG": "Y"}', False),
    ('{"OUTCOME_EXISTING_REFERRAL_FLAG": "Y"}', False),
    ("CIN Referral", True),
    ("EH Referral", False),
    ('["Referral to children\'s social care"]', True),   # the demo generator's form
    ('["Early help"]', False),
    ('["Signposted to universal services"]', False),
    ('["REFERRAL", "ADVICE"]', True),
    ('["EARLY_HELP_REFERRAL"]', False),
    ("Referral to other agency", False),
    ('{"outcome": "Referral to children\'s social care"}', True),
    ('{"OUTCOME_COMMENTS": "referred to school nurse"}', False),
    ("No referral", False),
    ("", False),
    (None, False),
])
def test_outcome_has_referral(outcome, expected):
    assert outcome_has_referral(pd.Series([outcome], dtype=object)).tolist() == [expected]


# ---- referrals -------------------------------------------------------------------------------------

def test_referrals_count(tables):
    result, s = summary(tables, "referrals", "2026-03")
    # March 2026: R2, R3, R5, R10 (23:00 on the 31st). R13 has no date.
    assert s.at["All", "value"] == 4
    assert sorted(result.rows["referral_id"]) == ["R10", "R2", "R3", "R5"]
    _, teams = summary(tables, "referrals", "2026-03", by="team")
    assert teams.at["MASH", "value"] == 3 and teams.at["Early Help Hub", "value"] == 1  # recorded team


def test_re_referrals_exact_twelve_months(tables):
    result, s = summary(tables, "re_referrals", "2026-03")
    # R2 (R1 exactly 12 months before: yes), R3 (R2 5 days before: yes), R5 (12 months + 2 days: no),
    # R10 (first: no) -> 2 of 4.
    assert nd(s) == (2, 4)
    rows = result.rows.set_index("referral_id")
    assert str(rows.at["R2", "previous_referral_date"].date()) == "2025-03-15"
    assert rows.at["R3", "days_since_previous"] == 5
    assert not rows.at["R5", "in_numerator"]


def test_re_referrals_leap_year(tables):
    _, feb = summary(tables, "re_referrals", "2029-02")
    assert nd(feb) == (1, 1)   # R7: previous 29 Feb 2028 is within 12 months of 28 Feb 2029
    _, mar = summary(tables, "re_referrals", "2029-03")
    assert nd(mar) == (0, 1)   # R9: 1 Mar 2029 - 12 months = 1 Mar 2028, after 29 Feb


def test_re_referrals_by_worker_and_year(tables):
    _, s = summary(tables, "re_referrals", "2026-03", by="worker")
    # Sam Jones: R2 (yes), R5, R10 (no) -> 1/3. Ann Lee: R3 (yes) -> 1/1.
    assert nd(s, "Sam Jones") == (1, 3) and nd(s, "Ann Lee") == (1, 1)
    _, year = summary(tables, "re_referrals", "2026-03", "year")
    # 2025-26 (Apr 2025 - Mar 2026): the same four; R1 and R4 (March 2025) are 2024-25.
    assert nd(year) == (2, 4)


def test_same_day_referrals_are_not_re_referrals(tables):
    result, s = summary(tables, "re_referrals", "2026-06")
    assert nd(s) == (0, 2)
    assert result.rows["previous_referral_date"].isna().all()


def test_referral_nfa(tables):
    _, s = summary(tables, "referral_nfa", "2026-03")
    # R3 "Y" and R10 "y" -> NFA; R2 "N", R5 blank -> not: 2 of 4.
    assert nd(s) == (2, 4)
    _, april = summary(tables, "referral_nfa", "2026-04")
    assert nd(april) == (0, 1)


def test_empty_period_has_a_row(tables):
    _, s = summary(tables, "re_referrals", "2027-06")
    assert nd(s) == (0, 0) and np.isnan(s.at["All", "value"])
    _, c = summary(tables, "referrals", "2027-06")
    assert c.at["All", "value"] == 0


# ---- early help ------------------------------------------------------------------------------------

def test_eh_episodes(tables):
    result, s = summary(tables, "eh_episodes", "2026-05")
    # Starting in May 2026: E2, E4, E6, E7, E8, E9.
    assert s.at["All", "value"] == 6
    _, teams = summary(tables, "eh_episodes", "2026-05", by="team")
    # Recorded worker's team: W1 (MASH) E2, E7, E8; W2 (Early Help Hub) E4. No worker: E6 (C3
    # never allocated) -> not recorded; E9 (C5 allocated to W2 in Early Help Hub).
    assert teams.at["MASH", "value"] == 3
    assert teams.at["Early Help Hub", "value"] == 2
    assert teams.at["Team not recorded", "value"] == 1
    assert result.rows.set_index("episode_id").at["E9", "worker"] == "Ann Lee"


def test_eh_repeat(tables):
    result, s = summary(tables, "eh_repeat", "2026-05")
    # E2 (E1 ended exactly 12 months before: yes), E4 (12 months + 1 day: no), E6 (E5 ended the
    # same day: yes), E7 (first: no), E8 (E7 not ended: no), E9 (first: no) -> 2 of 6.
    assert nd(s) == (2, 6)
    rows = result.rows.set_index("episode_id")
    assert rows.at["E6", "previous_episode_id"] == "E5"
    assert not rows.at["E8", "in_numerator"] and rows.at["E8", "previous_episode_id"] != "E7"
    _, workers = summary(tables, "eh_repeat", "2026-05", by="worker")
    assert nd(workers, "Sam Jones") == (1, 3)  # E2 yes, E7 and E8 no
    _, april = summary(tables, "eh_repeat", "2026-04")
    assert nd(april) == (0, 1)  # E5 is C3's first episode


def test_eh_needs_its_table(tables):
    del tables["ssd_early_help_episodes"]
    for mid in ("eh_episodes", "eh_repeat"):
        with pytest.raises(MeasureUnavailable):
            registry.get(mid).run(tables, [period_for("2026-05")])


def test_registration():
    m = {x.id: x for x in registry.all_measures()}
    assert (m["contact_timeliness"].unit, m["contact_timeliness"].polarity, m["contact_timeliness"].default_target) == ("percent", "high", 0.78)
    assert m["re_referrals"].benchmark_key == "ReReferral" and m["re_referrals"].polarity == "low"
    assert "ext_contact_decisions" in m["contact_timeliness"].source_tables
    assert all(m[i].kind == "flow" for i in ("contacts", "referrals", "eh_episodes", "eh_repeat"))


MEASURES = ["contacts", "contact_timeliness", "contact_to_referral", "referrals", "re_referrals", "referral_nfa", "eh_episodes", "eh_repeat"]
MONTHS = ["2026-03", "2026-04", "2026-05", "2026-06", "2029-02"]

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
