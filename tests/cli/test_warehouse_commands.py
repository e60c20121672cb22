"""``campaigns sql | compare | campaigns | export`` mounted on a fresh Typer app, against a real warehouse."""

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
from tests.helpers.warehouse import PYTHON, fig, record, subprocess_env
from warehouse import db
from warehouse.load import load_articles

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    register(app)
    register_sql(app)
    return app


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """A config file pointing at a warehouse with two years of one campaign and a second campaign."""
    database = tmp_path / "data" / "campaigns.duckdb"
    items = [
        record(
            "https://cand.com.vn/2021.html",
            "Năm 2021 tiếp nhận 1.300 đơn vị máu tại 9 điểm.",
            [fig("1.300 đơn vị máu", 1300), fig("9 điểm", 9, kind="sites")],
            year=2021,
            published="2021-06-05T08:00:00+07:00",
        ),
        record(
            "https://cand.com.vn/2022a.html",
            "Chỉ tiêu 1.500 đơn vị máu; đã tiếp nhận 1.643 đơn vị máu.",
            [fig("1.500 đơn vị máu", 1500, role="target"), fig("1.643 đơn vị máu", 1643)],
        ),
        record(
            "https://cand.com.vn/2022b.html",
            "Đã tiếp nhận 1.702 đơn vị máu.",
            [fig("1.702 đơn vị máu", 1702)],
            published="2022-06-01T08:00:00+07:00",
        ),
        record(
            "https://cand.com.vn/gifts.html",
            "Trao 320 phần quà.",
            [fig("320 phần quà", 320, kind="gifts")],
            key="hanh-trinh-yeu-thuong",
            name="Hành trình yêu thương",
        ),
        record(
            "https://cand.com.vn/gifts2.html",
            "Trao 100 phần quà.",
            [fig("100 phần quà", 100, kind="gifts")],
            key="hanh-trinh-nhan-ai",
            name="Hành trình nhân ái",
        ),
    ]
    with db.session(database) as con:
        load_articles(con, [(r, None) for r in items], run_id="r1")
    cfg = tmp_path / "campaigns.toml"
    cfg.write_text(f"[storage]\ndatabase = {json.dumps(str(database))}\n", encoding="utf-8")
    return cfg


def _figures(cfg: Path) -> int:
    database = cfg.parent / "data" / "campaigns.duckdb"
    with db.session(database, read_only=True) as con:
        return int(db.fetch_all(con, "SELECT count(*) FROM figures")[0][0])


def test_register_adds_the_commands(app: typer.Typer) -> None:
    names = {str(c.name) for c in app.registered_commands}
    assert names == {"sql", "compare", "campaigns", "export", "report"}
    for name in names:
        res = runner.invoke(app, [name, "--help"])
        assert res.exit_code == 0 and "--config" in res.stdout


def test_module_import_is_light() -> None:
    code = (
        "import sys, flows.cli.warehouse\n"
        "print(sorted(m for m in ('duckdb', 'prefect', 'trafilatura', 'warehouse.db') if m in sys.modules))"
    )
    out = subprocess.run(
        [PYTHON, "-c", code], env=subprocess_env(), capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_sql_formats(app: typer.Typer, config: Path, tmp_path: Path) -> None:
    q = "SELECT kind, count(*) AS n FROM figures GROUP BY kind ORDER BY kind"
    res = runner.invoke(app, ["sql", q, "--config", str(config), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [
        {"kind": "blood_units", "n": 4},
        {"kind": "gifts", "n": 2},
        {"kind": "sites", "n": 1},
    ]
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["sql", q, "-c", str(config), "-f", "csv", "-o", str(out)])
    assert res.exit_code == 0 and "wrote 3 rows" in res.stderr
    assert out.read_text(encoding="utf-8") == "kind,n\nblood_units,4\ngifts,2\nsites,1\n"
    pq = tmp_path / "res" / "out.parquet"
    pq.parent.mkdir()  # a missing folder is refused (tests/warehouse/test_export.py)
    q2 = "SELECT quote, value, [1, 2] AS l, published_at FROM campaign_figures ORDER BY value"
    res = runner.invoke(app, ["sql", q2, "-c", str(config), "-f", "parquet", "-o", str(pq)])
    assert res.exit_code == 0, res.output
    back = duckdb.connect().execute("SELECT quote, value, l FROM read_parquet(?)", [str(pq)]).fetchall()
    assert back[0] == ("9 điểm", 9.0, [1, 2]) and len(back) == 7
    res = runner.invoke(app, ["sql", q, "-c", str(config)])
    assert res.exit_code == 0 and "blood_units" in res.stdout and "3 rows" in res.stdout
    res = runner.invoke(app, ["sql", q, "-c", str(config), "-f", "parquet"])
    assert res.exit_code == 2 and "needs --output" in res.stderr


def test_sql_is_read_only_unless_write(app: typer.Typer, config: Path) -> None:
    res = runner.invoke(app, ["sql", "DELETE FROM figures", "-c", str(config)])
    assert res.exit_code == 1
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1
    assert "read-only" in res.stderr and "--write" in res.stderr
    assert _figures(config) == 7
    res = runner.invoke(app, ["sql", "DROP TABLE figures; --", "-c", str(config)])
    assert res.exit_code == 1 and _figures(config) == 7
    res = runner.invoke(
        app, ["sql", "DELETE FROM figures WHERE kind = 'gifts'", "-c", str(config), "--write"]
    )
    assert res.exit_code == 0, res.output
    assert _figures(config) == 5


def test_sql_has_no_file_access_unless_allowed(app: typer.Typer, config: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["sql", "SELECT * FROM read_csv('/etc/passwd')", "-c", str(config)])
    assert res.exit_code == 1
    assert res.stderr.startswith("error: ") and res.stderr.count("\n") == 1
    assert "disabled by configuration" in res.stderr and "--allow-files" in res.stderr
    assert "Traceback" not in res.output
    target = tmp_path / "leak.csv"
    for q in (
        f"COPY figures TO '{target}'",
        f"ATTACH '{tmp_path / 'other.duckdb'}' AS other",
        "SET enable_external_access = true; SELECT * FROM read_csv('/etc/passwd')",
        "INSTALL httpfs",
    ):
        res = runner.invoke(app, ["sql", q, "-c", str(config), "--write"])
        assert res.exit_code == 1, q
    assert not target.exists() and not (tmp_path / "other.duckdb").exists()
    mine = tmp_path / "mine.csv"
    mine.write_text("a,b\n1,x\n", encoding="utf-8")
    res = runner.invoke(
        app, ["sql", f"SELECT * FROM read_csv('{mine}')", "-c", str(config), "--allow-files", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout) == [{"a": 1, "b": "x"}]


def test_compare_exact_key(app: typer.Typer, config: Path) -> None:
    res = runner.invoke(app, ["compare", "hanh-trinh-do", "-c", str(config)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "Hành trình Đỏ (hanh-trinh-do)" in out and "Công an thành phố Hà Nội" in out
    lines = [line for line in out.splitlines() if line.lstrip("│ ").startswith(("2021", "2022"))]
    assert len(lines) == 2
    assert "1,300" in lines[0] and "9" in lines[0]
    # 1.643 (published last) vs 1.702: a conflict, marked
    assert "1,500" in lines[1] and "1,643*" in lines[1] and "+26.4" in lines[1]
    assert "sources disagree" in out


def test_compare_fuzzy_and_candidates(app: typer.Typer, config: Path) -> None:
    res = runner.invoke(app, ["compare", "Hành trình Đỏ", "-c", str(config)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "showing 'hanh-trinh-do'" in res.stderr and "2021" in res.stdout
    res = runner.invoke(app, ["compare", "nhân ái", "-c", str(config)], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "showing 'hanh-trinh-nhan-ai'" in res.stderr and "100" in res.stdout
    res = runner.invoke(app, ["compare", "hanh trinh", "-c", str(config)])
    assert res.exit_code == 1
    assert "candidates" in res.stderr
    for key in ("hanh-trinh-do", "hanh-trinh-yeu-thuong", "hanh-trinh-nhan-ai"):
        assert key in res.stderr


@pytest.mark.parametrize("evil", ["x'; DROP TABLE figures; --", "' OR '1'='1"])
def test_compare_injection(app: typer.Typer, config: Path, evil: str) -> None:
    res = runner.invoke(app, ["compare", evil, "-c", str(config)])
    assert res.exit_code == 1 and res.stderr.startswith("error: no campaign matches")
    res = runner.invoke(app, ["compare", "hanh-trinh-do", "--organizer", evil, "-c", str(config)])
    assert res.exit_code == 1 and res.stderr.startswith("error: no figures for 'hanh-trinh-do'")
    res = runner.invoke(app, ["campaigns", "-c", str(config), "--sort", "key; DROP TABLE figures"])
    assert res.exit_code == 2
    assert _figures(config) == 7


def test_campaigns_list(app: typer.Typer, config: Path) -> None:
    res = runner.invoke(app, ["campaigns", "-c", str(config), "--sort", "articles"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    rows = [line for line in res.stdout.splitlines() if "hanh-trinh" in line]
    assert "hanh-trinh-do" in rows[0] and "2021, 2022" in rows[0]
    assert len(rows) == 3


def test_export_parquet(app: typer.Typer, config: Path, tmp_path: Path) -> None:
    out = tmp_path / "export"
    for _ in range(2):  # a second export replaces the first
        res = runner.invoke(app, ["export", "--format", "parquet", str(out), "-c", str(config)])
        assert res.exit_code == 0, res.output
    assert "wrote 6 parquet files" in res.stdout
    assert sorted(p.relative_to(out).parent.as_posix() for p in out.rglob("*.parquet")) == [
        "articles/year=2021",
        "articles/year=2022",
        "campaign_year_summary/year=2021",
        "campaign_year_summary/year=2022",
        "figures/year=2021",
        "figures/year=2022",
    ]
    con = duckdb.connect()
    rows = con.execute(
        "SELECT year, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY year ORDER BY year",
        [str(out / "figures" / "*" / "*.parquet")],
    ).fetchall()
    assert rows == [(2021, 2), (2022, 5)]


def test_missing_database_is_one_line(app: typer.Typer, tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[storage]\ndatabase = {json.dumps(str(tmp_path / 'none.duckdb'))}\n", encoding="utf-8")
    for args in (["sql", "SELECT 1"], ["compare", "x"], ["campaigns"], ["export", str(tmp_path / "o")]):
        res = runner.invoke(app, [*args, "-c", str(cfg)])
        assert res.exit_code == 1, args
        assert res.stderr.startswith("error: database ") and "does not exist" in res.stderr
    assert not (tmp_path / "none.duckdb").exists()
