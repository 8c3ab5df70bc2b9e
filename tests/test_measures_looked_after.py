"""Children looked after measures on small hand-built authorities. Every expected figure is worked
out in the comments. Conventions (metrics/looked_after.py): an episode/placement/legal status is
open on a date when it started on or before it and did not end on or before it; "at least N
months" at 31 March 2026 means since 1 April 2025 (the day after the same date N months before)."""

import numpy as np
import pandas as pd
import pytest

from metrics import registry
from metrics.looked_after import age_band, age_years, breakdown, in_care_on, missing_summary
from metrics.periods import period_for
from metrics.registry import MeasureUnavailable
from metrics.settings import MetricSettings
from tests.source_fixtures import _frame


def org(tables):
    tables["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Children in Care Service"},
        {"dept_team_id": "T1", "dept_team_name": "CIC Team 1", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "CIC Team 2", "dept_team_parent_id": "S1"},
    ])
    tables["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_professional_name": "Ann Lee", "prof_professional_department": "T1"},
        {"prof_professional_id": "W2", "prof_professional_name": "Bo Chan", "prof_professional_department": "T2"},
    ])
    return tables


def build(people: dict, episodes=(), placements=(), legal=(), health=(), sdq=(), pep=None, missing=(),
          involvements=()):
    """people: id -> dob (or (dob, death)). episodes: (id, child, start, ceased, reason_ceased,
    entered_care, placement_id). placements: (id, child, start, end, type, provider, urn,
    postcode, distance in miles). legal: (child, status, start, end). involvements: (child, worker,
    team, start, end)."""
    t = org({})
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": pid, "pers_forename": pid, "pers_surname": "Test",
         "pers_dob": v[0] if isinstance(v, tuple) else v,
         "pers_death_date": v[1] if isinstance(v, tuple) else None}
        for pid, v in people.items()])
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": e[0], "clae_person_id": e[1], "clae_cla_episode_start_date": e[2],
         "clae_cla_episode_ceased_date": e[3], "clae_cla_episode_ceased_reason": e[4],
         "clae_entered_care_date": e[5] if len(e) > 5 else None,
         "clae_cla_placement_id": e[6] if len(e) > 6 else None,
         "clae_cla_episode_start_reason": "S", "clae_cla_id": "CLA-" + e[1]}
        for e in episodes])
    t["ssd_cla_placement"] = _frame("ssd_cla_placement", [
        {"clap_cla_placement_id": p[0], "clap_person_id": p[1], "clap_cla_placement_start_date": p[2],
         "clap_cla_placement_end_date": p[3], "clap_cla_placement_type": p[4],
         "clap_cla_placement_provider": p[5] if len(p) > 5 else "PR1",
         "clap_cla_placement_urn": p[6] if len(p) > 6 else None,
         "clap_cla_placement_postcode": p[7] if len(p) > 7 else f"AB{p[0]}",
         "clap_cla_placement_distance": p[8] if len(p) > 8 else None}
        for p in placements])
    t["ssd_legal_status"] = _frame("ssd_legal_status", [
        {"lega_legal_status_id": f"LS{i}", "lega_person_id": c, "lega_legal_status": s,
         "lega_legal_status_start_date": a, "lega_legal_status_end_date": b}
        for i, (c, s, a, b) in enumerate(legal)])
    t["ssd_cla_health"] = _frame("ssd_cla_health", [
        {"clah_health_check_id": f"H{i}", "clah_person_id": c, "clah_health_check_type": k,
         "clah_health_check_date": d, "clah_health_check_status": s}
        for i, (c, k, d, s) in enumerate(health)])
    t["ssd_sdq_scores"] = _frame("ssd_sdq_scores", [
        {"csdq_table_id": f"Q{i}", "csdq_person_id": c, "csdq_sdq_completed_date": d, "csdq_sdq_score": s}
        for i, (c, d, s) in enumerate(sdq)])
    if pep is not None:
        t["ext_cla_pep"] = _frame("ext_cla_pep", [
            {"pepr_id": f"PEP{i}", "pepr_person_id": c, "pepr_pep_date": d} for i, (c, d) in enumerate(pep)])
    t["ssd_missing"] = _frame("ssd_missing", [
        {"miss_table_id": f"M{i}", "miss_person_id": c, "miss_missing_episode_start_date": d,
         "miss_missing_episode_type": k, "miss_missing_rhi_offered": o, "miss_missing_rhi_accepted": a}
        for i, (c, d, k, o, a) in enumerate(missing)])
    t["ssd_involvements"] = _frame("ssd_involvements", [
        {"invo_involvements_id": f"I{i}", "invo_person_id": c, "invo_professional_id": w,
         "invo_professional_team": tm, "invo_involvement_start_date": a, "invo_involvement_end_date": b}
        for i, (c, w, tm, a, b) in enumerate(involvements)])
    return t


def run(tables, measure_id, label, by=None, settings=None, ptype="month"):
    result = registry.get(measure_id).run(tables, [period_for(label, ptype)], by, settings)
    return result, result.summary.set_index("group")


def figures(summary, group="All"):
    return int(summary.at[group, "numerator"]), summary.at[group, "denominator"]


# ---- ages ----------------------------------------------------------------------------------

def test_age_bands_at_birthdays_and_leap_days():
    on = pd.Timestamp("2026-03-31")
    dobs = pd.Series(pd.to_datetime([
        "2025-04-01",  # 0 (first birthday tomorrow)
        "2025-03-31",  # 1 today
        "2021-04-01",  # 4
        "2021-03-31",  # 5 today
        "2016-03-31",  # 10 today
        "2010-04-01",  # 15
        "2010-03-31",  # 16 today
        None,          # not recorded
        "2026-06-01",  # not born yet: under 1
    ]))
    assert age_band(dobs, on).tolist() == ["Under 1", "1-4", "1-4", "5-9", "10-15", "10-15", "16+",
                                           "Not recorded", "Under 1"]
    # Born 29 Feb 2024: still 0 on 28 Feb 2025, 1 on 1 Mar 2025; 4 on 29 Feb 2028.
    assert age_years("2024-02-29", "2025-02-28") == 0
    assert age_years("2024-02-29", "2025-03-01") == 1
    assert age_years("2024-02-29", "2028-02-29") == 4
    assert age_band("2024-02-29", "2025-02-28") == "Under 1"
    assert np.isnan(age_years(pd.NaT, "2025-01-01"))


# ---- in care, cla, starts, ceased, residential --------------------------------------------

@pytest.fixture()
def care():
    people = {"C1": "2015-06-15", "C2": "2022-01-10", "C3": "2010-04-01", "C4": "2012-05-01",
              "C5": "2014-01-01", "C6": "2025-12-01"}
    episodes = [
        # C1: two contiguous episodes (the first ends X1: care continues) - one period of care.
        ("E1", "C1", "2024-01-10", "2025-06-01", "X1"),
        ("E2", "C1", "2025-06-01", None, None),
        # C2: ceases exactly on 31 March 2026 -> not in care at the end of March.
        ("E3", "C2", "2026-01-05", "2026-03-31", "E13"),
        # C3: starts on 31 March 2026 -> in care at the end of March.
        ("E4", "C3", "2026-03-31", None, None),
        # C4: left care in May 2023, came back in February 2024: two periods of care.
        ("E5", "C4", "2020-05-01", "2023-05-01", "E4A"),
        ("E6", "C4", "2024-02-01", None, None),
        # C5: the extract starts in 2025 but the child entered care in 2019; the episode points at
        # PL5, whose recorded dates do not cover 31 March 2026.
        ("E7", "C5", "2025-02-01", None, None, "2019-07-01", "PL5"),
        # C6: not in care until April.
        ("E8", "C6", "2026-04-01", None, None),
    ]
    placements = [
        ("PL1", "C1", "2024-01-10", "2025-06-01", "U4", "PR1"),
        ("PL2", "C1", "2025-06-01", None, "K2", "PR4"),          # private children's home
        ("PL3", "C4", "2024-02-01", "2026-03-31", "U1", "PR4"),  # ends on 31 March ...
        ("PL4", "C4", "2026-03-31", None, "R1", "PR4"),          # ... a private residential home from that day
        ("PL5", "C5", "2025-02-01", "2025-03-01", "K2", "PR1"),  # own-provision children's home
    ]
    legal = [
        ("C1", "V2", "2024-01-10", "2024-09-01"), ("C1", "C1", "2024-09-01", "2025-03-01"),
        ("C1", "C2", "2025-03-01", None),
        ("C2", "C1", "2026-01-05", "2026-03-31"),
        ("C3", "V2", "2026-03-31", None),
        ("C4", "V2", "2024-02-01", None),
    ]
    involvements = [
        ("C1", "W1", "T1", "2024-01-10", None),
        ("C4", "W2", "T2", "2025-01-01", "2026-03-30"),  # ended before the period end
        ("C2", "W2", "T2", "2026-01-05", None),
    ]
    return build(people, episodes, placements, legal, involvements=involvements)


def test_in_care_on_the_period_end(care):
    ic = in_care_on(care, "2026-03-31").set_index("person_id")
    # C1 (open), C3 (starts that day), C4 (second period), C5; not C2 (ceased that day), not C6.
    assert sorted(ic.index) == ["C1", "C3", "C4", "C5"]
    assert ic.at["C1", "period_of_care_start"] == pd.Timestamp("2024-01-10")
    assert ic.at["C1", "episode_id"] == "E2"
    assert (ic.at["C1", "placement_id"], ic.at["C1", "legal_status"]) == ("PL2", "C2")
    assert ic.at["C4", "period_of_care_start"] == pd.Timestamp("2024-02-01")
    assert ic.at["C4", "placement_id"] == "PL4"           # PL3 ended on 31 March
    assert ic.at["C5", "period_of_care_start"] == pd.Timestamp("2019-07-01")
    assert ic.at["C5", "placement_id"] == "PL5"           # the placement the episode points at
    assert ic.at["C3", "legal_status"] == "V2"
    feb = in_care_on(care, "2026-02-28")
    assert sorted(feb["person_id"]) == ["C1", "C2", "C4", "C5"]


def test_cla_count_by_month_and_worker(care):
    _, s = run(care, "cla", "2026-03")
    assert s.at["All", "value"] == 4 and np.isnan(s.at["All", "denominator"])
    _, feb = run(care, "cla", "2026-02")
    assert feb.at["All", "value"] == 4
    _, apr = run(care, "cla", "2026-04")          # C1, C3, C4, C5, C6
    assert apr.at["All", "value"] == 5
    # At 31 March: C1 is held by Ann Lee (W1); C4's allocation ended on 30 March; C3, C5 none.
    result, w = run(care, "cla", "2026-03", by="worker")
    assert w.at["Ann Lee", "value"] == 1 and w.at["Worker not recorded", "value"] == 3
    _, t = run(care, "cla", "2026-03", by="team")
    assert t.at["CIC Team 1", "value"] == 1 and t.at["Team not recorded", "value"] == 3
    rows = result.rows.set_index("person_id")
    assert rows.at["C3", "age_band"] == "10-15" and rows.at["C1", "legal_status"] == "C2"


def test_cla_starts(care):
    # Periods of care: C1 from Jan 2024 (E1+E2 are one), C2 Jan 2026, C3 31 Mar 2026, C4 May 2020
    # and Feb 2024, C5 July 2019 (recorded entry date; its first episode in the extract, Feb 2025,
    # is not a start), C6 April 2026.
    result, s = run(care, "cla_starts", "2026-03")
    assert s.at["All", "value"] == 1
    row = result.rows.iloc[0]
    # C3 born 1 April 2010: 15 on 31 March 2026; legal status that day V2.
    assert (row["person_id"], row["age_band"], row["legal_status"], row["start_reason"]) == ("C3", "10-15", "V2", "S")
    jan, sj = run(care, "cla_starts", "2026-01")
    # C2 born 10 Jan 2022, started 5 Jan 2026: still 3 -> 1-4.
    assert sj.at["All", "value"] == 1 and jan.rows.iloc[0]["age_band"] == "1-4"
    assert run(care, "cla_starts", "2025-02")[1].at["All", "value"] == 0   # C5: not a new start
    assert run(care, "cla_starts", "2025-06")[1].at["All", "value"] == 0   # E2 continues C1's care
    assert run(care, "cla_starts", "2024-02")[1].at["All", "value"] == 1   # C4 came back
    # Year 2025-26 (April 2025 - March 2026): C2 and C3.
    year, sy = run(care, "cla_starts", "2026-03", ptype="year")
    assert sy.at["All", "value"] == 2
    assert breakdown(year.rows, "age_band").set_index("age_band")["count"].to_dict() == {"1-4": 1, "10-15": 1}
    # Flow grouping: C2 held by Bo Chan (W2) on the day care started.
    _, w = run(care, "cla_starts", "2026-01", by="worker")
    assert list(w.index) == ["Bo Chan"]


def test_cla_ceased(care):
    result, s = run(care, "cla_ceased", "2026-03")
    # C2 ceased 31 March 2026 (E13): age 4 (born 10 Jan 2022), 85 days in care, legal status on
    # the last day in care (30 March) C1 - the C1 order itself ends on 31 March.
    assert s.at["All", "value"] == 1
    row = result.rows.iloc[0]
    assert (row["person_id"], row["reason_ceased"], row["age_band"], row["legal_status"], row["days_in_care"]) == \
        ("C2", "E13", "1-4", "C1", 85)
    assert run(care, "cla_ceased", "2025-06")[1].at["All", "value"] == 0  # X1: care continued
    may23, s23 = run(care, "cla_ceased", "2023-05")
    assert s23.at["All", "value"] == 1 and may23.rows.iloc[0]["reason_ceased"] == "E4A"
    assert run(care, "cla_ceased", "2026-02")[1].at["All", "value"] == 0


def test_cla_residential(care):
    # 31 March: C1 in PL2 (K2, PR4) and C4 in PL4 (R1, PR4, from that day); C5's K2 is own provision.
    result, s = run(care, "cla_residential", "2026-03")
    assert s.at["All", "value"] == 2
    assert sorted(result.rows["person_id"]) == ["C1", "C4"]
    # 28 February: C4 was still in PL3 (foster, U1) -> only C1.
    assert run(care, "cla_residential", "2026-02")[1].at["All", "value"] == 1
    # An empty month still has a whole-authority row.
    _, early = run(care, "cla_residential", "2023-01")
    assert early.at["All", "value"] == 0


# ---- health, dental, SDQ, PEP -------------------------------------------------------------

@pytest.fixture()
def health():
    people = {"H1": "2015-06-15", "H2": "2015-06-15", "H3": "2022-01-10", "H4": "2015-06-15",
              "H5": "2021-03-31", "H6": "2015-06-15"}
    episodes = [
        ("E1", "H1", "2025-04-01", None, None),          # exactly 12 months at 31 March 2026: in cohort
        ("E2", "H2", "2025-04-02", None, None),          # one day short: not in cohort
        ("E3", "H3", "2024-01-01", None, None),
        ("E4", "H4", "2023-01-01", None, None),
        ("E5", "H5", "2024-06-01", None, None),
        ("E6", "H6", "2020-01-01", "2026-03-31", "E11"),  # left care on the period end
    ]
    checks = [
        ("H1", "Health Assessment", "2025-04-01", "Completed"),      # first day of the window
        ("H1", "Health surveillance checks", "2026-01-01", "Completed"),  # not a health assessment
        ("H2", "Health Assessment", "2026-01-01", "Completed"),
        ("H3", "Health Assessment", "2025-09-30", "Completed"),      # under 5: window from 1 Oct 2025
        ("H3", "Health Assessment", "2026-04-02", "Completed"),      # after the period end
        ("H3", "Dental Check", "2025-06-01", "Completed"),
        ("H4", "Health Assessment", "2025-12-01", "Refused"),        # did not happen
        ("H4", "Health Assessment", "2025-03-31", "Completed"),      # a day before the window
        ("H4", "Dental Check", "2025-03-31", "Completed"),
        ("H5", "Health Assessment", "2025-05-01", None),             # 5 today: 12-month window
        ("H5", "Dental Check", "2026-03-31", "Completed"),
        ("H6", "Health Assessment", "2026-01-01", "Completed"),
    ]
    involvements = [("H1", "W1", "T1", "2025-04-01", None), ("H3", "W1", "T1", "2024-01-01", None),
                    ("H4", "W2", "T2", "2023-01-01", None)]
    return build(people, episodes, health=checks, involvements=involvements)


def test_health_assessments(health):
    result, s = run(health, "cla_health", "2026-03")
    # Cohort H1, H3, H4, H5; up to date H1 (1 Apr 2025) and H5 (12-month window at age 5).
    assert figures(s) == (2, 4) and s.at["All", "value"] == pytest.approx(0.5)
    rows = result.rows.set_index("person_id")
    assert rows.at["H3", "window_months"] == 6 and rows.at["H3", "window_start"] == pd.Timestamp("2025-10-01")
    assert rows.at["H3", "last_check_date"] == pd.Timestamp("2025-09-30")
    assert rows.at["H4", "last_check_date"] == pd.Timestamp("2025-03-31")   # the refused one ignored
    _, w = run(health, "cla_health", "2026-03", by="worker")
    assert figures(w, "Ann Lee") == (1, 2) and figures(w, "Bo Chan") == (0, 1)
    assert figures(w, "Worker not recorded") == (1, 1)


def test_dental_checks(health):
    _, s = run(health, "cla_dental", "2026-03")
    # Cohort H1, H3, H4, H5: H3 (June 2025) and H5 (31 March 2026) in; H1 none; H4 a day early.
    assert figures(s) == (2, 4)


def test_health_window_in_a_leap_year():
    # At 29 Feb 2028 the 12 months start on 1 March 2027; in care since then = 12 months.
    t = build({"A": "2015-01-01", "B": "2015-01-01", "C": "2015-01-01"},
              [("E1", "A", "2027-03-01", None, None), ("E2", "B", "2020-01-01", None, None),
               ("E3", "C", "2027-03-02", None, None)],
              health=[("A", "Health Assessment", "2027-03-01", "Completed"),
                      ("B", "Health Assessment", "2027-02-28", "Completed")])
    _, s = run(t, "cla_health", "2028-02")
    assert figures(s) == (1, 2)


def test_sdq():
    people = {"S1": "2022-04-01", "S2": "2022-03-31", "S3": "2009-04-01", "S4": "2009-03-31", "S5": "2015-01-01"}
    t = build(people, [(f"E{i}", c, "2020-01-01", None, None) for i, c in enumerate(people)],
              sdq=[("S1", "2026-01-01", "10"),   # aged 3: not in the cohort
                   ("S2", "2025-10-01", "12"),   # aged 4 today: in, up to date
                   ("S3", "2025-05-01", ""),     # aged 16: in, but no score recorded
                   ("S4", "2026-01-01", "9"),    # aged 17 today: not in the cohort
                   ("S5", "2025-03-31", "20"),   # a day before the window
                   ("S5", "2026-04-01", "18")])  # after the period end
    result, s = run(t, "cla_sdq", "2026-03")
    assert figures(s) == (1, 3)
    assert sorted(result.rows["person_id"]) == ["S2", "S3", "S5"]
    assert result.rows.set_index("person_id").at["S2", "last_sdq_score"] == "12"


def test_pep():
    people = {"P1": "2021-03-31", "P2": "2021-04-01", "P3": "2009-04-01", "P4": "2009-03-31", "P5": "2015-01-01"}
    episodes = [(f"E{i}", c, "2020-01-01", None, None) for i, c in enumerate(["P1", "P2", "P3", "P4"])]
    episodes.append(("E9", "P5", "2026-03-01", None, None))   # new to care: still in the PEP cohort
    peps = [("P1", "2025-12-01"),   # 4-month window at 31 March 2026 starts 1 Dec 2025
            ("P2", "2026-01-01"),   # aged 4: not school age
            ("P3", "2025-11-30"),   # a day before the window
            ("P4", "2026-01-01")]   # aged 17
    t = build(people, episodes, pep=peps)
    _, s = run(t, "cla_pep", "2026-03")
    assert figures(s) == (1, 3)   # P1 of P1, P3, P5
    _, six = run(t, "cla_pep", "2026-03", settings=MetricSettings(pep_window_months=6))
    assert figures(six) == (2, 3)   # window from 1 Oct 2025: P3 too
    del t["ext_cla_pep"]
    with pytest.raises(MeasureUnavailable):
        run(t, "cla_pep", "2026-03")


def test_dental_boundaries_and_no_under_5_rule():
    people = {"K1": "2015-01-01", "K2": "2015-01-01", "K3": "2022-06-01", "K4": "2015-01-01",
              "K5": "2015-01-01", "K6": "2015-01-01", "K7": "2015-01-01"}
    episodes = [("E1", "K1", "2025-04-01", None, None),   # exactly 12 months at 31 March 2026
                ("E6", "K6", "2025-04-02", None, None)]   # a day short: not in the cohort
    episodes += [(f"E{c}", c, "2020-01-01", None, None) for c in ("K2", "K3", "K4", "K5", "K7")]
    checks = [
        ("K1", "Dental Check", "2025-04-01", "Completed"),   # first day of the 12 months
        ("K2", "Dental Check", "2025-03-31", "Completed"),   # exactly 12 months before: too old
        ("K2", "Health Assessment", "2026-01-10", "Completed"),   # not a dental check
        ("K3", "Dental Check", "2025-05-01", "Completed"),   # aged 3: dental stays 12 months
        ("K3", "Health Assessment", "2025-05-01", "Completed"),   # ... but health is 6 months
        ("K4", "Dental Check", "2026-01-01", "Refused"),     # did not happen
        ("K5", "dental check-up", "2026-01-01", "Completed"),
        ("K6", "Dental Check", "2026-01-01", "Completed"),
        ("K7", "Dental Check", "2026-04-01", "Completed"),   # after the period end
    ]
    t = build(people, episodes, health=checks)
    result, s = run(t, "cla_dental", "2026-03")
    # Cohort K1-K5, K7 (K6 in care one day short of 12 months). Up to date: K1 (1 Apr 2025),
    # K3 (11 months; no 6-month rule for dental), K5 -> 3 of 6.
    assert figures(s) == (3, 6)
    rows = result.rows.set_index("person_id")
    assert sorted(rows.index) == ["K1", "K2", "K3", "K4", "K5", "K7"]
    assert rows.at["K2", "last_check_date"] == pd.Timestamp("2025-03-31") and not rows.at["K2", "in_numerator"]
    assert rows.at["K3", "window_months"] == 12 and rows.at["K3", "in_numerator"]
    assert pd.isna(rows.at["K4", "last_check_date"]) and pd.isna(rows.at["K7", "last_check_date"])
    # The same 1 May 2025 date is too old for K3's health assessment (under 5: from 1 Oct 2025).
    health = run(t, "cla_health", "2026-03")[0].rows.set_index("person_id")
    assert not health.at["K3", "in_numerator"] and health.at["K3", "window_months"] == 6


def test_health_under_5_with_a_leap_day_birthday():
    # Born 29 Feb 2024: 4 on 28 Feb 2029 (the birthday falls on 1 March in 2029), 5 on 31 March.
    t = build({"B": "2024-02-29"}, [("E1", "B", "2024-03-10", None, None)],
              health=[("B", "Health Assessment", "2028-08-01", "Completed")])
    feb, sf = run(t, "cla_health", "2029-02")
    # Under 5: 6 months to 28 Feb 2029 start on 29 Aug 2028 -> 1 Aug 2028 is too old.
    assert figures(sf) == (0, 1)
    assert feb.rows["age"].iloc[0] == 4 and feb.rows["window_start"].iloc[0] == pd.Timestamp("2028-08-29")
    # Aged 5: 12 months from 1 Apr 2028 -> up to date.
    mar, sm = run(t, "cla_health", "2029-03")
    assert figures(sm) == (1, 1) and mar.rows["window_months"].iloc[0] == 12


def test_sdq_ages_4_to_16_with_leap_day_birthdays():
    people = {"Q1": "2024-02-29",   # 4 on 29 Feb 2028; still 4 on 28 Feb 2029; 5 on 31 Mar 2029
              "Q2": "2024-03-01",   # 3 on 29 Feb 2028; 4 from 1 Mar 2028
              "Q3": "2012-02-29",   # 16 on 29 Feb 2028; still 16 on 28 Feb 2029; 17 on 31 Mar 2029
              "Q4": "2011-02-28"}   # 17 on 29 Feb 2028
    episodes = [("E1", "Q1", "2024-03-10", None, None), ("E2", "Q2", "2024-03-10", None, None),
                ("E3", "Q3", "2020-01-01", None, None), ("E4", "Q4", "2020-01-01", None, None)]
    sdq = [("Q1", "2027-03-01", "11"),   # first day of the 12 months to 29 Feb 2028
           ("Q2", "2028-03-01", "8"),
           ("Q3", "2027-02-28", "15"),   # a day before them
           ("Q4", "2027-06-01", "19")]
    t = build(people, episodes, sdq=sdq)
    r, s = run(t, "cla_sdq", "2028-02")
    # 29 Feb 2028: cohort Q1 (4 today) and Q3 (16 today); Q2 is 3, Q4 17. Q1 up to date -> 1 of 2.
    assert sorted(r.rows["person_id"]) == ["Q1", "Q3"] and figures(s) == (1, 2)
    assert r.rows["window_start"].iloc[0] == pd.Timestamp("2027-03-01")
    r, s = run(t, "cla_sdq", "2029-02")
    # 28 Feb 2029 (12 months from 1 Mar 2028): Q1 (4), Q2 (4), Q3 (16). Only Q2's 1 Mar 2028 SDQ
    # is recent enough -> 1 of 3.
    assert sorted(r.rows["person_id"]) == ["Q1", "Q2", "Q3"] and figures(s) == (1, 3)
    r, s = run(t, "cla_sdq", "2029-03")
    # 31 Mar 2029 (from 1 Apr 2028): Q3 is 17, out; Q1, Q2 are 5; Q2's SDQ now too old -> 0 of 2.
    assert sorted(r.rows["person_id"]) == ["Q1", "Q2"] and figures(s) == (0, 2)


# ---- placements ------------------------------------------------------------------------------

def test_three_or_more_placements():
    people = {c: "2012-01-01" for c in ("T1", "T2", "T3", "T4", "T5")}
    episodes = [(f"E{c}", c, "2024-01-01", None, None) for c in ("T1", "T2", "T3", "T5")]
    episodes.append(("ET4", "T4", "2024-01-01", "2026-03-31", "E11"))   # left care on the period end
    placements = [
        # T1: 1 Apr 2025 (first day of the 12 months), Aug, Jan -> 3.
        ("A1", "T1", "2025-04-01", "2025-08-01", "U1"), ("A2", "T1", "2025-08-01", "2026-01-01", "U4"),
        ("A3", "T1", "2026-01-01", None, "U4"),
        # T2: 31 Mar 2025 is outside the 12 months -> 2.
        ("B1", "T2", "2025-03-31", "2025-08-01", "U1"), ("B2", "T2", "2025-08-01", "2026-01-01", "U4"),
        ("B3", "T2", "2026-01-01", None, "U4"),
        # T3: C2 carries C1 on unchanged (same type, provider, URN, postcode) -> one placement; 2 in all.
        ("C1", "T3", "2025-05-01", "2025-09-01", "U4", "PR1", None, "BD1 1AA"),
        ("C2", "T3", "2025-09-01", "2026-02-01", "U4", "PR1", None, "BD11AA"),
        ("C3", "T3", "2026-02-01", None, "U4", "PR1", None, "BD2 2BB"),
        # T4: three moves but not in care at the period end.
        ("D1", "T4", "2025-05-01", "2025-09-01", "U1"), ("D2", "T4", "2025-09-01", "2026-01-01", "U1"),
        ("D3", "T4", "2026-01-01", "2026-03-31", "U1"),
        # T5: contiguous records with nothing to show they are the same placement count as moves.
        ("F1", "T5", "2025-05-01", "2025-09-01", "U1", "PR1", "", ""),
        ("F2", "T5", "2025-09-01", "2026-01-01", "U1", "PR1", "", ""),
        ("F3", "T5", "2026-01-01", None, "U1", "PR1", "", ""),
    ]
    result, s = run(build(people, episodes, placements), "cla_3plus", "2026-03")
    assert figures(s) == (2, 4)   # T1 and T5 of T1, T2, T3, T5
    n = result.rows.set_index("person_id")["placements_in_window"].to_dict()
    assert n == {"T1": 3, "T2": 2, "T3": 2, "T5": 3}


def test_three_plus_counts_moves_not_legal_status_changes():
    people = {c: "2012-01-01" for c in ("G1", "G2", "G3", "G4")}
    # G1: one placement, but a new episode at each legal status change (V2 -> C1 -> C2).
    episodes = [("EG1a", "G1", "2025-05-01", "2025-08-01", "X1"), ("EG1b", "G1", "2025-08-01", "2025-12-01", "X1"),
                ("EG1c", "G1", "2025-12-01", None, None)]
    episodes += [(f"E{c}", c, "2025-01-01", None, None) for c in ("G2", "G3", "G4")]
    legal = [("G1", "V2", "2025-05-01", "2025-08-01"), ("G1", "C1", "2025-08-01", "2025-12-01"),
             ("G1", "C2", "2025-12-01", None)]
    placements = [
        ("PG1", "G1", "2025-05-01", None, "U4", "PR1", "SC100", "BD1 1AA"),
        # G2: the placement record is split at each legal status change: same type, provider, URN
        # and postcode, each starting the day the last ended -> 1 placement.
        ("PG2a", "G2", "2025-05-01", "2025-08-01", "U4", "PR1", "SC200", "BD2 1AA"),
        ("PG2b", "G2", "2025-08-01", "2025-12-01", "U4", "PR1", "SC200", "BD2 1AA"),
        ("PG2c", "G2", "2025-12-01", None, "U4", "PR1", "SC200", "BD2 1AA"),
        # G3: same carer, but the placement changes type (foster -> placed for adoption, SSDA903
        # reason U: a placement change) on 1 Sep, then a move on 31 March itself -> 3.
        ("PG3a", "G3", "2025-04-01", "2025-09-01", "U4", "PR1", "SC300", "BD3 1AA"),
        ("PG3b", "G3", "2025-09-01", "2026-03-31", "A4", "PR1", "SC300", "BD3 1AA"),
        ("PG3c", "G3", "2026-03-31", None, "U1", "PR1", "SC301", "BD3 2BB"),
        # G4: the same, but the last move is on 1 April 2026 -> 2 at 31 March.
        ("PG4a", "G4", "2025-04-01", "2025-09-01", "U4", "PR1", "SC400", "BD4 1AA"),
        ("PG4b", "G4", "2025-09-01", "2026-04-01", "A4", "PR1", "SC400", "BD4 1AA"),
        ("PG4c", "G4", "2026-04-01", None, "U1", "PR1", "SC401", "BD4 2BB"),
    ]
    t = build(people, episodes, placements, legal)
    result, s = run(t, "cla_3plus", "2026-03")
    assert figures(s) == (1, 4)   # G3 only
    n = result.rows.set_index("person_id")["placements_in_window"].to_dict()
    assert n == {"G1": 1, "G2": 1, "G3": 3, "G4": 2}
    assert result.rows.set_index("person_id").at["G3", "latest_placement_start"] == pd.Timestamp("2026-03-31")
    # 30 April 2026 (12 months from 1 May 2025): the 1 April 2025 placements drop out: G3 2
    # (1 Sep, 31 Mar), G4 2 (1 Sep, 1 Apr); G1 and G2's 1 May 2025 placements still count -> 0 of 4.
    result, s = run(t, "cla_3plus", "2026-04")
    assert result.rows.set_index("person_id")["placements_in_window"].to_dict() == {"G1": 1, "G2": 1, "G3": 2, "G4": 2}
    assert figures(s) == (0, 4)


def test_long_term_stability_leap_year_boundaries():
    # At 29 Feb 2028: looked after since 30 Aug 2025 or earlier (29 Feb 2028 - 30 months = 29 Aug
    # 2025, plus a day), same placement since 1 Mar 2026 or earlier (- 24 months = 28 Feb 2026,
    # plus a day); under 16.
    people = {"J1": "2012-03-01",   # 15: 16 tomorrow
              "J2": "2012-02-29",   # 16 on 29 Feb 2028: not under 16
              "J3": "2015-01-01", "J4": "2015-01-01", "J5": "2015-01-01", "J6": "2015-01-01"}
    episodes = [
        ("E1", "J1", "2025-08-30", None, None),                    # exactly 2.5 years
        ("E2", "J2", "2020-01-01", None, None),
        ("E3", "J3", "2025-08-31", None, None),                    # a day short
        # J4: a legal status change on 1 June 2027 starts a new episode; the placement record is
        # split that day with the same details: still one placement since 1 Jan 2026.
        ("E4a", "J4", "2020-01-01", "2027-06-01", "X1"), ("E4b", "J4", "2027-06-01", None, None),
        # J5: in care 2015-2024, back on 1 Oct 2025: this period of care is only 2 years 5 months.
        ("E5a", "J5", "2015-06-01", "2024-01-01", "E11"), ("E5b", "J5", "2025-10-01", None, None),
        ("E6", "J6", "2020-01-01", None, None),
    ]
    placements = [
        ("P1", "J1", "2026-03-01", None, "U4"),                                        # exactly 2 years
        ("P2", "J2", "2020-01-01", None, "U4"),
        ("P3", "J3", "2025-08-31", None, "U4"),
        ("P4a", "J4", "2026-01-01", "2027-06-01", "U4", "PR1", "SC1", "LS1 1AA"),
        ("P4b", "J4", "2027-06-01", None, "U4", "PR1", "SC1", "LS1 1AA"),
        ("P5", "J5", "2015-06-01", None, "U4"),
        ("P6", "J6", "2026-03-02", None, "U4"),                                        # a day short
    ]
    result, s = run(build(people, episodes, placements), "cla_long_term_stability", "2028-02")
    # Cohort: J1, J4, J6 (J2 is 16, J3 and J5 not in care long enough). Same placement 2 years:
    # J1, J4 -> 2 of 3.
    assert sorted(result.rows["person_id"]) == ["J1", "J4", "J6"]
    assert figures(s) == (2, 3)
    rows = result.rows.set_index("person_id")
    assert rows.at["J4", "same_placement_since"] == pd.Timestamp("2026-01-01")
    assert rows.at["J4", "period_of_care_start"] == pd.Timestamp("2020-01-01")
    assert not rows.at["J6", "in_numerator"]


def test_long_term_stability():
    # At 31 March 2026: looked after since 1 Oct 2023 or earlier (2.5 years); same placement since
    # 1 April 2024 or earlier (2 years); under 16.
    people = {"L1": "2015-01-01", "L2": "2015-01-01", "L3": "2015-01-01", "L4": "2010-03-31",
              "L5": "2015-01-01", "L6": "2015-01-01"}
    episodes = [("E1", "L1", "2023-10-01", None, None), ("E2", "L2", "2023-10-02", None, None),
                ("E3", "L3", "2020-01-01", None, None), ("E4", "L4", "2020-01-01", None, None),
                ("E5", "L5", "2020-01-01", None, None), ("E6", "L6", "2020-01-01", None, None)]
    placements = [
        ("P1", "L1", "2024-04-01", None, "U4"),
        ("P2", "L2", "2023-10-02", None, "U4"),
        ("P3", "L3", "2024-04-02", None, "U4"),                         # one day short of 2 years
        ("P4", "L4", "2020-01-01", None, "U4"),                         # 16 today: not counted
        ("P5a", "L5", "2020-01-01", "2025-01-01", "U1"),                # foster carer ...
        ("P5b", "L5", "2025-01-01", None, "A4"),                        # ... now adopting
        ("P6a", "L6", "2023-01-01", "2025-06-01", "U4", "PR1", None, "LS1 1AA"),
        ("P6b", "L6", "2025-06-01", None, "U4", "PR1", None, "LS1 1AA"),  # same placement carried on
    ]
    result, s = run(build(people, episodes, placements), "cla_long_term_stability", "2026-03")
    assert figures(s) == (3, 4)   # L1, L5, L6 of L1, L3, L5, L6
    since = result.rows.set_index("person_id")["same_placement_since"]
    assert since["L5"] == pd.Timestamp("2020-01-01") and since["L6"] == pd.Timestamp("2023-01-01")


def test_cla_distance():
    people = {c: "2012-01-01" for c in ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8")}
    episodes = [(f"E{c}", c, "2025-01-01", None, None) for c in ("D1", "D2", "D3", "D4", "D5")]
    episodes += [("ED6", "D6", "2025-01-01", "2026-03-31", "E11"),      # left care on 31 March
                 ("ED7", "D7", "2025-01-01", None, None, None, "PD7"),  # points at PD7
                 ("ED8", "D8", "2026-04-01", None, None)]               # in care from 1 April
    placements = [
        # id, child, start, end, type, provider, urn, postcode, miles
        ("PD1", "D1", "2025-01-01", None, "U4", "PR4", None, "LS1 1AA", 25.0),
        ("PD2", "D2", "2025-01-01", None, "U4", "PR4", None, "LS2 1AA", 20.0),    # exactly 20: no
        ("PD3", "D3", "2025-01-01", None, "U4", "PR4", None, "LS3 1AA", 20.1),
        ("PD4", "D4", "2025-01-01", None, "U1", "PR1", None, "DM1 1AA", None),    # not recorded
        # D5 moves on 31 March from 30 miles away to 5: the placement that day is the near one.
        ("PD5a", "D5", "2025-01-01", "2026-03-31", "K2", "PR4", None, "M1 1AA", 30.0),
        ("PD5b", "D5", "2026-03-31", None, "U1", "PR1", None, "DM5 1AA", 5.0),
        ("PD6", "D6", "2025-01-01", "2026-03-31", "K2", "PR4", None, "NE1 1AA", 50.0),
        # D7's recorded placement ended on 1 March with nothing after it: the episode's placement.
        ("PD7", "D7", "2025-01-01", "2026-03-01", "K2", "PR4", None, "B1 1AA", 40.0),
        ("PD8", "D8", "2026-04-01", None, "K2", "PR4", None, "L1 1AA", 60.0),
    ]
    involvements = [("D1", "W1", "T1", "2025-01-01", None), ("D2", "W1", "T1", "2025-01-01", None),
                    ("D3", "W2", "T2", "2025-01-01", None)]
    t = build(people, episodes, placements, involvements=involvements)
    result, s = run(t, "cla_distance", "2026-03")
    # In care at 31 March: D1, D2, D3, D4, D5, D7 (D6 left that day, D8 starts the next).
    # More than 20 miles: D1 (25), D3 (20.1), D7 (40) -> 3 of 6. D2 (exactly 20), D4 (blank) and
    # D5 (5, moved that day) are not.
    assert figures(s) == (3, 6) and s.at["All", "value"] == pytest.approx(0.5)
    rows = result.rows.set_index("person_id")
    assert sorted(rows.index) == ["D1", "D2", "D3", "D4", "D5", "D7"]
    assert not rows.at["D4", "distance_recorded"] and rows.at["D4", "in_denominator"]
    assert (rows.at["D5", "placement_id"], rows.at["D5", "placement_distance"]) == ("PD5b", 5.0)
    assert rows.at["D7", "placement_id"] == "PD7" and rows.at["D1", "placement_postcode"] == "LS11AA"
    # 28 February: D5 (30 miles, not yet moved), D6 (50) and D7 (40, its placement still open) too:
    # D1, D3, D5, D6, D7 of D1-D7 -> 5 of 7.
    _, feb = run(t, "cla_distance", "2026-02")
    assert figures(feb) == (5, 7)
    # By worker at 31 March: Ann Lee D1 (yes), D2 (no); Bo Chan D3 (yes); the rest unallocated.
    _, w = run(t, "cla_distance", "2026-03", by="worker")
    assert figures(w, "Ann Lee") == (1, 2) and figures(w, "Bo Chan") == (1, 1)
    assert figures(w, "Worker not recorded") == (1, 3)
    m = registry.get("cla_distance")
    assert (m.unit, m.polarity, m.kind, m.benchmark_key) == ("percent", "low", "stock", "LACDistance")
    del t["ssd_cla_placement"]
    with pytest.raises(MeasureUnavailable, match="ssd_cla_placement"):
        run(t, "cla_distance", "2026-03")


# ---- missing ---------------------------------------------------------------------------------

def test_missing_children():
    people = {c: "2010-01-01" for c in ("M1", "M2", "M3", "M4", "M5", "M6")}
    missing = [
        ("M1", "2026-03-01", "Missing", "Y", "Y"), ("M1", "2026-03-31 22:00", "Missing", "Y", "N"),
        ("M1", "2026-03-10", "Absent", "N", "N"),
        ("M2", "2026-02-28", "Missing", "N", "N"),
        ("M3", "2026-03-05", "Absent", "N", "N"),      # absent only: not missing
        ("M4", "2026-04-01", "Missing", "N", "N"),
        ("M5", "2026-03-15", None, "N", "N"),          # no type recorded: counted
        ("M6", "2028-02-29", "Missing", "Y", "Y"),
    ]
    t = build(people, [("E1", "M1", "2025-01-01", None, None)], missing=missing,
              involvements=[("M1", "W1", "T1", "2026-01-01", "2026-03-15")])
    result, s = run(t, "missing_children", "2026-03")
    assert s.at["All", "value"] == 2          # M1 (once) and M5
    rows = result.rows.set_index("person_id")
    assert (rows.at["M1", "episodes"], rows.at["M1", "rhi_offered"], rows.at["M1", "rhi_accepted"]) == (2, 2, 1)
    assert rows.at["M1", "looked_after_at_first_start"] and not rows.at["M5", "looked_after_at_first_start"]
    summary = missing_summary(result.rows).iloc[0]
    assert (summary["children"], summary["episodes"], summary["pct_rhi_accepted"]) == (2, 3, pytest.approx(1 / 3))
    # Grouped by the worker holding the case when M1 first went missing (1 March), though the
    # allocation had ended by the period end.
    _, w = run(t, "missing_children", "2026-03", by="worker")
    assert w.at["Ann Lee", "value"] == 1 and w.at["Worker not recorded", "value"] == 1
    assert run(t, "missing_children", "2026-02")[1].at["All", "value"] == 1
    assert run(t, "missing_children", "2026-03", ptype="quarter")[1].at["All", "value"] == 3
    assert run(t, "missing_children", "2028-02")[1].at["All", "value"] == 1


def test_several_periods_each_have_a_row(care):
    result = registry.get("cla").run(care, [period_for("2026-02"), period_for("2026-03"), period_for("2023-01")])
    assert result.summary["period"].tolist() == ["2026-02", "2026-03", "2023-01"]
    assert result.summary["value"].tolist() == [4, 4, 1]   # Jan 2023: C4's first period of care
