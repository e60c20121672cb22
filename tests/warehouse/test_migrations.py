"""Opening the warehouse: creation, upgrades from older files, refusal of newer ones, read-only rules."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest

from errors import WarehouseError
from tests.helpers.warehouse import fig, record
from warehouse import db
from warehouse.load import load_articles


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in db.fetch_all(con, "SELECT table_name FROM duckdb_tables()")}


def _views(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in db.fetch_all(con, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}


def test_new_file_gets_every_migration_and_the_views(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "dir" / "w.duckdb"
    with db.session(path) as con:
        assert db.schema_version(con) == db.SCHEMA_VERSION >= 1
        applied = db.fetch_all(con, "SELECT version, name FROM schema_migrations ORDER BY version")
        assert [v for v, _ in applied] == [m.version for m in db.discover_migrations()]
        assert applied[0] == (1, "core")
        assert {"sources", "fetches", "captures", "articles", "figures", "hospitals", "campaigns"} <= _tables(
            con
        )
        assert {"extraction_runs", "schema_migrations"} <= _tables(con)
        assert {"latest_articles", "campaign_figures", "campaign_year_summary", "campaign_yoy"} <= _views(con)
    assert path.is_file()


def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with db.session(path) as con:
        first = db.fetch_all(con, "SELECT version, applied_at FROM schema_migrations ORDER BY version")
    with db.session(path) as con:
        assert (
            db.fetch_all(con, "SELECT version, applied_at FROM schema_migrations ORDER BY version") == first
        )


def _only_001(path: Path) -> None:
    """A file as an older program left it: only migration 001 applied, and some rows."""
    con = duckdb.connect(str(path))
    mig = db.discover_migrations()[0]
    assert mig.version == 1
    con.execute(db._BOOTSTRAP)
    con.execute(mig.path.read_text(encoding="utf-8"))
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (1, 'core')")
    con.execute(
        "INSERT INTO articles (article_id, article_key, url, site, text, extractor_version, version_sort, "
        "content_sha256, loaded_at, campaign_key, campaign_year) VALUES "
        "('a1', 'https://a.vn/1', 'https://a.vn/1', 'a.vn', 'Đã có 512 đơn vị máu.', '0.1.0', "
        "'000000000.000000001.000000000', 'x', now(), 'hanh-trinh-do', 2022)"
    )
    con.execute(
        "INSERT INTO figures VALUES ('a1', 0, 512, NULL, NULL, 'blood_units', 'achieved', NULL, "
        "'512 đơn vị máu', 6, 20, '0.1.0', NULL)"
    )
    con.close()


def test_upgrade_from_older_schema_keeps_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the code knows one more migration than the file: a copy of the real ones plus 900_extra
    migrations = tmp_path / "migrations"
    shutil.copytree(db._MIGRATIONS, migrations)
    (migrations / "900_extra.sql").write_text(
        "ALTER TABLE articles ADD COLUMN reviewed BOOLEAN DEFAULT false;\n"
        "CREATE TABLE notes (article_id VARCHAR, note VARCHAR);\n",
        encoding="utf-8",
    )
    path = tmp_path / "old.duckdb"
    _only_001(path)
    with db.session(path, read_only=True) as con:
        assert db.schema_version(con) == 1
    monkeypatch.setattr(db, "_MIGRATIONS", migrations)
    with db.session(path) as con:
        versions = [r[0] for r in db.fetch_all(con, "SELECT version FROM schema_migrations ORDER BY 1")]
        assert versions == [m.version for m in db.discover_migrations(migrations)]
        assert versions[-1] == 900
        assert db.fetch_all(con, "SELECT url, reviewed FROM articles") == [("https://a.vn/1", False)]
        assert "notes" in _tables(con)
        assert db.fetch_all(con, "SELECT count(*) FROM latest_articles") == [(1,)]
        assert db.fetch_all(con, "SELECT achieved_value FROM campaign_year_summary") == [(512.0,)]


def test_failed_migration_leaves_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrations = tmp_path / "migrations"
    shutil.copytree(db._MIGRATIONS, migrations)
    (migrations / "901_broken.sql").write_text(
        "CREATE TABLE half_done (x INTEGER);\nALTER TABLE no_such_table ADD COLUMN y INTEGER;\n",
        encoding="utf-8",
    )
    path = tmp_path / "w.duckdb"
    with db.session(path) as con:
        load_articles(con, [(record("https://a.vn/1", "Đã có 512 đơn vị máu.", []), None)], run_id="r0")
    monkeypatch.setattr(db, "_MIGRATIONS", migrations)
    with pytest.raises(WarehouseError, match=r"migration 901_broken\.sql failed"):
        db.connect(path)
    monkeypatch.undo()
    with db.session(path) as con:
        assert db.schema_version(con) == db.SCHEMA_VERSION
        assert "half_done" not in _tables(con)
        assert db.fetch_all(con, "SELECT count(*) FROM articles") == [(1,)]


@pytest.mark.parametrize("read_only", [False, True])
def test_newer_file_is_refused(tmp_path: Path, read_only: bool) -> None:
    path = tmp_path / "w.duckdb"
    with db.session(path) as con:
        con.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')")
    with pytest.raises(WarehouseError) as err:
        db.connect(path, read_only=read_only)
    assert str(err.value) == (
        f"database schema version 999 is newer than this program ({db.SCHEMA_VERSION}); "
        "upgrade campaign-archive"
    )


def test_read_only_refuses_a_missing_file_and_never_creates_it(tmp_path: Path) -> None:
    path = tmp_path / "none.duckdb"
    with pytest.raises(WarehouseError, match="does not exist"):
        db.connect(path, read_only=True)
    assert not path.exists()


def test_read_only_never_migrates(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    _only_001(path)
    with db.session(path, read_only=True) as con:
        assert db.schema_version(con) == 1
    with db.session(path, read_only=True) as con:
        assert db.schema_version(con) == 1


def test_views_are_refreshed_when_views_sql_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "w.duckdb"
    with db.session(path) as con:
        assert "extra_view" not in _views(con)
    views = tmp_path / "views.sql"
    views.write_text(
        db._VIEWS.read_text(encoding="utf-8")
        + "\nCREATE OR REPLACE VIEW extra_view AS SELECT 42 AS answer;\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(db, "_VIEWS", views)
    with db.session(path) as con:
        assert db.fetch_all(con, "SELECT answer FROM extra_view") == [(42,)]


def test_not_a_database_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.duckdb"
    path.write_bytes(b"this is not a duckdb file" * 200)
    for read_only in (False, True):
        with pytest.raises(WarehouseError):
            db.connect(path, read_only=read_only)


def test_same_process_with_other_settings_is_a_clean_error(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    with db.session(path) as con, pytest.raises(WarehouseError, match="already open in this process"):
        db.connect(path, read_only=True)
    assert con is not None


def test_transaction_rolls_back_and_nests(tmp_path: Path) -> None:
    with db.session(tmp_path / "w.duckdb") as con:
        con.execute("CREATE TABLE t (x INTEGER)")
        with pytest.raises(RuntimeError), db.transaction(con):
            con.execute("INSERT INTO t VALUES (1)")
            with db.transaction(con):  # joins the outer one
                con.execute("INSERT INTO t VALUES (2)")
            raise RuntimeError("boom")
        assert db.fetch_all(con, "SELECT count(*) FROM t") == [(0,)]
        with db.transaction(con):
            con.execute("INSERT INTO t VALUES (3)")
        assert db.fetch_all(con, "SELECT x FROM t") == [(3,)]


def test_figure_mentions_migration_keeps_old_rows_at_one_and_stores_new_counts(tmp_path: Path) -> None:
    # a file written before 004 (one row per mention), then opened by this program
    path = tmp_path / "old.duckdb"
    _only_001(path)
    with db.session(path) as con:
        assert db.schema_version(con) == db.SCHEMA_VERSION >= 4
        assert db.fetch_all(con, "SELECT quote, mentions FROM figures") == [("512 đơn vị máu", 1)]
        text = "Ngày hội tiếp nhận 356 đơn vị máu. Toàn bộ 356 đơn vị máu được chuyển về viện."
        rec = record("https://a.vn/2", text, [fig("356 đơn vị máu", 356)], version="0.2.0")
        rec = replace(rec, figures=(replace(rec.figures[0], mentions=2),))
        load_articles(con, [(rec, None)], run_id="r1")
        assert db.fetch_all(
            con, "SELECT quote, mentions FROM campaign_figures WHERE url = 'https://a.vn/2'"
        ) == [("356 đơn vị máu", 2)]
    # and the column is really in the file: a fresh connection reads it back
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT sum(mentions) FROM figures").fetchone() == (3,)
    finally:
        con.close()


def test_a_figure_without_a_mention_is_refused(tmp_path: Path) -> None:
    text = "Ngày hội tiếp nhận 356 đơn vị máu."
    rec = record("https://a.vn/3", text, [fig("356 đơn vị máu", 356)])
    rec = replace(rec, figures=(replace(rec.figures[0], mentions=0),))
    with db.session(tmp_path / "w.duckdb") as con, pytest.raises(WarehouseError, match="mentions"):
        load_articles(con, [(rec, None)], run_id="r0")
