"""Validation and typing of extracted source frames against :data:`data_access.schema.TABLES`.

:func:`check_tables` is what a refresh uses: it types every frame (:func:`coerce`) and collects
*every* problem (not just the first) as :class:`Problem` records. :func:`validate` returns the
problems only.

Problems identify rows by their primary key and show only the offending value of the column
checked: never a name or any other personal field.

Checks, from the schema:

- a required table is missing (``ext_*`` tables are optional: absent is recorded as
  ``not_in_source``, an information, not an error);
- a required column is missing (extra unknown columns are ignored and dropped);
- values parse as their type (dates: ISO date/datetime strings, SQLite text dates, real date and
  datetime values; numbers; whole numbers for ``int``);
- primary keys are not blank and unique;
- foreign keys resolve (skipped when the referenced table is an absent optional table);
- end dates are not before start dates.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from data_access.schema import TABLES, TableSpec

MAX_EXAMPLES = 5
MAX_VALUE_CHARS = 40

# Problem kinds.
MISSING_TABLE = "missing_table"
NOT_IN_SOURCE = "not_in_source"  # an optional table the source lacks: information only
MISSING_COLUMN = "missing_column"
BAD_DATE = "bad_date"
BAD_NUMBER = "bad_number"
BLANK_KEY = "blank_key"
DUPLICATE_KEY = "duplicate_key"
UNRESOLVED_FK = "unresolved_foreign_key"
END_BEFORE_START = "end_before_start"
CONNECTION = "connection"
READ_FAILED = "read_failed"
WRITE_FAILED = "write_failed"

INFO_KINDS = frozenset({NOT_IN_SOURCE})

# datetime64[ns] can only hold these.
_NS_MIN = pd.Timestamp.min
_NS_MAX = pd.Timestamp.max


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the source (or, for ``not_in_source``, worth knowing)."""

    table: str
    column: str | None
    kind: str
    message: str
    examples: list[dict] = field(default_factory=list)

    @property
    def is_error(self) -> bool:
        return self.kind not in INFO_KINDS

    @property
    def where(self) -> str:
        return f"{self.table}.{self.column}" if self.column else self.table


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


# ---------------------------------------------------------------------------------------------
# Typing


def _short(value) -> str:
    """An offending value, printable and bounded."""
    if isinstance(value, (pd.Timestamp, _dt.datetime)):
        text = value.isoformat(sep=" ")
        text = text.removesuffix(" 00:00:00")
    elif isinstance(value, _dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _is_blank_scalar(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    return False


def _blank_mask(raw: pd.Series) -> pd.Series:
    """True where a raw value is missing or a blank string."""
    mask = raw.isna().to_numpy(dtype=bool).copy()
    if raw.dtype == object:
        mask |= raw.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
    elif pd.api.types.is_string_dtype(raw.dtype):
        mask |= raw.str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    return pd.Series(mask, index=raw.index)


def _scalar_to_str(v):
    if _is_blank_scalar(v):
        return None
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() else repr(float(v))
    if isinstance(v, (bytes, bytearray)):
        return bytes(v).decode("utf-8", errors="replace").strip()
    if isinstance(v, (pd.Timestamp, _dt.datetime, _dt.date)):
        return _short(v)
    return str(v).strip()


def _as_string(raw: pd.Series) -> pd.Series:
    """IDs, codes and text as the pandas string dtype; numbers from a database become their
    integer text (12 and 12.0 become "12"); blank strings become missing."""
    if pd.api.types.is_string_dtype(raw.dtype) and raw.dtype != object:
        out = raw.str.strip()
    elif raw.dtype == object:
        kind = pd.api.types.infer_dtype(raw, skipna=True)
        if kind in ("string", "empty"):
            out = raw.astype("str").str.strip()
        else:
            out = pd.Series([_scalar_to_str(v) for v in raw], index=raw.index, dtype="str")
    elif pd.api.types.is_integer_dtype(raw.dtype) or pd.api.types.is_bool_dtype(raw.dtype):
        out = pd.Series([_scalar_to_str(v) for v in raw.astype(object)], index=raw.index, dtype="str")
    elif pd.api.types.is_float_dtype(raw.dtype):
        out = pd.Series([_scalar_to_str(v) for v in raw.astype(object)], index=raw.index, dtype="str")
    else:
        out = pd.Series([_scalar_to_str(v) for v in raw.astype(object)], index=raw.index, dtype="str")
    out = out.astype("str")
    return out.mask(out == "")


def _parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(datetime64[ns] naive, mask of non-blank values that are not dates)."""
    blank = _blank_mask(raw)
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        parsed = raw
        if getattr(raw.dt, "tz", None) is not None:
            parsed = raw.dt.tz_convert("UTC").dt.tz_localize(None)
    else:
        if raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=True) == "string":
            raw = raw.astype("str")
        if pd.api.types.is_string_dtype(raw.dtype) and raw.dtype != object:
            values = raw.str.strip().mask(blank)  # text dates (SQLite): vectorised
        else:
            values = raw.astype(object).where(~blank, None)
            values = values.map(lambda v: v.strip() if isinstance(v, str) else v)
        try:
            parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
        except Exception:  # e.g. an odd mix of objects: one by one
            parsed = pd.Series([_parse_one(v) for v in values], index=raw.index, dtype="datetime64[us]")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
        retry = parsed.isna() & ~blank
        if retry.any():  # timezone-aware strings mixed with naive ones, numbers as text…
            again = pd.Series([_parse_one(v) for v in values[retry]], index=values[retry].index)
            parsed = parsed.astype("datetime64[us]")
            ok = again.notna()
            if ok.any():
                parsed.loc[again.index[ok]] = pd.to_datetime(again[ok]).astype("datetime64[us]")
    # datetime64[ns] holds 1677-09-21 .. 2262-04-11 only
    out_of_range = parsed.notna() & ((parsed < _NS_MIN) | (parsed > _NS_MAX))
    parsed = parsed.mask(out_of_range)
    typed = parsed.astype("datetime64[ns]")
    bad = typed.isna() & ~blank
    return typed, bad


def _parse_one(v):
    if _is_blank_scalar(v):
        return pd.NaT
    if isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)):
        return pd.NaT  # a bare number is not a date
    try:
        ts = pd.Timestamp(v.strip() if isinstance(v, str) else v)
    except Exception:
        return pd.NaT
    if ts is pd.NaT:
        return pd.NaT
    if ts.tzinfo is not None:
        ts = ts.tz_convert("UTC").tz_localize(None)
    if isinstance(v, str):  # only unambiguous ISO-like text: YYYY-MM-DD…
        s = v.strip()
        if not (len(s) >= 10 and s[4] == "-" and s[7] == "-" and s[:4].isdigit()):
            return pd.NaT
    return ts


def _parse_numbers(raw: pd.Series, integer: bool) -> tuple[pd.Series, pd.Series]:
    blank = _blank_mask(raw)
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        parsed = pd.to_numeric(raw, errors="coerce").astype("float64")
    else:
        values = raw.astype(object).where(~blank, None)
        values = values.map(lambda v: v.strip() if isinstance(v, str) else v)
        parsed = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = parsed.isna() & ~blank
    if integer:
        fractional = parsed.notna() & (parsed != np.floor(parsed))
        bad = bad | fractional
        parsed = parsed.mask(fractional)
        typed = parsed.round().astype("Int64")
    else:
        typed = parsed
    return typed, bad


def _type_column(col_type: str, raw: pd.Series) -> tuple[pd.Series, pd.Series | None]:
    if col_type == "date":
        return _parse_dates(raw)
    if col_type == "float":
        return _parse_numbers(raw, integer=False)
    if col_type == "int":
        return _parse_numbers(raw, integer=True)
    return _as_string(raw), None


def _empty_column(col_type: str, n: int, index) -> pd.Series:
    dtype = {"date": "datetime64[ns]", "float": "float64", "int": "Int64"}.get(col_type, "str")
    return pd.Series([None] * n, index=index, dtype=dtype)


def coerce(table_spec: TableSpec, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame typed to the schema: IDs/codes as pandas string dtype, dates as naive
    datetime64[ns], floats as float64, ints as nullable Int64, columns in schema order.
    Unknown columns are dropped; missing columns are added empty; unparseable values become
    missing (:func:`validate` reports them)."""
    typed, _ = _coerce_with_bad(table_spec, frame)
    return typed


def _coerce_with_bad(spec: TableSpec, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    frame = frame.reset_index(drop=True)
    columns: dict[str, pd.Series] = {}
    bad: dict[str, pd.Series] = {}
    for col, col_type in spec.columns.items():
        if col in frame.columns:
            typed, bad_mask = _type_column(col_type, frame[col])
            columns[col] = typed
            if bad_mask is not None and bad_mask.any():
                bad[col] = bad_mask
        else:
            columns[col] = _empty_column(col_type, len(frame), frame.index)
    return pd.DataFrame(columns, index=frame.index), bad


# ---------------------------------------------------------------------------------------------
# Checks


def _key_cols(spec: TableSpec, frame: pd.DataFrame) -> list[str]:
    return [c for c in spec.primary_key if c in frame.columns]


def _examples(spec: TableSpec, frame: pd.DataFrame, mask: pd.Series, *cols: str) -> list[dict]:
    """Up to MAX_EXAMPLES rows: primary key value(s) and the value(s) of the column(s) checked."""
    rows = frame.index[np.asarray(mask, dtype=bool)][:MAX_EXAMPLES]
    out = []
    for i in rows:
        ex: dict = {}
        for k in _key_cols(spec, frame):
            v = frame.at[i, k]
            ex[k] = "(blank)" if _is_blank_scalar(v) else _short(v)
        if not ex:
            ex["row"] = int(i) + 1
        for c in cols:
            v = frame.at[i, c]
            ex[c] = "(blank)" if _is_blank_scalar(v) else _short(v)
        out.append(ex)
    return out


def _rows(n: int) -> str:
    return f"{n:,} row" + ("" if n == 1 else "s")


def check_tables(
    frames: Mapping[str, pd.DataFrame | None], tables: Mapping[str, TableSpec] = TABLES
) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Type every frame and collect every problem.

    ``frames`` maps table names to the raw frames read from the source (schema column names);
    a table absent from the source is absent from ``frames`` (or None). Returns the typed frames
    of the tables present and the problems, errors and information alike.
    """
    problems: list[Problem] = []
    typed: dict[str, pd.DataFrame] = {}
    present_cols: dict[str, set[str]] = {}

    for name, spec in tables.items():
        raw = frames.get(name)
        if raw is None:
            if spec.optional:
                problems.append(Problem(name, None, NOT_IN_SOURCE,
                                        f"{name} is not in the source (optional extension table)."))
            else:
                problems.append(Problem(name, None, MISSING_TABLE,
                                        f"required table {name} is missing from the source"))
            continue
        missing = [c for c in spec.columns if c not in raw.columns]
        for col in missing:
            problems.append(Problem(name, col, MISSING_COLUMN,
                                    f"required column {col} is missing from {name}"))
        present_cols[name] = {c for c in spec.columns if c in raw.columns}

        frame, bad = _coerce_with_bad(spec, raw)
        typed[name] = frame
        raw = raw.reset_index(drop=True)
        for col, mask in bad.items():
            col_type = spec.columns[col]
            n = int(mask.sum())
            # show the raw offending value, not the (missing) typed one
            shown = frame[_key_cols(spec, frame)].copy()
            shown[col] = raw[col].astype(object)
            if col_type == "date":
                kind, what = BAD_DATE, "a value that is not a date (YYYY-MM-DD, between 1677 and 2262)"
            elif col_type == "int":
                kind, what = BAD_NUMBER, "a value that is not a whole number"
            else:
                kind, what = BAD_NUMBER, "a value that is not a number"
            problems.append(Problem(name, col, kind, f"{_rows(n)} of {name}.{col} {'has' if n == 1 else 'have'} {what}",
                                    _examples(spec, shown, mask, col)))

        problems.extend(_check_primary_key(spec, frame, present_cols[name]))
        problems.extend(_check_date_ranges(spec, frame, present_cols[name]))

    for name, spec in tables.items():
        if name not in typed:
            continue
        frame = typed[name]
        for fk in spec.foreign_keys:
            if fk.column not in present_cols[name]:
                continue
            if fk.ref_table not in typed or fk.ref_column not in present_cols.get(fk.ref_table, ()):
                continue  # absent (optional) or already reported as missing
            values = frame[fk.column]
            ref = typed[fk.ref_table][fk.ref_column].dropna()
            known = pd.Series(values.to_numpy(dtype=object), index=values.index, dtype=object).isin(
                pd.unique(ref.to_numpy(dtype=object)))  # object hashing: fast for millions
            unresolved = values.notna() & ~known
            n = int(unresolved.sum())
            if n:
                distinct = values[unresolved].nunique()
                problems.append(Problem(
                    name, fk.column, UNRESOLVED_FK,
                    f"{_rows(n)} of {name}.{fk.column} refer{'s' if n == 1 else ''} to {fk.ref_table}.{fk.ref_column} "
                    f"values that do not exist ({distinct:,} distinct missing value"
                    f"{'' if distinct == 1 else 's'})",
                    _examples(spec, frame, unresolved, fk.column)))
    return typed, problems


def _check_primary_key(spec: TableSpec, frame: pd.DataFrame, present: set[str]) -> list[Problem]:
    pk = list(spec.primary_key)
    if not pk or any(c not in present for c in pk):
        return []
    out = []
    blank = frame[pk].isna().any(axis=1)
    n_blank = int(blank.sum())
    col = ", ".join(pk)
    if n_blank:
        out.append(Problem(spec.name, col, BLANK_KEY,
                           f"{_rows(n_blank)} of {spec.name} {'has' if n_blank == 1 else 'have'} a blank primary key {col}",
                           [{"row": int(i) + 1, **{c: "(blank)" for c in pk}}
                            for i in frame.index[blank][:MAX_EXAMPLES]]))
    keyed = frame.loc[~blank, pk]
    dup = keyed.duplicated(keep=False)
    if dup.any():
        counts = keyed[dup].value_counts(sort=False)
        n_values = len(counts)
        examples = []
        for key, count in list(counts.items())[:MAX_EXAMPLES]:
            key = key if isinstance(key, tuple) else (key,)
            examples.append({**{c: _short(v) for c, v in zip(pk, key)}, "occurrences": int(count)})
        out.append(Problem(spec.name, col, DUPLICATE_KEY,
                           f"{n_values:,} value{'' if n_values == 1 else 's'} of the primary key "
                           f"{spec.name}.{col} occur{'s' if n_values == 1 else ''} more than once ({_rows(int(dup.sum()))})",
                           examples))
    return out


def _check_date_ranges(spec: TableSpec, frame: pd.DataFrame, present: set[str]) -> list[Problem]:
    out = []
    for start, end in spec.date_ranges:
        if start not in present or end not in present:
            continue
        bad = frame[start].notna() & frame[end].notna() & (frame[end] < frame[start])
        n = int(bad.sum())
        if n:
            out.append(Problem(spec.name, end, END_BEFORE_START,
                               f"{_rows(n)} of {spec.name} {'has' if n == 1 else 'have'} {end} before {start}",
                               _examples(spec, frame, bad, start, end)))
    return out


def validate(frames: Mapping[str, pd.DataFrame | None],
             tables: Mapping[str, TableSpec] = TABLES) -> list[Problem]:
    """Every problem with the raw source frames (see :func:`check_tables`)."""
    return check_tables(frames, tables)[1]
