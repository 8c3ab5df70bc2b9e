"""Visit and review compliance on hand-built authorities. Every expected figure is worked out in
the comments. Calendar: 2026 bank holidays Fri 3 Apr, Mon 6 Apr (Easter), Mon 4 May, Mon 25 May;
2028 is a leap year (Tue 29 Feb 2028) with a bank holiday on Mon 3 Jan 2028."""

import numpy as np
import pandas as pd
import pytest

from metrics import registry
from metrics import visits as v
from metrics.periods import period_for
from metrics.registry import MeasureUnavailable
from metrics.settings import MetricSettings
from tests.source_fixtures import _frame

T = pd.Timestamp


def org_tables(people):
    t = {}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "Children's Social Care"},
        {"dept_team_id": "T1", "dept_team_name": "Safeguarding Team 1", "dept_team_parent_id": "S1",
         "dept_team_parent_name": "Children's Social Care"},
        {"dept_team_id": "T2", "dept_team_name": "Safeguarding Team 2", "dept_team_parent_id": "S1",
         "dept_team_parent_name": "Children's Social Care"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": "W1", "prof_professional_name": "Ana Smith", "prof_professional_department": "T1"},
        {"prof_professional_id": "W2", "prof_professional_name": "Ben Jones", "prof_professional_department": "T2"},
    ])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": p, "pers_forename": f"First{p}", "pers_surname": "Test", "pers_dob": "2015-01-01"}
        for p in people
    ])
    return t


def invo(rows):
    return _frame("ssd_involvements", [
        {"invo_involvements_id": f"I{i}", "invo_person_id": p, "invo_professional_id": w,
         "invo_professional_team": tm, "invo_involvement_start_date": s, "invo_involvement_end_date": e}
        for i, (p, w, tm, s, e) in enumerate(rows)
    ])


def run(tables, measure_id, label, ptype="month", by=None, settings=None):
    result = registry.get(measure_id).run(tables, [period_for(label, ptype)], by, settings)
    return result, result.summary.set_index("group"), result.rows.set_index("person_id")


def nd(summary, group="All"):
    return summary.at[group, "numerator"], summary.at[group, "denominator"]


# ---- the shared rule on its own ------------------------------------------------------------------

def test_limits_latest_on_time_dates():
    d = pd.Series([T("2026-04-02"), T("2026-04-17"), T("2026-01-31"), T("2027-11-30"), T("2028-02-15")])
    wd = v.Limit(10, "working_days")
    # Thu 2 Apr: 3 Apr and 6 Apr are bank holidays -> 7-10 (4), 13-17 (9), 20 Apr is the 10th,
    # 21 Apr the 11th -> latest on time Mon 20 Apr; due Mon 20 Apr.
    # Fri 17 Apr: 20-24 (5), 27-30 (9), Fri 1 May is the 10th, Mon 4 May is a bank holiday, Tue 5 May
    # the 11th -> due Fri 1 May but still on time on Mon 4 May.
    assert list(wd.latest_on_time(d[:2])) == [T("2026-04-20"), T("2026-05-04")]
    assert list(wd.due(d[:2])) == [T("2026-04-20"), T("2026-05-01")]
    # Months clip to the month end: 31 Jan + 3 months = 30 Apr; 30 Nov 2027 + 3 = 29 Feb 2028 (leap).
    m3 = v.Limit(3, "months").latest_on_time(d[2:4])
    assert list(m3) == [T("2026-04-30"), T("2028-02-29")]
    # 15 Feb 2028 + 14 days = 29 Feb 2028.
    assert v.Limit(14, "days").latest_on_time(d[4:]).iloc[0] == T("2028-02-29")
    assert v.Limit(10, "working_days").text == "10 working days" and v.Limit(1, "months").text == "1 month"


def spans_frame(rows):
    return pd.DataFrame(rows, columns=["span_id", "person_id", "start", "end"]).assign(
        start=lambda f: pd.to_datetime(f["start"]), end=lambda f: pd.to_datetime(f["end"]))


def test_intervals_through_points():
    spans = spans_frame([
        ("A", "P1", "2026-01-05", None),          # open; visits before and in the month
        ("B", "P2", "2026-03-20", "2026-03-25"),  # ends mid-month: closes at its end
        ("C", "P3", "2026-03-10", None),          # starts mid-month: anchor is the start
        ("D", "P4", "2026-01-01", "2026-02-27"),  # ended before the month: no intervals
    ])
    events = pd.DataFrame({"person_id": ["P1", "P1", "P1", "P1", "P2", "P3", "P3", "P1"],
                           "date": pd.to_datetime(["2026-02-10", "2026-02-20", "2026-03-05", "2026-03-05 16:00",
                                                   "2026-03-01", "2026-03-09", "2026-03-31", "2026-04-02"], format="ISO8601")})
    events["date"] = events["date"].dt.normalize()
    se = v.attach_events(spans, events)
    # P1's two visits on 5 Mar count once; P2's visit before B started and P3's before C are ignored.
    assert sorted(map(tuple, se.astype(str).to_numpy())) == [
        ("A", "2026-02-10"), ("A", "2026-02-20"), ("A", "2026-03-05"), ("A", "2026-04-02"), ("C", "2026-03-31")]
    iv = v.intervals_through(spans, se, "2026-03-01", "2026-03-31")
    got = [(r.span_id, str(r.from_date.date()), str(r.to_date.date()), v.KIND_NAMES[r.from_kind],
            v.KIND_NAMES[r.to_kind], r.n_before)
           for r in iv.itertuples()]
    assert got == [
        # A: anchor = last visit before March (20 Feb, the 2nd event), 5 Mar, then the month end.
        ("A", "2026-02-20", "2026-03-05", "event", "event", 2),
        ("A", "2026-03-05", "2026-03-31", "event", "period_end", 3),
        # B: from its start to its end (no visit in it).
        ("B", "2026-03-20", "2026-03-25", "start", "span_end", 0),
        # C: start -> visit on the last day -> month end (a zero-length interval).
        ("C", "2026-03-10", "2026-03-31", "start", "event", 0),
        ("C", "2026-03-31", "2026-03-31", "event", "period_end", 1),
    ]
    whole = v.intervals_through(spans, se, "2026-03-01", "2026-03-31", whole_span=True)
    a = whole[whole["span_id"] == "A"]
    assert list(a["from_date"].dt.strftime("%m-%d")) == ["01-05", "02-10", "02-20", "03-05"]
    assert list(a["n_before"]) == [0, 1, 2, 3]


def reference_compliance(spans, events, p0, p1, n):
    """Plain-Python statement of the rule (working days), for a cross-check on random data."""
    from metrics.calendar import working_days_after
    out = {}
    for s in spans.itertuples():
        if s.start > p1 or (pd.notna(s.end) and s.end < p0):
            continue
        end = p1 if pd.isna(s.end) or s.end > p1 else s.end
        dates = sorted({d for d in events.loc[events["person_id"] == s.person_id, "date"]
                        if d >= s.start and (pd.isna(s.end) or d <= s.end) and d <= end})
        before = [d for d in dates if d < max(s.start, p0)]
        points = [before[-1] if before else s.start] + [d for d in dates if d >= max(s.start, p0)] + [end]
        gaps = [working_days_after(a, b) for a, b in zip(points[:-1], points[1:])]
        ok = all(g <= n for g in gaps)
        prev = out.get(s.person_id, (True, 0))
        out[s.person_id] = (prev[0] and ok, max(prev[1], max(gaps)))
    return out


def test_vectorised_rule_matches_plain_statement_on_random_data():
    rng = np.random.default_rng(7)
    base = T("2025-10-01")
    rows, ev = [], []
    for i in range(150):
        start = base + pd.Timedelta(days=int(rng.integers(0, 200)))
        end = start + pd.Timedelta(days=int(rng.integers(0, 200))) if rng.random() < 0.4 else pd.NaT
        person = f"P{i % 120}"  # some children have two spans
        rows.append((f"S{i}", person, start, end))
        for _ in range(int(rng.integers(0, 12))):
            ev.append((person, start + pd.Timedelta(days=int(rng.integers(-20, 220)))))
    spans = pd.DataFrame(rows, columns=["span_id", "person_id", "start", "end"])
    spans["end"] = pd.to_datetime(spans["end"])
    events = pd.DataFrame(ev, columns=["person_id", "date"])
    period = period_for("2026-03")
    got = v.through_period(spans, v.attach_events(spans, events), period, v.Limit(10, "working_days"))
    want = reference_compliance(spans, events, period.start, period.end, 10)
    assert set(got.index) == set(want)
    assert len(want) > 50
    for person, (ok, longest) in want.items():
        assert bool(got.at[person, "compliant"]) == ok, person
        assert got.at[person, "longest_gap"] == longest, person
    assert 0 < got["compliant"].sum() < len(got)


def test_long_term_plan_json():
    texts = pd.Series([
        '{"REMAINSUP": "", "LTFOST18": "Y", "ADOPTION": ""}',   # key with a yes value
        '{"REMAINSUP": "Y", "LTFOST18": "", "ADOPTION": ""}',   # key present but blank
        '{"LTFOST18": "N"}',                                    # key, No
        '{"LTFOST18": true}',                                   # key, bare true
        '{"plan": "LTFOST18"}',                                 # as a value
        '["REU", "LTFOST18"]',                                  # in a list
        '{"plan": "REU"}', "", None,
    ])
    assert v.long_term_plan(texts).tolist() == [True, False, False, True, True, True, False, False, False]


# ---- CP visits (10 working days) -----------------------------------------------------------------

@pytest.fixture()
def cp_tables():
    people = ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"]
    t = org_tables(people)
    plans = [
        ("CP1", "C1", "2026-01-05", None),
        ("CP2", "C2", "2026-01-05", None),
        ("CP3", "C3", "2026-04-14", None),          # starts mid-April
        ("CP4", "C4", "2026-04-14", None),          # starts mid-April, never visited
        ("CP5", "C5", "2026-01-05", "2026-04-10"),  # ended before the end of April
        ("CP6", "C6", "2026-03-02", "2026-04-30"),  # ends exactly on the period end
        ("CP7", "C7", "2026-01-05", "2026-03-31"),  # closed before April
        ("CP8", "C8", "2026-03-31", None),          # also visited on 16 Mar, before the plan started
    ]
    t["ssd_cp_plans"] = _frame("ssd_cp_plans", [
        {"cppl_cp_plan_id": i, "cppl_person_id": p, "cppl_cp_plan_start_date": s, "cppl_cp_plan_end_date": e}
        for i, p, s, e in plans
    ])
    visits = [
        ("C1", "2026-03-20"), ("C1", "2026-04-02"), ("C1", "2026-04-16"), ("C1", "2026-04-30 15:30"),
        ("C2", "2026-03-20"), ("C2", "2026-04-02"), ("C2", "2026-04-17"), ("C2", "2026-05-05"),
        ("C3", "2026-04-29"),
        *[("C3", d.strftime("%Y-%m-%d")) for d in pd.date_range("2026-05-06", "2026-06-30", freq="7D")],
        ("C3", "2026-06-30"),
        ("C5", "2026-03-02"),
        ("C6", "2026-03-27"), ("C6", "2026-04-10"), ("C6", "2026-04-24"),
        ("C7", "2026-03-02"),
        ("C8", "2026-03-16"), ("C8", "2026-04-14"),
    ]
    t["ssd_cp_visits"] = _frame("ssd_cp_visits", [
        {"cppv_cp_visit_id": f"V{i}", "cppv_person_id": p, "cppv_cp_visit_date": d, "cppv_cp_visit_seen": "Y"}
        for i, (p, d) in enumerate(visits)
    ])
    t["ssd_involvements"] = invo([
        ("C1", "W1", "T1", "2026-01-05", None), ("C2", "W2", "T2", "2026-01-05", None),
        ("C3", "W1", "T1", "2026-04-14", None),
        ("C4", "W1", "T1", "2026-04-14", "2026-04-15"),   # unallocated at 30 April
        ("C6", "W2", "T2", "2026-03-02", None), ("C8", "W2", "T2", "2026-03-31", None),
    ])
    return t


def test_cp_visits_april(cp_tables):
    result, s, rows = run(cp_tables, "cp_visits", "2026-04")
    # On a plan at 30 April: C1, C2, C3, C4, C8. Not C5 (ended 10 Apr), C7, nor C6: its plan ends
    # on 30 April itself, so it is not open at the period end (metrics.front_door.open_at).
    assert sorted(rows.index) == ["C1", "C2", "C3", "C4", "C8"]
    # C1: 20 Mar -> 2 Apr = 9 WD; 2 -> 16 Apr = 8 (3 and 6 Apr are bank holidays); 16 -> 30 Apr = 10
    #     (exactly the limit); 30 Apr visit (15:30) -> 30 Apr = 0. On time.
    # C2: 2 -> 17 Apr = 9 WD only because of Easter; 17 -> 30 Apr (no visit yet) = 9. On time.
    # C3: plan start Tue 14 Apr -> first visit Wed 29 Apr = 11 WD. Late.
    # C4: plan start 14 Apr, no visit by 30 Apr = 12 WD. Late.
    # C8: the 16 Mar visit was before the plan; start 31 Mar -> 14 Apr = 8, 14 -> 30 Apr = 12. Late.
    assert nd(s) == (2, 5)
    assert s.at["All", "value"] == pytest.approx(0.4)
    assert rows["compliant"].to_dict() == {"C1": True, "C2": True, "C3": False, "C4": False, "C8": False}
    assert rows.at["C1", "longest_gap"] == 10 and rows.at["C1", "threshold"] == 10
    assert rows.at["C1", "previous_visit_date"] == T("2026-03-20")
    assert (rows.at["C1", "first_visit_date"], rows.at["C1", "last_visit_date"]) == (T("2026-04-02"), T("2026-04-30"))
    assert rows.at["C1", "visits_in_period"] == 3
    assert rows.at["C3", "breach_gap"] == 11 and rows.at["C3", "breach_from"] == T("2026-04-14")
    assert rows.at["C3", "reason"] == "Next visit on 29/04/2026, 11 working days (limit 10) after plan start 14/04/2026"
    assert rows.at["C4", "reason"] == "No visit from plan start 14/04/2026 to 30/04/2026: 12 working days (limit 10)"
    assert pd.isna(rows.at["C4", "last_visit_date"]) and rows.at["C4", "visits_in_period"] == 0
    assert pd.isna(rows.at["C8", "previous_visit_date"])
    assert rows.at["C8", "breach_gap"] == 12
    assert rows.at["C1", "reason"] == "On time" and rows.at["C1", "child_name"] == "FirstC1 Test"
    # Next visit due: C2 last seen Fri 17 Apr -> the 10th working day is Fri 1 May.
    assert rows.at["C2", "next_visit_due"] == T("2026-05-01")
    assert rows["in_denominator"].all()


def test_cp_visits_may_bank_holiday(cp_tables):
    _, _, rows = run(cp_tables, "cp_visits", "2026-05")
    # C2: 17 Apr -> Tue 5 May: 20-24 (5), 27-30 (9), 1 May (10), 4 May bank holiday, 5 May (11). Late.
    assert not rows.at["C2", "compliant"] and rows.at["C2", "breach_gap"] == 11
    assert rows.at["C2", "previous_visit_date"] == T("2026-04-17")


def test_cp_visits_calendar_days_setting(cp_tables):
    days14 = MetricSettings(cp_visit_threshold=14, cp_visit_unit="days")
    _, s, rows = run(cp_tables, "cp_visits", "2026-04", settings=days14)
    # 14 calendar days: C1 13/14/14/0 on time; C2 2 -> 17 Apr = 15 late; C3 14 -> 29 Apr = 15 late;
    # C4 16 late; C8 31 Mar -> 14 Apr = 14, 14 -> 30 Apr = 16 late (C6 ends on 30 Apr: not counted).
    assert nd(s) == (1, 5)
    assert rows.at["C2", "breach_gap"] == 15 and rows.at["C2", "gap_unit"] == "days"
    assert rows.at["C1", "threshold"] == 14


def test_cp_visits_by_team_and_worker(cp_tables):
    _, teams, _ = run(cp_tables, "cp_visits", "2026-04", by="team")
    # Allocation at 30 April: T1 = C1 (on time), C3 (late); T2 = C2 (on time), C8 (late);
    # C4's allocation ended 15 April -> "Team not recorded". (C6's plan ends on 30 April.)
    assert nd(teams, "Safeguarding Team 1") == (1, 2)
    assert nd(teams, "Safeguarding Team 2") == (1, 2)
    assert nd(teams, "Team not recorded") == (0, 1)
    assert teams.at["Safeguarding Team 1", "group_id"] == "T1"
    _, workers, _ = run(cp_tables, "cp_visits", "2026-04", by="worker")
    assert nd(workers, "Ana Smith") == (1, 2) and nd(workers, "Ben Jones") == (1, 2)
    _, services, _ = run(cp_tables, "cp_visits", "2026-04", by="service")
    assert nd(services, "Children's Social Care") == (2, 4)


def test_cp_visits_quarter_uses_whole_period(cp_tables):
    # June alone: C3 is visited weekly from 6 May to 30 June -> on time; C1 (nothing since
    # 30 Apr), C2 (nothing since 5 May), C4 (never), C8 (nothing since 14 Apr) are late. 1 of 5.
    _, june, rows = run(cp_tables, "cp_visits", "2026-06")
    assert nd(june) == (1, 5) and rows.at["C3", "compliant"]
    # April-June: the same children (C6 ended 30 Apr), but C3's late first visit in April counts.
    _, q2, qrows = run(cp_tables, "cp_visits", "2026-06", "quarter")
    assert nd(q2) == (0, 5)
    assert qrows.at["C3", "breach_from"] == T("2026-04-14")


def test_cp_visits_empty_month_has_a_row(cp_tables):
    _, s, rows = run(cp_tables, "cp_visits", "2020-01")
    assert rows.empty and nd(s) == (0, 0) and np.isnan(s.at["All", "value"])


def test_cp_visits_several_periods(cp_tables):
    periods = [period_for(m) for m in ("2026-03", "2026-04", "2026-05")]
    s = registry.get("cp_visits").run(cp_tables, periods).summary
    assert s["period"].tolist() == ["2026-03", "2026-04", "2026-05"]
    # March: on a plan at 31 Mar: C1, C2, C5, C6, C8 (C8 starts 31 Mar: 0 days, on time; C7's
    # plan ends on 31 Mar, so it is not open then). C1/C2: start 5 Jan -> 20 Mar = 53 WD late;
    # C5: 2 Mar -> 31 Mar = 21 late; C6: 2 Mar -> 27 Mar = 19 late; C8 on time -> 1 of 5.
    assert s["denominator"].tolist()[0] == 5 and s["numerator"].tolist()[0] == 1


# ---- CIN visits (20 working days), leap year -----------------------------------------------------

@pytest.fixture()
def cin_tables():
    t = org_tables(["K1", "K2", "K3", "K4", "K5"])
    t["ssd_cin_plans"] = _frame("ssd_cin_plans", [
        {"cinp_cin_plan_id": i, "cinp_person_id": p, "cinp_cin_plan_start_date": s, "cinp_cin_plan_end_date": e,
         "cinp_cin_plan_team": "T1"}
        for i, p, s, e in [
            ("N1", "K1", "2027-12-01", None), ("N2", "K2", "2027-12-01", None),
            ("N3", "K3", "2027-12-01", "2028-02-10"), ("N4", "K4", "2028-02-01", None),
            ("N5", "K5", "2028-02-15", None)]
    ])
    visits = [("K1", "2028-01-04"), ("K1", "2028-02-01"), ("K1", "2028-02-29"),
              ("K2", "2028-01-04"), ("K2", "2028-02-01"), ("K2", "2028-03-01"),
              ("K3", "2028-01-04"),
              ("K5", "2028-03-01"), ("K5", "2028-03-29")]
    t["ssd_cin_visits"] = _frame("ssd_cin_visits", [
        {"cinv_cin_visit_id": f"V{i}", "cinv_person_id": p, "cinv_cin_visit_date": d}
        for i, (p, d) in enumerate(visits)
    ])
    t["ssd_involvements"] = invo([(p, "W1", "T1", "2027-12-01", None) for p in ["K1", "K2", "K3", "K4", "K5"]])
    return t


def test_cin_visits_leap_february(cin_tables):
    _, s, rows = run(cin_tables, "cin_visits", "2028-02")
    # At 29 Feb 2028: K1, K2, K4, K5 (K3 ended 10 Feb).
    # K1: 4 Jan -> 1 Feb = 20 WD; 1 Feb -> Tue 29 Feb = 20 (2-4, 7-11, 14-18, 21-25, 28, 29); on time.
    # K2: same, and at 29 Feb the next visit (1 Mar) is not yet overdue: 20 -> on time.
    # K4: plan start 1 Feb, no visit, 20 WD by 29 Feb: not yet overdue -> on time.
    # K5: start 15 Feb -> 29 Feb = 10 -> on time.
    assert sorted(rows.index) == ["K1", "K2", "K4", "K5"]
    assert nd(s) == (4, 4)
    assert rows.at["K1", "longest_gap"] == 20 and rows.at["K1", "threshold"] == 20
    assert rows.at["K2", "next_visit_due"] == T("2028-02-29")


def test_cin_visits_march(cin_tables):
    _, s, rows = run(cin_tables, "cin_visits", "2028-03")
    # K1: 29 Feb -> 31 Mar = 23 WD late. K2: 1 Feb -> 1 Mar = 21 late. K4: never visited, late.
    # K5: start 15 Feb -> 1 Mar = 11, 1 -> 29 Mar = 20, 29 -> 31 Mar = 2: on time. 1 of 4.
    assert nd(s) == (1, 4)
    assert rows.at["K2", "breach_gap"] == 21 and rows.at["K2", "breach_to"] == T("2028-03-01")
    assert rows.at["K1", "breach_gap"] == 23
    assert rows.at["K5", "compliant"] and rows.at["K5", "longest_gap"] == 20


# ---- CLA visits (7 days, 6 weeks, 3 months long term) -------------------------------------------

@pytest.fixture()
def cla_tables():
    kids = [f"L{i}" for i in range(1, 10)]
    t = org_tables(kids)
    # person, placement id, start, end (one row per placement)
    placements = [
        ("L1", "PL1", "2026-06-03", None),
        ("L2", "PL2", "2026-06-03", None),
        ("L3", "PL3a", "2026-01-10", "2026-06-15"), ("L3", "PL3b", "2026-06-15", None),
        ("L4", "PL4a", "2026-01-10", "2026-06-15"), ("L4", "PL4b", "2026-06-15", None),
        ("L5", "PL5", "2024-09-01", None),
        ("L6", "PL6", "2024-09-01", None),
        ("L7", "PL7", "2026-01-05", None),
        ("L8", "PL8", "2026-01-05", "2026-06-20"),
        ("L9", "PL9", "2026-05-25", "2026-06-30"),
    ]
    t["ssd_cla_placement"] = _frame("ssd_cla_placement", [
        {"clap_cla_placement_id": pl, "clap_person_id": p, "clap_cla_id": "CLA" + p,
         "clap_cla_placement_start_date": s, "clap_cla_placement_end_date": e, "clap_cla_placement_type": "U1"}
        for p, pl, s, e in placements
    ])
    first = {}
    for p, pl, s, e in placements:
        first.setdefault(p, (s, e))
    ends = {"L8": "2026-06-20", "L9": "2026-06-30"}
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": "E" + p, "clae_person_id": p, "clae_cla_id": "CLA" + p,
         "clae_cla_episode_start_date": first[p][0], "clae_entered_care_date": first[p][0],
         "clae_cla_episode_ceased_date": ends.get(p)}
        for p in kids
    ])
    visits = [
        ("L1", "2026-06-10"), ("L1", "2026-06-30"),
        ("L2", "2026-06-11"), ("L2", "2026-06-29"),
        ("L3", "2026-05-20"), ("L3", "2026-06-22"),
        ("L4", "2026-05-20"), ("L4", "2026-06-25"),
        ("L5", "2026-04-15"), ("L6", "2026-04-15"), ("L7", "2026-04-15"),
        ("L8", "2026-06-01"),
        ("L9", "2026-06-01"),
    ]
    t["ssd_cla_visits"] = _frame("ssd_cla_visits", [
        {"clav_cla_visit_id": f"V{i}", "clav_person_id": p, "clav_cla_id": "CLA" + p, "clav_cla_visit_date": d}
        for i, (p, d) in enumerate(visits)
    ])
    t["ssd_cla_care_plan"] = _frame("ssd_cla_care_plan", [
        {"lacp_table_id": "CP5old", "lacp_person_id": "L5", "lacp_cla_care_plan_start_date": "2024-09-01",
         "lacp_cla_care_plan_end_date": "2025-03-01", "lacp_cla_care_plan_json": '{"LTFOST18": ""}'},
        {"lacp_table_id": "CP5", "lacp_person_id": "L5", "lacp_cla_care_plan_start_date": "2025-03-01",
         "lacp_cla_care_plan_json": '{"REMAINSUP": "", "LTFOST18": "Y", "ADOPTION": ""}'},
        {"lacp_table_id": "CP6", "lacp_person_id": "L6", "lacp_cla_care_plan_start_date": "2024-09-01",
         "lacp_cla_care_plan_json": '{"REMAINSUP": "Y", "LTFOST18": ""}'},
        {"lacp_table_id": "CP7", "lacp_person_id": "L7", "lacp_cla_care_plan_start_date": "2026-01-05",
         "lacp_cla_care_plan_json": '{"LTFOST18": "Y"}'},
    ])
    t["ssd_involvements"] = invo([(p, "W2", "T2", "2024-01-01", None) for p in kids])
    return t


def test_cla_visits_june(cla_tables):
    _, s, rows = run(cla_tables, "cla_visits", "2026-06")
    # In care with a placement at 30 June: L1-L7. L8 left 20 June; L9's care and placement end on
    # 30 June itself, so L9 is not in care at the period end (metrics.front_door.open_at).
    assert sorted(rows.index) == ["L1", "L2", "L3", "L4", "L5", "L6", "L7"]
    # L1: placed 3 Jun, visit 10 Jun (7 days), 30 Jun (20 days): on time.
    # L2: placed 3 Jun, first visit 11 Jun = 8 days > 7: late.
    # L3: placement A: 20 May -> A ends 15 Jun = 26 days; B starts 15 Jun -> visit 22 Jun = 7; 22 -> 30 = 8. On time.
    # L4: B starts 15 Jun -> first visit 25 Jun = 10 days > 7: late.
    # L5: placement since Sep 2024 (over a year), current care plan long-term fostering to 18:
    #     15 Apr -> 30 Jun = 76 days, within 3 months (15 Jul). On time.
    # L6: same dates, but the care plan does not say long-term: 76 > 42 days. Late.
    # L7: care plan long-term, but the placement is in its first year: 76 > 42. Late.
    assert nd(s) == (3, 7)
    assert rows["compliant"].to_dict() == {"L1": True, "L2": False, "L3": True, "L4": False, "L5": True,
                                           "L6": False, "L7": False}
    assert rows.at["L2", "breach_gap"] == 8 and rows.at["L2", "breach_limit"] == 7
    assert rows.at["L2", "reason"] == "Next visit on 11/06/2026, 8 days (limit 7) after placement start 03/06/2026"
    assert rows.at["L4", "placement_id"] == "PL4b" and rows.at["L4", "placement_start"] == T("2026-06-15")
    assert rows.at["L4", "breach_gap"] == 10
    assert rows.at["L5", "long_term"] and not rows.at["L6", "long_term"] and rows.at["L7", "long_term"]
    assert rows.at["L5", "longest_gap"] == 76 and rows.at["L5", "threshold"] == 91  # 15 Apr -> 15 Jul
    assert rows.at["L6", "threshold"] == 42
    assert rows.at["L5", "next_visit_due"] == T("2026-07-15")
    assert rows.at["L3", "longest_gap"] == 26 and rows.at["L3", "visits_in_period"] == 1


def test_cla_visits_settings(cla_tables):
    # First visit within 8 days: L2 (8) becomes on time; L4 (10) still late -> 4 of 7.
    _, s, _ = run(cla_tables, "cla_visits", "2026-06", settings=MetricSettings(cla_visit_first_days=8))
    assert nd(s) == (4, 7)
    # Long-term limit of 2 months: L5 15 Apr + 2 months = 15 Jun, not visited by 30 Jun -> late: 2 of 7.
    _, s, rows = run(cla_tables, "cla_visits", "2026-06", settings=MetricSettings(cla_visit_long_term_months=2))
    assert nd(s) == (2, 7) and not rows.at["L5", "compliant"]


def test_cla_visits_without_care_plan_table(cla_tables):
    del cla_tables["ssd_cla_care_plan"]
    # Optional: without it no placement is long-term, so L5 is late too: 2 of 7.
    _, s, rows = run(cla_tables, "cla_visits", "2026-06")
    assert nd(s) == (2, 7) and not rows.at["L5", "long_term"]


# ---- CP reviews ----------------------------------------------------------------------------------

@pytest.fixture()
def cp_review_tables():
    kids = [f"R{i}" for i in range(1, 11)]
    t = org_tables(kids)
    plans = [
        ("P1", "R1", "2025-10-01", None), ("P2", "R2", "2025-10-01", None),
        ("P3", "R3", "2025-12-31", None), ("P4", "R4", "2026-01-01", None),
        ("P5", "R5", "2025-01-10", None), ("P6", "R6", "2024-06-01", None),
        ("P7", "R7", "2025-06-01", "2026-02-15"),
        ("P8old", "R8", "2024-01-01", "2025-06-30"), ("P8", "R8", "2025-11-01", None),
        ("P9", "R9", "2027-11-29", "2028-06-30"), ("P10", "R10", "2027-11-29", "2028-06-30"),
    ]
    t["ssd_cp_plans"] = _frame("ssd_cp_plans", [
        {"cppl_cp_plan_id": i, "cppl_person_id": p, "cppl_cp_plan_start_date": s, "cppl_cp_plan_end_date": e}
        for i, p, s, e in plans
    ])
    reviews = [
        ("R1", "2025-12-20"), ("R2", "2026-01-02"),
        ("R5", "2025-04-10"), ("R5", "2025-10-10"),
        ("R6", "2024-08-30"), ("R6", "2025-03-15"), ("R6", "2025-09-01"),
        ("R8", "2025-05-01"), ("R8", "2026-01-20"),
        ("R9", "2028-02-29"), ("R10", "2028-03-01"),
    ]
    t["ssd_cp_reviews"] = _frame("ssd_cp_reviews", [
        {"cppr_cp_review_id": f"RV{i}", "cppr_person_id": p, "cppr_cp_review_date": d}
        for i, (p, d) in enumerate(reviews)
    ])
    t["ssd_involvements"] = invo([(p, "W1", "T1", "2024-01-01", None) for p in kids])
    return t


def test_cp_reviews_march(cp_review_tables):
    _, s, rows = run(cp_review_tables, "cp_reviews", "2026-03")
    # On a plan at 31 Mar 2026: R1-R6, R8 (R7 ended in Feb). On it >= 3 months (start <= 31 Dec 2025):
    # all but R4.
    # R1: start 1 Oct, review 20 Dec (due by 1 Jan), next due 20 Jun: on time.
    # R2: first review 2 Jan, one day after 1 Jan: late.
    # R3: start 31 Dec, first due 31 Mar: not yet overdue on 31 Mar: on time.
    # R5: start 10 Jan 2025, reviews 10 Apr 2025 (on the day), 10 Oct 2025 (on the day), next due
    #     10 Apr 2026: on time.
    # R6: 30 Aug 2024 on time, then 15 Mar 2025 > 28 Feb 2025: late (a past late review counts).
    # R8: current plan from 1 Nov 2025, review 20 Jan 2026 (due 1 Feb): on time; the May 2025
    #     review belonged to the previous plan.
    assert sorted(rows.index) == ["R1", "R2", "R3", "R4", "R5", "R6", "R8"]
    assert nd(s) == (4, 6)
    assert not rows.at["R4", "in_denominator"] and not rows.at["R4", "in_numerator"]
    assert rows.at["R4", "reason"] == "On the plan less than 3 months: not counted"
    assert rows.at["R2", "breach_to"] == T("2026-01-02") and rows.at["R2", "breach_limit"] == 92
    assert rows.at["R6", "breach_from"] == T("2024-08-30") and rows.at["R6", "breach_to"] == T("2025-03-15")
    assert rows.at["R8", "reviews_held"] == 1 and rows.at["R8", "plan_id"] == "P8"
    assert rows.at["R5", "next_review_due"] == T("2026-04-10")
    assert rows.at["R3", "next_review_due"] == T("2026-03-31")
    assert (rows.at["R5", "first_review_date"], rows.at["R5", "last_review_date"]) == (T("2025-04-10"), T("2025-10-10"))


def test_cp_reviews_april_overdue(cp_review_tables):
    _, _, rows = run(cp_review_tables, "cp_reviews", "2026-04")
    # R5's third review was due 10 Apr 2026 and has not happened by 30 Apr: late.
    assert not rows.at["R5", "compliant"]
    assert rows.at["R5", "reason"] == "No review from review 10/10/2025 to 30/04/2026: 202 days (limit 182)"
    # R3's first review was due 31 Mar: overdue now.
    assert not rows.at["R3", "compliant"]


def test_cp_reviews_leap_year(cp_review_tables):
    # Plans from 29 Nov 2027: first review due 29 Feb 2028.
    _, _, feb = run(cp_review_tables, "cp_reviews", "2028-02")
    assert feb.at["R9", "compliant"] and feb.at["R10", "compliant"]   # R10 not yet overdue on 29 Feb
    assert feb.at["R9", "in_denominator"] and feb.at["R10", "in_denominator"]
    _, _, mar = run(cp_review_tables, "cp_reviews", "2028-03")
    assert mar.at["R9", "compliant"] and not mar.at["R10", "compliant"]  # held 1 Mar: a day late


# ---- CIN reviews (optional table) ----------------------------------------------------------------

@pytest.fixture()
def cin_review_tables():
    kids = ["N1", "N2", "N3", "N4"]
    t = org_tables(kids)
    t["ssd_cin_plans"] = _frame("ssd_cin_plans", [
        {"cinp_cin_plan_id": "CP" + p, "cinp_person_id": p, "cinp_cin_plan_start_date": s}
        for p, s in [("N1", "2025-11-15"), ("N2", "2025-11-15"), ("N3", "2025-12-20"), ("N4", "2025-10-01")]
    ])
    t["ext_cin_reviews"] = _frame("ext_cin_reviews", [
        {"cinr_id": f"X{i}", "cinr_person_id": p, "cinr_cin_plan_id": "CP" + p, "cinr_review_date": d,
         "cinr_review_due_date": due}
        for i, (p, d, due) in enumerate([
            ("N1", "2026-02-14", "2026-02-15"), ("N2", "2026-02-16", "2026-02-15"),
            ("N4", "2025-12-31", "2026-01-01"), ("N4", None, "2026-03-31")])
    ])
    t["ssd_involvements"] = invo([("N1", "W1", "T1", "2025-01-01", None), ("N2", "W2", "T2", "2025-01-01", None),
                                  ("N4", "W2", "T2", "2025-01-01", None)])
    return t


def test_cin_reviews_march(cin_review_tables):
    _, s, rows = run(cin_review_tables, "cin_reviews", "2026-03")
    # Cohort: on the plan since 31 Dec 2025 or earlier -> all four.
    # N1: 15 Nov -> 14 Feb (due 15 Feb): on time. N2: 16 Feb: late. N3: started 20 Dec, first
    # review due 20 Mar, none by 31 Mar: late. N4: 31 Dec (due 1 Jan); next due 31 Mar, recorded
    # but not held (blank date), and not overdue on 31 Mar: on time.
    assert nd(s) == (2, 4)
    assert rows["compliant"].to_dict() == {"N1": True, "N2": False, "N3": False, "N4": True}
    assert rows.at["N4", "reviews_held"] == 1
    _, teams, _ = run(cin_review_tables, "cin_reviews", "2026-03", by="team")
    # Allocation: N1 T1 (on time); N2, N4 T2 (1 of 2); N3 unallocated (late).
    assert nd(teams, "Safeguarding Team 1") == (1, 1) and nd(teams, "Safeguarding Team 2") == (1, 2)
    assert nd(teams, "Team not recorded") == (0, 1)


def test_cin_reviews_need_the_extension_table(cin_review_tables):
    del cin_review_tables["ext_cin_reviews"]
    with pytest.raises(MeasureUnavailable, match="not available from this source"):
        registry.get("cin_reviews").run(cin_review_tables, [period_for("2026-03")])
    with pytest.raises(MeasureUnavailable):
        registry.get("cin_visits").run(cin_review_tables, [period_for("2026-03")])  # no ssd_cin_visits


# ---- CLA reviews ---------------------------------------------------------------------------------

@pytest.fixture()
def cla_review_tables():
    kids = [f"V{i}" for i in range(1, 10)]
    t = org_tables(kids)
    # episode id, person, cla id, start, ceased, entered care
    episodes = [
        ("E1", "V1", "A1", "2026-04-01", None, "2026-04-01"),
        ("E2", "V2", "A2", "2026-04-01", None, "2026-04-01"),
        ("E3", "V3", "A3", "2026-04-01", None, "2026-04-01"),
        ("E4", "V4", "A4", "2025-06-02", None, "2025-06-02"),
        ("E5", "V5", "A5", "2025-06-02", None, "2025-06-02"),
        ("E6", "V6", "A6", "2026-04-01", None, "2026-04-01"),
        ("E7a", "V7", "A7", "2025-01-06", "2025-08-01", "2025-01-06"),  # two episodes, one period of care
        ("E7b", "V7", "A7", "2025-08-01", None, "2025-01-06"),
        ("E8a", "V8", "A8old", "2024-06-01", "2025-03-01", "2024-06-01"),
        ("E8b", "V8", "A8", "2026-06-10", None, "2026-06-10"),
        ("E9", "V9", "A9", "2026-01-05", "2026-06-20", "2026-01-05"),
    ]
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": e, "clae_person_id": p, "clae_cla_id": c, "clae_cla_episode_start_date": s,
         "clae_cla_episode_ceased_date": end, "clae_entered_care_date": ent}
        for e, p, c, s, end, ent in episodes
    ])
    reviews = [
        ("A1", "2026-05-01", "N"), ("A2", "2026-05-05", "N"), ("A3", "2026-05-04", None),
        ("A4", "2025-06-27", "N"), ("A4", "2025-09-26", "N"), ("A4", "2026-03-20", "N"),
        ("A5", "2025-06-27", "N"), ("A5", "2025-09-26", "N"), ("A5", "2026-03-30", "N"),
        ("A6", "2026-04-20", "Y"),
        ("A7", "2025-01-31", "N"), ("A7", "2025-04-30", "N"), ("A7", "2025-10-30", "N"), ("A7", "2026-04-29", "N"),
        ("A8old", "2024-12-01", "N"),
    ]
    t["ssd_cla_reviews"] = _frame("ssd_cla_reviews", [
        {"clar_cla_review_id": f"CR{i}", "clar_cla_id": c, "clar_cla_review_date": d, "clar_cla_review_cancelled": x}
        for i, (c, d, x) in enumerate(reviews)
    ])
    t["ssd_involvements"] = invo([(p, "W1", "T1", "2024-01-01", None) for p in kids])
    return t


def test_cla_reviews_june(cla_review_tables):
    _, s, rows = run(cla_review_tables, "cla_reviews", "2026-06")
    # In care at 30 June 2026: V1-V8 (V9 left 20 June).
    # V1: entered Wed 1 Apr 2026; 20 WD: 2 Apr (1), 3 and 6 Apr bank holidays, 7-10 (5), 13-17 (10),
    #     20-24 (15), 27-30 (19), Fri 1 May (20). Review 1 May: on time; second due 1 Aug.
    # V2: review Tue 5 May = 21 WD (4 May is a bank holiday): late.
    # V3: review Mon 4 May (bank holiday) is still within 20 WD: on time.
    # V4: entered 2 Jun 2025; 27 Jun 2025 = 19 WD; 26 Sep (27 Jun + 3 months = 27 Sep); 20 Mar 2026
    #     (26 Sep + 6 months = 26 Mar); next due 20 Sep 2026: on time.
    # V5: third review 30 Mar 2026 > 26 Mar: late.
    # V6: only review cancelled; first review due by 1 May, none by 30 June: late.
    # V7: one period of care over two episodes: 31 Jan 2025 (19 WD), 30 Apr (31 Jan + 3 months clips
    #     to 30 Apr), 30 Oct, 29 Apr 2026: on time.
    # V8: a new period of care from 10 Jun 2026; the old period's review does not count; first due
    #     8 Jul: on time.
    assert sorted(rows.index) == [f"V{i}" for i in range(1, 9)]
    assert nd(s) == (5, 8)
    assert rows["compliant"].to_dict() == {"V1": True, "V2": False, "V3": True, "V4": True, "V5": False,
                                           "V6": False, "V7": True, "V8": True}
    assert rows.at["V1", "next_review_due"] == T("2026-08-01")
    assert rows.at["V6", "reviews_held"] == 0
    assert rows.at["V6", "reason"] == "No review from entering care 01/04/2026 to 30/06/2026: 90 days (limit 33)"
    assert rows.at["V7", "care_start"] == T("2025-01-06") and rows.at["V7", "reviews_held"] == 4
    assert rows.at["V8", "cla_id"] == "A8" and rows.at["V8", "reviews_held"] == 0
    assert rows.at["V8", "next_review_due"] == T("2026-07-08")
    assert rows["in_denominator"].all()


def test_cla_reviews_leap_year_boundaries():
    kids = [f"Z{i}" for i in range(1, 7)]
    t = org_tables(kids)
    entered = {"Z1": "2028-02-01", "Z2": "2028-02-01", "Z3": "2028-02-01", "Z4": "2028-01-31",
               "Z5": "2028-11-17", "Z6": "2028-02-01"}
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": "E" + p, "clae_person_id": p, "clae_cla_id": "A" + p,
         "clae_cla_episode_start_date": d, "clae_entered_care_date": d} for p, d in entered.items()])
    reviews = [
        # Tue 1 Feb 2028 + 20 WD: 2-4 Feb (3), 7-11 (8), 14-18 (13), 21-25 (18), 28 (19), Tue 29 Feb
        # (20): on time on leap day. Then 3 months -> 29 May (on the day), 6 months -> 29 Nov.
        ("AZ1", "2028-02-29", "N"), ("AZ1", "2028-05-29", "N"), ("AZ1", "2028-11-29", "N"),
        ("AZ2", "2028-02-29", "N"), ("AZ2", "2028-05-30", "N"),                 # second a day late
        ("AZ3", "2028-02-29", "N"), ("AZ3", "2028-05-29", "N"), ("AZ3", "2028-11-30", "N"),  # third a day late
        ("AZ4", "2028-02-29", "N"),   # entered Mon 31 Jan: 29 Feb is the 21st working day: late
        ("AZ6", "2028-02-29", "Y"),   # cancelled: no review held
    ]
    t["ssd_cla_reviews"] = _frame("ssd_cla_reviews", [
        {"clar_cla_review_id": f"CR{i}", "clar_cla_id": c, "clar_cla_review_date": d, "clar_cla_review_cancelled": x}
        for i, (c, d, x) in enumerate(reviews)])
    t["ssd_involvements"] = invo([(p, "W1", "T1", "2028-01-01", None) for p in kids])

    _, s, rows = run(t, "cla_reviews", "2028-11")
    # 30 Nov 2028: Z1 on time; Z2 (30 May), Z3 (30 Nov, on the period end), Z4 (21 WD) and Z6 (no
    # review since 29 Feb was due) late; Z5 entered Fri 17 Nov, first review due by the 20th
    # working day (Fri 15 Dec): not yet overdue -> Z1, Z5: 2 of 6.
    assert rows["compliant"].to_dict() == {"Z1": True, "Z2": False, "Z3": False, "Z4": False,
                                           "Z5": True, "Z6": False}
    assert nd(s) == (2, 6)
    assert rows.at["Z2", "breach_to"] == T("2028-05-30") and rows.at["Z2", "breach_limit"] == 90  # 29 Feb -> 29 May
    # 29 May -> 29 Nov: 2 + 30 + 31 + 31 + 30 + 31 + 29 = 184 days allowed; 30 Nov is 185.
    assert rows.at["Z3", "breach_to"] == T("2028-11-30") and rows.at["Z3", "breach_limit"] == 184
    assert rows.at["Z3", "breach_gap"] == 185
    # Z4: 20 WD from Mon 31 Jan end on Mon 28 Feb (28 days); the review on 29 Feb is 29 days on.
    assert rows.at["Z4", "breach_to"] == T("2028-02-29")
    assert (rows.at["Z4", "breach_gap"], rows.at["Z4", "breach_limit"]) == (29, 28)
    assert rows.at["Z5", "next_review_due"] == T("2028-12-15") and rows.at["Z5", "reviews_held"] == 0
    assert rows.at["Z6", "reviews_held"] == 0

    _, may, mrows = run(t, "cla_reviews", "2028-05")
    # 31 May 2028: Z1 and Z3 (identical so far) on time, next due 29 Nov; Z2, Z4, Z6 late; Z5 not
    # yet in care -> 2 of 5.
    assert nd(may) == (2, 5) and sorted(mrows.index) == ["Z1", "Z2", "Z3", "Z4", "Z6"]
    assert mrows.at["Z1", "next_review_due"] == T("2028-11-29")


# ---- functions for the task engine ---------------------------------------------------------------

def test_visit_status(cp_tables):
    st = v.visit_status(cp_tables, "cp", "2026-04-20").set_index("person_id")
    # C1 last visited Thu 16 Apr: due Thu 30 Apr. C2 last visited Fri 17 Apr: due Fri 1 May, still
    # on time on Mon 4 May (bank holiday). C4 never visited since its plan started Tue 14 Apr: due
    # Tue 28 Apr.
    assert st.at["C1", "last_done_date"] == T("2026-04-16") and st.at["C1", "next_due_date"] == T("2026-04-30")
    assert st.at["C2", "next_due_date"] == T("2026-05-01") and st.at["C2", "latest_on_time_date"] == T("2026-05-04")
    assert pd.isna(st.at["C4", "last_done_date"]) and st.at["C4", "next_due_date"] == T("2026-04-28")
    assert not st["overdue"].any()
    assert st.at["C1", "limit"] == "10 working days" and st.at["C1", "span_id"] == "CP1"
    later = v.visit_status(cp_tables, "cp", "2026-04-29").set_index("person_id")
    assert later.at["C4", "overdue"] and not later.at["C1", "overdue"]
    assert v.last_visit_before(cp_tables, "cp", "2026-04-20")["C2"] == T("2026-04-17")
    assert v.next_visit_due(cp_tables, "cp", "2026-04-20")["C3"] == T("2026-04-28")
    # A visit on the day itself counts as done.
    assert v.last_visit_before(cp_tables, "cp", "2026-04-16")["C1"] == T("2026-04-16")


def test_cla_visit_status(cla_tables):
    st = v.visit_status(cla_tables, "cla", "2026-06-20").set_index("person_id")
    # L4 moved on 15 June and has not been visited since: due 22 June (7 days).
    assert st.at["L4", "span_id"] == "PL4b" and pd.isna(st.at["L4", "last_done_date"])
    assert st.at["L4", "next_due_date"] == T("2026-06-22")
    # L5 long term, placement over a year old: due 3 months after 15 April.
    assert st.at["L5", "next_due_date"] == T("2026-07-15") and st.at["L5", "limit"] == "3 months"
    # L6: 6 weeks after 15 April = 27 May: overdue.
    assert st.at["L6", "next_due_date"] == T("2026-05-27") and st.at["L6", "overdue"]


def test_review_status(cla_review_tables, cp_review_tables):
    st = v.review_status(cla_review_tables, "cla", "2026-06-30").set_index("person_id")
    assert st.at["V1", "last_done_date"] == T("2026-05-01") and st.at["V1", "next_due_date"] == T("2026-08-01")
    # V6: no review held (the one recorded was cancelled); first was due 1 May (20th working day).
    assert pd.isna(st.at["V6", "last_done_date"]) and st.at["V6", "next_due_date"] == T("2026-05-01")
    assert st.at["V6", "overdue"] and not st.at["V1", "overdue"]
    assert v.last_review_before(cp_review_tables, "cp", "2026-03-31")["R5"] == T("2025-10-10")
    assert v.next_review_due(cp_review_tables, "cp", "2026-03-31")["R3"] == T("2026-03-31")


def test_registration():
    for mid in ("cp_visits", "cin_visits", "cla_visits", "cp_reviews", "cin_reviews", "cla_reviews"):
        m = registry.get(mid)
        assert (m.unit, m.polarity, m.kind) == ("percent", "high", "stock")
        assert len(m.definition) > 100
    assert "ext_cin_reviews" in registry.get("cin_reviews").source_tables
    assert "ssd_cla_care_plan" in registry.get("cla_visits").optional_tables
