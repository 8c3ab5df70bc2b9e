"""The Weekly Activity Summary command (``python -m reports weekly-activity``): its Excel output opened
with openpyxl and checked against figures worked out by hand on a small hand-built authority, and a
run on the demo authority checked against the registered measures run directly for each week.

Weeks run Monday to Sunday. The data runs to Saturday 31 October 2026, so the last complete week is
Monday 19 to Sunday 25 October 2026 ("last week"), and the 12 weeks before it run from Monday 27 July
to Sunday 18 October 2026 (the average divides by 12, weeks with nothing included).

The hand-built authority: service S1 (teams T1, T2; workers W1, W2) and service S2 (team T3,
worker W3). C1 is allocated to W1/T1, C2 to W2/T2 and C3 to W3/T3 all year; C4 to W1/T1 only from
Thursday 22 October; C5 never.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from data_access import cache as cache_mod
from metrics import registry
from metrics.periods import Period
from metrics.settings import MetricSettings
from reports.__main__ import main
from reports.weekly_activity import last_complete_week, service_sheets, week_ending, weekly_activity, weeks_ending
from tests.conftest import ROOT, write_config
from tests.source_fixtures import _frame

AS_AT = "2026-10-31"   # a Saturday


def authority() -> dict[str, pd.DataFrame]:
    t = {}
    t["ssd_department"] = _frame("ssd_department", [
        {"dept_team_id": "S1", "dept_team_name": "North Service"},
        {"dept_team_id": "S2", "dept_team_name": "South Service"},
        {"dept_team_id": "T1", "dept_team_name": "Team One", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T2", "dept_team_name": "Team Two", "dept_team_parent_id": "S1"},
        {"dept_team_id": "T3", "dept_team_name": "Team Three", "dept_team_parent_id": "S2"},
    ])
    t["ssd_professionals"] = _frame("ssd_professionals", [
        {"prof_professional_id": w, "prof_professional_name": n, "prof_professional_department": d,
         "prof_professional_job_title": "Social Worker"}
        for w, n, d in [("W1", "Ann Lee", "T1"), ("W2", "Bo Chan", "T2"), ("W3", "Cy Dee", "T3")]])
    t["ssd_person"] = _frame("ssd_person", [
        {"pers_person_id": p, "pers_forename": f"Zorblax{p}", "pers_surname": "Quendry", "pers_dob": "2015-06-01"}
        for p in ("C1", "C2", "C3", "C4", "C5")])
    t["ssd_involvements"] = _frame("ssd_involvements", [
        {"invo_involvements_id": f"I{i}", "invo_person_id": c, "invo_professional_id": w, "invo_professional_team": tm,
         "invo_involvement_start_date": s, "invo_involvement_end_date": None}
        for i, (c, w, tm, s) in enumerate([("C1", "W1", "T1", "2026-01-01"), ("C2", "W2", "T2", "2026-01-01"),
                                          ("C3", "W3", "T3", "2026-01-01"), ("C4", "W1", "T1", "2026-10-22")])])
    t["ssd_contacts"] = _frame("ssd_contacts", [
        {"cont_contact_id": k, "cont_person_id": c, "cont_contact_date": d}
        for k, c, d in [
            ("K1", "C1", "2026-10-19 09:00"),  # Monday, first day of last week: S1/T1
            ("K2", "C1", "2026-10-25 23:30"),  # Sunday, last day, late evening: S1/T1
            ("K3", "C2", "2026-10-21"),        # S1/T2
            ("K4", "C1", "2026-10-26"),        # the Monday after: in no week reported
            ("K5", "C1", "2026-10-18"),        # Sunday before: week ending 18 Oct (history), S1
            ("K6", "C2", "2026-07-27"),        # first day of the 12 weeks: history, S1
            ("K7", "C2", "2026-07-26"),        # the day before them: not counted
            ("K8", "C3", "2026-10-20"),        # S2/T3
            ("K9", "C5", "2026-10-20"),        # never allocated: no service
            ("K10", "C4", "2026-10-21"),       # allocated only from the 22nd: no service that day
        ]])
    t["ssd_cin_episodes"] = _frame("ssd_cin_episodes", [
        {"cine_referral_id": r, "cine_person_id": c, "cine_referral_date": d, "cine_referral_team": tm,
         "cine_referral_worker_id": w, "cine_referral_nfa": nfa}
        for r, c, d, tm, w, nfa in [
            ("R1", "C1", "2026-10-23", "T1", "W1", "N"),   # last week, S1
            ("R2", "C2", "2026-09-01", "T2", "W2", "N"),   # history, S1
            ("R3", "C3", "2026-08-15", "T3", "W3", "N"),   # history, S2
            ("R4", "C2", "2026-08-15", "T2", "W2", "Y"),   # NFA is still a referral: history, S1
        ]])
    t["ssd_cin_assessments"] = _frame("ssd_cin_assessments", [
        {"cina_assessment_id": a, "cina_person_id": c, "cina_referral_id": "R1", "cina_assessment_start_date": s,
         "cina_assessment_auth_date": e, "cina_assessment_team": tm, "cina_assessment_worker_id": w}
        for a, c, s, e, tm, w in [
            ("A1", "C1", "2026-10-01", "2026-10-20", "T1", "W1"),  # authorised last week, S1/T1
            ("A2", "C2", "2026-10-05", "2026-10-25", "T2", "W2"),  # authorised on the Sunday, S1/T2
            ("A3", "C1", "2026-10-19", "2026-10-26", "T1", "W1"),  # started last week, authorised after it
            ("A4", "C3", "2026-09-01", None, "T3", "W3"),          # not authorised
        ]])
    t["ssd_s47_enquiry"] = _frame("ssd_s47_enquiry", [
        {"s47e_s47_enquiry_id": e, "s47e_person_id": c, "s47e_s47_start_date": d, "s47e_s47_completed_by_team": tm,
         "s47e_s47_completed_by_worker_id": w}
        for e, c, d, tm, w in [("E1", "C1", "2026-10-22", "T1", "W1"),    # S1 last week
                               ("E2", "C3", "2026-10-24", "T3", "W3"),    # S2 last week
                               ("E3", "C2", "2026-10-12", "T2", "W2")]])  # S1, week ending 18 Oct
    t["ssd_initial_cp_conference"] = _frame("ssd_initial_cp_conference", [
        {"icpc_icpc_id": i, "icpc_person_id": c, "icpc_icpc_date": d, "icpc_icpc_team": tm, "icpc_icpc_worker_id": w,
         "icpc_icpc_transfer_in": tr, "icpc_s47_enquiry_id": s}
        for i, c, d, tm, w, tr, s in [
            ("IC1", "C1", "2026-10-23", "T1", "W1", "Y", "E1"),  # a transfer-in conference is still held: S1
            ("IC2", "C2", "2026-09-10", "T2", "W2", "N", "E3"),  # history, S1
        ]])
    t["ssd_cp_plans"] = _frame("ssd_cp_plans", [
        {"cppl_cp_plan_id": p, "cppl_person_id": c, "cppl_cp_plan_start_date": s, "cppl_cp_plan_end_date": e}
        for p, c, s, e in [
            ("P1", "C1", "2026-10-20", None),          # started last week, C1 with T1: S1
            ("P2", "C3", "2026-03-01", "2026-10-19"),  # ended last week (Monday), C3 with T3: S2
            ("P3", "C2", "2025-01-01", "2026-08-20"),  # ended in the history weeks, S1
        ]])
    t["ssd_cla_episodes"] = _frame("ssd_cla_episodes", [
        {"clae_cla_episode_id": e, "clae_person_id": c, "clae_cla_id": cla, "clae_cla_episode_start_date": s,
         "clae_cla_episode_ceased_date": x}
        for e, c, cla, s, x in [
            ("EP4", "C4", "CLA4", "2026-10-22", None),          # starts care last week, C4 with T1 that day: S1
            ("EP2a", "C2", "CLA2", "2026-06-01", "2026-10-21"),  # a change of episode, not of care:
            ("EP2b", "C2", "CLA2", "2026-10-21", None),          # neither a start nor a cease last week
            ("EP3", "C3", "CLA3", "2026-05-01", "2026-10-25"),   # ceases care on the Sunday: S2
            ("EP1", "C1", "CLA1", "2026-08-03", "2026-09-14"),   # starts and ceases in the history weeks: S1
        ]])
    t["ssd_legal_status"] = _frame("ssd_legal_status", [])
    return t


def publish(tables: dict[str, pd.DataFrame], folder: Path) -> Path:
    """A published cache of ``tables`` (no source, no validation) and a config pointing at it."""
    root = folder / "cache"
    staging = cache_mod.new_staging_dir(root)
    for name, frame in tables.items():
        cache_mod.write_table(staging, name, frame)
    cache_mod.write_manifest(staging, {"extract_time": "2026-11-01T06:00:00+00:00", "data_as_at": AS_AT,
                                       "tables": {n: {"rows": len(f)} for n, f in tables.items()}})
    cache_mod.publish(staging, root)
    return write_config(folder, source_url=f"sqlite:///{folder / 'none.sqlite'}", cache_folder=root)


def sheet(path: Path, name: str) -> pd.DataFrame:
    ws = load_workbook(path, read_only=True)[name]
    rows = list(ws.iter_rows(values_only=True))
    return pd.DataFrame(rows[1:], columns=rows[0])


@pytest.fixture(scope="module")
def hand_built(tmp_path_factory) -> Path:
    return publish(authority(), tmp_path_factory.mktemp("weekly"))


# ---- weeks ---------------------------------------------------------------------------------------

def test_weeks_run_monday_to_sunday_ending_on_or_before_the_data_date():
    assert last_complete_week("2026-10-31") == Period(pd.Timestamp("2026-10-19"), pd.Timestamp("2026-10-25"),
                                                     "W2026-10-25", "week")
    # data to a Sunday: that week is complete
    assert last_complete_week("2026-10-25").end == pd.Timestamp("2026-10-25")
    # data to a Monday: the week before
    assert last_complete_week("2026-10-26").end == pd.Timestamp("2026-10-25")
    # across a year end: Thursday 31 December 2026 -> Sunday 27 December
    assert last_complete_week("2026-12-31").end == pd.Timestamp("2026-12-27")
    weeks = weeks_ending(week_ending("2026-10-25"), 13)
    assert [w.end for w in (weeks[0], weeks[-2], weeks[-1])] == [pd.Timestamp("2026-08-02"), pd.Timestamp("2026-10-18"),
                                                                 pd.Timestamp("2026-10-25")]
    assert weeks[0].start == pd.Timestamp("2026-07-27")
    assert weeks[0].title == "27 Jul 2026 to 02 Aug 2026"


# ---- the command on the hand-built authority -----------------------------------------------------

# Service S1, last week and the 12 weeks before (the average is the count / 12):
#   contacts      K1, K2, K3 last week; K5 (18 Oct) and K6 (27 Jul) before    -> 3, 2/12
#   referrals     R1; R2 and R4 (NFA still counts)                              -> 1, 2/12
#   assessments   A1, A2 (Sunday); A3 authorised on the Monday after            -> 2, 0
#   S47s          E1; E3                                                        -> 1, 1/12
#   ICPCs         IC1 (transfer in, still held); IC2                            -> 1, 1/12
#   CP started    P1                                                            -> 1, 0
#   CP ended      none; P3 (20 Aug)                                             -> 0, 1/12
#   CLA starts    C4 (22 Oct, the day C4 is allocated to T1); C1 (3 Aug)         -> 1, 1/12
#   CLA ceased    none (C2 only changed episode); C1 (14 Sep)                    -> 0, 1/12
S1_EXPECTED = [  # activity, last week, average, difference, change
    ("Contacts", 3, 2 / 12, 3 - 2 / 12, (3 - 2 / 12) / (2 / 12)),
    ("Referrals", 1, 2 / 12, 1 - 2 / 12, (1 - 2 / 12) / (2 / 12)),
    ("Assessments completed", 2, 0, 2, None),
    ("Section 47 enquiries started", 1, 1 / 12, 11 / 12, 11.0),
    ("Initial CP conferences held", 1, 1 / 12, 11 / 12, 11.0),
    ("CP plans started", 1, 0, 1, None),
    ("CP plans ended", 0, 1 / 12, -1 / 12, -1.0),
    ("Children starting care", 1, 1 / 12, 11 / 12, 11.0),
    ("Children ceasing care", 0, 1 / 12, -1 / 12, -1.0),
]
# Service S2: K8; R3 before; E2; P2 ended (Monday 19 Oct); C3 ceased care on Sunday 25 Oct.
S2_LAST = {"Contacts": 1, "Referrals": 0, "Assessments completed": 0, "Section 47 enquiries started": 1,
           "Initial CP conferences held": 0, "CP plans started": 0, "CP plans ended": 1,
           "Children starting care": 0, "Children ceasing care": 1}


def test_command_writes_the_service_summary_worked_out_by_hand(hand_built, tmp_path):
    out = tmp_path / "north.xlsx"
    assert main(["weekly-activity", "--config", str(hand_built), "--service", "S1", "--out", str(out)]) == 0
    wb = load_workbook(out)
    assert wb.sheetnames == ["Summary", "Weekly", "By team", "About"]
    summary = sheet(out, "Summary")
    assert list(summary.columns) == ["Activity", "Last week", "12-week average", "Difference", "Change"]
    assert list(summary["Activity"]) == [e[0] for e in S1_EXPECTED]
    for (_, last, avg, diff, change), (_, row) in zip(S1_EXPECTED, summary.iterrows()):
        assert row["Last week"] == last
        assert row["12-week average"] == pytest.approx(round(avg, 1))
        assert row["Difference"] == pytest.approx(round(diff, 1))
        if change is None:
            assert pd.isna(row["Change"])  # no average to compare with: left blank, not 0 or infinity
        else:
            assert row["Change"] == pytest.approx(change)
    # Change is formatted as a percentage; with no average (assessments) the cell is empty
    assert wb["Summary"]["E2"].number_format == "0.0%"
    assert wb["Summary"]["A4"].value == "Assessments completed" and wb["Summary"]["E4"].value is None
    # About: the title names the service and the week; the data date is stamped
    about = [r[0] for r in wb["About"].iter_rows(values_only=True)]
    assert about[0] == "Weekly Activity Summary: North Service, week ending 25 October 2026"
    assert any("Data as at 31 October 2026" in str(a) for a in about)
    assert any("Monday 19 October to Sunday 25 October 2026" in str(a) for a in about)


def test_command_weekly_and_team_sheets(hand_built, tmp_path):
    out = tmp_path / "north.xlsx"
    assert main(["weekly-activity", "--config", str(hand_built), "--service", "S1", "--out", str(out)]) == 0
    weekly = sheet(out, "Weekly").set_index("Activity")
    assert list(weekly.columns)[0] == "w/e 02/08/2026" and list(weekly.columns)[-1] == "w/e 25/10/2026"
    assert len(weekly.columns) == 13
    assert weekly["w/e 25/10/2026"].to_dict() == {e[0]: e[1] for e in S1_EXPECTED}
    assert weekly.loc["Contacts", "w/e 18/10/2026"] == 1       # K5
    assert weekly.loc["Contacts", "w/e 02/08/2026"] == 1       # K6 (K7 the day before is in no week)
    assert weekly.loc["Section 47 enquiries started", "w/e 18/10/2026"] == 1   # E3
    assert weekly.loc["Children starting care", "w/e 09/08/2026"] == 1         # C1 on Monday 3 August
    assert weekly.loc["Children ceasing care", "w/e 20/09/2026"] == 1          # C1 on Monday 14 September
    # the history columns add up to 12 x the average
    history = weekly.iloc[:, :-1].sum(axis=1)
    assert history.to_dict() == {e[0]: round(e[2] * 12) for e in S1_EXPECTED}
    teams = sheet(out, "By team").set_index("Team")
    assert list(teams.index) == ["Team One", "Team Two"]
    assert teams.loc["Team One"].to_dict() == {
        "Contacts": 2, "Referrals": 1, "Assessments completed": 1, "Section 47 enquiries started": 1,
        "Initial CP conferences held": 1, "CP plans started": 1, "CP plans ended": 0,
        "Children starting care": 1, "Children ceasing care": 0}
    assert teams.loc["Team Two"].to_dict() == {
        "Contacts": 1, "Referrals": 0, "Assessments completed": 1, "Section 47 enquiries started": 0,
        "Initial CP conferences held": 0, "CP plans started": 0, "CP plans ended": 0,
        "Children starting care": 0, "Children ceasing care": 0}


def test_command_for_the_other_service_and_an_earlier_week(hand_built, tmp_path):
    out = tmp_path / "south.xlsx"
    assert main(["weekly-activity", "--config", str(hand_built), "--service", "S2", "--out", str(out)]) == 0
    summary = sheet(out, "Summary").set_index("Activity")
    assert summary["Last week"].to_dict() == S2_LAST
    assert summary.loc["Referrals", "12-week average"] == pytest.approx(round(1 / 12, 1))   # R3
    # --week-ending: the week to 18 October; its history runs from Monday 20 July
    earlier = tmp_path / "north-18.xlsx"
    assert main(["weekly-activity", "--config", str(hand_built), "--service", "S1", "--out", str(earlier),
                 "--week-ending", "2026-10-18"]) == 0
    s = sheet(earlier, "Summary").set_index("Activity")
    assert s.loc["Contacts", "Last week"] == 1 and s.loc["Section 47 enquiries started", "Last week"] == 1
    # K6 (27 Jul) is in the 12 weeks before; K7 (26 Jul) now is too (20 Jul to 11 Oct)
    assert s.loc["Contacts", "12-week average"] == pytest.approx(round(2 / 12, 1))
    assert s.loc["Referrals", "Last week"] == 0 and s.loc["Referrals", "12-week average"] == pytest.approx(round(2 / 12, 1))


def test_children_sheet_lists_last_weeks_records_by_id_without_names(hand_built, tmp_path):
    out = tmp_path / "north-children.xlsx"
    assert main(["weekly-activity", "--config", str(hand_built), "--service", "S1", "--out", str(out),
                 "--children"]) == 0
    children = sheet(out, "Children")
    assert list(children.columns) == ["Activity", "Date", "Child ID", "Team", "Worker", "Record ID"]
    assert len(children) == sum(e[1] for e in S1_EXPECTED)   # 10 records
    assert sorted(children.loc[children["Activity"] == "Contacts", "Record ID"]) == ["K1", "K2", "K3"]
    assert set(children["Child ID"]) == {"C1", "C2", "C4"}
    wb = load_workbook(out)
    text = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    assert "Zorblax" not in text and "Quendry" not in text
    assert "OFFICIAL-SENSITIVE" in text


def test_whole_authority_counts_children_with_no_service(hand_built):
    tables = authority()
    wa = weekly_activity(tables, MetricSettings(), week_ending("2026-10-25"))
    sheets = service_sheets(wa, tables, None)
    s = sheets["Summary"].set_index("Activity")
    # K1, K2, K3 (S1), K8 (S2), K9 (never allocated), K10 (allocated only from the next day)
    assert s.loc["Contacts", "Last week"] == 6
    assert s.loc["Children ceasing care", "Last week"] == 1
    assert set(sheets["By team"]["Team"]) == {"Team One", "Team Two", "Team Three", "Team not recorded"}


def test_command_refuses_unknown_services_and_unfinished_weeks(hand_built, tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["weekly-activity", "--config", str(hand_built), "--service", "NOPE", "--out", str(out)]) == 2
    assert "unknown service" in capsys.readouterr().err
    assert main(["weekly-activity", "--config", str(hand_built), "--service", "S1", "--out", str(out),
                 "--week-ending", "2026-11-01"]) == 2
    assert "not complete" in capsys.readouterr().err
    assert not out.exists()
    assert main(["weekly-activity", "--config", str(hand_built), "--list-services"]) == 0
    assert capsys.readouterr().out.splitlines() == ["S1\tNorth Service", "S2\tSouth Service"]


# ---- the demo authority ----------------------------------------------------------------------------

def test_command_on_the_demo_portal_matches_the_measures_run_for_each_week(demo_portal, tmp_path):
    """Run as a scheduler would (a separate process), then check each figure against the registered
    measures run directly, grouped by service, for weeks built here (not with reports' helpers)."""
    from data_access.cache import load_current
    from data_access.config import load_config

    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    service = "S01"
    out = tmp_path / "demo.xlsx"
    done = subprocess.run([sys.executable, "-m", "reports", "weekly-activity", "--config", str(demo_portal),
                           "--service", service, "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # 31 October 2026 is a Saturday: last week is 19-25 October; the 12 before start on 27 July.
    ends = [pd.Timestamp("2026-10-25") - pd.Timedelta(weeks=i) for i in range(13)][::-1]
    weeks = [Period(e - pd.Timedelta(days=6), e, f"wk{e:%Y%m%d}", "week") for e in ends]
    settings = MetricSettings.from_config(cfg.measures, cfg.targets)
    lines = {  # activity -> (measure, which count)
        "Contacts": ("contacts", "numerator"), "Referrals": ("referrals", "numerator"),
        "Assessments completed": ("assessments", "numerator"), "Section 47 enquiries started": ("s47", "numerator"),
        "Initial CP conferences held": ("icpc_to_plan", "denominator"),
        "CP plans started": ("cp_repeat", "denominator"), "CP plans ended": ("cp_long", "denominator"),
        "Children starting care": ("cla_starts", "numerator"), "Children ceasing care": ("cla_ceased", "numerator"),
    }
    summary = sheet(out, "Summary").set_index("Activity")
    weekly = sheet(out, "Weekly").set_index("Activity")
    nonzero = 0
    for activity, (measure_id, field) in lines.items():
        s = registry.get(measure_id).run(cache.tables, weeks, "service", settings).summary
        s = s[s["group_id"] == service].set_index("period")[field]
        counts = [int(s.get(w.label, 0) or 0) for w in weeks]
        assert list(weekly.loc[activity]) == counts, activity
        assert summary.loc[activity, "Last week"] == counts[-1], activity
        assert summary.loc[activity, "12-week average"] == pytest.approx(round(sum(counts[:-1]) / 12, 1)), activity
        nonzero += sum(counts)
    assert nonzero > 0, "the demo's front door service should have some activity in 13 weeks"


def test_a_head_of_service_downloads_the_same_workbook_the_command_sends(demo_portal):
    """The page builds the service's workbook from the head's own rows (their access scope); the
    command from the whole cache. For the head's service they must be the same."""
    from auth.identity import derive_scope
    from data_access.cache import load_current
    from data_access.config import load_config
    from data_access.scope import apply_scope
    from tests.conftest import demo_users

    cfg = load_config(demo_portal)
    cache = load_current(cfg.cache_folder)
    head = demo_users(demo_portal)["head"]
    _, aggregate = derive_scope(head["role"], head.get("worker_id"), cache.tables, cache.as_at, head["services"])
    mine = apply_scope(cache.tables, aggregate)
    week = last_complete_week(cache.as_at)
    service = head["services"][0]
    page = service_sheets(weekly_activity(mine, MetricSettings(), week), mine, service)
    command = service_sheets(weekly_activity(cache.tables, MetricSettings(), week), cache.tables, service)
    assert list(page) == list(command) == ["Summary", "Weekly", "By team"]
    for name in page:
        pd.testing.assert_frame_equal(page[name], command[name])
    assert page["Weekly"].iloc[:, 1:].to_numpy().sum() > 0
