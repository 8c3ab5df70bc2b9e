"""The Children in Care report's breakdowns (metrics/cic.py) on a hand-built authority of eight
children, August to October 2026, run through the registered cla, cla_starts and cla_ceased
measures. Every expected figure is worked out below.

    A  born 10 May 2020. Enters care Thu 3 Sep 2026 (V2); legal status becomes C1 on 1 Oct (a
       new episode, legal-status change only: same period of care). Placements: U6 from 3 Sep,
       K2 from 20 Sep (move, reason STAND), U4 from 25 Oct (move, no reason recorded).
    B  born 15 Jan 2010. In care since 1 Jan 2024 (C2); ceases 15 Oct 2026 (E4A), aged 16.
       Placements U4 to 1 Jun 2025 (CARPL), then U6 until care ends.
    C  born 20 Aug 2026. Enters care on 31 Oct 2026, the last day of October: a start in
       October and in care at the end of it. Placed with parent (P1); no legal status recorded.
    D  born 3 Mar 2012. In care 5 Oct to 20 Oct 2026 (L2, U3; E13): starts and ceases in October.
    E  born 1 Jul 2015. In care since 1 Jan 2023 (C2). Placement U4 recorded as two records split
       on 10 Oct 2026 with the same type, provider, URN and postcode: one placement, not a move.
    F  born 2 Feb 2009. In care since 1 Jan 2025; ceases 30 Sep 2026 (E5): not in care at the end
       of September.
    G  born 11 Nov 2018. Enters care on 30 Sep 2026 (V2, U1); moves on 12 Oct to U6 (CREQB).
    H  born 1 Jan 2011. In care Jan to 1 Jun 2026 (E4B); comes back on 3 Oct 2026 (V2, U6): a
       new period of care, and a new placement after a break in care, which is not a move.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from metrics import cic, registry
from metrics.periods import month, period_for
from tests.source_fixtures import _frame

PEOPLE = {"A": "2020-05-10", "B": "2010-01-15", "C": "2026-08-20", "D": "2012-03-03", "E": "2015-07-01",
          "F": "2009-02-02", "G": "2018-11-11", "H": "2011-01-01"}
EPISODES = [  # id, child, start, ceased, reason ceased, reason new episode, cla id
    ("A1", "A", "2026-09-03", "2026-10-01", "X1", "S", "CA"),
    ("A2", "A", "2026-10-01", None, None, "L", "CA"),
    ("B1", "B", "2024-01-01", "2026-10-15", "E4A", "S", "CB"),
    ("C1", "C", "2026-10-31", None, None, "S", "CC"),
    ("D1", "D", "2026-10-05", "2026-10-20", "E13", "S", "CD"),
    ("E1", "E", "2023-01-01", None, None, "S", "CE"),
    ("F1", "F", "2025-01-01", "2026-09-30", "E5", "S", "CF"),
    ("G1", "G", "2026-09-30", None, None, "S", "CG"),
    ("H1", "H", "2026-01-01", "2026-06-01", "E4B", "S", "CH1"),
    ("H2", "H", "2026-10-03", None, None, "S", "CH2"),
]
PLACEMENTS = [  # id, child, start, end, type, provider, urn, postcode, change reason
    ("PA1", "A", "2026-09-03", "2026-09-20", "U6", "PR1", "SC001", "AA1 1AA", "STAND"),
    ("PA2", "A", "2026-09-20", "2026-10-25", "K2", "PR4", "SC002", "AA2 2AA", None),
    ("PA3", "A", "2026-10-25", None, "U4", "PR1", "SC003", "AA3 3AA", None),
    ("PB1", "B", "2024-01-01", "2025-06-01", "U4", "PR1", "SC004", "BB1 1BB", "CARPL"),
    ("PB2", "B", "2025-06-01", "2026-10-15", "U6", "PR4", "SC005", "BB2 2BB", None),
    ("PC1", "C", "2026-10-31", None, "P1", "PR0", None, "CC1 1CC", None),
    ("PD1", "D", "2026-10-05", "2026-10-20", "U3", "PR1", "SC006", "DD1 1DD", None),
    ("PE1", "E", "2023-01-01", "2026-10-10", "U4", "PR1", "SC007", "EE1 1EE", "PLACE"),
    ("PE2", "E", "2026-10-10", None, "U4", "PR1", "SC007", "EE1 1EE", None),
    ("PF1", "F", "2025-01-01", "2026-09-30", "H5", "PR4", "SC008", "FF1 1FF", None),
    ("PG1", "G", "2026-09-30", "2026-10-12", "U1", "PR1", "SC009", "GG1 1GG", "CREQB"),
    ("PG2", "G", "2026-10-12", None, "U6", "PR4", "SC010", "GG2 2GG", None),
    ("PH1", "H", "2026-01-01", "2026-06-01", "U6", "PR1", "SC011", "HH1 1HH", None),
    ("PH2", "H", "2026-10-03", None, "U6", "PR1", "SC011", "HH1 1HH", None),
]
LEGAL = [  # child, status, start, end
    ("A", "V2", "2026-09-03", "2026-10-01"), ("A", "C1", "2026-10-01", None),
    ("B", "C2", "2024-01-01", "2026-10-15"),
    ("D", "L2", "2026-10-05", "2026-10-20"),
    ("E", "C2", "2023-01-01", None),
    ("F", "V2", "2025-01-01", "2026-09-30"),
    ("G", "V2", "2026-09-30", None),
    ("H", "V2", "2026-01-01", "2026-06-01"), ("H", "V2", "2026-10-03", None),
]


@pytest.fixture(scope="module")
def tables():
    return {
        "ssd_person": _frame("ssd_person", [{"pers_person_id": k, "pers_dob": v} for k, v in PEOPLE.items()]),
        "ssd_department": _frame("ssd_department", [
            {"dept_team_id": "S1", "dept_team_name": "Children in Care"},
            {"dept_team_id": "T1", "dept_team_name": "CIC Team", "dept_team_parent_id": "S1"}]),
        "ssd_professionals": _frame("ssd_professionals", [
            {"prof_professional_id": "W1", "prof_professional_name": "Ann Lee", "prof_professional_department": "T1"}]),
        "ssd_cla_episodes": _frame("ssd_cla_episodes", [
            {"clae_cla_episode_id": e, "clae_person_id": c, "clae_cla_episode_start_date": s,
             "clae_cla_episode_ceased_date": x, "clae_cla_episode_ceased_reason": r,
             "clae_cla_episode_start_reason": n, "clae_cla_id": cla} for e, c, s, x, r, n, cla in EPISODES]),
        "ssd_cla_placement": _frame("ssd_cla_placement", [
            {"clap_cla_placement_id": i, "clap_person_id": c, "clap_cla_placement_start_date": s,
             "clap_cla_placement_end_date": e, "clap_cla_placement_type": t, "clap_cla_placement_provider": p,
             "clap_cla_placement_urn": u, "clap_cla_placement_postcode": pc, "clap_cla_placement_change_reason": r}
            for i, c, s, e, t, p, u, pc, r in PLACEMENTS]),
        "ssd_legal_status": _frame("ssd_legal_status", [
            {"lega_legal_status_id": f"L{i}", "lega_person_id": c, "lega_legal_status": s,
             "lega_legal_status_start_date": a, "lega_legal_status_end_date": b} for i, (c, s, a, b) in enumerate(LEGAL)]),
    }


def rows(tables, measure_id, period):
    return registry.get(measure_id).run(tables, [period]).rows


def as_records(frame: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in frame.itertuples(index=False)]


def test_throughput_month_by_month(tables):
    months = [month(2026, 8), month(2026, 9), month(2026, 10)]
    summaries = {m: registry.get(m).run(tables, months).summary for m in ("cla", "cla_starts", "cla_ceased")}
    t = cic.throughput(summaries["cla"], summaries["cla_starts"], summaries["cla_ceased"])
    # In care at 31 Aug: B, E, F (3). September: A (3rd) and G (30th) start, F ceases on the 30th:
    # 4 at 30 Sep (A, B, E, G). October: C, D and H start, B and D cease: 5 at 31 Oct (A, C, E, G, H).
    assert t["period"].tolist() == ["2026-08", "2026-09", "2026-10"]
    assert t["in_care"].tolist() == [3, 4, 5]
    assert t["started"].tolist() == [0, 2, 3]
    assert t["ceased"].tolist() == [0, 1, 2]
    assert t["net_flow"].tolist() == [0, 1, 1]
    assert math.isnan(t["change"][0]) and t["change"].tolist()[1:] == [1, 1]  # = net flow


def test_starters_and_leavers_in_october(tables):
    october = month(2026, 10)
    starts = rows(tables, "cla_starts", october)
    ceased = cic.placement_on_leaving(rows(tables, "cla_ceased", october), tables)
    # Leavers' placement on their last day in care: B on 14 Oct in PB2 (U6), D on 19 Oct in PD1 (U3).
    assert dict(zip(ceased["person_id"], ceased["placement_type"])) == {"B": "U6", "D": "U3"}

    # Starts: C (under 1, no legal status, P1), D (14 on 5 Oct: 10-15, L2, U3), H (15 on 3 Oct:
    # 10-15, V2, U6). Leavers: B (16 on 15 Oct: 16+, C2 on 14 Oct), D (14: 10-15, L2 on 19 Oct).
    assert as_records(cic.starters_and_leavers(starts, ceased, "age_band")) == [
        ("Under 1", 1, 0, 1), ("10-15", 2, 1, 1), ("16+", 0, 1, -1), ("Total", 3, 2, 1)]
    assert as_records(cic.starters_and_leavers(starts, ceased, "legal_status")) == [
        ("C2 Full care order", 0, 1, -1), ("V2 Section 20 (single period)", 1, 0, 1),
        ("L2 Emergency protection order", 1, 1, 0), ("Not recorded", 1, 0, 1), ("Total", 3, 2, 1)]
    assert as_records(cic.starters_and_leavers(starts, ceased, "placement_group")) == [
        ("Foster care", 2, 2, 0), ("Placed with parents", 1, 0, 1), ("Total", 3, 2, 1)]
    # Reasons care ceased, in code-list order (E13 before E4A)
    assert as_records(cic.leavers_by_reason(ceased)) == [
        ("E13 Left to live with someone without parental responsibility", 1),
        ("E4A Returned home as planned", 1), ("Total", 2)]


def test_starters_and_leavers_over_a_quarter(tables):
    # July to September 2026 (a calendar quarter): A and G start (5 and 7 on their start days:
    # 5-9), F ceases (17 on 30 Sep: 16+, in H5 on 29 Sep: independent and semi-independent living).
    q3 = period_for("2026-09", "quarter")
    starts = rows(tables, "cla_starts", q3)
    ceased = cic.placement_on_leaving(rows(tables, "cla_ceased", q3), tables)
    assert as_records(cic.starters_and_leavers(starts, ceased, "age_band")) == [
        ("5-9", 2, 0, 2), ("16+", 0, 1, -1), ("Total", 2, 1, 1)]
    assert as_records(cic.starters_and_leavers(starts, ceased, "placement_group")) == [
        ("Foster care", 2, 0, 2), ("Independent and semi-independent living", 0, 1, -1), ("Total", 2, 1, 1)]


def test_children_in_care_at_the_end_of_october(tables):
    cla = rows(tables, "cla", month(2026, 10))
    # A: 6, C1, U4 since 25 Oct. C: under 1, no legal status, P1. E: 11, C2, U4. G: 7 (birthday
    # 11 Nov), V2, U6. H: 15, V2, U6.
    assert as_records(cic.in_care_breakdown(cla, "age_band")) == [
        ("Under 1", 1, 0.2), ("5-9", 2, 0.4), ("10-15", 2, 0.4), ("Total", 5, 1.0)]
    assert as_records(cic.in_care_breakdown(cla, "legal_status")) == [
        ("C1 Interim care order", 1, 0.2), ("C2 Full care order", 1, 0.2),
        ("V2 Section 20 (single period)", 2, 0.4), ("Not recorded", 1, 0.2), ("Total", 5, 1.0)]
    assert as_records(cic.in_care_breakdown(cla, "placement_group")) == [
        ("Foster care", 4, 0.8), ("Placed with parents", 1, 0.2), ("Total", 5, 1.0)]


def test_placement_moves_and_their_reasons(tables):
    # October: G moves on 12 Oct (from U1, reason CREQB), A on 25 Oct (from K2, no reason). Not
    # moves: E's record split on 10 Oct (same placement), H's new placement on 3 Oct after a
    # break in care.
    moves = cic.placement_moves(tables, month(2026, 10))
    assert as_records(moves[["person_id", "move_date", "from_type", "to_type", "reason_code"]]) == [
        ("G", pd.Timestamp("2026-10-12"), "U1", "U6", "CREQB"), ("A", pd.Timestamp("2026-10-25"), "K2", "U4", "")]
    assert as_records(cic.moves_by_reason(moves)) == [
        ("CREQB Carer asked to end: child's behaviour", 1, 0.5), ("Not recorded", 1, 0.5), ("Total", 2, 1.0)]
    # September: A on 20 Sep (STAND). B's move was in June 2025; the first placement of a period of
    # care (A on 3 Sep, G on 30 Sep) is not a move.
    september = cic.placement_moves(tables, month(2026, 9))
    assert as_records(september[["person_id", "reason"]]) == [("A", "STAND Standards of care concern")]
    # A year: 1 Nov 2025 to 31 Oct 2026 holds the same three moves
    assert len(cic.placement_moves(tables, period_for("2026-10", "rolling12"))) == 3
    # No moves at all: an empty table with a zero total, not an error
    none = cic.moves_by_reason(cic.placement_moves(tables, month(2026, 8)))
    assert as_records(none)[0][:2] == ("Total", 0) and math.isnan(none["Share"][0])
    assert none["Share"].dtype == float  # shown as blank, not "None"


def test_code_labels_and_groups():
    assert cic.legal_status_label(["c2", "", None, "ZZ"]).tolist() == [
        "C2 Full care order", "Not recorded", "Not recorded", "ZZ"]
    assert cic.placement_group(["u6", "Z1", "", "K2", "A5", "T1"]).tolist() == [
        "Foster care", "Other", "Not recorded", "Children's homes and secure units", "Placed for adoption",
        "Temporary placements"]
    assert cic.reason_ceased_label(["E4A", "X9"]).tolist() == ["E4A Returned home as planned", "X9"]
    # every 903 placement type in the 2017 code list has a group (none falls into "Other")
    codes = ["A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
             "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6"]
    assert "Other" not in set(cic.placement_group(codes))
