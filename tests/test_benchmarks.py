"""National benchmarks (metrics.benchmarks) against the shipped metrics/data files.

Every expected number below was read by hand from ../shared/benchmarks/bds_long_0.parquet
(columns Short Desc / Years / LA and Regions / Values / LA Number) and sn_may_2025.xlsx, and is
quoted in the comments; the code under test reads only the shipped files.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from metrics import benchmarks as bm

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "benchmarks"
DERBY = "E06000015"  # config.toml [authority] la_code


def raw_rows(key: str, year: str, old_code: str) -> pd.DataFrame:
    df = bm._values()
    return df[(df["key"] == key) & (df["year_label"] == year) & (df["old_code"] == old_code)]


# --- codes -------------------------------------------------------------------------------------

def test_new_and_old_codes_for_e06000015():
    # DfE code list (las.csv): E06000015,Derby,...,E12000004,...,live,831 ; bds "LA Number" 831.0 Derby
    area = bm.resolve_area(DERBY)
    assert (area.code, area.old_code, area.name, area.area_type) == ("E06000015", "831", "Derby", "la")
    assert (area.region_code, area.region_name) == ("E12000004", "East Midlands")
    assert bm.resolve_area("831").code == "E06000015"
    assert bm.resolve_area("e06000015").old_code == "831"
    assert bm.area_name(DERBY) == "Derby"
    rows = bm._values()
    assert set(rows.loc[rows["old_code"] == "831", "area_code"]) == {"E06000015"}
    nb = bm._neighbours()
    assert set(nb.loc[nb["la_old_code"] == "831", "la_code"]) == {"E06000015"}


def test_previous_ons_codes_still_resolve_and_regions_have_codes():
    # Barnsley (370) was E08000016 until 30/04/2025, E08000038 since.
    assert bm.resolve_area("E08000016").code == "E08000038"
    assert bm.area_name("E08000038") == "Barnsley"
    assert bm.area_name("E92000001") == "England"            # LAIT 970
    assert bm.area_name("E12000004") == "East Midlands"      # LAIT 983
    # London boroughs compare with London (E12000007), whichever half the DfE puts them in.
    assert bm.resolve_area("E09000001").region_name == "London"


def test_unknown_la_code_is_a_clear_error():
    with pytest.raises(ValueError, match="E06999999"):
        bm.benchmark("assessment_timeliness", "E06999999")
    with pytest.raises(ValueError, match="E06999999"):
        bm.benchmark_series("assessment_timeliness", "E06999999")
    with pytest.raises(ValueError, match="E06999999"):
        bm.area_name("E06999999")
    with pytest.raises(ValueError, match="not a local authority"):
        bm.benchmark("assessment_timeliness", "E12000004")


# --- values, years, scaling ---------------------------------------------------------------------

def test_england_assessment_timeliness_2024_25():
    # bds: Continue_Assess_Comp | 2025 | England | "85.7" | 970  (spec: England 2024-25 85.7%)
    row = raw_rows("Continue_Assess_Comp", "2025", "970").iloc[0]
    assert row["value_text"] == "85.7" and row["value"] == 85.7
    assert row["year_end"] == pd.Timestamp("2025-03-31") and row["period_label"] == "2024-25"
    assert row["unit"] == "percent" and row["polarity"] == "high"
    b = bm.benchmark("assessment_timeliness", DERBY)
    assert b.year_label == "2025" and b.period_label == "2024-25" and b.year_end == date(2025, 3, 31)
    assert b.england_value == pytest.approx(0.857)  # 85.7% -> fraction
    # Derby | "84.7"; East Midlands (983) | "90.9"
    assert b.la_value == pytest.approx(0.847) and b.la_mark is None
    assert (b.region_name, b.region_value) == ("East Midlands", pytest.approx(0.909))
    assert b.comparable and b.unit == "fraction"


def test_suppressed_value_stays_nan_with_its_mark():
    # bds: Continue_Assess_Comp | 2025 | City of London | "-" | 201
    row = raw_rows("Continue_Assess_Comp", "2025", "201").iloc[0]
    assert row["value_text"] == "-" and math.isnan(row["value"]) and row["suppressed_mark"] == "-"
    b = bm.benchmark("assessment_timeliness", "E09000001")
    assert math.isnan(b.la_value) and b.la_mark == "-"
    assert b.england_value == pytest.approx(0.857) and b.england_mark is None
    # bds: 20_ICPC | 2025 | Derby | "-"   (a published "0" stays 0: CareLeavers_LA_NotInTouch
    # | 2025 | Coventry (331) | "0")
    assert raw_rows("20_ICPC", "2025", "831").iloc[0]["suppressed_mark"] == "-"
    coventry = raw_rows("CareLeavers_LA_NotInTouch", "2025", "331").iloc[0]
    assert coventry["value"] == 0 and pd.isna(coventry["suppressed_mark"])


def test_icpc_within_15_working_days_worked_by_hand():
    # bds, Derby (831):   10_ICPC  15_ICPC  20_ICPC  21_ICPC
    #          2024          "6"    "306"     "12"     "28"   -> (6+306)/(6+306+12+28) = 312/352
    #          2025         "13"    "279"      "-"      "-"   -> suppressed band -> NaN, mark "-"
    # East Midlands (983) 2025: 780, 4290, 500, 450 -> 5070/6020
    # England (970) 2025: 6240, 52430, 6430, 6990 -> 58670/72090 = 81.4% (spec)
    s = bm.benchmark_series("icpc_timeliness", DERBY).set_index("year")
    assert s.at["2024", "la"] == pytest.approx(312 / 352)
    assert math.isnan(s.at["2025", "la"]) and s.at["2025", "la_mark"] == "-"
    assert s.at["2025", "region"] == pytest.approx(5070 / 6020)
    assert s.at["2025", "england"] == pytest.approx(58670 / 72090)
    assert round(s.at["2025", "england"], 3) == 0.814
    b = bm.benchmark("icpc_timeliness", DERBY)
    assert b.year_label == "2025" and math.isnan(b.la_value) and b.la_mark == "-"


def test_cp_reviews_ratio_and_care_leavers_complement():
    # CPP_Reviewed_InReqTimeScl / CPP_31March_3MnthorMore, 2025: Derby "169"/"172";
    # England "30780"/"33960"
    b = bm.benchmark("cp_reviews", DERBY)
    assert b.la_value == pytest.approx(169 / 172)
    assert b.england_value == pytest.approx(30780 / 33960)
    # CareLeavers_LA_NotInTouch 2025: Derby "6" -> in touch 94%; England "4" -> 96%
    c = bm.benchmark("cl_in_touch", DERBY)
    assert c.la_value == pytest.approx(0.94) and c.england_value == pytest.approx(0.96)


def test_neighbour_mean_worked_by_hand_from_sn_may_2025():
    # sn_may_2025.xlsx, row "831 Derby": SN1..SN10 = 331, 350, 335, 852, 382, 874, 354, 373, 357, 861
    # bds Continue_Assess_Comp 2025: Coventry 81.4, Bolton 84.2, Walsall 84.6, Southampton 86.3,
    # Kirklees 72.6, Peterborough 77, Rochdale 86.7, Sheffield 78.6, Tameside 81.9,
    # Stoke-on-Trent 77.9 -> sum 811.2, mean 81.12%, median (81.4 + 81.9) / 2 = 81.65%
    b = bm.benchmark("assessment_timeliness", DERBY)
    assert [n.code for n in b.neighbours] == [
        "E08000026", "E08000001", "E08000030", "E06000045", "E08000034",
        "E06000031", "E08000005", "E08000039", "E08000008", "E06000021"]
    assert [n.name for n in b.neighbours][:2] == ["Coventry", "Bolton"]
    assert b.neighbour_stat == "mean"
    assert b.neighbours_value == pytest.approx(0.8112)
    assert b.neighbours_median == pytest.approx(0.8165)
    assert (b.neighbours_n, b.neighbours_total) == (10, 10)


def test_neighbour_mean_uses_only_neighbours_with_a_value():
    # CareLeavers_LA_NotInTouch 2025 for Derby's neighbours: Coventry "0", Peterborough "4",
    # Sheffield "6", Southampton "6", the other six "-" -> in touch 100, 96, 94, 94:
    # mean 96% of 4, median 95%
    b = bm.benchmark("cl_in_touch", DERBY)
    assert b.neighbours_n == 4
    assert b.neighbours_value == pytest.approx(0.96)
    assert b.neighbours_median == pytest.approx(0.95)
    suppressed = [n for n in b.neighbours if math.isnan(n.value)]
    assert len(suppressed) == 6 and {n.mark for n in suppressed} == {"-"}


def test_year_semantics_and_units():
    cla = bm.benchmark("cla", DERBY)            # LACnum 2025: Derby "545", England "81770"
    assert cla.period_label == "at 31 March 2025" and cla.la_value == 545
    assert cla.comparability == "own_la_only" and not cla.comparable
    wf = bm.benchmark("caseload", DERBY)        # Work_Force_AvgNumCase_SW 2025: Derby "14.9"
    assert wf.year_end == date(2025, 9, 30) and wf.la_value == pytest.approx(14.9)
    s47 = bm.benchmark("s47", DERBY)            # Section_47 2025: Derby "232" (rate per 10,000)
    assert s47.unit == "rate_per_10k" and s47.la_value == 232 and not s47.comparable


def test_map_covers_the_spec_and_every_key_is_shipped():
    for mid in ["re_referrals", "assessment_timeliness", "icpc_timeliness", "cp_reviews", "cp_long",
                "cla_health", "cla_dental", "cla_3plus", "cla_distance", "cl_in_touch",
                "cl_accommodation", "cl_eet", "caseload", "referrals", "s47", "cp_plans",
                "cin_plans", "cla", "cla_starts", "cla_ceased", "missing_children"]:
        assert mid in bm.BENCHMARK_MAP, mid
    for mid in ["referrals", "s47", "cin_plans", "missing_children"]:
        assert bm.BENCHMARK_MAP[mid].comparability == "none"
    assert bm.required_keys() <= set(bm._values()["key"])
    for mid, spec in bm.BENCHMARK_MAP.items():
        if spec.unit == "fraction":
            s = bm.benchmark_series(mid, DERBY)
            vals = pd.concat([s["la"], s["region"], s["england"]]).dropna()
            assert ((vals >= 0) & (vals <= 1)).all(), mid


def test_measure_without_benchmark():
    assert bm.benchmark("contacts", DERBY) is None
    s = bm.benchmark_series("contacts", DERBY)
    assert s.empty and list(s.columns) == bm.SERIES_COLUMNS


def test_shipped_files_are_small():
    assert bm.BENCHMARKS_PATH.stat().st_size < 2_000_000
    assert bm.NEIGHBOURS_PATH.stat().st_size < 2_000_000


@pytest.mark.skipif(not (SHARED / "bds_long_0.parquet").exists(),
                    reason=f"shared benchmark folder {SHARED} is absent: cannot rebuild")
def test_build_script_reproduces_the_shipped_files(tmp_path):
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_benchmarks.py"), str(SHARED),
                    "--out", str(tmp_path)], check=True, cwd=REPO, capture_output=True)
    for name in ("benchmarks.parquet", "statistical_neighbours.parquet"):
        shipped, rebuilt = bm.DATA_DIR / name, tmp_path / name
        pd.testing.assert_frame_equal(pd.read_parquet(rebuilt), pd.read_parquet(shipped))
        meta = [json.loads(pq.read_schema(p).metadata[b"portal.benchmarks"]) for p in (rebuilt, shipped)]
        assert meta[0] == meta[1]
