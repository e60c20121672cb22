"""``campaigns archive verify|show|export-cdxj`` against real WARC files and a real warehouse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.helpers.archive import REPO, exchange
from warehouse.types import Capture
from warehouse.warc.writer import WarcArchive

URL = "http://www.example.vn/tin/hien-mau.html"
OLD = "<html><body><p>Năm 2025: 1.800 đơn vị máu</p></body></html>".encode()
NEW = "<html><body><p>Năm 2026: hơn 2.300 đơn vị máu</p></body></html>".encode()


def _app() -> typer.Typer:
    from flows.cli.archive import register

    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    return app


def _setup(tmp_path: Path, *, index: bool = True) -> tuple[Path, list[Capture]]:
    archive, db = tmp_path / "archive", tmp_path / "wh.duckdb"
    config = tmp_path / "campaigns.toml"
    config.write_text(f'[storage]\ndatabase = "{db}"\narchive = "{archive}"\n')
    with WarcArchive(archive) as arc:
        caps = [
            arc.write(exchange(url=URL, body=OLD, encoding="gzip", fetched_at="2025-11-20T08:00:00Z")),
            arc.write(exchange(url=URL, body=NEW, encoding="br", fetched_at="2026-11-25T19:00:00Z")),
            arc.write(exchange(url="http://www.example.vn/other", body=NEW + b" ")),
        ]
    if index:
        from warehouse.db import session
        from warehouse.load import load_captures

        with session(db) as con:
            load_captures(con, caps)
    return config, caps


def test_verify_ok_then_damage_reported(tmp_path: Path) -> None:
    config, caps = _setup(tmp_path)
    runner = CliRunner()
    res = runner.invoke(_app(), ["archive", "verify", "--config", str(config)])
    assert res.exit_code == 0, res.output
    assert "7 records" in res.output and "index compared" in res.output and res.output.rstrip().endswith("ok")
    path = tmp_path / "archive" / caps[1].warc_file
    data = bytearray(path.read_bytes())
    data[caps[1].offset + 40] ^= 0xFF
    path.write_bytes(bytes(data))
    res = runner.invoke(_app(), ["archive", "verify", "-c", str(config), str(path)])
    assert res.exit_code == 1
    assert f"problem: {caps[1].warc_file} at {caps[1].offset}" in res.output
    assert "(1 files)" in res.output


def test_verify_reports_index_drift(tmp_path: Path) -> None:
    config, _ = _setup(tmp_path)
    with WarcArchive(tmp_path / "archive") as arc:  # archived but never indexed
        extra = arc.write(exchange(url="http://www.example.vn/late", body=b"late"))
    res = CliRunner().invoke(_app(), ["archive", "verify", "-c", str(config)])
    assert res.exit_code == 1
    assert f"response {extra.capture_id} not indexed" in res.output


def test_show_latest_and_at(tmp_path: Path) -> None:
    config, caps = _setup(tmp_path)
    runner = CliRunner()
    res = runner.invoke(_app(), ["archive", "show", URL, "-c", str(config)])
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith(
        "HTTP/1.1 200 OK\nContent-Type: text/html; charset=utf-8\nContent-Encoding: br\n"
    )
    assert NEW.decode() in res.stdout and OLD.decode() not in res.stdout
    assert caps[1].capture_id in res.stderr
    res = runner.invoke(_app(), ["archive", "show", URL, "-c", str(config), "--at", "2025-11-20"])
    assert res.exit_code == 0 and OLD.decode() in res.stdout and "Content-Encoding: gzip" in res.stdout
    res = runner.invoke(_app(), ["archive", "show", URL, "-c", str(config), "--at", "2024"])
    assert res.exit_code == 1 and "no capture of" in res.stderr and "20251120080000" in res.stderr
    res = runner.invoke(_app(), ["archive", "show", "http://nowhere.vn/", "-c", str(config)])
    assert res.exit_code == 1 and res.stderr.startswith("error: http://nowhere.vn/ is not in the archive")


def test_show_without_warehouse_reads_the_files(tmp_path: Path) -> None:
    config, _ = _setup(tmp_path, index=False)
    res = CliRunner().invoke(_app(), ["archive", "show", URL, "-c", str(config), "--at", "20251120"])
    assert res.exit_code == 0 and OLD.decode() in res.stdout


def test_export_cdxj_to_file(tmp_path: Path) -> None:
    config, caps = _setup(tmp_path)
    out = tmp_path / "index.cdxj"
    res = CliRunner().invoke(_app(), ["archive", "export-cdxj", "-c", str(config), "--output", str(out)])
    assert res.exit_code == 0 and "3 CDXJ lines" in res.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 3 and lines == sorted(lines)
    assert {json.loads(ln.split(" ", 2)[2])["offset"] for ln in lines} == {str(c.offset) for c in caps}


def test_bad_since_is_one_line_error(tmp_path: Path) -> None:
    from flows.cli.app import app

    res = CliRunner().invoke(app, ["reextract", "--since", "last week"])
    assert res.exit_code == 2 and res.stderr.startswith("error: --since: not a date")  # a bad argument


@pytest.mark.slow
def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys\nfrom flows.cli.app import app\nfrom typer.testing import CliRunner\n"
        "r = CliRunner().invoke(app, ['archive', '--help'])\nassert r.exit_code == 0, r.output\n"
        "assert 'export-cdxj' in r.output\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'warcio', 'duckdb', 'prefect', 'trafilatura'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_verify_with_a_busy_warehouse_says_it_could_not_compare_and_fails(tmp_path: Path) -> None:
    config, _ = _setup(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\ncon = duckdb.connect(sys.argv[1])\nprint('held', flush=True)\ntime.sleep(60)",
         str(tmp_path / "wh.duckdb")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        res = CliRunner().invoke(_app(), ["archive", "verify", "-c", str(config), "--wait", "0.5"])
    finally:
        holder.kill()
        holder.wait()
    assert res.exit_code == 1, res.output
    assert "index NOT compared" in res.stdout and not res.stdout.rstrip().endswith("; ok")
    assert "busy" in res.stderr and "Traceback" not in res.output
    res = CliRunner().invoke(_app(), ["archive", "verify", "-c", str(config)])  # free again: compared
    assert res.exit_code == 0 and "index compared" in res.stdout


def test_export_cdxj_names_the_damage_and_indexes_the_rest(tmp_path: Path) -> None:
    config, caps = _setup(tmp_path)
    path = tmp_path / "archive" / caps[1].warc_file
    data = bytearray(path.read_bytes())
    for i in range(caps[1].offset + 12, caps[1].offset + caps[1].length - 10):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    out = tmp_path / "index.cdxj"
    res = CliRunner().invoke(_app(), ["archive", "export-cdxj", "-c", str(config), "-o", str(out)])
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert f"problem: {caps[1].warc_file} at {caps[1].offset}: bad gzip member" in res.stderr
    assert "2 CDXJ lines written" in res.stderr and "1 damaged ranges skipped" in res.stderr
    offsets = {json.loads(ln.split(" ", 2)[2])["offset"] for ln in out.read_text().splitlines()}
    assert offsets == {str(caps[0].offset), str(caps[2].offset)}
    # verify goes on after the damage too: the later record is read, only the damaged one is missing
    res = CliRunner().invoke(_app(), ["archive", "verify", "-c", str(config)])
    problems = [ln for ln in res.stdout.splitlines() if ln.startswith("problem:")]
    assert len(problems) == 2, problems
    assert f"index {caps[1].capture_id}: no record" in problems[1]
