"""What every importer shares: tolerant headers, values (IDs, dates including Excel serial
numbers, codes with or without their Ofsted prefix, yes/no flags) and the report of everything
that could not be used.

Nothing is dropped silently. A row that cannot be used at all (no child ID, no key date, an end
before its start, a child in no child list…) is *rejected*; a single value that cannot be read (a
date that is not a date, "maybe" in a yes/no column) is *blanked* and the row kept; an unknown code
is *kept as given*. Each is one :class:`RejectedRow` with its file, row and reason, written into
the extract as ``rejected_rows.csv`` (:mod:`importers.source`).

Values of personal columns (dates of birth, postcodes, UPNs, names) are never copied into the
report: it shows "(withheld)" instead. Child IDs are shown so the row can be found and fixed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import pandas as pd

# What happened to a row or value (the report's "action" column).
REJECTED = "row rejected"
BLANKED = "value blanked"
CORRECTED = "value corrected"
MERGED = "duplicate merged"
CONFLICT = "conflicting value"
UNKNOWN_CODE = "unknown code kept"
NOT_IMPORTED = "not imported"

REPORT_COLUMNS = ["file", "record", "row", "child_id", "column", "value", "action", "reason"]
WITHHELD = "(withheld)"


@dataclass(frozen=True)
class RejectedRow:
    """One row (or one value of a row) the import could not use as it stood.

    ``row`` is the CSV line (the header is line 1), the spreadsheet row, or the XML line of the
    element; ``record`` says what the row is (an SSDA903 table, an Annex A list, a CIN element)."""

    file: str
    record: str
    row: int | None
    child_id: str | None
    column: str | None
    value: str | None
    action: str
    reason: str

    def as_dict(self) -> dict:
        return {c: getattr(self, c) for c in REPORT_COLUMNS}

    def line(self) -> str:
        where = f"{self.file}" + (f" row {self.row}" if self.row is not None else "") + f" ({self.record})"
        child = f" child {self.child_id}" if self.child_id else ""
        col = f" {self.column}" if self.column else ""
        val = f" {self.value!r}" if self.value not in (None, "") else ""
        return f"{where}{child}:{col}{val} {self.action}: {self.reason}"


class MalformedFile(Exception):
    """A file that cannot be read at all (unreadable XML, a missing mandatory column): the refresh
    stops and the live extract stays as it was."""

    def __init__(self, file: str, message: str):
        self.file = file
        self.detail = message
        super().__init__(f"{file}: {message}")


class RowRejected(Exception):
    """Raised while reading a row that cannot be used; the importer reports it and moves on."""

    def __init__(self, reason: str, column: str | None = None, value: Any = None):
        self.reason = reason
        self.column = column
        self.value = value
        super().__init__(reason)


# ---------------------------------------------------------------------------------------------
# Text, blanks and IDs

# What spreadsheets and exports write for "nothing".
BLANK_TOKENS = frozenset({
    "", "#N/A", "N/A", "NA", "#NA", "NULL", "#NULL!", "NAN", "NAT", "<NA>", "-", "--", "#VALUE!",
    "#REF!", "#DIV/0!", "#NAME?", "#NUM!", "NOT APPLICABLE",
})
_SPACES = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"), None)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\xa0": " ",
                         "\u2013": "-", "\u2014": "-"})


def _is_missing_scalar(value) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return False


def clean_text(value) -> str | None:
    """A value as tidy text: non-breaking and zero-width spaces, curly quotes and dashes
    straightened, runs of spaces collapsed, whole numbers without ".0"; None when blank or one
    of the spreadsheet "nothing" markers (#N/A, N/A, NULL…)."""
    if type(value) is str:   # the common case, kept fast
        if value.isascii():
            text = value.strip()
            if "  " in text or "\t" in text or "\n" in text or "\r" in text:
                text = _SPACES.sub(" ", text)
        else:
            text = _SPACES.sub(" ", value.translate(_INVISIBLE).translate(_QUOTES)).strip()
        if not text or (len(text) <= 16 and text.upper() in BLANK_TOKENS):
            return None
        return text
    if _is_missing_scalar(value):
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).translate(_INVISIBLE).translate(_QUOTES)
    text = _SPACES.sub(" ", text).strip()
    if text.upper() in BLANK_TOKENS:
        return None
    return text


def is_blank(value) -> bool:
    return clean_text(value) is None


def norm_key(value) -> str:
    """Text reduced for matching headers and aliases: lower case letters and digits only
    ("Date of Referral" == "date_of_referral" == "DATE OF REFERRAL ")."""
    text = clean_text(value) or ""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def clean_id(value) -> str | None:
    """A child ID as text, the same whichever file it comes from: 12345, 12345.0 and "012345" are
    all "12345" (spreadsheets drop leading zeros, so matching across files must too)."""
    text = clean_text(value)
    if text is None:
        return None
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".", 1)[0]
    if text.isdigit():
        text = text.lstrip("0") or "0"
    return text


# ---------------------------------------------------------------------------------------------
# Dates

EXCEL_EPOCH = dt.date(1899, 12, 30)     # serial 61 = 1 March 1900 (Excel's 1900 date system)
MIN_YEAR, MAX_YEAR = 1900, 2200
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[T ].*)?$")
_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4}|\d{2})(?:[T ].*)?$")
_SERIAL = re.compile(r"^\d{2,6}(?:\.\d+)?$")
_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)\b", re.I)
_TEXT_MONTH_FORMATS = ("%d %b %Y", "%d %B %Y", "%d-%b-%Y", "%d-%B-%Y", "%d %b %y", "%d-%b-%y",
                       "%d/%b/%Y", "%b %d %Y", "%B %d %Y")


def _make(year: int, month: int, day: int) -> pd.Timestamp | None:
    if not (MIN_YEAR <= year <= MAX_YEAR):
        return None
    try:
        return pd.Timestamp(dt.date(year, month, day))
    except ValueError:
        return None


def excel_serial(number: float) -> pd.Timestamp | None:
    """An Excel serial day number as a date (the time of day, if any, dropped)."""
    if number < 1 or number >= 2958466:
        return None
    whole = int(math.floor(number))
    if whole == 60:  # Excel's 29 February 1900, which never existed
        return None
    base = EXCEL_EPOCH if whole > 60 else dt.date(1899, 12, 31)
    day = base + dt.timedelta(days=whole)
    return _make(day.year, day.month, day.day)


def parse_date(value) -> tuple[pd.Timestamp | None, bool]:
    """(date, ok). Blank (or #N/A…) is (None, True); something that is not a date is (None, False).

    Accepted: real dates and datetimes (time dropped), Excel serial numbers (as numbers or as
    text, e.g. 44090 or "44090.0"), ISO text (2020-09-16, with or without a time), day/month/year
    text (16/09/2020, 16-09-2020, 16.09.2020, two-digit years: 00-68 are 20xx), YYYYMMDD, and
    month names (16 Sep 2020, 28th Jan 1930). Month/day/year is never guessed."""
    if _is_missing_scalar(value):
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return (_make(ts.year, ts.month, ts.day), True) if MIN_YEAR <= ts.year <= MAX_YEAR else (None, False)
    if isinstance(value, dt.date):
        got = _make(value.year, value.month, value.day)
        return got, got is not None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None, True
        if float(value).is_integer() and 19000101 <= value <= 22001231:
            v = int(value)
            got = _make(v // 10000, v // 100 % 100, v % 100)
            if got is not None:
                return got, True
        got = excel_serial(float(value))
        return got, got is not None
    text = clean_text(value)
    if text is None:
        return None, True
    if len(text) == 8 and text.isdigit():          # YYYYMMDD
        got = _make(int(text[:4]), int(text[4:6]), int(text[6:]))
        return got, got is not None
    if _SERIAL.match(text):
        got = excel_serial(float(text))
        return got, got is not None
    for pattern, order in ((_ISO, "ymd"), (_YMD_SLASH, "ymd"), (_DMY, "dmy")):
        m = pattern.match(text)
        if m:
            a, b, c = m.groups()
            if order == "ymd":
                got = _make(int(a), int(b), int(c))
            else:
                year = int(c)
                if len(c) == 2:
                    year += 2000 if year <= 68 else 1900
                got = _make(year, int(b), int(a))
            return got, got is not None
    text = _ORDINAL.sub(r"\1", text)
    for fmt in _TEXT_MONTH_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        got = _make(parsed.year, parsed.month, parsed.day)
        return got, got is not None
    return None, False


def parse_number(value) -> tuple[float | None, bool]:
    if _is_missing_scalar(value):
        return None, True
    if isinstance(value, bool):
        return None, False
    if isinstance(value, (int, float)):
        return float(value), True
    text = clean_text(value)
    if text is None:
        return None, True
    try:
        return float(text.replace(",", "")), True
    except ValueError:
        return None, False


# ---------------------------------------------------------------------------------------------
# Codes

_PREFIX = re.compile(r"^\s*[a-z]{1,2}\d?\)\s*", re.I)      # Ofsted drop-downs: "a) ", "zz) ", "p1) "
_DESCRIPTION = re.compile(r"\s*(?::|\s-\s)\s*")             # "N1 - Abuse", "q) 6: Police"


class CodeList:
    """One code list. :meth:`lookup` accepts the code itself in any case, the Ofsted drop-down
    spelling ("a) Suitable", "q) 6: Police", "N1 - Abuse or neglect"), an alias (a description
    or an older spelling) and, with ``prefix``, the bare number ("1" for "N1", "PN1", "RC1")."""

    def __init__(self, name: str, codes: Iterable[str], *, aliases: Mapping[str, str] | None = None,
                 prefix: str | None = None, descriptions: Mapping[str, str] | None = None):
        self.name = name
        self.codes = {str(c).upper(): str(c) for c in codes}
        self.aliases = {norm_key(k): v for k, v in (aliases or {}).items()}
        for alias, code in (aliases or {}).items():
            if code.upper() not in self.codes:
                raise ValueError(f"{name}: alias {alias!r} points at {code!r}, not a code")
        self.prefix = prefix
        self.descriptions = dict(descriptions or {})

    def _find(self, text: str) -> str | None:
        up = text.strip().upper()
        if up in self.codes:
            return self.codes[up]
        key = norm_key(text)
        if key and key in self.aliases:
            return self.aliases[key]
        if self.prefix and re.fullmatch(r"\d+(?:\.0+)?", up):
            candidate = f"{self.prefix}{int(float(up))}".upper()
            if candidate in self.codes:
                return self.codes[candidate]
        return None

    def lookup(self, value) -> tuple[str | None, bool]:
        """(code, recognised). Blank: (None, True). Unknown: (the value's code part as given, False)."""
        text = clean_text(value)
        if text is None:
            return None, True
        text = re.sub(r"^(\d+)\.0+$", r"\1", text)     # 1.0 from a spreadsheet is 1
        body = _PREFIX.sub("", text).strip() or text
        for candidate in (body, text):
            found = self._find(candidate)
            if found is not None:
                return found, True
        head = _DESCRIPTION.split(body, maxsplit=1)[0].strip()
        if head and head != body:
            found = self._find(head)
            if found is not None:
                return found, True
        first = body.split(" ", 1)[0]
        if first != body:
            found = self._find(first)
            if found is not None:
                return found, True
        return (head or body), False

    def describe(self, code: str | None) -> str | None:
        return self.descriptions.get(code) if code else None


YES_NO = CodeList("yes/no", ["Y", "N"], aliases={
    "Yes": "Y", "True": "Y", "T": "Y", "1": "Y", "No": "N", "False": "N", "F": "N", "0": "N"})


# ---------------------------------------------------------------------------------------------
# Headers

def match_columns(headers: Iterable, spec: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Which column holds each wanted field: ``spec`` maps a field to the header spellings it may
    have. Headers are compared normalised (case, spaces, underscores, punctuation and curly quotes
    ignored); a header that only adds to a known spelling ("Date of Birth (dd/mm/yyyy)") also
    matches when the spelling is at least 10 characters; last, a spelling "re:<pattern>" is a
    regular expression searched in the reduced header (lower case letters and digits only, e.g.
    "re:child.*id"). Returns {field: column index}."""
    spec = {f: list(aliases) for f, aliases in spec.items()}
    normal = [norm_key(h) for h in headers]
    taken: set[int] = set()
    found: dict[str, int] = {}
    wanted = {f: [norm_key(a) for a in aliases if not a.startswith("re:")] for f, aliases in spec.items()}
    for f, keys in wanted.items():  # exact spellings first, for every field
        for i, h in enumerate(normal):
            if h and i not in taken and h in keys:
                found[f] = i
                taken.add(i)
                break
    for f, keys in wanted.items():
        if f in found:
            continue
        for i, h in enumerate(normal):
            if not h or i in taken:
                continue
            if any(len(k) >= 10 and (h.startswith(k) or k.startswith(h) and len(h) >= 10) for k in keys):
                found[f] = i
                taken.add(i)
                break
    for f, aliases in spec.items():   # last, loose patterns ("re:child.*id") on the reduced header
        if f in found:
            continue
        patterns = [re.compile(a[3:]) for a in aliases if a.startswith("re:")]
        for i, h in enumerate(normal):
            if h and i not in taken and any(p.search(h) for p in patterns):
                found[f] = i
                taken.add(i)
                break
    return found


def require_columns(file: str, where: str, found: Mapping[str, int], spec: Mapping[str, Iterable[str]],
                    required: Iterable[str], headers: Iterable) -> None:
    """MalformedFile naming every mandatory column that is missing."""
    missing = [f for f in required if f not in found]
    if missing:
        names = ", ".join(repr(list(spec[f])[0]) for f in missing)
        seen = ", ".join(str(h) for h in headers if clean_text(h)) or "none"
        raise MalformedFile(file, f"{where}: no column {names} (mandatory; columns found: {seen})")


def read_text(path, label: str) -> str:
    """A text file as str: UTF-8 (with or without BOM), else Windows-1252 (Excel's "CSV")."""
    try:
        raw = open(path, "rb").read()
    except OSError as exc:
        raise MalformedFile(label, f"cannot be read: {exc.strerror or exc}") from exc
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def read_csv_rows(path, label: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(headers, [(line number, cells)]) of a CSV file (comma, semicolon or tab separated; the
    header is line 1); blank lines are skipped."""
    import csv
    import io

    text = read_text(path, label)
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        return [], []
    except csv.Error as exc:
        raise MalformedFile(label, f"not a readable CSV file: {exc}") from exc
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise MalformedFile(label, f"not a readable CSV file (line {reader.line_num}): {exc}") from exc
    return headers, rows


# ---------------------------------------------------------------------------------------------
# Rows in, SSD rows out

class Sink:
    """What one importer produced: SSD rows per table (each remembering the file and row it came
    from) and the report of what it could not use."""

    def __init__(self, rank: int = 0):
        self.rank = rank
        self.tables: dict[str, list[dict]] = defaultdict(list)
        self.report: list[RejectedRow] = []
        self.reference_dates: list[pd.Timestamp] = []
        self.rows_read: dict[str, int] = defaultdict(int)   # file -> rows read

    def add(self, item: RejectedRow) -> None:
        self.report.append(item)

    def emit(self, table: str, origin: "Row", **values) -> dict:
        values.update(_file=origin.file, _row=origin.row, _record=origin.record, _rank=self.rank)
        self.tables[table].append(values)
        return values


@dataclass
class Row:
    """One source row (a CSV line, a sheet row or an XML element) and tolerant getters that
    report, against this row, any value they cannot use."""

    sink: Sink
    file: str
    record: str
    row: int | None
    values: Mapping[str, Any]
    names: Mapping[str, str] = field(default_factory=dict)   # field -> header as written in the file
    personal: frozenset[str] = frozenset()                   # fields whose values are never reported
    child: str | None = None

    def header(self, key: str) -> str:
        return self.names.get(key, key)

    def shown(self, key: str | None, value) -> str | None:
        if value is None:
            return None
        if key in self.personal:
            return WITHHELD
        text = clean_text(value)
        return text if text is None or len(text) <= 60 else text[:59] + "…"

    def report(self, action: str, reason: str, key: str | None = None, value=None) -> None:
        self.sink.add(RejectedRow(self.file, self.record, self.row, self.child,
                                  self.header(key) if key else None, self.shown(key, value), action, reason))

    def reject(self, exc: RowRejected) -> None:
        self.report(REJECTED, exc.reason, exc.column, exc.value)

    def has(self, key: str) -> bool:
        return key in self.values

    def raw(self, key: str):
        return self.values.get(key)

    def text(self, key: str) -> str | None:
        return clean_text(self.values.get(key))

    def id(self, key: str, *, required: bool = False) -> str | None:
        value = clean_id(self.values.get(key))
        if value is None and required:
            raise RowRejected(f"no {self.header(key)}", key)
        return value

    def date(self, key: str, *, required: bool = False) -> pd.Timestamp | None:
        raw = self.values.get(key)
        value, ok = parse_date(raw)
        if not ok:
            if required:
                raise RowRejected(f"{self.header(key)} is not a date", key, raw)
            self.report(BLANKED, "not a date", key, raw)
            return None
        if value is None and required:
            raise RowRejected(f"no {self.header(key)}", key)
        return value

    def number(self, key: str) -> float | None:
        raw = self.values.get(key)
        value, ok = parse_number(raw)
        if not ok:
            self.report(BLANKED, "not a number", key, raw)
        return value

    def code(self, key: str, codes: CodeList) -> str | None:
        raw = self.values.get(key)
        value, known = codes.lookup(raw)
        if not known:
            self.report(UNKNOWN_CODE, f"not a known {codes.name} code; kept as given", key, raw)
        return value

    def flag(self, key: str) -> str | None:
        """Y, N or None (blank); anything else is blanked and reported."""
        raw = self.values.get(key)
        value, known = YES_NO.lookup(raw)
        if not known:
            self.report(BLANKED, "not a yes/no value", key, raw)
            return None
        return value


def key_date(ts: pd.Timestamp | None) -> str:
    return f"{ts.year:04d}{ts.month:02d}{ts.day:02d}" if ts is not None else "nodate"


def event_id(person_id: str, tag: str, when: pd.Timestamp | None, *extra: str) -> str:
    """A record ID made of what the record is (child, kind, date): the same event read from two
    files gets the same ID, so the source can merge them."""
    tail = "".join(f"-{e}" for e in extra if e)
    return f"{person_id}-{tag}{key_date(when)}{tail}"


def json_list(*codes: str | None) -> str | None:
    import json

    items = [c for c in codes if c]
    return json.dumps(items) if items else None


# ---------------------------------------------------------------------------------------------
# Code lists (DfE SSDA903 and CIN census, Ofsted Annex A; ../shared/reference/domain.md)

SEX = CodeList("sex", ["M", "F", "U"], aliases={
    "1": "M", "Male": "M", "2": "F", "Female": "F", "0": "U", "9": "U", "Unknown": "U", "Not known": "U",
    "Not stated": "U", "Not recorded": "U", "Not stated/recorded": "U", "Not stated/recorded (or unborn)": "U",
    "Unborn": "U", "Neither": "U", "I": "U", "Indeterminate": "U"})

_ETHNICITY = {
    "WBRI": "White British", "WIRI": "White Irish", "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background", "WROM": "Gypsy/Roma", "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African", "MWAS": "White and Asian", "MOTH": "Any other mixed background",
    "AIND": "Indian", "APKN": "Pakistani", "ABAN": "Bangladeshi", "AOTH": "Any other Asian background",
    "BCRB": "Caribbean", "BAFR": "African", "BOTH": "Any other Black background", "CHNE": "Chinese",
    "OOTH": "Any other ethnic group", "REFU": "Refused", "NOBT": "Information not yet obtained",
}
_LEGACY_ETHNICITY = dict(zip(
    ("A1", "A2", "A4", "A3", "A5", "B1", "B2", "B3", "B4", "C1", "C2", "C3", "C4", "D1", "D2", "D3",
     "E1", "E2", "E3", "E4"), _ETHNICITY))
ETHNICITY = CodeList("ethnicity", _ETHNICITY, aliases={
    **{d: c for c, d in _ETHNICITY.items()}, **_LEGACY_ETHNICITY,
    "Gypsy": "WROM", "Roma": "WROM", "Not obtained": "NOBT", "Refused to say": "REFU"})

_NEED = {"N0": "Not stated", "N1": "Abuse or neglect", "N2": "Child's disability",
         "N3": "Parental disability or illness", "N4": "Family in acute stress", "N5": "Family dysfunction",
         "N6": "Socially unacceptable behaviour", "N7": "Low income", "N8": "Absent parenting",
         "N9": "Cases other than children in need"}
PRIMARY_NEED = CodeList("primary need", _NEED, aliases={d: c for c, d in _NEED.items()}, prefix="N")

_SOURCE = {
    "1A": "Individual: family member/relative/carer", "1B": "Individual: acquaintance",
    "1C": "Individual: self", "1D": "Individual: other", "2A": "Schools", "2B": "Education services",
    "3A": "Health services: GP", "3B": "Health services: health visitor",
    "3C": "Health services: school nurse", "3D": "Health services: other primary health services",
    "3E": "Health services: A&E", "3F": "Health services: other", "4": "Housing",
    "5A": "LA services: social care", "5B": "LA services: other internal", "5C": "LA services: external",
    "5D": "LA services: early help", "6": "Police", "7": "Other legal agency", "8": "Other",
    "9": "Anonymous", "10": "Unknown",
}
REFERRAL_SOURCE = CodeList("referral source", _SOURCE, aliases={d: c for c, d in _SOURCE.items()},
                           descriptions=_SOURCE)
CLOSURE_REASON = CodeList("reason for closure", [f"RC{i}" for i in range(1, 10)], prefix="RC")
ABUSE = CodeList("category of abuse", ["NEG", "PHY", "SAB", "EMO", "MUL"], aliases={
    "Neglect": "NEG", "Physical abuse": "PHY", "Physical": "PHY", "Sexual abuse": "SAB", "Sexual": "SAB",
    "Emotional abuse": "EMO", "Emotional": "EMO", "Multiple": "MUL", "Multiple/not recommended": "MUL"})
DISABILITY = CodeList("disability", ["NONE", "MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS",
                                     "BEH", "CON", "AUT", "DDA"])
UPN_UNKNOWN = CodeList("UPN unknown reason", [f"UN{i}" for i in range(1, 11)], prefix="UN")

LEGAL_STATUS = CodeList("legal status", ["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3",
                                         "V1", "V2", "V3", "V4", "W1"])
NEW_EPISODE_REASON = CodeList("reason for new episode", ["S", "L", "P", "T", "B", "U"])
PLACEMENT = CodeList("placement type", [
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1",
    "T0", "T1", "T2", "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1", "Z11", "Z12", "Z13", "Z14"])
PROVIDER = CodeList("placement provider", [f"PR{i}" for i in range(0, 6)], prefix="PR")
EPISODE_CEASED = CodeList("reason episode ceased", [
    "E11", "E12", "E13", "E14", "E15", "E16", "E17", "E2", "E3", "E4A", "E4B", "E41", "E43", "E44",
    "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E8", "E9", "X1"])
PLACE_CHANGE = CodeList("reason for placement change", [
    "CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE", "OTHER", "CUSTOD"])
PARTICIPATION = CodeList("review participation", [f"PN{i}" for i in range(0, 8)], prefix="PN")
MISSING_TYPE = CodeList("missing/absent", ["M", "A"], aliases={"Missing": "M", "Absent": "A"})
IN_TOUCH = CodeList("in touch", ["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"], aliases={
    "Y": "YES", "N": "NO", "In touch": "YES", "Not in touch": "NO", "Refused": "REFU",
    "Not required": "NREQ", "Returned home": "RHOM"})
ACTIVITY = CodeList("activity", ["F1", "P1", "F2", "P2", "F3", "P3", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"])
ACCOMMODATION = CodeList("accommodation", ["B", "C", "D", "E", "G", "H", "K", "R", "S", "T", "U", "V",
                                           "W", "X", "Y", "Z", "0"])
SUITABILITY = CodeList("suitability", ["Suitable", "Unsuitable"], aliases={
    "1": "Suitable", "Y": "Suitable", "Yes": "Suitable", "2": "Unsuitable", "N": "Unsuitable",
    "No": "Unsuitable", "Not suitable": "Unsuitable"})
ELIGIBILITY = CodeList("eligibility", ["Relevant", "Former relevant", "Qualifying", "Eligible"], aliases={
    "Relevant child": "Relevant", "Former relevant child": "Former relevant",
    "Qualifying care leaver": "Qualifying", "Eligible child": "Eligible"})
ADOPTION_REVERSED = CodeList("reason no longer placed for adoption", ["RD1", "RD2", "RD3", "RD4"], prefix="RD")
WORKER_CHANGE = CodeList("reason for social worker change", [
    "MANAGE", "FCONTA", "LEFTRL", "ORGRST", "TSPROC", "ABSENC", "CHCHAN", "PCCHAN", "SWDIED", "OTHERS"])
ADOPTER_SEX = CodeList("sex of adopters", ["MM", "FF", "MF", "M1", "F1"])
ADOPTER_LEGAL_STATUS = CodeList("legal status of adopters", ["L0", "L11", "L12", "L2", "L3", "L4"])


# ---------------------------------------------------------------------------------------------
# XML with line numbers

LINE = "_line"


def local_name(tag: str) -> str:
    """A tag without its namespace ("{urn:x}Child", "cin:Child" -> "Child")."""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def read_xml(path, label: str):
    """The XML file as an ElementTree element; each element's attrib holds its line number under
    ``_line`` (for the report). Namespaces are dropped from tag names. A file that is not
    well-formed XML is a :class:`MalformedFile`. Uses expat, which neither fetches external
    entities nor expands nested entity bombs."""
    import xml.etree.ElementTree as ET
    from xml.parsers import expat

    parser = expat.ParserCreate()
    stack: list = []
    root = []

    def start(tag, attrs):
        el = ET.Element(local_name(tag), {LINE: str(parser.CurrentLineNumber)})
        el.text = ""
        if stack:
            stack[-1].append(el)
        else:
            root.append(el)
        stack.append(el)

    def end(tag):
        stack.pop()

    def data(text):
        if stack and not len(stack[-1]):
            stack[-1].text += text

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    try:
        with open(path, "rb") as fh:
            parser.ParseFile(fh)
    except expat.ExpatError as exc:
        raise MalformedFile(label, f"not well-formed XML (line {exc.lineno}, column {exc.offset}): "
                                   f"{expat.ErrorString(exc.code)}") from exc
    except OSError as exc:
        raise MalformedFile(label, f"cannot be read: {exc.strerror or exc}") from exc
    if not root:
        raise MalformedFile(label, "the XML file has no root element")
    return root[0]


def line_of(element) -> int | None:
    try:
        return int(element.attrib.get(LINE))
    except (TypeError, ValueError):
        return None


def leaf_values(element) -> dict[str, str | None]:
    """{tag: text} of an element's childless children (the first of each tag)."""
    out: dict[str, str | None] = {}
    for child in element:
        if not len(child) and child.tag not in out:
            out[child.tag] = child.text
    return out


def find_child(element, name: str):
    """The first child whose tag matches ``name`` ignoring case and underscores."""
    want = norm_key(name)
    for child in element:
        if norm_key(child.tag) == want:
            return child
    return None


def find_children(element, name: str) -> list:
    want = norm_key(name)
    return [child for child in element if norm_key(child.tag) == want]
