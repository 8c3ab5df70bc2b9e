"""The refresh against a real PostgreSQL server (Debian's postgresql, started by the test on a
free localhost port and stopped afterwards), loaded with the small demo authority: the Parquet
cache is the same as the one refreshed from the SQLite demo database, table by table."""

from __future__ import annotations

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access.cache import load_current
from data_access.config import load_config
from data_access.refresh import refresh
from data_access.schema import TABLES
from tests.conftest import write_config
from tests.postgres import pg_bin, postgres_server

pytestmark = pytest.mark.skipif(pg_bin() is None, reason="PostgreSQL (Debian package postgresql) is not installed")


def _copy_sqlite_to(url_from: str, url_to: str) -> dict[str, int]:
    """Every table of the SQLite demo database into PostgreSQL, with its own column types."""
    src, dst = sa.create_engine(url_from), sa.create_engine(url_to)
    counts = {}
    meta = sa.MetaData()
    meta.reflect(src)
    with dst.begin() as conn:
        for table in meta.sorted_tables:
            cols = [sa.Column(c.name, c.type.as_generic() if not isinstance(c.type, sa.types.NullType) else sa.Text)
                    for c in table.columns]
            sa.Table(table.name, sa.MetaData(), *cols).create(conn)
    for table in meta.sorted_tables:
        frame = pd.read_sql_table(table.name, src)
        frame.to_sql(table.name, dst, if_exists="append", index=False, chunksize=5_000, method="multi")
        counts[table.name] = len(frame)
    src.dispose()
    dst.dispose()
    return counts


def _sorted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    key = list(TABLES[table].primary_key) if getattr(TABLES[table], "primary_key", None) else list(frame.columns[:1])
    return frame.sort_values(key, kind="stable").reset_index(drop=True)


def test_postgres_source_gives_the_same_cache_as_sqlite(demo_portal, tmp_path):
    sqlite_cfg = load_config(demo_portal)
    expected = load_current(sqlite_cfg.cache_folder)
    with postgres_server() as url:
        counts = _copy_sqlite_to(sqlite_cfg.source_url, url)
        assert counts["ssd_person"] > 0
        cfg = load_config(write_config(tmp_path, source_url=url, cache_folder=tmp_path / "cache"))
        refresh(cfg)
        got = load_current(cfg.cache_folder)
    assert set(got.tables) == set(expected.tables)
    for name in expected.tables:
        a, b = _sorted(got.tables[name], name), _sorted(expected.tables[name], name)
        pd.testing.assert_frame_equal(a, b, check_dtype=True, obj=name)
    assert got.manifest["tables"] == expected.manifest["tables"]
