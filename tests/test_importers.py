"""Statutory returns read into the SSD tables (importers/).

Every file in ../shared/external/ (SSDA903 CSV and XML, CIN census XML, Annex A workbook; synthetic
and deliberately messy, written by other projects) is loaded in place, and the children, episodes
and rejected rows are compared with counts worked out here by reading the same files with the
csv module, ElementTree and openpyxl, independently of the importers. Then messy input on tiny
inline files (header spellings, Excel serial dates, #N/A, prefixed and bare codes), and malformed
files: a clear error naming the file, and the previous cache still live.
"""

from __future__ import annotations

import csv
import datetime as dt
import textwrap
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from importers import common
from importers.common import (
    BLANKED, CONFLICT, CORRECTED, MERGED, NOT_IMPORTED, REJECTED, UNKNOWN_CODE, parse_date,
)
from importers.source import REPORT_FILE, read_returns
from tests.conftest import ROOT

EXTERNAL = ROOT.parent / "shared" / "external"
needs_external = pytest.mark.skipif(not EXTERNAL.is_dir(), reason="../shared/external is not present")
D903 = EXTERNAL / "ssda903-fake"
CIN = EXTERNAL / "cin-census"
ANNEX = EXTERNAL / "annex-a" / "Annex_A_2024_Jan.xlsx"


def today() -> dt.date:
    """The importer's today (records dated after it are impossible and rejected)."""
    return dt.datetime.now(dt.timezone.utc).date()


def d(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def csv_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def link(folder: Path, *paths: Path) -> Path:
    """A folder holding symlinks to the external files (read in place, never copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    for p in paths:
        (folder / p.name).symlink_to(p)
    return folder


def by_action(source, action: str) -> list:
    return [r for r in source.report if r.action == action]


# ---- independent readings of the SSDA903 files ----------------------------------------------------

def care_intervals(episodes: list[tuple[str, dt.date, dt.date | None, str]]) -> dict[str, list]:
    """Per child, [start, end] of each episode (end None = still open), with the rules the
    importer documents (London LIIA): an open episode that is not the child's last is closed when
    the next starts, or the day before when the next starts a new period, RNE S (rules 1, 1A); an
    episode ending after the next starts is ended when it starts (rule 4)."""
    by_child = defaultdict(list)
    for child, decom, dec, rne in episodes:
        by_child[child].append((decom, dec, rne))
    out = {}
    for child, eps in by_child.items():
        eps.sort()
        fixed = []
        for i, (decom, dec, _) in enumerate(eps):
            if i + 1 < len(eps):
                nxt, _, nxt_rne = eps[i + 1]
                if dec is None:
                    dec = nxt - dt.timedelta(days=1) if nxt_rne == "S" else nxt
                elif dec > nxt:
                    dec = nxt
            fixed.append((decom, dec))
        out[child] = fixed
    return out


def reviews_outside_care(reviews: list[tuple[str, dt.date]], intervals: dict) -> int:
    """Reviews (one per child and date) whose date no episode of the child covers."""
    outside = 0
    for child, when in set(reviews):
        spans = intervals.get(child, [])
        if not any(s <= when and (e is None or when <= e) for s, e in spans):
            outside += 1
    return outside


def in_care_on(intervals: dict, day: dt.date) -> int:
    return sum(1 for spans in intervals.values()
               if any(s <= day and (e is None or e > day) for s, e in spans))


def csv_903():
    header = csv_rows(D903 / "header.csv")
    episodes = csv_rows(D903 / "episodes.csv")
    reviews = csv_rows(D903 / "reviews.csv")
    eps = [(r["CHILD"], d(r["DECOM"]), d(r["DEC"]) if r["DEC"] else None, r["RNE"]) for r in episodes]
    return header, episodes, [(r["CHILD"], d(r["REVIEW"])) for r in reviews], care_intervals(eps)


def xml_903():
    root = ET.parse(D903 / "fake_903.xml").getroot()
    children, eps, reviews = [], [], []
    for child in root.findall("CHILD"):
        cid = child.findtext("HEADER/CHILDID")
        children.append(cid)
        for e in child.findall("EPISODE"):
            dec = e.findtext("DEC")
            eps.append((cid, d(e.findtext("DECOM")), d(dec) if dec else None, e.findtext("RNE")))
        reviews += [(cid, d(r.findtext("REVIEW"))) for r in child.findall("HEADER/AREVIEW")]
    return children, eps, reviews


# ---- every external file loaded -------------------------------------------------------------------

@needs_external
def test_ssda903_csv_tables(tmp_path):
    header, episodes, reviews, intervals = csv_903()
    source = read_returns(link(tmp_path / "r", *sorted(D903.glob("*.csv"))))
    t = source.tables

    # Children: every CHILD of the header (2,675 in these files), each once.
    assert len(t["ssd_person"]) == len({r["CHILD"] for r in header}) == 2675
    # Episodes: every row of episodes.csv (5,050; none duplicated, none ending before it starts),
    # for the same 2,123 children.
    keys = {(r["CHILD"], r["DECOM"]) for r in episodes}
    assert len(keys) == len(episodes)
    assert len(t["ssd_cla_episodes"]) == len(episodes) == 5050
    assert set(t["ssd_cla_episodes"]["clae_person_id"]) == {r["CHILD"] for r in episodes}
    assert t["ssd_cla_episodes"]["clae_person_id"].nunique() == 2123

    # Rejected rows: reviews dated after today (the files run to 2030: impossible dates), reviews
    # whose date no period of care covers (most are of children with no episode at all in this
    # return; a few fall in gaps left by rule 4), and the one social worker episode, whose CHILD10
    # is in no header. Counted after the 14 repeats of the same child and date are read once. (On
    # 23 November 2026: 68 future; 5,740 outside care, 3,031 of them with no episode; 1.)
    now = today()
    future = {(c, w) for c, w in set(reviews) if w > now}
    past = set(reviews) - future
    no_episode = sum(1 for child, _ in past if child not in intervals)
    outside = reviews_outside_care(past, intervals)
    sw = [r for r in csv_rows(D903 / "sw_episodes.csv") if r["CHILD"] not in {h["CHILD"] for h in header}]
    rejected = by_action(source, REJECTED)
    assert len(rejected) == len(future) + outside + len(sw)
    assert sum(1 for r in rejected if "after today" in r.reason) == len(future) > 0
    assert sum(1 for r in rejected if "no looked-after episode" in r.reason) == no_episode > 3000
    assert len(t["ssd_cla_reviews"]) == len(past) - outside
    repeats = len(reviews) - len(set(reviews))
    assert len(by_action(source, MERGED)) == repeats == 14
    # OC2 (no dates) and previous permanence are reported row by row as not imported.
    assert len(by_action(source, NOT_IMPORTED)) == (len(csv_rows(D903 / "oc2.csv"))
                                                    + len(csv_rows(D903 / "previous_permanence.csv")))
    # Every rejected row says where it came from.
    sample = next(r for r in rejected if r.file == "reviews.csv")
    assert sample.row >= 2 and sample.child_id and sample.record == "reviews"

    # The SWEpisodes row was the only allocation: with it rejected, there is no allocation history
    # and no worker, so those measures will say "not available".
    assert "ssd_involvements" not in t and t["ssd_professionals"].empty
    assert "ssd_involvements" in source.absent and "ssd_cin_episodes" in source.absent
    # Missing episodes (43 rows: 24 A = absent, 19 M = missing) and OC3 care leavers (53).
    assert len(t["ssd_missing"]) == len(csv_rows(D903 / "missing.csv"))
    assert (t["ssd_missing"]["miss_missing_episode_type"] == "Absent").sum() == 24
    assert len(t["ssd_care_leavers"]) == len(csv_rows(D903 / "oc3.csv")) == 53
    assert len(t["ssd_immigration_status"]) == len(csv_rows(D903 / "uasc.csv"))


@needs_external
def test_ssda903_xml(tmp_path):
    children, eps, reviews = xml_903()
    source = read_returns(link(tmp_path / "x", D903 / "fake_903.xml"))
    t = source.tables
    assert len(t["ssd_person"]) == len(set(children)) == 253
    assert len(t["ssd_cla_episodes"]) == len(eps) == 459
    intervals = care_intervals(eps)
    past = {(c, w) for c, w in set(reviews) if w <= today()}
    outside = reviews_outside_care(past, intervals)
    assert len(by_action(source, REJECTED)) == len(set(reviews)) - len(past) + outside
    assert len(t["ssd_cla_reviews"]) == len(past) - outside


@needs_external
def test_cin_census_files():
    now = today().isoformat()        # ISO dates compare as text
    children, referrals, icpcs, bad_assessments, bad_with_factors = set(), set(), set(), set(), set()
    for path in sorted(CIN.glob("*.xml")):
        root = ET.parse(path).getroot()
        for child in root.iter("Child"):
            cid = child.findtext("ChildIdentifiers/LAchildID").strip()
            children.add(cid)
            for det in child.findall("CINdetails"):
                referrals.add((cid, det.findtext("CINreferralDate")))
                for when in [det.findtext("DateOfInitialCPC"), *[s.findtext("DateOfInitialCPC")
                                                                 for s in det.findall("Section47")]]:
                    if when:
                        icpcs.add((cid, when))
                for a in det.findall("Assessments"):
                    start, auth = a.findtext("AssessmentActualStartDate"), a.findtext("AssessmentAuthorisationDate")
                    if start > now or (auth and auth < start):
                        bad_assessments.add((cid, start))
                        if a.findall("FactorsIdentifiedAtAssessment/AssessmentFactors"):
                            bad_with_factors.add((cid, start))
    future_referrals = {r for r in referrals if r[1] > now}
    future_icpcs = {c for c in icpcs if c[1] > now}

    source = read_returns(CIN)   # the folder itself: its LICENSE is ignored
    t = source.tables
    # 332 children in the 2022 file + the same 2 children in the 2024 and 2026 files.
    assert len(t["ssd_person"]) == len(children) == 334
    # 404 referrals and 352 conferences, less those dated after today (the 2022 file runs to 2030).
    assert len(referrals) == 404 and len(icpcs) == 352 and future_referrals and future_icpcs
    assert len(t["ssd_cin_episodes"]) == len(referrals) - len(future_referrals)
    assert len(t["ssd_initial_cp_conference"]) == len(icpcs) - len(future_icpcs)
    # Rejected: those, and the tiny files' one assessment (in both files) started in 2028 and
    # authorised in 2020, with its assessment factors.
    rejected = by_action(source, REJECTED)
    assert len(bad_assessments) == len(bad_with_factors) == 1
    assert len(rejected) == len(future_referrals) + len(future_icpcs) + 2
    assert sum(1 for r in rejected if r.record == "Assessments") == 2
    assert "ssd_assessment_factors" in source.absent   # its only factors belonged to that assessment
    assert len(by_action(source, NOT_IMPORTED)) == 1   # the 2026 file's pre-proceedings block
    assert source.reference_date == pd.Timestamp("2024-03-31")
    # GenderCurrent 0/1/2/9 and Sex 1/M all read as M/F/U.
    assert set(t["ssd_person"]["pers_sex"].dropna()) <= {"M", "F", "U"}


KEY_DATES = {1: "Date of Contact", 2: "Assessment start date", 3: "Date of Referral",
             4: "Continuous Assessment Start Date",
             5: "Strategy discussion initiating Section 47 Enquiry Start Date", 6: "CIN Start Date",
             7: "Child Protection Plan Start Date", 8: "Date Started to be Looked After"}


def annex_rows(number: int) -> list[dict]:
    wb = openpyxl.load_workbook(ANNEX, data_only=True, read_only=True)
    rows = list(wb[f"List {number}"].iter_rows(values_only=True))
    wb.close()
    head = [str(h) for h in rows[0]]
    return [dict(zip(head, r)) for r in rows[1:] if any(v not in (None, "") for v in r)]


@needs_external
def test_annex_a_workbook(tmp_path):
    ids, unusable = set(), 0
    for n in range(1, 11):
        for r in annex_rows(n):
            cid = r["Child Unique ID"]
            key = r.get(KEY_DATES.get(n, "Child Unique ID"))
            if cid in (None, "", "#N/A") or key in (None, "", "#N/A"):
                unusable += 1
            else:
                ids.add(str(cid))
    referrals = {(str(r["Child Unique ID"]), r["Date of Referral"]) for r in annex_rows(3)} | {
        (str(r["Child Unique ID"]), r["CIN Start Date"]) for r in annex_rows(6)}

    source = read_returns(link(tmp_path / "a", ANNEX))
    t = source.tables
    assert len(t["ssd_person"]) == len(ids) == 48
    assert len(t["ssd_cin_episodes"]) == len(referrals) == 11
    assert len(t["ssd_cla_episodes"]) == len(annex_rows(8)) == 5
    assert len(by_action(source, REJECTED)) == unusable == 0
    # List 11 (adopters) is reported row by row; Lists 9 and 10 disagree on five children's dates
    # of birth and ethnicity (List 9 read first is kept; the dates are withheld in the report).
    assert len(by_action(source, NOT_IMPORTED)) == len(annex_rows(11)) == 5
    conflicts = by_action(source, CONFLICT)
    assert {r.column for r in conflicts} == {"pers_dob", "pers_ethnicity"}
    assert all(r.value == common.WITHHELD for r in conflicts if r.column == "pers_dob")
    # Messy values read: "#N/A" teams are blank, non-breaking spaces in names are spaces,
    # "Female" and "b) Female" are the same, "CS Assessment Updated" is no yes/no (blanked).
    assert "#N/A" not in set(t["ssd_department"]["dept_team_id"])
    assert not t["ssd_professionals"]["prof_professional_name"].str.contains("\xa0").any()
    people = t["ssd_person"].set_index("pers_person_id")
    assert people.loc["9212044", "pers_sex"] == "F" and people.loc["11973218", "pers_sex"] == "F"
    assert len([r for r in by_action(source, BLANKED) if r.record == "List 4"]) == 5
    # The formulas of List 10 were read from the values Excel saved (2009-08-06 + 5 days).
    perm = t["ssd_permanence"].set_index("perm_person_id")
    assert perm.loc["7961370", "perm_adm_decision_date"] == pd.Timestamp("2009-08-11")


@needs_external
def test_every_external_file_together(tmp_path):
    """The whole folder as one source: children matched by ID across formats (none shared in
    these files, so the union), every format's episodes."""
    header, episodes, _, _ = csv_903()
    children, xml_eps, _ = xml_903()
    cin_ids = {e.text.strip() for p in CIN.glob("*.xml") for e in ET.parse(p).getroot().iter("LAchildID")}
    annex_ids = {str(r["Child Unique ID"]) for n in range(1, 11) for r in annex_rows(n)}
    source = read_returns(EXTERNAL)
    expected = {r["CHILD"] for r in header} | set(children) | cin_ids | annex_ids
    assert set(source.tables["ssd_person"]["pers_person_id"]) == expected
    assert len(expected) == 3310
    assert len(source.tables["ssd_cla_episodes"]) == len(episodes) + len(xml_eps) + len(annex_rows(8))
    assert any("README.md" in i for i in source.ignored)


# ---- messy input on tiny inline files -------------------------------------------------------------

def test_dates_serials_text_and_blanks():
    # Excel: serial 43831 is 1 January 2020; 2020 is a leap year, so 1 Jan + 259 days = 16 Sept
    # (31 + 29 + 31 + 30 + 31 + 30 + 31 + 31 = 244 to the end of August, + 15).
    assert parse_date(44090) == (pd.Timestamp("2020-09-16"), True)
    assert parse_date("44090") == (pd.Timestamp("2020-09-16"), True)
    assert parse_date(44090.75) == (pd.Timestamp("2020-09-16"), True)      # time of day dropped
    assert parse_date(61) == (pd.Timestamp("1900-03-01"), True)            # after Excel's 29/02/1900
    assert parse_date(60) == (None, False)                                  # the day that never was
    assert parse_date("16/09/2020")[0] == pd.Timestamp("2020-09-16")        # day first, always
    assert parse_date("16-9-2020")[0] == pd.Timestamp("2020-09-16")
    assert parse_date("16/09/20")[0] == pd.Timestamp("2020-09-16")
    assert parse_date("16/09/99")[0] == pd.Timestamp("1999-09-16")
    assert parse_date("2020-09-16 00:00:00")[0] == pd.Timestamp("2020-09-16")
    assert parse_date("20200916")[0] == pd.Timestamp("2020-09-16")
    assert parse_date("28th Jan 1930")[0] == pd.Timestamp("1930-01-28")
    assert parse_date(dt.datetime(2020, 9, 16, 13, 5)) == (pd.Timestamp("2020-09-16"), True)
    for blank in ("#N/A", "", "  ", None, float("nan"), "N/A", "NULL"):
        assert parse_date(blank) == (None, True)
    for bad in ("31/02/2017", "09/16/2020", "soon", True, 3_000_000):
        assert parse_date(bad) == (None, False)


def test_codes_prefixed_and_bare():
    assert common.PRIMARY_NEED.lookup("N1") == ("N1", True)
    assert common.PRIMARY_NEED.lookup("1") == ("N1", True)
    assert common.PRIMARY_NEED.lookup(1) == ("N1", True)
    assert common.PRIMARY_NEED.lookup("N1 - Abuse or Neglect") == ("N1", True)
    assert common.PRIMARY_NEED.lookup("PSRMEM - Support with memory") == ("PSRMEM", False)
    assert common.SUITABILITY.lookup("a) Suitable") == ("Suitable", True)
    assert common.SUITABILITY.lookup("Suitable") == ("Suitable", True)
    assert common.SUITABILITY.lookup("b) Unsuitable") == ("Unsuitable", True)
    assert common.PARTICIPATION.lookup("1") == ("PN1", True)
    assert common.PROVIDER.lookup("e) PR4 - Private provision") == ("PR4", True)
    assert common.REFERRAL_SOURCE.lookup("q) 6: Police") == ("6", True)
    assert common.REFERRAL_SOURCE.lookup("Police") == ("6", True)
    assert common.SEX.lookup("b) Female") == ("F", True) and common.SEX.lookup(2) == ("F", True)
    assert common.ETHNICITY.lookup("a) WBRI") == ("WBRI", True)
    assert common.YES_NO.lookup("a) Yes") == ("Y", True) and common.YES_NO.lookup("1.0") == ("Y", True)
    assert common.LEGAL_STATUS.lookup("E1: Placement order") == ("E1", True)


def test_header_spellings_match():
    spec = {"child": ["CHILD"], "decom": ["DECOM"], "provider": ["PLACE_PROVIDER"],
            "dob": ["Date of Birth"], "uasc": ["Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)"]}
    headers = [" child ", "DeCom", "Place Provider", "DATE_OF_BIRTH (dd/mm/yyyy)",
               "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))"]
    assert common.match_columns(headers, spec) == {"child": 0, "decom": 1, "provider": 2, "dob": 3, "uasc": 4}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def tiny_903(folder: Path) -> Path:
    """Two children; odd header spellings, a serial date, bare and prefixed codes, #N/A."""
    write(folder / "header.csv", """
        Child ,sex,D.O.B,Ethnic,upn,mother,mc_dob
        A1,1,01/02/2010,WBRI,UN2,,
        0042,F,2012-03-04,b) AOTH,,0,
        """)
    write(folder / "episodes.csv", """
        child_id,DECOM,rne,ls,cin,place,place provider,dec,rec,reason_place_change,home_post,pl_post,urn
        A1,01/04/2020,S,C2,1,U4,4,43952,X1,,AB1 2CD,EF3 4GH,SC1
        A1,01/05/2020,L,c1,N1,U4,PR4,#N/A,,,AB1 2CD,EF3 4GH,SC1
        42,01/06/2020,S,V2,N5,K2,PR1,not a date,E11,,,,
        42,01/07/2020,S,V2,N5,K2,PR1,01/06/2020,E11,,,,
        """)
    write(folder / "reviews.csv", """
        CHILD,DOB,REVIEW,REVIEW_CODE
        A1,01/02/2010,15/05/2020,1
        A1,01/02/2010,15/05/2021,PN2
        B9,01/02/2010,15/05/2020,PN1
        """)
    return folder


def test_messy_903_csv(tmp_path):
    source = read_returns(tiny_903(tmp_path / "r"))
    t = source.tables
    people = t["ssd_person"].set_index("pers_person_id")
    assert sorted(people.index) == ["42", "A1"]       # "0042" and "42" are one child
    assert people.loc["42", "pers_ethnicity"] == "AOTH" and people.loc["A1", "pers_sex"] == "M"
    assert people.loc["A1", "pers_upn_unknown"] == "UN2"
    eps = t["ssd_cla_episodes"].set_index("clae_cla_episode_id")
    first = eps.loc["A1-E20200401"]
    # DEC 43952 is an Excel serial: 43831 + 121 = 1 May 2020 (Jan 31 + Feb 29 + Mar 31 + Apr 30).
    assert first["clae_cla_episode_ceased_date"] == pd.Timestamp("2020-05-01")
    assert first["clae_cla_primary_need_code"] == "N1"             # "1"
    second = eps.loc["A1-E20200501"]
    assert second["clae_cla_id"] == first["clae_cla_id"]           # X1 and contiguous: one period
    assert second["clae_cla_placement_id"] == first["clae_cla_placement_id"]   # RNE L: same placement
    assert pd.isna(second["clae_cla_episode_ceased_date"])         # #N/A is blank: still open
    assert t["ssd_legal_status"]["lega_legal_status"].tolist().count("C1") == 1   # "c1"
    assert set(t["ssd_cla_placement"]["clap_cla_placement_provider"]) == {"PR4", "PR1"}   # "4" and "PR4"

    report = {(r.file, r.row, r.action): r for r in source.report}
    # 42's first episode: DEC "not a date" is blanked (reported), then, open and followed by a new
    # period of care (RNE S), ended the day before it starts (LIIA rule 1A).
    assert report[("episodes.csv", 4, BLANKED)].column == "dec"
    assert report[("episodes.csv", 4, CORRECTED)].reason.startswith("open episode followed by a new period")
    # 42's second episode ends (01/06) before it starts (01/07): rejected.
    assert report[("episodes.csv", 5, REJECTED)].reason == "DEC 2020-06-01 is before DECOM 2020-07-01"
    # Reviews: the 2021 one is after A1's care ended? No: A1's second episode is open, so it counts;
    # B9 is in no header: rejected.
    assert len(t["ssd_cla_reviews"]) == 2
    assert report[("reviews.csv", 4, REJECTED)].child_id == "B9"
    assert "no looked-after episode" in report[("reviews.csv", 4, REJECTED)].reason
    assert set(t["ssd_cla_reviews"]["clar_cla_review_participation"]) == {"PN1", "PN2"}


def test_two_years_of_903_make_one_history(tmp_path):
    """An episode open in the 2023 return and closed in the 2024 one is one episode, read from the
    later return (LIIA rule 3A), and the child's care runs across both returns as one period."""
    folder = tmp_path / "r"
    for year in ("2023", "2024"):
        write(folder / f"SSDA903_{year}_header.csv", """
            CHILD,SEX,DOB,ETHNIC
            A1,1,01/02/2010,WBRI
            """)
    write(folder / "SSDA903_2023_episodes.csv", """
        CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
        A1,01/04/2022,S,C2,N1,U4,PR1,,,,,,
        """)
    write(folder / "SSDA903_2024_episodes.csv", """
        CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
        A1,01/04/2022,S,C2,N1,U4,PR1,01/06/2023,X1,CARPL,,,
        A1,01/06/2023,P,C2,N1,K2,PR4,,,,,,
        """)
    source = read_returns(folder)
    t = source.tables
    assert len(t["ssd_person"]) == 1
    eps = t["ssd_cla_episodes"].sort_values("clae_cla_episode_start_date")
    assert eps["clae_cla_episode_ceased_date"].tolist()[0] == pd.Timestamp("2023-06-01")
    assert eps["clae_cla_id"].nunique() == 1                     # one period of care, 2022 onwards
    assert len(t["ssd_cla_placement"]) == 2                      # RNE P: a new placement
    merged = by_action(source, MERGED)
    assert [(r.file, r.row) for r in merged] == [("SSDA903_2023_episodes.csv", 2)]
    assert "later return" in merged[0].reason


def annex_workbook(path: Path, referral_header: str = "Date of Referral") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "list_3 referrals"
    ws.append(["Annex A - referrals (a title row above the headers)"])
    ws.append(["child unique id", "GENDER", "ethnicity", "Date of birth", "Age", referral_header,
               "referral source", "Referral NFA?", "Allocated Team", "Allocated Worker"])
    ws.append([1001, "a) Male", "a) WBRI", dt.datetime(2010, 1, 2), 10, 44090, "q) 6: Police", "No",
               "Team\xa0A", "Ann\xa0Smith"])
    ws.append(["1002", "Female", "WBRI", "#N/A", None, "16/09/2020", "6", "b) No", "#N/A", "#N/A"])
    ws.append(["#N/A", "Male", "WBRI", None, None, "17/09/2020", "Police", "No", None, None])
    ws.append([1004, "Male", "WBRI", None, None, "soon", "Police", "maybe", None, None])
    ws9 = wb.create_sheet("List 9")
    ws9.append(["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age", "LA in Touch",
                "Type of Accommodation", "Suitability of Accommodation", "Activity Status", "Latest Date of Contact"])
    ws9.append([2001, "b) Female", "a) WBRI", None, None, "a) Yes", "Y: Other accommodation", "a) Suitable",
                "F1: Full time in higher education", "44090"])
    ws9.append([2002, "F", "WBRI", None, None, "YES", "Y", "Suitable", "F1", dt.date(2020, 9, 16)])
    wb.save(path)
    return path


def test_messy_annex_a(tmp_path):
    folder = tmp_path / "a"
    folder.mkdir()
    annex_workbook(folder / "annex.xlsx")
    source = read_returns(folder)
    t = source.tables
    refs = t["ssd_cin_episodes"].set_index("cine_person_id")
    # Rows 3 and 4 of the sheet (a title row, then the headers on row 2).
    assert refs.loc["1001", "cine_referral_date"] == pd.Timestamp("2020-09-16")   # serial 44090
    assert refs.loc["1002", "cine_referral_date"] == pd.Timestamp("2020-09-16")   # "16/09/2020"
    assert refs.loc["1001", "cine_referral_source_code"] == refs.loc["1002", "cine_referral_source_code"] == "6"
    assert refs.loc["1001", "cine_referral_nfa"] == refs.loc["1002", "cine_referral_nfa"] == "N"
    assert refs.loc["1001", "cine_referral_team"] == "Team A" and pd.isna(refs.loc["1002", "cine_referral_team"])
    assert refs.loc["1001", "cine_referral_worker_id"] == "Ann Smith"
    people = t["ssd_person"].set_index("pers_person_id")
    assert people.loc["1002", "pers_sex"] == "F" and pd.isna(people.loc["1002", "pers_dob"])   # "#N/A"
    rejected = {r.row: r for r in by_action(source, REJECTED)}
    assert set(rejected) == {5, 6}
    assert rejected[5].reason == "no child unique id" and rejected[5].file == "annex.xlsx"
    assert rejected[6].reason == "Date of Referral is not a date" and rejected[6].child_id == "1004"
    assert rejected[6].record == "List 3"
    # Care leavers: prefixed and bare spellings mean the same.
    cl = t["ssd_care_leavers"].set_index("clea_person_id")
    for column, value in (("clea_care_leaver_in_touch", "YES"), ("clea_care_leaver_accommodation", "Y"),
                          ("clea_care_leaver_accom_suitable", "Suitable"), ("clea_care_leaver_activity", "F1"),
                          ("clea_care_leaver_latest_contact", pd.Timestamp("2020-09-16"))):
        assert cl.loc["2001", column] == cl.loc["2002", column] == value, column


def test_annex_a_lists_as_csv_files_with_loose_headers(tmp_path):
    """Lists saved one per CSV file, named for the list, headers worded differently."""
    folder = tmp_path / "csv"
    write(folder / "Annex A List 1 contacts.csv", """
        Child ID (LA),Sex,DOB,Date contact received,Source of contact
        C1,Female,01/02/2015,16/09/2020,q) 6: Police
        C2,M,#N/A,44090,2A
        C3,M,,,Police
        """)
    write(folder / "list_3.csv", """
        child_id;gender;Referral date (dd/mm/yyyy);Referral source;Referral NFA
        C1;F;17/09/2020;6;Yes
        """)
    write(folder / "notes.csv", "anything,else\n1,2\n")
    source = read_returns(folder)
    t = source.tables
    contacts = t["ssd_contacts"].set_index("cont_person_id")
    assert contacts.loc["C1", "cont_contact_date"] == contacts.loc["C2", "cont_contact_date"] == pd.Timestamp("2020-09-16")
    assert contacts.loc["C1", "cont_contact_source_code"] == "6" and contacts.loc["C2", "cont_contact_source_code"] == "2A"
    assert t["ssd_cin_episodes"]["cine_referral_nfa"].tolist() == ["Y"]
    [rejected] = by_action(source, REJECTED)
    assert (rejected.file, rejected.row, rejected.child_id) == ("Annex A List 1 contacts.csv", 4, "C3")
    assert rejected.reason == "no Date contact received"
    assert any(i.startswith("notes.csv") for i in source.ignored)


def test_annex_a_notes_sheet_beside_a_list(tmp_path):
    """A guidance sheet also named for a list is passed over; an empty list sheet is nothing."""
    folder = tmp_path / "a"
    folder.mkdir()
    wb = openpyxl.Workbook()
    wb.active.title = "List 3 notes"
    wb.active.append(["Please list every referral in the six months before the inspection."])
    wb.create_sheet("List 3").append(["Child Unique ID", "Date of referral"])
    wb["List 3"].append([1, dt.datetime(2020, 1, 1)])
    wb.create_sheet("List 4")
    wb.save(folder / "annex.xlsx")
    source = read_returns(folder)
    assert source.tables["ssd_cin_episodes"]["cine_referral_date"].tolist() == [pd.Timestamp("2020-01-01")]
    assert source.report == []


def test_unknown_codes_are_kept_and_reported(tmp_path):
    folder = tiny_903(tmp_path / "r")
    write(folder / "missing.csv", """
        CHILD,DOB,MISSING,MIS_START,MIS_END
        A1,01/02/2010,X,01/05/2020,02/05/2020
        """)
    source = read_returns(folder)
    unknown = by_action(source, UNKNOWN_CODE)
    assert [(r.file, r.column, r.value) for r in unknown] == [("missing.csv", "MISSING", "X")]
    assert source.tables["ssd_missing"]["miss_missing_episode_type"].tolist() == ["X"]


# ---- malformed files: a clear error, and the cache as it was ---------------------------------------

def returns_config(tmp_path: Path, folder: Path) -> Path:
    cfg = tmp_path / "config.toml"
    cfg.write_text(textwrap.dedent(f"""
        [authority]
        name = "Returns test"
        [source]
        type = "returns"
        folder = "{folder}"
        [cache]
        folder = "{tmp_path / 'cache'}"
    """), encoding="utf-8")
    return cfg


@pytest.mark.parametrize("breakage, named, says", [
    ("xml", "broken.xml", "not well-formed XML"),
    ("column", "episodes.csv", "'DECOM'"),
    ("sheet", "annex.xlsx", "'Date of referral'"),
    ("workbook", "annex.xlsx", "not a readable Excel workbook"),
])
def test_malformed_file_stops_the_refresh_and_keeps_the_cache(tmp_path, breakage, named, says):
    from data_access.cache import current_dir, read_manifest
    from data_access.config import load_config
    from data_access.refresh import RefreshError, refresh

    folder = tiny_903(tmp_path / "returns")
    cfg = load_config(returns_config(tmp_path, folder))
    first = refresh(cfg)
    live = current_dir(cfg.cache_folder)
    assert live == first.folder and (live / REPORT_FILE).is_file()
    before = read_manifest(live)

    if breakage == "xml":
        write(folder / "broken.xml", "<Message><Children><Child><ChildIdentifiers>\n")
    elif breakage == "column":
        text = (folder / "episodes.csv").read_text().replace("DECOM", "START")
        (folder / "episodes.csv").write_text(text)
    elif breakage == "sheet":
        annex_workbook(folder / "annex.xlsx", referral_header="When")
    else:
        (folder / "annex.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(RefreshError) as err:
        refresh(cfg)
    message = " ".join(p.message for p in err.value.problems)
    assert named in message and says in message, message
    assert current_dir(cfg.cache_folder) == live
    assert read_manifest(live) == before
    assert not list(Path(cfg.cache_folder).glob(".staging-*"))
