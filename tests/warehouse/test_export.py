"""Parquet exports: ``year`` kept as a column, rows without a year, no stale partitions, one rule
for a missing output folder; read back by DuckDB, pyarrow and polars."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from flows.cli.sql import register as register_sql
from flows.cli.warehouse import register
from tests.helpers.tools import tool_venv
from tests.helpers.warehouse import fig, record
from warehouse import db
from warehouse.export import NULL_PARTITION, export_parquet
from warehouse.load import load_articles


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "campaigns.duckdb"
    items = [
        record(
            "https://cand.com.vn/a.html",
            "Tiếp nhận 1.300 đơn vị máu.",
            [fig("1.300 đơn vị máu", 1300)],
            year=2021,
        ),
        record("https://cand.com.vn/b.html", "Tiếp nhận 1.643 đơn vị máu.", [fig("1.643 đơn vị máu", 1643)]),
        record(
            "https://cand.com.vn/c.html", "Tiếp nhận 500 đơn vị máu.", [fig("500 đơn vị máu", 500)], year=None
        ),
    ]
    with db.session(path) as con:
        load_articles(con, [(r, None) for r in items], run_id="r1")
    return path


def _export(database: Path, out: Path) -> list[Path]:
    with db.session(database, read_only=True) as con:
        return export_parquet(con, out)


def test_year_is_a_column_of_every_file_and_null_years_read_back_as_null(
    database: Path, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    files = _export(database, out)
    folders = sorted({f.parent.relative_to(out).as_posix() for f in files if f.parts[-3] == "figures"})
    assert folders == ["figures/year=2021", "figures/year=2022", f"figures/year={NULL_PARTITION}"]
    con = duckdb.connect()
    for f in files:  # one file read alone still says its year
        years = {r[0] for r in con.execute("SELECT DISTINCT year FROM read_parquet(?)", [str(f)]).fetchall()}
        assert years == ({None} if NULL_PARTITION in str(f) else {int(f.parent.name.removeprefix("year="))})
    rows = con.execute(
        "SELECT year, sum(value) FROM read_parquet(?, hive_partitioning = true) GROUP BY year ORDER BY year",
        [str(out / "figures" / "*" / "*.parquet")],
    ).fetchall()
    assert rows == [(2021, 1300.0), (2022, 1643.0), (None, 500.0)]


def test_a_second_export_leaves_no_stale_partition(database: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    _export(database, out)
    planted = out / "figures" / "year=1999" / "data_0.parquet"
    planted.parent.mkdir()
    duckdb.connect().execute(f"COPY (SELECT 1999 AS year, 1.0 AS value) TO '{planted}' (FORMAT parquet)")
    beside = out / "notes.txt"  # what the export does not own stays
    beside.write_text("mine")
    _export(database, out)
    assert not planted.parent.exists() and beside.read_text() == "mine"
    years = (
        duckdb.connect()
        .execute(
            "SELECT DISTINCT year FROM read_parquet(?, hive_partitioning = true) ORDER BY year",
            [str(out / "figures" / "*" / "*.parquet")],
        )
        .fetchall()
    )
    assert years == [(2021,), (2022,), (None,)]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary folder left


def test_sql_refuses_a_missing_output_folder_in_every_format(database: Path, tmp_path: Path) -> None:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register(app)
    register_sql(app)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[storage]\ndatabase = {json.dumps(str(database))}\n", encoding="utf-8")
    for fmt in ("parquet", "csv", "json"):
        target = tmp_path / "missing" / "dir" / f"x.{fmt}"
        res = CliRunner().invoke(
            app, ["sql", "SELECT 1 AS one", "-c", str(cfg), "-f", fmt, "-o", str(target)]
        )
        assert res.exit_code == 1, (fmt, res.output)
        assert res.stderr.startswith("error: ") and "Traceback" not in res.output, fmt
        assert not (tmp_path / "missing").exists(), fmt


@pytest.mark.slow
def test_pyarrow_and_polars_read_the_export_with_its_years(database: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    _export(database, out)
    bin_ = tool_venv("frames", ("pyarrow", "polars"))
    code = (
        "import json, sys, pyarrow.dataset as ds, pyarrow.parquet as pq, polars as pl\n"
        "root = sys.argv[1]\n"
        "t = ds.dataset(root + '/figures', format='parquet', partitioning='hive').to_table()\n"
        "plain = pq.read_table(root + '/figures', partitioning=None)\n"
        "one = pq.read_table(sorted(__import__('glob').glob(root + '/figures/year=2021/*.parquet'))[0])\n"
        "df = pl.read_parquet(root + '/figures/**/*.parquet', hive_partitioning=True)\n"
        "print(json.dumps({'arrow': sorted(t.column('year').to_pylist(), key=str),"
        " 'plain': sorted(plain.column('year').to_pylist(), key=str),"
        " 'one': one.column('year').to_pylist(),"
        " 'polars': sorted(df['year'].to_list(), key=str)}))\n"
    )
    run = subprocess.run(
        [str(bin_ / "python"), "-c", code, str(out)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout)
    assert got["one"] == [2021]
    assert got["arrow"] == got["plain"] == got["polars"] == sorted([2021, 2022, None], key=str)
