"""Build the portal's own small benchmark files from the DfE published statistics.

    python scripts/build_benchmarks.py [SOURCE_FOLDER] [--out FOLDER]

SOURCE_FOLDER defaults to ``../shared/benchmarks`` relative to the repository root: the DfE Local
Authority Interactive Tool (LAIT) data (``bds_long_0.parquet``, ``lait_data_dictionary.csv``,
``la_code_list.xlsx``, ``sn_may_2025.xlsx``). Writes, into ``metrics/data`` by default:

- ``benchmarks.parquet``: one row per benchmark key x year x area (every LA, region, Inner/Outer
  London and England) for the keys ``metrics.benchmarks`` needs, with the raw text value, the
  parsed number (NaN where suppressed) and the suppression mark, the unit and polarity from the
  dictionary, the year label as published and the date the figure refers to.
- ``statistical_neighbours.parquet``: each LA's ten statistical neighbours (DfE May 2025 list) in
  rank order.

Codes: the DfE files carry only the three-digit "old" LA numbers (and LAIT's own 970/980-990 for
England and the regions). The nine-character ONS codes come from the DfE's published code list
(``_LA_CODES_CSV`` below, rows of dfe-analytical-services/dfe-published-data-qa ``data/las.csv``).
The output is deterministic (sorted rows, no timestamps), so rebuilding reproduces the shipped file.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from metrics.benchmarks import required_keys  # noqa: E402  (the one list of keys the portal uses)

DEFAULT_SOURCE = REPO.parent / "shared" / "benchmarks"
DEFAULT_OUT = REPO / "metrics" / "data"
BENCHMARKS_FILE = "benchmarks.parquet"
NEIGHBOURS_FILE = "statistical_neighbours.parquet"
SOURCE_FILES = ("bds_long_0.parquet", "lait_data_dictionary.csv", "la_code_list.xlsx", "sn_may_2025.xlsx")

# England, regions and London's two halves: LAIT's own numbers -> ONS codes.
_AREA_CODES = {
    970: ("E92000001", "england", None),
    980: ("E12000001", "region", None),   # North East
    981: ("E12000002", "region", None),   # North West
    982: ("E12000003", "region", None),   # Yorkshire and the Humber
    983: ("E12000004", "region", None),   # East Midlands
    984: ("E12000005", "region", None),   # West Midlands
    985: ("E12000006", "region", None),   # East of England
    986: ("E12000007", "region", None),   # London
    987: ("E13000001", "subregion", "E12000007"),  # London (Inner)
    988: ("E13000002", "subregion", "E12000007"),  # London (Outer)
    989: ("E12000008", "region", None),   # South East
    990: ("E12000009", "region", None),   # South West
}
_REGION_OLD = {code: old for old, (code, kind, _) in _AREA_CODES.items() if kind == "region"}

# DfE's LA code list (new_la_code, la_name, parent region, status, old_la_code): the upper-tier
# authorities from dfe-analytical-services/dfe-published-data-qa data/las.csv (joint-return rows
# such as "E06000061 / E06000062" left out). An old number can have had several ONS codes
# (Northumberland, Gateshead, Barnsley, Sheffield, and counties that became unitary): the live one
# is the area's code, the others are kept as previous codes so an older configuration still works.
_LA_CODES_CSV = """\
new_la_code,la_name,parent_geography_code,status,old_la_code
E06000001,Hartlepool,E12000001,live,805
E06000002,Middlesbrough,E12000001,live,806
E06000003,Redcar and Cleveland,E12000001,live,807
E06000004,Stockton-on-Tees,E12000001,live,808
E06000005,Darlington,E12000001,live,841
E06000006,Halton,E12000002,live,876
E06000007,Warrington,E12000002,live,877
E06000008,Blackburn with Darwen,E12000002,live,889
E06000009,Blackpool,E12000002,live,890
E06000010,"Kingston upon Hull, City of",E12000003,live,810
E06000011,East Riding of Yorkshire,E12000003,live,811
E06000012,North East Lincolnshire,E12000003,live,812
E06000013,North Lincolnshire,E12000003,live,813
E06000014,York,E12000003,live,816
E06000015,Derby,E12000004,live,831
E06000016,Leicester,E12000004,live,856
E06000017,Rutland,E12000004,live,857
E06000018,Nottingham,E12000004,live,892
E06000019,"Herefordshire, County of",E12000005,live,884
E06000020,Telford and Wrekin,E12000005,live,894
E06000021,Stoke-on-Trent,E12000005,live,861
E06000022,Bath and North East Somerset,E12000009,live,800
E06000023,"Bristol, City of",E12000009,live,801
E06000024,North Somerset,E12000009,live,802
E06000025,South Gloucestershire,E12000009,live,803
E06000026,Plymouth,E12000009,live,879
E06000027,Torbay,E12000009,live,880
E06000028,Bournemouth,E12000009,terminated,837
E06000029,Poole,E12000009,terminated,836
E06000030,Swindon,E12000009,live,866
E06000031,Peterborough,E12000006,live,874
E06000032,Luton,E12000006,live,821
E06000033,Southend-on-Sea,E12000006,live,882
E06000034,Thurrock,E12000006,live,883
E06000035,Medway,E12000008,live,887
E06000036,Bracknell Forest,E12000008,live,867
E06000037,West Berkshire,E12000008,live,869
E06000038,Reading,E12000008,live,870
E06000039,Slough,E12000008,live,871
E06000040,Windsor and Maidenhead,E12000008,live,868
E06000041,Wokingham,E12000008,live,872
E06000042,Milton Keynes,E12000008,live,826
E06000043,Brighton and Hove,E12000008,live,846
E06000044,Portsmouth,E12000008,live,851
E06000045,Southampton,E12000008,live,852
E06000046,Isle of Wight,E12000008,live,921
E06000047,County Durham,E12000001,live,840
E06000048,Northumberland,E12000001,terminated,929
E06000049,Cheshire East,E12000002,live,895
E06000050,Cheshire West and Chester,E12000002,live,896
E06000051,Shropshire,E12000005,live,893
E06000052,Cornwall,E12000009,live,908
E06000053,Isles of Scilly,E12000009,live,420
E06000054,Wiltshire,E12000009,live,865
E06000055,Bedford,E12000006,live,822
E06000056,Central Bedfordshire,E12000006,live,823
E06000057,Northumberland,E12000001,live,929
E06000058,"Bournemouth, Christchurch and Poole",E12000009,live,839
E06000059,Dorset,E12000009,live,838
E06000060,Buckinghamshire,E12000008,live,825
E06000061,North Northamptonshire,E12000004,live,940
E06000062,West Northamptonshire,E12000004,live,941
E06000063,Cumberland,E12000002,live,942
E06000064,Westmorland and Furness,E12000002,live,943
E06000065,North Yorkshire,E12000003,live,815
E06000066,Somerset,E12000009,live,933
E08000001,Bolton,E12000002,live,350
E08000002,Bury,E12000002,live,351
E08000003,Manchester,E12000002,live,352
E08000004,Oldham,E12000002,live,353
E08000005,Rochdale,E12000002,live,354
E08000006,Salford,E12000002,live,355
E08000007,Stockport,E12000002,live,356
E08000008,Tameside,E12000002,live,357
E08000009,Trafford,E12000002,live,358
E08000010,Wigan,E12000002,live,359
E08000011,Knowsley,E12000002,live,340
E08000012,Liverpool,E12000002,live,341
E08000013,St. Helens,E12000002,live,342
E08000014,Sefton,E12000002,live,343
E08000015,Wirral,E12000002,live,344
E08000016,Barnsley,E12000003,terminated,370
E08000017,Doncaster,E12000003,live,371
E08000018,Rotherham,E12000003,live,372
E08000019,Sheffield,E12000003,terminated,373
E08000020,Gateshead,E12000001,terminated,390
E08000021,Newcastle upon Tyne,E12000001,live,391
E08000022,North Tyneside,E12000001,live,392
E08000023,South Tyneside,E12000001,live,393
E08000024,Sunderland,E12000001,live,394
E08000025,Birmingham,E12000005,live,330
E08000026,Coventry,E12000005,live,331
E08000027,Dudley,E12000005,live,332
E08000028,Sandwell,E12000005,live,333
E08000029,Solihull,E12000005,live,334
E08000030,Walsall,E12000005,live,335
E08000031,Wolverhampton,E12000005,live,336
E08000032,Bradford,E12000003,live,380
E08000033,Calderdale,E12000003,live,381
E08000034,Kirklees,E12000003,live,382
E08000035,Leeds,E12000003,live,383
E08000036,Wakefield,E12000003,live,384
E08000037,Gateshead,E12000001,live,390
E08000038,Barnsley,E12000003,live,370
E08000039,Sheffield,E12000003,live,373
E09000001,City of London,E12000007,live,201
E09000002,Barking and Dagenham,E12000007,live,301
E09000003,Barnet,E12000007,live,302
E09000004,Bexley,E12000007,live,303
E09000005,Brent,E12000007,live,304
E09000006,Bromley,E12000007,live,305
E09000007,Camden,E12000007,live,202
E09000008,Croydon,E12000007,live,306
E09000009,Ealing,E12000007,live,307
E09000010,Enfield,E12000007,live,308
E09000011,Greenwich,E12000007,live,203
E09000012,Hackney,E12000007,live,204
E09000013,Hammersmith and Fulham,E12000007,live,205
E09000014,Haringey,E12000007,live,309
E09000015,Harrow,E12000007,live,310
E09000016,Havering,E12000007,live,311
E09000017,Hillingdon,E12000007,live,312
E09000018,Hounslow,E12000007,live,313
E09000019,Islington,E12000007,live,206
E09000020,Kensington and Chelsea,E12000007,live,207
E09000021,Kingston upon Thames,E12000007,live,314
E09000022,Lambeth,E12000007,live,208
E09000023,Lewisham,E12000007,live,209
E09000024,Merton,E12000007,live,315
E09000025,Newham,E12000007,live,316
E09000026,Redbridge,E12000007,live,317
E09000027,Richmond upon Thames,E12000007,live,318
E09000028,Southwark,E12000007,live,210
E09000029,Sutton,E12000007,live,319
E09000030,Tower Hamlets,E12000007,live,211
E09000031,Waltham Forest,E12000007,live,320
E09000032,Wandsworth,E12000007,live,212
E09000033,Westminster,E12000007,live,213
E10000002,Buckinghamshire,E12000008,terminated,825
E10000003,Cambridgeshire,E12000006,live,873
E10000006,Cumbria,E12000002,terminated,909
E10000007,Derbyshire,E12000004,live,830
E10000008,Devon,E12000009,live,878
E10000009,Dorset,E12000009,terminated,835
E10000011,East Sussex,E12000008,live,845
E10000012,Essex,E12000006,live,881
E10000013,Gloucestershire,E12000009,live,916
E10000014,Hampshire,E12000008,live,850
E10000015,Hertfordshire,E12000006,live,919
E10000016,Kent,E12000008,live,886
E10000017,Lancashire,E12000002,live,888
E10000018,Leicestershire,E12000004,live,855
E10000019,Lincolnshire,E12000004,live,925
E10000020,Norfolk,E12000006,live,926
E10000021,Northamptonshire,E12000004,terminated,928
E10000023,North Yorkshire,E12000003,terminated,815
E10000024,Nottinghamshire,E12000004,live,891
E10000025,Oxfordshire,E12000008,live,931
E10000027,Somerset,E12000009,terminated,933
E10000028,Staffordshire,E12000005,live,860
E10000029,Suffolk,E12000006,live,935
E10000030,Surrey,E12000008,live,936
E10000031,Warwickshire,E12000005,live,937
E10000032,West Sussex,E12000008,live,938
E10000034,Worcestershire,E12000005,live,885
"""

# The dictionary's Year_Type says what a year label "YYYY" refers to.
_YEAR_TYPES = {
    # the collection year ending 31 March YYYY (events in April YYYY-1 to March YYYY)
    "Financial Year": ("03-31", lambda y: f"{y - 1}-{str(y)[2:]}"),
    # a snapshot at 31 March YYYY
    "Annual": ("03-31", lambda y: f"at 31 March {y}"),
    # a snapshot at 30 September YYYY (social care workforce census)
    "Annual (end of Sept)": ("09-30", lambda y: f"at 30 September {y}"),
}

_YEAR_LABEL = re.compile(r"^(\d{4})(?:\s*\(.*\))?$")


def _unit(axis_label: str) -> str:
    label = str(axis_label)
    if "%" in label:
        return "percent"
    if "rate per 10,000" in label.lower():
        return "rate_per_10k"
    if "case load" in label.lower():
        return "average"
    return "count"


def _polarity(text) -> str:
    return {"high": "high", "low": "low"}.get(str(text).strip().lower(), "none")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def area_codes() -> pd.DataFrame:
    """One row per old LA number: its current ONS code and any previous ones, and its region."""
    codes = pd.read_csv(io.StringIO(_LA_CODES_CSV), dtype=str)
    rows = []
    for old, group in codes.groupby("old_la_code", sort=True):
        live = group[group["status"] == "live"]
        current = live.iloc[-1] if len(live) else group.iloc[-1]
        previous = sorted(set(group["new_la_code"]) - {current["new_la_code"]})
        rows.append({
            "old_code": old, "area_code": current["new_la_code"], "previous_codes": ";".join(previous),
            "area_type": "la", "region_code": current["parent_geography_code"],
        })
    for old, (code, kind, parent) in _AREA_CODES.items():
        rows.append({"old_code": str(old), "area_code": code, "previous_codes": "", "area_type": kind,
                     "region_code": parent if kind == "subregion" else (code if kind == "region" else None)})
    return pd.DataFrame(rows)


def _dictionary(source: Path, keys: list[str]) -> pd.DataFrame:
    d = pd.read_csv(source / "lait_data_dictionary.csv", dtype=str)
    d = d[d["Measure_short"].isin(keys)].drop_duplicates("Measure_short", keep="first")
    missing = sorted(set(keys) - set(d["Measure_short"]))
    if missing:
        raise SystemExit(f"keys missing from lait_data_dictionary.csv: {', '.join(missing)}")
    unknown = sorted(set(d["Year_Type"]) - set(_YEAR_TYPES))
    if unknown:
        raise SystemExit(f"year type(s) not understood: {unknown}")
    return pd.DataFrame({
        "key": d["Measure_short"], "measure": d["Chart_title"], "unit": d["y_axis_name"].map(_unit),
        "unit_label": d["y_axis_name"], "polarity": d["Polarity"].map(_polarity),
        "year_type": d["Year_Type"],
    })


def build_benchmarks(source: Path, keys: list[str]) -> pd.DataFrame:
    raw = pd.read_parquet(source / "bds_long_0.parquet")
    raw = raw[raw["Short Desc"].isin(keys)]
    missing = sorted(set(keys) - set(raw["Short Desc"]))
    if missing:
        raise SystemExit(f"keys missing from bds_long_0.parquet: {', '.join(missing)}")

    areas = area_codes()
    names = raw[["LA Number", "LA and Regions", "Region"]].drop_duplicates("LA Number")
    names = names.assign(old_code=names["LA Number"].astype(int).astype(str))
    areas = areas.merge(names[["old_code", "LA and Regions", "Region"]], on="old_code", how="right")
    if areas["area_code"].isna().any():
        unmapped = areas.loc[areas["area_code"].isna(), "old_code"].tolist()
        raise SystemExit(f"no ONS code for LA number(s) {unmapped}: add them to _LA_CODES_CSV")
    region_names = names.set_index("old_code")["LA and Regions"]
    areas["area_name"] = areas["LA and Regions"]
    areas["region_name"] = areas["region_code"].map(
        lambda c: region_names.get(str(_REGION_OLD[c])) if c in _REGION_OLD else None)
    # Cross-check the code list's regions against the DfE file's own region column.
    la = areas[areas["area_type"] == "la"]
    dfe_region = la["Region"].replace({"Inner London": "London", "Outer London": "London"}).str.lower()
    clash = la[dfe_region != la["region_name"].str.lower()]
    if len(clash):
        raise SystemExit(f"region mismatch between code list and bds_long_0: {clash[['old_code', 'area_name']]}")
    areas["london_subregion"] = la["Region"].where(la["Region"].str.contains("London"))
    areas = areas.drop(columns=["LA and Regions", "Region"])

    df = raw.assign(old_code=raw["LA Number"].astype(int).astype(str)).merge(areas, on="old_code")
    df = df.merge(_dictionary(source, keys), left_on="Short Desc", right_on="key")

    text = df["Values"].astype(str).str.strip()
    value = pd.to_numeric(text, errors="coerce")
    mark = text.where(value.isna())

    parsed = df["Years"].str.extract(_YEAR_LABEL)[0]
    if parsed.isna().any():
        bad = sorted(df.loc[parsed.isna(), "Years"].unique())
        raise SystemExit(f"year labels not understood: {bad}")
    year = parsed.astype(int)
    month_day = df["year_type"].map(lambda t: _YEAR_TYPES[t][0])
    year_end = pd.to_datetime(year.astype(str) + "-" + month_day).astype("datetime64[ns]")
    period = [_YEAR_TYPES[t][1](y) for t, y in zip(df["year_type"], year)]

    out = pd.DataFrame({
        "key": df["key"],
        "year_label": df["Years"],
        "year_end": year_end,
        "period_label": period,
        "year_type": df["year_type"],
        "area_code": df["area_code"],
        "old_code": df["old_code"],
        "previous_codes": df["previous_codes"],
        "area_name": df["area_name"],
        "area_type": df["area_type"],
        "region_code": df["region_code"],
        "region_name": df["region_name"],
        "london_subregion": df["london_subregion"],
        "value_text": df["Values"],
        "value": value.astype("float64"),
        "suppressed_mark": mark,
        "unit": df["unit"],
        "unit_label": df["unit_label"],
        "polarity": df["polarity"],
        "measure": df["measure"],
    })
    order = {"england": 0, "region": 1, "subregion": 2, "la": 3}
    out = (out.assign(_o=out["area_type"].map(order))
              .sort_values(["key", "year_end", "_o", "old_code"]).drop(columns="_o")
              .reset_index(drop=True))
    if out.duplicated(["key", "year_label", "old_code"]).any():
        raise SystemExit("duplicate rows for a key, year and area")
    return out


def build_neighbours(source: Path) -> pd.DataFrame:
    sheet = pd.read_excel(source / "sn_may_2025.xlsx", header=None)
    header_row = sheet.index[sheet[0].astype(str).str.strip() == "LA num"][0]
    data = sheet.iloc[header_row + 1:]
    data = data[pd.to_numeric(data[0], errors="coerce").notna()]
    areas = area_codes().set_index("old_code")
    rows = []
    for _, r in data.iterrows():
        old = str(int(r[0]))
        for rank in range(1, 11):
            nb = r[3 + 2 * rank]
            closeness = r[4 + 2 * rank]
            nb_old = str(int(nb))
            for code in (old, nb_old):
                if code not in areas.index:
                    raise SystemExit(f"no ONS code for LA number {code} in sn_may_2025.xlsx")
            rows.append({
                "la_code": areas.at[old, "area_code"], "la_old_code": old, "la_name": str(r[1]).strip(),
                "rank": rank, "neighbour_code": areas.at[nb_old, "area_code"], "neighbour_old_code": nb_old,
                "closeness": str(closeness).strip(), "list": "sn_may_2025",
            })
    out = pd.DataFrame(rows)
    out["rank"] = out["rank"].astype("int64")
    counts = out.groupby("la_old_code").size()
    if (counts != 10).any():
        raise SystemExit(f"LAs without exactly ten neighbours: {counts[counts != 10].index.tolist()}")
    return out.sort_values(["la_old_code", "rank"]).reset_index(drop=True)


def _metadata(source: Path) -> dict[bytes, bytes]:
    info = {
        "source": "DfE Local Authority Interactive Tool data (dfe-analytical-services/"
                  "local-authority-interactive-tool, 01_data/02_prod), via ../shared/benchmarks",
        "licence": "Open Government Licence v3.0 (statistics); MIT (LAIT code)",
        "code_list": "dfe-analytical-services/dfe-published-data-qa data/las.csv (embedded)",
        "files_sha256": {name: _sha256(source / name) for name in SOURCE_FILES if (source / name).exists()},
        "builder": "scripts/build_benchmarks.py",
    }
    return {b"portal.benchmarks": json.dumps(info, sort_keys=True).encode()}


def _write(df: pd.DataFrame, path: Path, metadata: dict[bytes, bytes]) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    pq.write_table(table, path, compression="zstd", compression_level=19, use_dictionary=True)


def build(source: Path, out: Path) -> tuple[Path, Path]:
    source, out = Path(source), Path(out)
    for name in SOURCE_FILES:
        if not (source / name).exists():
            raise SystemExit(f"{source / name} not found")
    keys = sorted(required_keys())
    values = build_benchmarks(source, keys)
    neighbours = build_neighbours(source)
    out.mkdir(parents=True, exist_ok=True)
    meta = _metadata(source)
    _write(values, out / BENCHMARKS_FILE, meta)
    _write(neighbours, out / NEIGHBOURS_FILE, meta)
    return out / BENCHMARKS_FILE, out / NEIGHBOURS_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="?", default=str(DEFAULT_SOURCE),
                        help="folder holding the DfE files (default: ../shared/benchmarks)")
    parser.add_argument("--out", default=str(DEFAULT_OUT), help="output folder (default: metrics/data)")
    args = parser.parse_args(argv)
    for path in build(Path(args.source), Path(args.out)):
        df = pd.read_parquet(path)
        print(f"wrote {path} ({path.stat().st_size:,} bytes, {len(df):,} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
