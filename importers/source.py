"""A folder of statutory returns as one set of SSD tables: the refresh's source when the config
says ``[source] type = "returns"``.

Every file in the folder (and its subfolders, symlinks followed) that is recognised is read:
SSDA903 CSV tables and XML (all of them together, so several years make one history per child),
CIN census XML, Annex A workbooks and Annex A lists saved as CSV. Anything else is listed as
ignored. The results are merged:

- A child is the same child in every file when the IDs match (SSDA903 ``CHILD``, CIN
  ``LAchildID``, Annex A ``Child Unique ID``; numeric IDs compared without leading zeros).
- Records are identified by child, kind and date, so the same referral or review read from two
  files is one record: each field takes the first value found in the order SSDA903, CIN census,
  Annex A, within a format the later return first (the file name sorting last: 2024 before
  2023), then by row; a field the files disagree on is reported as a conflict.
  A duplicate *within* one table of one file is reported too.
- A child's looked-after episodes come from one format only: SSDA903 episodes when the child
  has any, else Annex A List 8 (whose single period of care would otherwise overlap them).
- Records dated after today cannot have happened and are rejected; end dates after today are
  blanked (not yet ended).
- Reviews and visits of children in care are linked to the period of care holding their date.
- Rows referring to a child who is in no child list, and rows ending before they start, are
  rejected; a reference to a record that is not there (a referral, a plan) is blanked.

What the formats cannot provide is simply absent: a required table with no rows is left out of
the cache (``absent_tables`` in the manifest says why), so every measure that needs it says "not
available from this source" instead of showing zero. ``ssd_person``, ``ssd_department`` and
``ssd_professionals`` are always present (the last two may be empty: returns name few teams and
workers), since every measure groups by them.

Every row or value that could not be used is in :attr:`ReturnsSource.report`, printed in summary
by the refresh and written into the extract as ``rejected_rows.csv``. A malformed file (not
readable, not well-formed XML, a mandatory column missing) stops the refresh with a
:class:`data_access.refresh.RefreshError` naming the file; the live extract is left as it was.
"""

from __future__ import annotations

import csv
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from data_access.schema import PERSON, REQUIRED_TABLES, TABLES
from data_access.validate import MISSING_TABLE, NOT_IN_SOURCE, READ_FAILED, Problem
from importers import annex_a, cin_census, ssda903
from importers.common import (
    BLANKED, CONFLICT, MERGED, REJECTED, REPORT_COLUMNS, WITHHELD, MalformedFile, RejectedRow, Sink,
    clean_text, read_xml,
)

REPORT_FILE = "rejected_rows.csv"
ALWAYS_PRESENT = ("ssd_person", "ssd_department", "ssd_professionals")
# Tables whose repeats across rows are expected (a child on several lists, a team on many rows):
# only conflicting values are reported, never the repeat itself.
REFERENCE_TABLES = ("ssd_person", "ssd_department", "ssd_professionals", "ssd_disability",
                    "ssd_immigration_status")
CLA_CORE = ("ssd_cla_episodes", "ssd_cla_placement", "ssd_legal_status")
RANKS = {ssda903.FORMAT: 0, cin_census.FORMAT: 1, annex_a.FORMAT: 2}
META = ("_file", "_row", "_record", "_rank", "_person")
# Columns whose values never go into the report.
PERSONAL_COLUMNS = frozenset({"pers_dob", "pers_expected_dob", "pers_forename", "pers_surname",
                              "moth_childs_dob", "clap_cla_placement_postcode", "pers_common_child_id"})

PROVIDED_BY = {
    "ssd_family": None,
    "ssd_mother": "the SSDA903 header (MOTHER, MC_DOB)",
    "ssd_disability": "the CIN census or Annex A",
    "ssd_immigration_status": "the SSDA903 UASC table or Annex A Lists 8 and 9",
    "ssd_contacts": "Annex A List 1",
    "ssd_early_help_episodes": "Annex A List 2",
    "ssd_cin_episodes": "the CIN census or Annex A Lists 3 and 6",
    "ssd_cin_assessments": "the CIN census or Annex A List 4",
    "ssd_assessment_factors": "the CIN census (assessment factors)",
    "ssd_cin_plans": "the CIN census (CIN plan dates)",
    "ssd_cin_visits": None,
    "ssd_s47_enquiry": "the CIN census or Annex A List 5",
    "ssd_initial_cp_conference": "the CIN census or Annex A List 5",
    "ssd_cp_plans": "the CIN census or Annex A List 7",
    "ssd_cp_visits": "Annex A List 7 (the last statutory visit)",
    "ssd_cp_reviews": "the CIN census or Annex A List 7",
    "ssd_cla_episodes": "SSDA903 episodes or Annex A List 8",
    "ssd_legal_status": "SSDA903 episodes or Annex A List 8",
    "ssd_cla_placement": "SSDA903 episodes or Annex A List 8",
    "ssd_cla_reviews": "SSDA903 reviews or Annex A List 8",
    "ssd_cla_visits": "Annex A List 8 (the last social work visit)",
    "ssd_cla_health": "Annex A List 8 (the SSDA903 OC2 has no dates)",
    "ssd_sdq_scores": None,
    "ssd_missing": "the SSDA903 missing table",
    "ssd_care_leavers": "the SSDA903 OC3 table or Annex A List 9",
    "ssd_permanence": "SSDA903 AD1 and PlacedAdoption or Annex A List 10",
    "ssd_cla_care_plan": None,
    "ssd_involvements": "SSDA903 social worker episodes (SWEpisodes, 2023/24 onwards)",
}


def why_absent(table: str) -> str:
    provider = PROVIDED_BY.get(table)
    if provider is None:
        return "no statutory return holds it"
    return f"none of these files holds it (it comes from {provider})"


@dataclass
class ReturnsSource:
    """The merged tables of a folder of returns, and what could not be used."""

    folder: Path
    tables: dict[str, pd.DataFrame]
    absent: dict[str, str]
    report: list[RejectedRow]
    files: list[dict]
    ignored: list[str] = field(default_factory=list)
    reference_date: pd.Timestamp | None = None

    # -- counts ------------------------------------------------------------------------------
    @property
    def rejected(self) -> list[RejectedRow]:
        return [r for r in self.report if r.action == REJECTED]

    def counts(self) -> dict[str, int]:
        return dict(Counter(r.action for r in self.report))

    # -- what the refresh asks of a source ------------------------------------------------------
    def describe(self) -> str:
        return f"statutory returns in {self.folder}"

    def reclassify(self, problems: list[Problem]) -> list[Problem]:
        """A required table these returns cannot provide is information, not an error."""
        out = []
        for p in problems:
            if p.kind == MISSING_TABLE and p.table in self.absent:
                p = Problem(p.table, None, NOT_IN_SOURCE,
                            f"{p.table} is not in these statutory returns: {self.absent[p.table]}.")
            out.append(p)
        return out

    def as_at(self, cfg, typed: dict[str, pd.DataFrame]) -> date:
        """[source] data_as_at when set; else the latest of the returns' reference dates and the
        latest event date, never after today."""
        from data_access.refresh import data_as_at

        if cfg.source_as_at:
            return pd.Timestamp(cfg.source_as_at).date()
        today = datetime.now(timezone.utc).date()
        latest = data_as_at(typed, today)
        if self.reference_date is not None:
            latest = max(latest, self.reference_date.date())
        return min(latest, today)

    def manifest_entries(self) -> dict:
        counts = self.counts()
        return {
            "source": self.describe(),
            "source_type": "returns",
            "source_files": self.files,
            "ignored_files": self.ignored,
            "absent_tables": dict(self.absent),
            "absent_optional_tables": [t for t, s in TABLES.items() if s.optional and t not in self.tables],
            "rejected_rows": {"file": REPORT_FILE, "rows_rejected": counts.get(REJECTED, 0),
                              "entries": len(self.report), "by_action": counts},
        }

    def write_report(self, folder: Path) -> Path:
        path = Path(folder) / REPORT_FILE
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=REPORT_COLUMNS)
            writer.writeheader()
            for r in self.report:
                writer.writerow(r.as_dict())
        return path

    def summary_lines(self, limit: int = 25) -> list[str]:
        """The report grouped by file, action and reason (dates and numbers generalised)."""
        groups = Counter((r.file, r.record, r.action, _general(r.reason)) for r in self.report)
        lines = [f"  {n:>7,}  {file} ({record}): {action}: {reason}"
                 for (file, record, action, reason), n in groups.most_common(limit)]
        if len(groups) > limit:
            lines.append(f"  … and {len(groups) - limit} more kinds")
        return lines


def _general(reason: str) -> str:
    reason = re.sub(r"\d{4}-\d{2}-\d{2}", "<date>", reason)
    return re.sub(r"\brow \d+", "row <n>", reason)


def _say(progress: Callable[[str], None] | None, message: str) -> None:
    if progress is not None:
        progress(message)


def _failure(label: str, message: str):
    from data_access.refresh import RefreshError

    return RefreshError([Problem(label, None, READ_FAILED, message)])


# ---------------------------------------------------------------------------------------------
# Finding the files

@dataclass
class _Found:
    format: str
    label: str
    read: Callable[[Sink], None]
    files: list[str]


def _label(folder: Path, path: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return path.name


def scan(folder: Path) -> tuple[list[_Found], list[str]]:
    """The returns in ``folder`` (in reading order) and the files ignored (with why)."""
    found: list[_Found] = []
    ignored: list[str] = []
    csv_sets: dict[tuple[Path, str], dict[str, tuple[Path, str]]] = defaultdict(dict)
    xml_903: list[tuple] = []
    annex_csvs: dict[Path, list[tuple[Path, str]]] = defaultdict(list)
    paths = []
    for here, dirs, names in os.walk(folder, followlinks=True):   # symlinked returns are read too
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        paths += [Path(here) / n for n in names if not n.startswith((".", "~$"))]
    paths = sorted(p for p in paths if p.is_file())
    for path in paths:
        label = _label(folder, path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            kind = ssda903.sniff_csv(path)
            if kind is None:
                if annex_a.is_annex_csv(path):
                    annex_csvs[path.parent].append((path, label))
                else:
                    ignored.append(f"{label}: neither an SSDA903 table nor an Annex A list")
                continue
            _, stem = ssda903.table_of_name(path)
            group = csv_sets[(path.parent, stem)]
            if kind in group:
                raise _failure(label, f"{label}: a second SSDA903 {kind} table beside {group[kind][1]} "
                                      "(put each year's return in its own folder)")
            group[kind] = (path, label)
        elif suffix == ".xml":
            try:
                root = read_xml(path, label)
            except MalformedFile as exc:
                raise _failure(label, str(exc)) from exc
            if ssda903.is_903_xml(root):
                xml_903.append((path, label, root))
            elif cin_census.is_cin_xml(root):
                found.append(_Found(cin_census.FORMAT, label,
                                    lambda sink, p=path, lb=label, r=root: cin_census.read_file(sink, p, lb, r),
                                    [label]))
            else:
                ignored.append(f"{label}: XML that is neither SSDA903 nor a CIN census (root <{root.tag}>)")
        elif suffix in (".xlsx", ".xlsm"):
            if annex_a.is_annex_a(path):
                found.append(_Found(annex_a.FORMAT, label,
                                    lambda sink, p=path, lb=label: annex_a.read_file(sink, p, lb), [label]))
            else:
                ignored.append(f"{label}: a workbook without Annex A list sheets")
        elif suffix == ".xls":
            ignored.append(f"{label}: old Excel format (.xls); save it as .xlsx to load it")
        else:
            ignored.append(f"{label}: not a statutory return file")
    sets = [dict(g) for _, g in sorted(csv_sets.items(), key=lambda kv: (str(kv[0][0]), kv[0][1]))]
    if sets and not xml_903 and not any("header" in g for g in sets):
        # Without a header table nobody is a known child: every row would be rejected. Say so.
        labels = sorted(lb for g in sets for _, lb in g.values())
        raise _failure(labels[0], f"SSDA903 CSV tables without a header table: {', '.join(labels)}")
    if sets or xml_903:
        # Every 903 return together: a child's episodes over several years are one history.
        labels = sorted(lb for g in sets for _, lb in g.values()) + [lb for _, lb, _ in xml_903]
        found.append(_Found(ssda903.FORMAT, ", ".join(labels),
                            lambda sink: ssda903.read_all(sink, sets, xml_903), labels))
    for parent, files in sorted(annex_csvs.items()):
        labels = [lb for _, lb in files]
        found.append(_Found(annex_a.FORMAT, ", ".join(labels),
                            lambda sink, fs=list(files): annex_a.read_csv_lists(sink, fs), labels))
    found.sort(key=lambda f: (RANKS[f.format], f.label))
    return found, ignored


# ---------------------------------------------------------------------------------------------
# Reading and merging

def read_returns(folder: Path | str | None, progress: Callable[[str], None] | None = None) -> ReturnsSource:
    """Read every return in ``folder`` and merge them. Raises RefreshError for a malformed file
    or a folder without any return."""
    if folder is None:
        raise _failure("(source)", '[source] type = "returns" needs [source] folder')
    folder = Path(folder)
    if not folder.is_dir():
        raise _failure("(source)", f"the returns folder {folder} does not exist")
    _say(progress, f"Reading statutory returns in {folder}…")
    found, ignored = scan(folder)
    if not found:
        raise _failure("(source)", f"no SSDA903, CIN census or Annex A file in {folder}"
                                   + (f" (ignored: {'; '.join(ignored)})" if ignored else ""))
    sinks: list[Sink] = []
    files: list[dict] = []
    for f in found:
        sink = Sink(rank=RANKS[f.format])
        try:
            f.read(sink)
        except MalformedFile as exc:
            raise _failure(exc.file, str(exc)) from exc
        sinks.append(sink)
        files.append({"format": f.format, "files": f.files, "rows": sum(sink.rows_read.values())})

    report = [r for s in sinks for r in s.report]
    tables, more = merge(sinks)
    report += more
    absent = {t: why_absent(t) for t in REQUIRED_TABLES if t not in tables}
    refs = [d for s in sinks for d in s.reference_dates]
    result = ReturnsSource(folder=folder, tables=tables, absent=absent, report=report, files=files,
                           ignored=ignored, reference_date=max(refs) if refs else None)
    rejected_by_file = Counter(r.file for r in report if r.action == REJECTED)
    for f in files:
        f["rejected"] = sum(rejected_by_file.get(name, 0) for name in f["files"])
        _say(progress, f"  {f['format']}: {', '.join(f['files'])}: {f['rows']:,} rows read, "
                       f"{f['rejected']:,} rejected")
    for line in ignored:
        _say(progress, f"  ignored {line}")
    if "ssd_person" not in tables or tables["ssd_person"].empty:
        raise _failure("(source)", f"no child could be read from the returns in {folder}")

    n_children = len(tables["ssd_person"])
    _say(progress, f"  {n_children:,} children; {len(tables)} tables from the returns")
    if absent:
        _say(progress, "  Not in these returns (measures needing them say \"not available from this source\"): "
                       + ", ".join(absent))
    counts = result.counts()
    if report:
        _say(progress, f"  Rows and values not used as they stood: {len(result.rejected):,} rows rejected; "
                       + ", ".join(f"{n:,} {a}" for a, n in sorted(counts.items()) if a != REJECTED))
        for line in result.summary_lines():
            _say(progress, line)
        _say(progress, f"  Every one is listed in {REPORT_FILE} in the extract folder.")
    return result


def _person_column(table: str) -> str | None:
    spec = TABLES[table]
    for fk in spec.foreign_keys:
        if f"{fk.ref_table}.{fk.ref_column}" == PERSON:
            return fk.column
    if table == "ssd_person":
        return "pers_person_id"
    return None


WHAT = {
    "ssd_cin_episodes": "referral", "ssd_cin_assessments": "assessment", "ssd_s47_enquiry": "section 47 enquiry",
    "ssd_initial_cp_conference": "conference", "ssd_cp_plans": "child protection plan", "ssd_cp_reviews": "review",
    "ssd_cp_visits": "visit", "ssd_cla_episodes": "episode", "ssd_cla_placement": "placement",
    "ssd_legal_status": "legal status", "ssd_cla_reviews": "review", "ssd_cla_visits": "visit",
    "ssd_cla_health": "health check", "ssd_missing": "missing episode", "ssd_care_leavers": "care leaver record",
    "ssd_permanence": "adoption record", "ssd_contacts": "contact", "ssd_early_help_episodes": "early help episode",
    "ssd_cin_plans": "CIN plan", "ssd_involvements": "social worker episode",
}


# Rows that only make sense with their parent record: rejected, not blanked, without it.
OWNED_BY = {("ssd_assessment_factors", "cinf_assessment_id")}


def _a(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


# The date each record happened on: a record dated after today cannot have happened (the returns'
# "impossible dates") and is rejected; an end date after today is blanked (not yet ended).
EVENT_DATES = {
    "ssd_contacts": "cont_contact_date", "ssd_early_help_episodes": "earl_episode_start_date",
    "ssd_cin_episodes": "cine_referral_date", "ssd_cin_assessments": "cina_assessment_start_date",
    "ssd_cin_plans": "cinp_cin_plan_start_date", "ssd_s47_enquiry": "s47e_s47_start_date",
    "ssd_initial_cp_conference": "icpc_icpc_date", "ssd_cp_plans": "cppl_cp_plan_start_date",
    "ssd_cp_visits": "cppv_cp_visit_date", "ssd_cp_reviews": "cppr_cp_review_date",
    "ssd_cla_episodes": "clae_cla_episode_start_date", "ssd_cla_placement": "clap_cla_placement_start_date",
    "ssd_legal_status": "lega_legal_status_start_date", "ssd_cla_reviews": "clar_cla_review_date",
    "ssd_cla_visits": "clav_cla_visit_date", "ssd_cla_health": "clah_health_check_date",
    "ssd_missing": "miss_missing_episode_start_date", "ssd_involvements": "invo_involvement_start_date",
}
END_DATES = {
    "ssd_early_help_episodes": "earl_episode_end_date", "ssd_cin_episodes": "cine_close_date",
    "ssd_cin_assessments": "cina_assessment_auth_date", "ssd_cin_plans": "cinp_cin_plan_end_date",
    "ssd_s47_enquiry": "s47e_s47_end_date", "ssd_cp_plans": "cppl_cp_plan_end_date",
    "ssd_cla_episodes": "clae_cla_episode_ceased_date", "ssd_cla_placement": "clap_cla_placement_end_date",
    "ssd_legal_status": "lega_legal_status_end_date", "ssd_missing": "miss_missing_episode_end_date",
    "ssd_involvements": "invo_involvement_end_date",
}


def today() -> pd.Timestamp:
    return pd.Timestamp(datetime.now(timezone.utc).date())


def _int(value) -> int | None:
    try:
        return None if value is None or pd.isna(value) else int(value)
    except (TypeError, ValueError):
        return None


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value))


class _Merger:
    """Merges the sinks' rows table by table, reporting what it drops, blanks or finds in conflict."""

    def __init__(self):
        self.report: list[RejectedRow] = []

    def note(self, row, table: str, column: str | None, value, action: str, reason: str) -> None:
        person_col = _person_column(table)
        child = row.get(person_col) if person_col else None
        if _blank(child):
            child = row.get("_person")
        shown = None
        if not _blank(value):
            shown = WITHHELD if column in PERSONAL_COLUMNS else clean_text(value)
        self.report.append(RejectedRow(str(row.get("_file")), str(row.get("_record")), _int(row.get("_row")),
                                       None if _blank(child) else clean_text(child), column, shown, action, reason))

    def frame(self, sinks: list[Sink], table: str) -> pd.DataFrame:
        rows = [r for s in sinks for r in s.tables.get(table, [])]
        # Reading order: by format (SSDA903, CIN census, Annex A); within a format the later
        # return first (file names sorting last, e.g. 2024 before 2023); then by row.
        rows.sort(key=lambda r: _int(r["_row"]) or 0)
        rows.sort(key=lambda r: str(r["_file"]), reverse=True)
        rows.sort(key=lambda r: r["_rank"])
        cols = list(TABLES[table].columns) + list(META)
        return pd.DataFrame({c: pd.Series([r.get(c) for r in rows], dtype=object) for c in cols})

    def one_source_of_care(self, frames: dict[str, pd.DataFrame]) -> None:
        """A child's episodes, placements and legal statuses from the best-ranked format only."""
        eps = frames.get("ssd_cla_episodes")
        if eps is None or eps.empty:
            return
        best = eps.groupby("clae_person_id", sort=False)["_rank"].min()
        for table in CLA_CORE:
            f = frames.get(table)
            if f is None or f.empty:
                continue
            col = _person_column(table)
            drop = (f["_rank"].astype(int) > f[col].map(best).fillna(99).astype(int)).to_numpy()
            if table == "ssd_cla_episodes":
                for row in f[drop].to_dict("records"):
                    self.note(row, table, None, None, MERGED,
                              "the child's SSDA903 episodes describe their care: this period of care, "
                              "placement and legal status are not used")
            frames[table] = f[~drop].reset_index(drop=True)

    def dedupe(self, table: str, f: pd.DataFrame) -> pd.DataFrame:
        """One row per primary key: fields coalesced in reading order; repeats within one table of
        one file and conflicting values reported."""
        pk = list(TABLES[table].primary_key)
        if f.empty or not pk:
            return f
        dup = f.duplicated(pk, keep=False).to_numpy()
        if not dup.any():
            return f
        what = WHAT.get(table, "record")
        data_cols = [c for c in TABLES[table].columns if c not in pk]
        kept_rows = []
        for _, group in f[dup].groupby(pk, sort=False):
            recs = group.to_dict("records")
            base = recs[0]
            merged = dict(base)
            source_of: dict[str, dict] = {}
            for col in data_cols:
                for r in recs:
                    if not _blank(r[col]):
                        merged[col] = r[col]
                        source_of[col] = r
                        break
            for r in recs[1:]:
                if (table not in REFERENCE_TABLES and r["_file"] == base["_file"]
                        and r["_record"] == base["_record"]):
                    self.note(r, table, None, None, MERGED,
                              f"the same {what} (same child and date) as row {_int(base['_row'])}: read once")
                for col in data_cols:
                    chosen = source_of.get(col)
                    if chosen is None or chosen is r or _blank(r[col]) or _same(r[col], merged[col]):
                        continue
                    kept = WITHHELD if col in PERSONAL_COLUMNS else clean_text(merged[col])
                    self.note(r, table, col, r[col], CONFLICT,
                              f"differs from {chosen['_file']} row {_int(chosen['_row'])} ({chosen['_record']}), "
                              f"whose value {kept} is kept")
            kept_rows.append(merged)
        kept = pd.DataFrame({c: pd.Series([r.get(c) for r in kept_rows], dtype=object) for c in f.columns})
        out = pd.concat([f[~dup], kept], ignore_index=True)
        return out

    def not_in_the_future(self, frames: dict[str, pd.DataFrame], now: pd.Timestamp) -> None:
        """Records dated after today rejected; end dates after today blanked."""
        for table, col in EVENT_DATES.items():
            f = frames.get(table)
            if f is None or f.empty:
                continue
            when = pd.to_datetime(f[col])
            bad = (when > now).fillna(False).to_numpy(dtype=bool)
            if bad.any():
                for row, w in zip(f[bad].to_dict("records"), when[bad]):
                    self.note(row, table, col, w, REJECTED, f"dated {w:%Y-%m-%d}, after today: it cannot have happened yet")
                frames[table] = f = f[~bad].reset_index(drop=True)
            end_col = END_DATES.get(table)
            if end_col is not None and not f.empty:
                end = pd.to_datetime(f[end_col])
                late = (end > now).fillna(False).to_numpy(dtype=bool)
                if late.any():
                    for row, w in zip(f[late].to_dict("records"), end[late]):
                        self.note(row, table, end_col, w, BLANKED, "after today: read as not yet ended")
                    f = f.copy()
                    f.loc[late, end_col] = None
                    frames[table] = f

    def link_care(self, frames: dict[str, pd.DataFrame]) -> None:
        """Reviews and visits of children in care: the period of care (clae_cla_id) holding their date."""
        eps = frames.get("ssd_cla_episodes")
        if eps is not None and not eps.empty:
            e = pd.DataFrame({"person": eps["clae_person_id"].astype(str), "cla_id": eps["clae_cla_id"],
                              "start": pd.to_datetime(eps["clae_cla_episode_start_date"]),
                              "end": pd.to_datetime(eps["clae_cla_episode_ceased_date"])})
            g = e.groupby(["person", "cla_id"], sort=False)
            periods = g.agg(start=("start", "min"), end=("end", "max")).reset_index()
            still_open = g["end"].apply(lambda s: s.isna().any()).reset_index(drop=True)
            periods.loc[still_open.to_numpy(), "end"] = pd.NaT
        else:
            periods = pd.DataFrame({"person": pd.Series(dtype=object), "cla_id": pd.Series(dtype=object),
                                    "start": pd.Series(dtype="datetime64[ns]"), "end": pd.Series(dtype="datetime64[ns]")})
        known_people = set(periods["person"])
        for table, person_col, id_col, date_col in (
                ("ssd_cla_reviews", "_person", "clar_cla_id", "clar_cla_review_date"),
                ("ssd_cla_visits", "clav_person_id", "clav_cla_id", "clav_cla_visit_date")):
            f = frames.get(table)
            if f is None or f.empty:
                continue
            f = f.reset_index(drop=True)
            probe = pd.DataFrame({"i": np.arange(len(f)), "person": f[person_col].astype(str),
                                  "when": pd.to_datetime(f[date_col])})
            m = probe.merge(periods, on="person", how="inner")
            m = m[(m["start"] <= m["when"]) & (m["end"].isna() | (m["when"] <= m["end"]))]
            m = m.sort_values(["i", "start"]).drop_duplicates("i", keep="last")
            cla = pd.Series([None] * len(f), dtype=object)
            cla.iloc[m["i"].to_numpy()] = m["cla_id"].to_numpy()
            f[id_col] = cla.to_numpy()
            lost = cla.isna().to_numpy()
            for row in f[lost].to_dict("records"):
                if str(row[person_col]) in known_people:
                    reason = "no period of care of this child covers its date"
                else:
                    reason = "the child has no looked-after episode in these returns"
                self.note(row, table, date_col, row[date_col], REJECTED, reason)
            frames[table] = f[~lost].reset_index(drop=True)

    def resolve(self, frames: dict[str, pd.DataFrame]) -> None:
        """Children in no child list: rows rejected; other references to missing records: blanked;
        rows ending before they start: rejected. Repeated until nothing changes (a rejected plan
        unlinks its visits)."""
        for _ in range(6):
            changed = False
            for table, f in list(frames.items()):
                if f.empty:
                    continue
                spec = TABLES[table]
                for fk in spec.foreign_keys:
                    ref = frames.get(fk.ref_table)
                    keys = set(ref[fk.ref_column].dropna().astype(str)) if ref is not None else set()
                    bad = np.fromiter((v is not None and str(v) not in keys
                                       for v in f[fk.column].to_numpy(dtype=object)), dtype=bool, count=len(f))
                    if not bad.any():
                        continue
                    changed = True
                    if (table, fk.column) in OWNED_BY:
                        what = WHAT.get(fk.ref_table, fk.ref_table)
                        for row in f[bad].to_dict("records"):
                            self.note(row, table, fk.column, row[fk.column], REJECTED,
                                      f"belongs to {_a(what)} that is not in these returns (rejected or missing)")
                        f = f[~bad].reset_index(drop=True)
                    elif f"{fk.ref_table}.{fk.ref_column}" == PERSON:
                        for row in f[bad].to_dict("records"):
                            self.note(row, table, None, None, REJECTED,
                                      "the child is in no child list (an SSDA903 header, a CIN census child "
                                      "or an Annex A row)")
                        f = f[~bad].reset_index(drop=True)
                    else:
                        what = WHAT.get(fk.ref_table, fk.ref_table)
                        for row in f[bad].to_dict("records"):
                            self.note(row, table, fk.column, row[fk.column], BLANKED,
                                      f"refers to {_a(what)} that is not in these returns")
                        f = f.copy()
                        f.loc[bad, fk.column] = None
                for start, end in spec.date_ranges:
                    s, e = pd.to_datetime(f[start]), pd.to_datetime(f[end])
                    bad = (s.notna() & e.notna() & (e < s)).to_numpy()
                    if bad.any():
                        changed = True
                        for row, a, b in zip(f[bad].to_dict("records"), s[bad], e[bad]):
                            self.note(row, table, end, None, REJECTED,
                                      f"ends ({b:%Y-%m-%d}) before it starts ({a:%Y-%m-%d})")
                        f = f[~bad].reset_index(drop=True)
                frames[table] = f
            if not changed:
                return


def _same(a, b) -> bool:
    if isinstance(a, pd.Timestamp) or isinstance(b, pd.Timestamp):
        try:
            return pd.Timestamp(a) == pd.Timestamp(b)
        except (TypeError, ValueError):
            return False
    return str(a).strip().upper() == str(b).strip().upper()


def _typed(table: str, f: pd.DataFrame | None) -> pd.DataFrame:
    """The schema's columns only (helper columns dropped), dates as datetimes."""
    spec = TABLES[table]
    out = {}
    n = 0 if f is None else len(f)
    for col, kind in spec.columns.items():
        values = f[col] if f is not None and col in f else pd.Series([None] * n, dtype=object)
        if kind == "date":
            out[col] = pd.to_datetime(values.reset_index(drop=True), errors="coerce").astype("datetime64[ns]")
        else:
            out[col] = values.reset_index(drop=True).astype(object)
    return pd.DataFrame(out)


def _drop_unused_workers(frames: dict[str, pd.DataFrame]) -> None:
    """Workers known only from SSDA903 social worker episodes that were all rejected: nothing
    refers to them, and they have no name, so they are not kept."""
    prof = frames.get("ssd_professionals")
    if prof is None or prof.empty:
        return
    inv = frames.get("ssd_involvements")
    used = set(inv["invo_professional_id"].dropna().astype(str)) if inv is not None else set()
    only_903 = (prof["_record"] == "sw_episodes").to_numpy()
    unused = only_903 & ~prof["prof_professional_id"].astype(str).isin(used).to_numpy()
    frames["ssd_professionals"] = prof[~unused].reset_index(drop=True)


def merge(sinks: list[Sink]) -> tuple[dict[str, pd.DataFrame], list[RejectedRow]]:
    """The sinks' rows as one set of SSD tables (see the module docstring) and the report of
    what the merge rejected, blanked or found in conflict."""
    m = _Merger()
    frames = {t: m.frame(sinks, t) for t in TABLES}
    frames = {t: f for t, f in frames.items() if len(f)}
    m.one_source_of_care(frames)
    for table in list(frames):
        frames[table] = m.dedupe(table, frames[table])
    m.not_in_the_future(frames, today())
    m.link_care(frames)
    m.resolve(frames)
    _drop_unused_workers(frames)
    out = {}
    for table in TABLES:
        f = frames.get(table)
        if (f is None or f.empty) and table not in ALWAYS_PRESENT:
            continue
        out[table] = _typed(table, f)
    return out, m.report
