"""The refresh: a good source publishes a typed extract; every kind of broken source aborts with a
report naming table, column and rows, and leaves the live extract byte-identical."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from data_access import cache
from data_access.config import load_config
from data_access.refresh import RefreshError, refresh
from data_access.schema import OPTIONAL_TABLES, TABLES
from data_access.validate import coerce, validate
from tests.source_fixtures import FORENAMES, SURNAMES, minimal_source_tables, write_source

PROJECT = Path(__file__).resolve().parent.parent


def _config(folder: Path, url: str, cache_folder: Path, keep: int = 2) -> Path:
    path = folder / "config.toml"
    path.write_text(textwrap.dedent(f"""
        [authority]
        name = "Test Borough"
        [source]
        url = "{url}"
        [demo]
        database = "{folder / 'no-demo.sqlite'}"
        [cache]
        folder = "{cache_folder}"
        keep = {keep}
    """), encoding="utf-8")
    return path


class Portal:
    def __init__(self, tmp_path: Path, keep: int = 2):
        self.dir = tmp_path
        self.db = tmp_path / "source.sqlite"
        self.cache = tmp_path / "cache"
        self.config_path = _config(tmp_path, f"sqlite:///{self.db}", self.cache, keep)
        self.cfg = load_config(self.config_path)

    def write(self, tables: dict[str, pd.DataFrame]) -> None:
        if self.db.exists():
            self.db.unlink()
        write_source(self.db, tables)

    def checksums(self) -> dict[str, str]:
        return {str(p.relative_to(self.cache)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(self.cache.rglob("*")) if p.is_file()}

    def staging(self) -> list[Path]:
        return list(self.cache.glob(".staging-*"))


@pytest.fixture()
def portal(tmp_path) -> Portal:
    p = Portal(tmp_path)
    p.write(minimal_source_tables())
    return p


@pytest.fixture()
def live(portal) -> Portal:
    """A portal with one good extract published."""
    refresh(portal.cfg)
    return portal


def _problem_text(exc: RefreshError) -> str:
    return "\n".join(f"{p.table} {p.column} {p.kind} {p.message} {json.dumps(p.examples)}"
                     for p in exc.problems)


# ---------------------------------------------------------------------------------------------
# A good source


def test_good_refresh_publishes_typed_extract(portal):
    messages: list[str] = []
    result = refresh(portal.cfg, progress=messages.append)
    source = minimal_source_tables()

    assert cache.current_dir(portal.cache) == result.folder
    assert (portal.cache / "CURRENT").read_text().strip() == result.folder.name
    manifest = cache.read_manifest(result.folder)
    assert manifest["schema_version"]
    assert manifest["source"] == f"sqlite:///{portal.db}"
    assert manifest["data_as_at"] == "2026-09-30"  # latest main event date, before today
    assert manifest["absent_optional_tables"] == []
    assert set(manifest["tables"]) == set(TABLES)
    for name, frame in source.items():
        assert manifest["tables"][name]["rows"] == len(frame), name
        assert manifest["tables"][name]["columns"] == list(TABLES[name].columns)

    loaded = cache.load_current(portal.cache)
    for name, spec in TABLES.items():
        table = pq.read_table(result.folder / f"{name}.parquet")  # readable Parquet
        assert table.num_rows == len(source[name])
        frame = loaded.tables[name]
        assert list(frame.columns) == list(spec.columns)
        for col, col_type in spec.columns.items():
            dtype = frame[col].dtype
            if col_type == "date":
                assert dtype == "datetime64[ns]", (name, col, dtype)
            elif col_type == "str":
                assert pd.api.types.is_string_dtype(dtype) and dtype != object, (name, col, dtype)
            elif col_type == "int":
                assert dtype == "Int64", (name, col, dtype)
            else:
                assert dtype == "float64", (name, col, dtype)
    contacts = loaded.tables["ssd_contacts"].set_index("cont_contact_id")
    assert contacts.loc["C2", "cont_contact_date"] == pd.Timestamp("2026-02-10 09:30")
    assert loaded.tables["ssd_professionals"]["prof_professional_caseload"].tolist() == [12, 8]
    assert any(m.startswith("Reading ssd_contacts… 3 rows") for m in messages)
    assert "Validating…" in messages and "Writing cache…" in messages
    assert messages[-1].startswith(f"Published {result.folder.name} (37 tables, ")
    assert portal.staging() == []


def test_missing_optional_table_is_fine(portal):
    tables = minimal_source_tables()
    del tables["ext_cla_pep"], tables["ext_cin_reviews"]
    portal.write(tables)
    result = refresh(portal.cfg)
    assert sorted(result.manifest["absent_optional_tables"]) == ["ext_cin_reviews", "ext_cla_pep"]
    assert "ext_cla_pep" not in result.manifest["tables"]
    assert not (result.folder / "ext_cla_pep.parquet").exists()
    assert {p.table for p in result.notes} == {"ext_cin_reviews", "ext_cla_pep"}


def test_extra_columns_dropped_and_table_names_case_insensitive(portal):
    tables = minimal_source_tables()
    tables["ssd_contacts"]["cont_extra_notes"] = "free text"
    tables["SSD_Department"] = tables.pop("ssd_department")
    portal.write(tables)
    result = refresh(portal.cfg)
    assert "cont_extra_notes" not in result.manifest["tables"]["ssd_contacts"]["columns"]
    assert result.manifest["tables"]["ssd_department"]["rows"] == 3


# ---------------------------------------------------------------------------------------------
# Broken sources: abort, name table + column + row, leave the live extract byte-identical


def _missing_table(t):
    del t["ssd_cin_plans"]


def _missing_column(t):
    t["ssd_contacts"] = t["ssd_contacts"].drop(columns=["cont_contact_date"])


def _bad_date(t):
    f = t["ssd_cin_assessments"].astype({"cina_assessment_start_date": object})
    f.loc[f.cina_assessment_id == "A2", "cina_assessment_start_date"] = "2026-13-45"
    t["ssd_cin_assessments"] = f


def _bad_number(t):
    f = t["ssd_cla_placement"].astype({"clap_cla_placement_distance": object})
    f.loc[0, "clap_cla_placement_distance"] = "far away"
    t["ssd_cla_placement"] = f


def _duplicate_key(t):
    t["ssd_contacts"].loc[t["ssd_contacts"].cont_contact_id == "C3", "cont_contact_id"] = "C1"


def _blank_key(t):
    t["ssd_cin_visits"].loc[0, "cinv_cin_visit_id"] = "  "


def _unresolved_fk(t):
    t["ssd_cin_assessments"].loc[t["ssd_cin_assessments"].cina_assessment_id == "A3",
                                 "cina_referral_id"] = "R404"


def _end_before_start(t):
    t["ssd_cp_plans"].loc[0, "cppl_cp_plan_end_date"] = pd.Timestamp("2026-01-01")


BROKEN = {
    # name: (break it, table, column, a string the examples/message must show, kind)
    "missing_table": (_missing_table, "ssd_cin_plans", None, "ssd_cin_plans", "missing_table"),
    "missing_column": (_missing_column, "ssd_contacts", "cont_contact_date", "cont_contact_date",
                       "missing_column"),
    "unparseable_date": (_bad_date, "ssd_cin_assessments", "cina_assessment_start_date", "A2",
                         "bad_date"),
    "unparseable_number": (_bad_number, "ssd_cla_placement", "clap_cla_placement_distance", "PL1",
                           "bad_number"),
    "duplicate_key": (_duplicate_key, "ssd_contacts", "cont_contact_id", "C1", "duplicate_key"),
    "blank_key": (_blank_key, "ssd_cin_visits", "cinv_cin_visit_id", '"row": 1', "blank_key"),
    "unresolved_fk": (_unresolved_fk, "ssd_cin_assessments", "cina_referral_id", "A3",
                      "unresolved_foreign_key"),
    "end_before_start": (_end_before_start, "ssd_cp_plans", "cppl_cp_plan_end_date", "CPP1",
                         "end_before_start"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_broken_source_aborts_and_keeps_live_extract(live, case):
    breaker, table, column, row_id, kind = BROKEN[case]
    before = live.checksums()
    tables = minimal_source_tables()
    breaker(tables)
    live.write(tables)

    with pytest.raises(RefreshError) as err:
        refresh(live.cfg)

    matching = [p for p in err.value.problems if p.table == table and p.column == column]
    assert matching, _problem_text(err.value)
    problem = matching[0]
    assert problem.kind == kind
    assert table in problem.message
    if column:
        assert column in problem.message
    assert row_id in problem.message + json.dumps(problem.examples)
    assert len(problem.examples) <= 5
    assert live.checksums() == before  # CURRENT and the old extract untouched, nothing added
    assert live.staging() == []


def test_all_problems_are_collected(live):
    tables = minimal_source_tables()
    for breaker, *_ in BROKEN.values():
        breaker(tables)
    live.write(tables)
    with pytest.raises(RefreshError) as err:
        refresh(live.cfg)
    kinds = {p.kind for p in err.value.problems}
    assert {"missing_table", "missing_column", "bad_date", "bad_number", "duplicate_key",
            "blank_key", "unresolved_foreign_key", "end_before_start"} <= kinds


def test_unreachable_database_aborts(live, tmp_path):
    before = live.checksums()
    for url in (f"sqlite:///{tmp_path / 'nowhere' / 'missing.sqlite'}",
                "postgresql://reader:s3cretpw@127.0.0.1:1/ssd"):
        (tmp_path / "other").mkdir(exist_ok=True)
        cfg = load_config(_config(tmp_path / "other", url, live.cache))
        with pytest.raises(RefreshError) as err:
            refresh(cfg)
        text = _problem_text(err.value)
        assert err.value.problems[0].kind == "connection"
        assert "s3cretpw" not in text and "s3cretpw" not in str(err.value)
        assert live.checksums() == before
        assert live.staging() == []
    assert not (tmp_path / "nowhere" / "missing.sqlite").exists()  # SQLite did not create it


def test_write_failure_leaves_old_cache_live(live, monkeypatch):
    before = live.checksums()
    real = cache.write_table
    calls = []

    def flaky(folder, name, frame):
        calls.append(name)
        if len(calls) == 3:
            raise OSError("disk full (injected)")
        return real(folder, name, frame)

    monkeypatch.setattr(cache, "write_table", flaky)
    with pytest.raises(RefreshError) as err:
        refresh(live.cfg)
    assert err.value.problems[0].kind == "write_failed"
    assert "disk full" in err.value.problems[0].message
    assert len(calls) == 3
    assert live.checksums() == before
    assert live.staging() == []


def test_prune_keeps_configured_number(tmp_path):
    p = Portal(tmp_path, keep=2)
    p.write(minimal_source_tables())
    results = [refresh(p.cfg) for _ in range(4)]
    extracts = sorted(x.name for x in p.cache.glob("extract-*"))
    assert len(extracts) == 2
    assert results[-1].folder.name in extracts and results[-2].folder.name in extracts
    assert cache.current_dir(p.cache) == results[-1].folder

    (tmp_path / "three").mkdir()
    p3 = Portal(tmp_path / "three", keep=3)
    p3.write(minimal_source_tables())
    for _ in range(5):
        refresh(p3.cfg)
    assert len(list(p3.cache.glob("extract-*"))) == 3


def test_no_personal_data_in_messages(live):
    tables = minimal_source_tables()
    person = tables["ssd_person"]
    person.loc[1, "pers_person_id"] = "P1"  # duplicate key on the person table
    person = person.astype({"pers_death_date": object})
    person.loc[0, "pers_death_date"] = "unknown"
    tables["ssd_person"] = person
    tables["ssd_contacts"].loc[0, "cont_person_id"] = "P404"
    live.write(tables)
    with pytest.raises(RefreshError) as err:
        refresh(live.cfg)
    text = _problem_text(err.value) + str(err.value)
    assert "P1" in text and "P404" in text
    for personal in FORENAMES + SURNAMES + ["2015-03-14"]:  # names, a date of birth
        assert personal not in text

    out = _cli(live.config_path, "refresh")
    assert out.returncode == 1
    for personal in FORENAMES + SURNAMES:
        assert personal not in out.stdout + out.stderr


# ---------------------------------------------------------------------------------------------
# The command line


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PORTAL_CONFIG": str(config)}
    return subprocess.run([sys.executable, "-m", "data_access", *args], cwd=PROJECT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_refresh_good_then_broken(portal):
    good = _cli(portal.config_path, "refresh")
    assert good.returncode == 0, good.stdout + good.stderr
    live_name = cache.current_dir(portal.cache).name
    assert f"Refresh complete: {live_name} is live" in good.stdout
    assert "Reading ssd_contacts… 3 rows" in good.stderr

    status = _cli(portal.config_path, "status")
    assert status.returncode == 0
    assert live_name in status.stdout and "ssd_contacts" in status.stdout

    tables = minimal_source_tables()
    _bad_date(tables)
    portal.write(tables)
    before = portal.checksums()
    bad = _cli(portal.config_path, "refresh")
    assert bad.returncode == 1
    assert "Refresh aborted: the source has 1 problem." in bad.stdout
    assert f"The last good cache ({live_name}, extracted at" in bad.stdout
    assert "ssd_cin_assessments" in bad.stdout and "cina_assessment_start_date" in bad.stdout
    assert "A2" in bad.stdout and "2026-13-45" in bad.stdout
    assert portal.checksums() == before


def test_cli_unreachable_source(tmp_path):
    cfg = _config(tmp_path, "postgresql://reader:s3cretpw@127.0.0.1:1/ssd", tmp_path / "cache")
    out = _cli(cfg, "refresh")
    assert out.returncode == 1
    assert "cannot connect" in out.stdout
    assert "***" in out.stdout and "s3cretpw" not in out.stdout + out.stderr


def test_cli_missing_demo_database(tmp_path):
    demo = tmp_path / "demo" / "demo.sqlite"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[source]\nurl = "sqlite:///{demo}"\n[demo]\ndatabase = "{demo}"\n'
                   f'[cache]\nfolder = "{tmp_path / "cache"}"\n', encoding="utf-8")
    out = _cli(cfg, "refresh")
    assert out.returncode == 1
    assert "python -m data_access demo" in out.stderr
    assert not demo.exists()


# ---------------------------------------------------------------------------------------------
# coerce / validate directly


def test_coerce_types_ids_and_dates():
    spec = TABLES["ssd_contacts"]
    raw = pd.DataFrame({
        "cont_contact_outcome_json": ['{"a": 1}', None, ""],
        "cont_contact_date": ["2026-01-05", "2026-01-06 10:15:00.000000", None],
        "cont_contact_id": [12.0, 13.0, 14.0],
        "cont_person_id": pd.Series([7, 8, None], dtype="Int64"),
        "cont_contact_source_code": ["1A", " 2B ", None],
        "cont_contact_source_desc": ["x", "y", "z"],
        "unknown_column": [1, 2, 3],
    })
    typed = coerce(spec, raw)
    assert list(typed.columns) == list(spec.columns)
    assert typed["cont_contact_id"].tolist() == ["12", "13", "14"]
    assert typed["cont_person_id"].iloc[:2].tolist() == ["7", "8"] and pd.isna(typed["cont_person_id"].iloc[2])
    assert typed["cont_contact_source_code"].iloc[1] == "2B"
    assert pd.isna(typed["cont_contact_outcome_json"].iloc[2])
    assert typed["cont_contact_date"].dtype == "datetime64[ns]"
    assert typed["cont_contact_date"].iloc[1] == pd.Timestamp("2026-01-06 10:15")
    assert pd.api.types.is_string_dtype(typed["cont_contact_id"].dtype)


def test_validate_in_memory_accepts_fixture_and_datetimes():
    tables = minimal_source_tables()
    assert [p for p in validate(tables) if p.is_error] == []
    tables["ssd_contacts"]["cont_contact_date"] = tables["ssd_contacts"]["cont_contact_date"].dt.tz_localize("UTC")
    assert [p for p in validate(tables) if p.is_error] == []
    assert OPTIONAL_TABLES and all(t.startswith("ext_") for t in OPTIONAL_TABLES)


def test_empty_tables_and_null_columns_refresh(portal):
    tables = minimal_source_tables()
    tables["ssd_sdq_scores"] = tables["ssd_sdq_scores"].iloc[0:0]
    tables["ssd_cin_visits"]["cinv_cin_visit_bedroom"] = None
    portal.write(tables)
    result = refresh(portal.cfg)
    assert result.manifest["tables"]["ssd_sdq_scores"]["rows"] == 0
    loaded = cache.load_current(portal.cache)
    assert loaded.tables["ssd_sdq_scores"]["csdq_sdq_completed_date"].dtype == "datetime64[ns]"
    assert pd.api.types.is_string_dtype(loaded.tables["ssd_cin_visits"]["cinv_cin_visit_bedroom"].dtype)


def test_cli_demo_calls_build_demo(tmp_path, monkeypatch, capsys):
    """The demo command passes size/seed/as_at/path through and points at refresh."""
    import types

    from data_access import __main__ as cli

    calls = {}

    def build_demo(path, size="medium", as_at="2026-10-31", seed=20261031, progress=None):
        calls.update(path=path, size=size, as_at=as_at, seed=seed)
        progress("building…")
        write_source(path, minimal_source_tables())
        return {"ssd_person": 5, "ssd_contacts": 3}

    monkeypatch.setitem(sys.modules, "data_access.demo", types.SimpleNamespace(build_demo=build_demo))
    db = tmp_path / "demo.sqlite"
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[source]\nurl = "sqlite:///{db}"\n[demo]\ndatabase = "{db}"\nsize = "small"\n'
                   f'as_at = "2026-10-31"\n[cache]\nfolder = "{tmp_path / "cache"}"\n', encoding="utf-8")
    monkeypatch.setenv("PORTAL_CONFIG", str(cfg))
    assert cli.main(["demo", "--seed", "7"]) == 0
    assert calls == {"path": db, "size": "small", "as_at": "2026-10-31", "seed": 7}
    out = capsys.readouterr()
    assert "python -m data_access refresh" in out.out and "total" in out.out
    assert cli.main(["demo", "--size", "medium", "--refresh"]) == 0
    assert calls["size"] == "medium"
    assert cache.current_dir(tmp_path / "cache") is not None
