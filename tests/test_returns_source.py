"""The portal on statutory returns: a refresh with ``[source] type = "returns"`` over the SSDA903
folder of ../shared/external (read in place) publishes a cache; the tables a 903 return cannot
hold are absent from it, named in the manifest, and every measure and page that needs one says
"not available from this source"; the rest compute on the returns (children in care on 31 March
2018 equal to a count made here from the 903 files with the csv module and ElementTree). The
whole external folder (every format together, through a folder of symlinks) refreshes too."""

from __future__ import annotations

import csv
import datetime as dt
import textwrap
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from auth.demo_users import DEMO_PASSWORDS, DemoUser, credentials_yaml
from auth.identity import Role
from data_access.cache import load_current
from data_access.config import load_config
from data_access.refresh import refresh
from importers.common import REJECTED, WITHHELD
from importers.source import REPORT_FILE
from metrics import registry
from metrics.periods import month
from metrics.scorecard import DSTW_MEASURES, NOT_AVAILABLE
from tests.conftest import ROOT, TEST_COOKIE_KEY, apptest_sign_in
from tests.test_importers import D903, EXTERNAL, care_intervals, csv_903, in_care_on, xml_903
from ui.format import fmt_value

pytestmark = pytest.mark.skipif(not EXTERNAL.is_dir(), reason="../shared/external is not present")

# What a 903 return cannot hold (no CIN, CP, contacts, allocations...).
EXPECTED_ABSENT = {"ssd_contacts", "ssd_cin_episodes", "ssd_cin_assessments", "ssd_s47_enquiry",
                   "ssd_cp_plans", "ssd_cla_health", "ssd_involvements", "ssd_cla_visits"}


def write_config(folder: Path, returns: Path) -> Path:
    (folder / "users.yaml").write_text(credentials_yaml(
        [DemoUser("analyst", DEMO_PASSWORDS["analyst"], Role.SENIOR_LEADER, None, None, (), "Demo analyst")],
        rounds=4), encoding="utf-8")
    path = folder / "config.toml"
    path.write_text(textwrap.dedent(f"""
        [authority]
        name = "Returns Borough"
        la_code = "E06000015"
        [source]
        type = "returns"
        folder = "{returns}"
        [cache]
        folder = "{folder / 'cache'}"
        [auth]
        backend = "password"
        credentials = "{folder / 'users.yaml'}"
        database = "sqlite:///{folder / 'audit.sqlite'}"
    """), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def portal(tmp_path_factory):
    """A portal whose source is the SSDA903 folder itself (CSV tables and the XML file)."""
    folder = tmp_path_factory.mktemp("returns-portal")
    config = write_config(folder, D903)
    said: list[str] = []
    result = refresh(load_config(config), progress=said.append)
    return config, result, said


@pytest.fixture()
def portal_env(portal, monkeypatch):
    monkeypatch.setenv("PORTAL_CONFIG", str(portal[0]))
    return portal[0]


def test_refresh_publishes_the_returns(portal):
    config, result, said = portal
    m = result.manifest
    assert m["source_type"] == "returns" and str(D903) in m["source"]
    assert EXPECTED_ABSENT <= set(m["absent_tables"])
    assert all(m["absent_tables"][t] for t in EXPECTED_ABSENT)              # each says why
    for table in EXPECTED_ABSENT:
        assert table not in m["tables"] and not (result.folder / f"{table}.parquet").exists()
    _, episodes, _, _ = csv_903()
    _, xml_eps, _ = xml_903()
    assert m["tables"]["ssd_cla_episodes"]["rows"] == len(episodes) + len(xml_eps)
    # Teams and workers are there, empty: every measure groups by them.
    assert m["tables"]["ssd_department"]["rows"] == 0 and m["tables"]["ssd_professionals"]["rows"] == 0

    # The rejected-rows report: printed by the refresh, written into the extract.
    with open(result.folder / REPORT_FILE, newline="", encoding="utf-8") as fh:
        report = list(csv.DictReader(fh))
    assert len(report) == m["rejected_rows"]["entries"] > 0
    rejected = [r for r in report if r["action"] == REJECTED]
    assert len(rejected) == m["rejected_rows"]["rows_rejected"]
    assert all(r["file"] and r["reason"] for r in report)
    assert all(r["row"] for r in rejected)
    assert any(f"{len(rejected):,} rows rejected" in line for line in said)
    assert any(REPORT_FILE in line for line in said)
    # No date of birth or postcode is copied into it.
    personal = [r for r in report if r["column"] in ("DOB", "MC_DOB", "pers_dob", "HOME_POST", "PL_POST", "UPN")]
    assert all(r["value"] in ("", WITHHELD) for r in personal)
    assert config.exists()


def test_measures_needing_absent_tables_say_not_available(portal):
    config, result, _ = portal
    cache = load_current(load_config(config).cache_folder)
    march = month(2018, 3)
    unavailable, computed = set(), set()
    for measure in registry.all_measures():
        missing = [t for t in measure.source_tables if t not in cache.tables]
        if missing:
            with pytest.raises(registry.MeasureUnavailable, match="not available from this source"):
                measure.run(cache.tables, [march])
            unavailable.add(measure.id)
        else:
            measure.run(cache.tables, [march])
            computed.add(measure.id)
    assert {"contacts", "referrals", "assessment_timeliness", "cp_plans", "cla_health", "caseload"} <= unavailable
    assert {"cla", "cla_starts", "cla_reviews", "cla_3plus", "missing_children"} <= computed

    # Children looked after at the end of March 2018, counted here from the 903 files.
    _, episodes, _, _ = csv_903()
    _, xml_eps, _ = xml_903()
    eps = [(r["CHILD"], dt.datetime.strptime(r["DECOM"], "%d/%m/%Y").date(),
            dt.datetime.strptime(r["DEC"], "%d/%m/%Y").date() if r["DEC"] else None, r["RNE"]) for r in episodes]
    expected = in_care_on(care_intervals(eps), dt.date(2018, 3, 31)) + in_care_on(care_intervals(xml_eps),
                                                                                  dt.date(2018, 3, 31))
    got = registry.get("cla").run(cache.tables, [march]).summary
    assert int(got["value"].iloc[0]) == expected


def open_page(page: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / page), default_timeout=300)
    at.secrets["auth_cookie_key"] = TEST_COOKIE_KEY
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    apptest_sign_in(at, "analyst")
    assert not at.exception, at.exception
    return at


def test_measure_page_says_not_available(portal_env):
    at = open_page("pages/strategic_measure.py", {"m": "referrals"})
    infos = " ".join(str(i.value) for i in at.info)
    assert "Not available from this source" in infos and "ssd_cin_episodes" in infos

    at = open_page("pages/strategic_measure.py", {"m": "cla"})
    assert "Not available" not in " ".join(str(i.value) for i in at.info)
    shown = at.metric[0]
    when = dt.datetime.strptime(shown.label, "%B %Y")
    cache = load_current(load_config(portal_env).cache_folder)
    value = registry.get("cla").run(cache.tables, [month(when.year, when.month)]).summary["value"].iloc[0]
    assert shown.value == fmt_value(value, "count")


def test_scorecard_marks_unavailable_measures(portal_env):
    at = open_page("pages/strategic_dstw.py")
    table = next(d.value for d in at.dataframe if "Measure" in d.value.columns)
    cache = load_current(load_config(portal_env).cache_folder)
    last = [c for c in table.columns if c != "Measure"][2]     # the three months shown, latest last
    for mid, (_, row) in zip(DSTW_MEASURES, table.iterrows()):
        measure = registry.get(mid)
        assert row["Measure"] == measure.title
        missing = [t for t in measure.source_tables if t not in cache.tables]
        assert (row[last] == NOT_AVAILABLE) == bool(missing), (mid, row[last], missing)


def test_every_format_together(tmp_path):
    """The whole external folder through a folder of symlinks: one cache, children from every
    format, contacts (Annex A) present, allocations absent."""
    returns = tmp_path / "returns"
    returns.mkdir()
    for sub in ("ssda903-fake", "cin-census", "annex-a"):
        (returns / sub).symlink_to(EXTERNAL / sub, target_is_directory=True)
    config = write_config(tmp_path, returns)
    result = refresh(load_config(config))
    m = result.manifest
    assert m["tables"]["ssd_person"]["rows"] == 3310      # see test_importers.test_every_external_file_together
    assert "ssd_contacts" in m["tables"] and "ssd_involvements" in m["absent_tables"]
    formats = {f["format"] for f in m["source_files"]}
    assert formats == {"SSDA903", "CIN census", "Annex A"}
