"""National benchmarks: England, the authority's region and its statistical neighbours.

Reads only the portal's own shipped files in ``metrics/data`` (built from the DfE published
statistics by ``scripts/build_benchmarks.py``; see ``metrics/data/BENCHMARKS-SOURCE.md``):

- ``benchmarks.parquet``: one row per DfE key x year x area, with the raw text, the number (NaN
  where suppressed) and the suppression mark.
- ``statistical_neighbours.parquet``: each LA's ten statistical neighbours (DfE May 2025 list).

``BENCHMARK_MAP`` says, for each of our measures that has one, which published figure it is
compared with, how it is derived (a key as published, a ratio of keys, or 100 minus a key), how it
is scaled to our units (``divisor``: DfE percentages are 0-100, our percentage measures are
fractions 0-1; counts, averages and rates per 10,000 stay as they are) and whether it is
comparable with our measure's value at all.

Years: the DfE label "2025" on a financial-year key is the year ending 31 March 2025 (2024-25); on
a snapshot key it is the position at 31 March 2025; on the social-worker caseload it is the
position at 30 September 2025. Each figure carries ``year_end`` and a readable ``period_label``.

Statistical neighbours: the neighbour figure (``neighbours_value``) is the **mean** of the
neighbours that have a published value (``neighbour_stat = "mean"``, with ``neighbours_n`` of 10);
the median is given too. For derived measures each neighbour's own derived value is averaged.
A suppressed value is NaN with its mark (the DfE files use "-" for every suppressed or unavailable
figure), never 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parent / "data"
BENCHMARKS_PATH = DATA_DIR / "benchmarks.parquet"
NEIGHBOURS_PATH = DATA_DIR / "statistical_neighbours.parquet"

NEIGHBOUR_STAT = "mean"
NEIGHBOUR_LIST = "DfE children's services statistical neighbours, May 2025"

Derivation = Literal["value", "ratio", "complement"]
Comparability = Literal["direct", "own_la_only", "none"]
PERCENT = 100.0  # DfE percentages are 0-100; ours are fractions 0-1


@dataclass(frozen=True)
class BenchmarkSpec:
    """How one of our measures is benchmarked.

    ``derivation``:
      - ``value``: the published figure of ``keys[0]`` / ``divisor``;
      - ``ratio``: sum(``keys``) / sum(``denominator``) (counts -> a fraction; ``divisor`` 1);
      - ``complement``: (100 - ``keys[0]``) / ``divisor`` (e.g. in touch = 100 - not in touch).
    ``divisor`` is 100 for DfE percentages (0-100) to give our fractions (0-1), else 1.
    ``unit`` is the unit after scaling: fraction (0-1), count, rate_per_10k or average.
    ``comparability``: ``direct`` (same unit and meaning as our measure's value), ``own_la_only``
    (same unit, but only the LA's own published figure is like-for-like: England, region and
    neighbour figures are totals for areas of other sizes) or ``none`` (another unit or population).
    """

    measure_id: str
    keys: tuple[str, ...]
    derivation: Derivation = "value"
    denominator: tuple[str, ...] = ()
    divisor: float = 1.0
    unit: str = "fraction"
    comparability: Comparability = "direct"
    polarity: str = "none"
    description: str = ""
    note: str = ""

    @property
    def comparable(self) -> bool:
        """True when England, region, neighbours and the LA figure all compare with our value."""
        return self.comparability == "direct"

    @property
    def source_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.keys + self.denominator))


def _pct(measure_id, key, polarity, description, note="", comparability="direct"):
    return BenchmarkSpec(measure_id, (key,), "value", divisor=PERCENT, unit="fraction",
                         comparability=comparability, polarity=polarity, description=description,
                         note=note)


_ICPC_BANDS = ("10_ICPC", "15_ICPC", "20_ICPC", "21_ICPC")

BENCHMARK_MAP: dict[str, BenchmarkSpec] = {s.measure_id: s for s in [
    BenchmarkSpec(
        "referrals", ("CPP_Total_Rateper10,000",), unit="rate_per_10k", comparability="none",
        description="Referrals to children's social care in the year, rate per 10,000 children",
        note="Our measure is a count of referrals in the period; the DfE figure is a yearly rate "
             "per 10,000 children aged 0-17. Not comparable without the child population."),
    _pct("re_referrals", "ReReferral", "low",
         "Re-referrals within 12 months of a previous referral (% of referrals in the year)"),
    _pct("assessment_timeliness", "Continue_Assess_Comp", "high",
         "Assessments completed within 45 working days (% of assessments completed in the year)",
         note="DfE counts from the assessment start (CIN census); compare with the default start "
              "point setting."),
    BenchmarkSpec(
        "s47", ("Section_47",), unit="rate_per_10k", comparability="none",
        description="Section 47 enquiries started in the year, rate per 10,000 children",
        note="Our measure is a count in the period; the DfE figure is a yearly rate per 10,000 "
             "children aged 0-17. Not comparable without the child population."),
    BenchmarkSpec(
        "icpc_timeliness", _ICPC_BANDS[:2], "ratio", denominator=_ICPC_BANDS, unit="fraction",
        polarity="high",
        description="ICPCs within 15 working days of the strategy discussion: "
                    "(10_ICPC + 15_ICPC) / (10_ICPC + 15_ICPC + 20_ICPC + 21_ICPC)",
        note="Derived from published counts in four bands; NaN when any band is suppressed. "
             "England's bands are rounded to the nearest 10."),
    BenchmarkSpec(
        "cp_plans", ("CPP_Num",), unit="count", comparability="own_la_only",
        description="Children on a child protection plan at 31 March (number)",
        note="Compare the LA's own published count with our count at 31 March; England and "
             "region figures are totals. See cp_plans_rate for the comparable rate."),
    BenchmarkSpec(
        "cp_plans_rate", ("CPP_rate",), unit="rate_per_10k", comparability="direct",
        description="Children on a child protection plan at 31 March, rate per 10,000 children",
        note="Compares with the cp_plans measure's rate per 10,000 (not its count)."),
    BenchmarkSpec(
        "cp_reviews", ("CPP_Reviewed_InReqTimeScl",), "ratio",
        denominator=("CPP_31March_3MnthorMore",), unit="fraction", polarity="high",
        description="Children on a plan at 31 March for 3 months or more whose reviews were all on "
                    "time: CPP_Reviewed_InReqTimeScl / CPP_31March_3MnthorMore"),
    _pct("cp_long", "CPPlans2yrs", "low",
         "Child protection plans ending in the year that lasted 2 years or more (%)"),
    _pct("cp_long_active", "CPPlans2yrsActive", "low",
         "Children on a plan at 31 March whose plan had lasted 2 years or more (%)",
         note="A stock at 31 March, not the cp_long flow measure (plans ending)."),
    BenchmarkSpec(
        "cin_plans", ("CIN",), unit="rate_per_10k", comparability="none",
        description="Children in need at 31 March, rate per 10,000 children",
        note="All children in need (CIN plans, CP plans, children in care, care leavers...) as a "
             "rate; our measure counts children on a CIN plan. Not comparable."),
    BenchmarkSpec(
        "cla", ("LACnum",), unit="count", comparability="own_la_only",
        description="Children looked after at 31 March (number)",
        note="Compare the LA's own published count with our count at 31 March."),
    BenchmarkSpec(
        "cla_starts", ("LACnum_Start",), unit="count", comparability="own_la_only",
        description="Children who started to be looked after in the year (number)",
        note="A yearly count: compare the LA's own figure with our count for the year to 31 March."),
    BenchmarkSpec(
        "cla_ceased", ("LACceased",), unit="count", comparability="own_la_only",
        description="Children who ceased to be looked after in the year (number)",
        note="A yearly count: compare the LA's own figure with our count for the year to 31 March."),
    _pct("cla_health", "LACHealth%", "high",
         "Children looked after 12+ months at 31 March with an annual health assessment (%)"),
    _pct("cla_dental", "LACDental%", "high",
         "Children looked after 12+ months at 31 March with a dental check (%)"),
    _pct("cla_3plus", "LACStable_2016on", "low",
         "Children looked after at 31 March with three or more placements in the year (%)"),
    _pct("cla_distance", "LACDistance", "low",
         "Children looked after at 31 March placed more than 20 miles from home, outside the LA (%)"),
    _pct("missing_children", "Children_missing", "none",
         "Children looked after who had a missing incident during the year (% of children looked after)",
         comparability="none",
         note="Our measure is a count of children going missing; the DfE figure is a percentage "
              "of children looked after. Not comparable."),
    BenchmarkSpec(
        "cl_in_touch", ("CareLeavers_LA_NotInTouch",), "complement", divisor=PERCENT,
        unit="fraction", polarity="high",
        description="Care leavers aged 19-21: 100 - % the local authority is not in touch with",
        note="DfE 'not in touch' excludes young people who refused contact or no longer need "
             "services, so 100 - not in touch counts them as in touch."),
    _pct("cl_accommodation", "CareLeaverAcc", "high",
         "Care leavers aged 19-21 in suitable accommodation (%)"),
    _pct("cl_eet", "CareLeaverEET", "high",
         "Care leavers aged 19-21 in education, employment or training (%)"),
    BenchmarkSpec(
        "caseload", ("Work_Force_AvgNumCase_SW",), unit="average", polarity="low",
        description="Average cases per children and family social worker (FTE) at 30 September",
        note="DfE divides by FTE social workers holding cases, at 30 September; our measure is "
             "open cases per allocated worker."),
]}


def required_keys() -> set[str]:
    """Every DfE key the shipped file must hold (the build script's list)."""
    return {k for spec in BENCHMARK_MAP.values() for k in spec.source_keys}


# --------------------------------------------------------------------------------------- data ---

@dataclass(frozen=True)
class Area:
    code: str             # ONS code (current)
    old_code: str         # DfE three-digit LA number (LAIT's 970/980-990 for England/regions)
    name: str
    area_type: str        # la, region, subregion (Inner/Outer London) or england
    region_code: str | None
    region_name: str | None
    previous_codes: tuple[str, ...] = ()


@lru_cache(maxsize=1)
def _values() -> pd.DataFrame:
    return pd.read_parquet(BENCHMARKS_PATH)


@lru_cache(maxsize=1)
def _neighbours() -> pd.DataFrame:
    return pd.read_parquet(NEIGHBOURS_PATH)


@lru_cache(maxsize=1)
def _areas() -> tuple[dict[str, Area], dict[str, str]]:
    """Areas by old code, and every accepted code (current, previous, old) -> old code."""
    cols = ["old_code", "area_code", "previous_codes", "area_name", "area_type", "region_code", "region_name"]
    rows = _values()[cols].drop_duplicates("old_code")
    areas, lookup = {}, {}
    for r in rows.itertuples(index=False):
        prev = tuple(c for c in str(r.previous_codes or "").split(";") if c)
        areas[r.old_code] = Area(r.area_code, r.old_code, r.area_name, r.area_type,
                                 r.region_code if isinstance(r.region_code, str) else None,
                                 r.region_name if isinstance(r.region_name, str) else None, prev)
        for code in (r.area_code, r.old_code, *prev):
            lookup[code.upper()] = r.old_code
    return areas, lookup


def resolve_area(code: str) -> Area:
    """The area for an ONS code (e.g. "E06000015"), a previous ONS code or a DfE LA number ("831").

    Raises ValueError naming the code when it is not an English LA, region or England.
    """
    areas, lookup = _areas()
    old = lookup.get(str(code).strip().upper())
    if old is None:
        raise ValueError(f"Unknown local authority code {code!r}: not an English local authority, "
                         f"region or England in the DfE benchmark data")
    return areas[old]


def area_name(la_code: str) -> str:
    """The DfE name of an LA (or region/England) given its ONS code or DfE number."""
    return resolve_area(la_code).name


def _local_authority(la_code: str) -> Area:
    area = resolve_area(la_code)
    if area.area_type != "la":
        raise ValueError(f"{la_code!r} is {area.name} ({area.area_type}), not a local authority")
    return area


def statistical_neighbours(la_code: str) -> list[Area]:
    """The LA's ten statistical neighbours (May 2025 list), closest first."""
    la = _local_authority(la_code)
    nb = _neighbours()
    rows = nb[nb["la_old_code"] == la.old_code].sort_values("rank")
    areas, _ = _areas()
    return [areas[o] for o in rows["neighbour_old_code"]]


@lru_cache(maxsize=None)
def _key_table(key: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(values, marks) as area old code x year label, and the years (label, end, period) in order."""
    df = _values()
    df = df[df["key"] == key]
    if df.empty:
        raise KeyError(f"benchmark key {key!r} is not in {BENCHMARKS_PATH.name}; rebuild it with "
                       f"scripts/build_benchmarks.py")
    years = (df[["year_label", "year_end", "period_label"]].drop_duplicates("year_label")
             .sort_values("year_end").reset_index(drop=True))
    values = df.pivot(index="old_code", columns="year_label", values="value")[years["year_label"]]
    marks = df.pivot(index="old_code", columns="year_label", values="suppressed_mark")[years["year_label"]]
    return values, _marks_only(marks, marks.notna()), years


def _marks_only(marks: pd.DataFrame, keep: pd.DataFrame) -> pd.DataFrame:
    """An object frame holding the mark strings where ``keep`` is True and None elsewhere."""
    arr = marks.to_numpy(dtype=object)
    ok = keep.to_numpy() & np.vectorize(lambda x: isinstance(x, str), otypes=[bool])(arr)
    return pd.DataFrame(np.where(ok, arr, None), index=marks.index, columns=marks.columns, dtype=object)


def _combine_marks(marks: list[pd.DataFrame], values: list[pd.DataFrame]) -> pd.DataFrame:
    """Per cell, the marks of the components that are missing (joined, de-duplicated)."""
    index, columns = values[0].index, values[0].columns
    out = np.full((len(index), len(columns)), None, dtype=object)
    for v, m in zip(values, marks):
        m = m.reindex(index=index, columns=columns).to_numpy(dtype=object)
        miss = v.reindex(index=index, columns=columns).isna().to_numpy()
        for i, c in zip(*np.nonzero(miss)):
            new = m[i, c]
            if not isinstance(new, str):
                continue
            cur = out[i, c]
            out[i, c] = new if cur is None else (cur if new in cur.split(",") else f"{cur},{new}")
    return pd.DataFrame(out, index=index, columns=columns, dtype=object)


@lru_cache(maxsize=None)
def _measure_table(measure_id: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Derived and scaled values (area x year), their marks, and the years, for one measure."""
    spec = BENCHMARK_MAP[measure_id]
    parts = {k: _key_table(k) for k in spec.source_keys}
    years = parts[spec.keys[0]][2]
    for k, (_, _, y) in parts.items():
        if list(y["year_label"]) != list(years["year_label"]):
            years = years[years["year_label"].isin(y["year_label"])].reset_index(drop=True)
    labels = list(years["year_label"])
    index = sorted(set().union(*(p[0].index for p in parts.values())))
    vals = {k: p[0].reindex(index=index, columns=labels) for k, p in parts.items()}
    marks = {k: p[1].reindex(index=index, columns=labels) for k, p in parts.items()}

    if spec.derivation == "value":
        value = vals[spec.keys[0]] / spec.divisor
    elif spec.derivation == "complement":
        value = (100.0 - vals[spec.keys[0]]) / spec.divisor
    elif spec.derivation == "ratio":
        num = sum(vals[k] for k in spec.keys)             # NaN if any part is NaN
        den = sum(vals[k] for k in spec.denominator)
        value = (num / den.where(den != 0)) / spec.divisor
    else:  # pragma: no cover - guarded by the Literal
        raise ValueError(spec.derivation)
    if spec.divisor != 1 and spec.derivation != "ratio":
        value = value.round(12)  # 84.7 / 100 -> 0.847, not 0.8470000000000001
    keys = list(spec.source_keys)
    mark = _combine_marks([marks[k] for k in keys], [vals[k] for k in keys])
    mark = _marks_only(mark, value.isna())
    return value.astype("float64"), mark, years


# ------------------------------------------------------------------------------------ results ---

@dataclass(frozen=True)
class NeighbourValue:
    rank: int
    code: str
    name: str
    value: float
    mark: str | None


@dataclass(frozen=True)
class Benchmark:
    measure_id: str
    description: str          # what the published figure is (and how it is derived)
    keys: tuple[str, ...]     # the DfE keys it comes from
    unit: str                 # fraction (0-1), count, rate_per_10k or average
    polarity: str
    comparable: bool          # True when all figures compare with our measure's value
    comparability: str        # direct / own_la_only / none
    note: str
    year_label: str           # as published, e.g. "2025"
    year_end: date            # the date the year label refers to (31 March, or 30 Sept for caseload)
    period_label: str         # e.g. "2024-25" or "at 31 March 2025"
    la_code: str
    la_old_code: str
    la_name: str
    la_value: float
    la_mark: str | None       # the suppression mark when la_value is NaN ("-" in the DfE files)
    region_code: str | None
    region_name: str | None
    region_value: float
    region_mark: str | None
    england_value: float
    england_mark: str | None
    neighbour_stat: str       # "mean": neighbours_value is the mean of the neighbours with a value
    neighbours_value: float
    neighbours_median: float
    neighbours_n: int         # how many of the neighbours had a value
    neighbours_total: int     # how many neighbours the LA has (10)
    neighbour_list: str
    neighbours: tuple[NeighbourValue, ...]


def _cell(values: pd.DataFrame, marks: pd.DataFrame, old_code: str | None, label: str):
    if old_code is None or old_code not in values.index:
        return math.nan, None
    v = values.at[old_code, label]
    m = marks.at[old_code, label]
    return (float(v), None) if pd.notna(v) else (math.nan, m if isinstance(m, str) else None)


def _region_old_code(area: Area) -> str | None:
    if area.region_code is None:
        return None
    try:
        return resolve_area(area.region_code).old_code
    except ValueError:
        return None


def _neighbour_values(la: Area, values, marks, label) -> tuple[NeighbourValue, ...]:
    nb = _neighbours()
    rows = nb[nb["la_old_code"] == la.old_code].sort_values("rank")
    areas, _ = _areas()
    out = []
    for rank, old in zip(rows["rank"], rows["neighbour_old_code"]):
        v, m = _cell(values, marks, old, label)
        a = areas.get(old)
        out.append(NeighbourValue(int(rank), a.code if a else old, a.name if a else old, v, m))
    return tuple(out)


def _stats(nbs: tuple[NeighbourValue, ...]) -> tuple[float, float, int]:
    vals = [n.value for n in nbs if not math.isnan(n.value)]
    if not vals:
        return math.nan, math.nan, 0
    return float(np.mean(vals)), float(np.median(vals)), len(vals)


def _latest_label(values: pd.DataFrame, years: pd.DataFrame) -> str | None:
    england = resolve_area("E92000001").old_code
    labels = list(years["year_label"])
    for label in reversed(labels):
        if england in values.index and pd.notna(values.at[england, label]):
            return label
    for label in reversed(labels):
        if values[label].notna().any():
            return label
    return labels[-1] if labels else None


def benchmark(measure_id: str, la_code: str, year_label: str | None = None) -> Benchmark | None:
    """The measure's benchmark for an LA in the latest published year (or ``year_label``).

    None when the measure has no benchmark. ValueError for an unknown LA code. The latest year is
    the latest one with a published England figure; the LA's own, region and neighbour values for
    that year may still be NaN (with their suppression mark).
    """
    la = _local_authority(la_code)
    spec = BENCHMARK_MAP.get(measure_id)
    if spec is None:
        return None
    values, marks, years = _measure_table(measure_id)
    label = year_label if year_label is not None else _latest_label(values, years)
    if label is None or label not in set(years["year_label"]):
        raise ValueError(f"no {measure_id} benchmark for year {year_label!r}")
    year = years[years["year_label"] == label].iloc[0]
    region_old = _region_old_code(la)
    la_v, la_m = _cell(values, marks, la.old_code, label)
    reg_v, reg_m = _cell(values, marks, region_old, label)
    eng_v, eng_m = _cell(values, marks, resolve_area("E92000001").old_code, label)
    nbs = _neighbour_values(la, values, marks, label)
    mean, median, n = _stats(nbs)
    return Benchmark(
        measure_id=measure_id, description=spec.description, keys=spec.source_keys, unit=spec.unit,
        polarity=spec.polarity, comparable=spec.comparable, comparability=spec.comparability,
        note=spec.note, year_label=label, year_end=pd.Timestamp(year["year_end"]).date(),
        period_label=year["period_label"], la_code=la.code, la_old_code=la.old_code,
        la_name=la.name, la_value=la_v, la_mark=la_m, region_code=la.region_code,
        region_name=la.region_name, region_value=reg_v, region_mark=reg_m, england_value=eng_v,
        england_mark=eng_m, neighbour_stat=NEIGHBOUR_STAT, neighbours_value=mean,
        neighbours_median=median, neighbours_n=n, neighbours_total=len(nbs),
        neighbour_list=NEIGHBOUR_LIST, neighbours=nbs,
    )


SERIES_COLUMNS = [
    "year", "year_end", "period_label", "la", "la_mark", "region", "region_mark",
    "neighbours_mean", "neighbours_median", "neighbours_n", "england", "england_mark",
]


def benchmark_series(measure_id: str, la_code: str) -> pd.DataFrame:
    """Every published year for the measure: the LA, its region, its neighbours (mean and median
    of those with a value, and how many) and England, with suppression marks. Oldest first.
    Empty (with the columns) when the measure has no benchmark; ValueError for an unknown LA."""
    # The published data never changes while the process runs: worked out once per measure and
    # LA, and each caller gets its own copy (a dozen rows).
    return _benchmark_series(measure_id, la_code).copy()


@lru_cache(maxsize=1024)
def _benchmark_series(measure_id: str, la_code: str) -> pd.DataFrame:
    la = _local_authority(la_code)
    if measure_id not in BENCHMARK_MAP:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    values, marks, years = _measure_table(measure_id)
    region_old = _region_old_code(la)
    england_old = resolve_area("E92000001").old_code
    rows = []
    for y in years.itertuples(index=False):
        la_v, la_m = _cell(values, marks, la.old_code, y.year_label)
        reg_v, reg_m = _cell(values, marks, region_old, y.year_label)
        eng_v, eng_m = _cell(values, marks, england_old, y.year_label)
        mean, median, n = _stats(_neighbour_values(la, values, marks, y.year_label))
        rows.append([y.year_label, pd.Timestamp(y.year_end), y.period_label, la_v, la_m, reg_v,
                     reg_m, mean, median, n, eng_v, eng_m])
    out = pd.DataFrame(rows, columns=SERIES_COLUMNS)
    out["neighbours_n"] = out["neighbours_n"].astype("int64")
    for col in ("la_mark", "region_mark", "england_mark"):  # None where not suppressed
        out[col] = pd.Series([m if isinstance(m, str) else None for m in out[col]], dtype=object)
    return out
