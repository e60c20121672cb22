"""Bad input gets one readable line and the right exit code, and loses nothing: output paths that
are folders, Ctrl-C, read commands on a missing warehouse, empty fixture folders, pages over the
size cap, messages that agree with themselves; sql streams; the app's own flags."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.cli.app import main
from tests.helpers.sites import ROOT, article_html
from tests.helpers.warehouse import fig, record, subprocess_env
from warehouse import db
from warehouse.load import load_articles


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    database = tmp_path / "data" / "campaigns.duckdb"
    with db.session(database) as con:
        load_articles(
            con,
            [
                (
                    record(
                        "https://cand.com.vn/a.html",
                        "Tiếp nhận 1.643 đơn vị máu.",
                        [fig("1.643 đơn vị máu", 1643)],
                    ),
                    None,
                )
            ],
            run_id="r1",
        )
    cfg = tmp_path / "campaigns.toml"
    cfg.write_text(f"[storage]\ndatabase = {json.dumps(str(database))}\n", encoding="utf-8")
    return cfg


@pytest.mark.parametrize(
    "argv",
    [
        ["sql", "SELECT 1", "-o", "{dir}"],
        ["sql", "SELECT 1", "-f", "csv", "-o", "{dir}"],
        ["sql", "SELECT 1", "-f", "json", "-o", "{dir}"],
        ["report", "-o", "{dir}"],
    ],
)
def test_an_output_that_is_a_folder_is_one_line(
    argv: list[str], config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    code, _, err = _run([a.replace("{dir}", str(folder)) for a in argv] + ["-c", str(config)], capsys)
    assert code == 2 and "is a folder" in _one_line(err)


def test_an_empty_query_is_a_bad_argument(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["sql", "  ", "-c", str(config)], capsys)
    assert code == 2 and "empty query" in _one_line(err)


def test_read_commands_never_create_a_warehouse(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.duckdb"
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[storage]\ndatabase = {json.dumps(str(missing))}\n", encoding="utf-8")
    for argv in (["reextract"], ["sql", "SELECT 1", "--write"], ["audit", "--archive"], ["report"]):
        code, _, err = _run([*argv, "-c", str(cfg)], capsys)
        assert code == 1 and "does not exist" in _one_line(err), argv
        assert not missing.exists(), argv
    code, _, err = _run(["compare", "x", "-c", str(cfg)], capsys)  # the hint is still the right one
    assert code == 1 and "does not exist" in _one_line(err)


def test_audit_of_a_folder_without_fixture_pages_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "wrong" / "site").mkdir(parents=True)
    (tmp_path / "wrong" / "site" / "notes.txt").write_text("not a fixture", encoding="utf-8")
    for folder in (empty, tmp_path / "wrong"):
        code, out, err = _run(["audit", "--fixtures", str(folder)], capsys)
        assert code == 1 and "no fixture pages" in _one_line(err)
        assert "1.000" not in out  # no perfect scorecard of nothing
    code, _, err = _run(["audit", "--fixtures", str(tmp_path / "nowhere")], capsys)
    assert code == 1 and "no fixtures folder" in _one_line(err)


def _big_page(tmp_path: Path, size: int) -> Path:
    url = "https://anninhthudo.vn/hien-mau-post777.antd"
    body = "Đã tiếp nhận 2.812 đơn vị máu. " + "Chữ. " * (size // 6)
    page = tmp_path / "big.html"
    page.write_text(article_html("Hiến máu", url, "2023-06-12T08:00:00+07:00", body), encoding="utf-8")
    return page


def test_extract_and_audit_add_refuse_a_page_over_the_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("[crawl]\nmax_bytes = 20000\n", encoding="utf-8")
    big, small = _big_page(tmp_path, 60_000), tmp_path / "small.html"
    small.write_text(
        article_html(
            "Hiến máu",
            "https://anninhthudo.vn/a-post1.antd",
            "2023-06-12T08:00:00+07:00",
            "Thu 12 đơn vị máu.",
        ),
        encoding="utf-8",
    )
    code, out, err = _run(["extract", str(big), str(small), "-c", str(cfg)], capsys)
    assert code == 1
    assert err.strip() == f"error: {big}: {big.stat().st_size:,} bytes, over the cap of 20,000 " + (
        "([crawl] max_bytes, as for a fetched page)"
    )
    assert len(out.strip().splitlines()) == 1 and json.loads(out)["url"].endswith(
        "a-post1.antd"
    )  # the other page
    fixtures = tmp_path / "fixtures"
    code, _, err = _run(["audit", "--add", str(big), "--fixtures", str(fixtures), "-c", str(cfg)], capsys)
    assert code == 1 and "over the cap of 20,000" in _one_line(err)
    assert not fixtures.exists()


def test_sql_table_caps_its_rows_with_a_note(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        ["sql", "SELECT range AS i FROM range(25000)", "-c", str(config), "--max-rows", "7"], capsys
    )
    assert code == 0
    assert "7 of 25000 rows shown" in out and "│ 6 " in out and "│ 7 " not in out


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "markdown"])
def test_sql_streams_every_row(
    fmt: str, config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    q = "SELECT range AS i, 'x|' || range AS s, DATE '2026-01-01' + CAST(range % 3 AS INTEGER) AS d FROM range(25000)"
    code, out, _ = _run(["sql", q, "-c", str(config), "-f", fmt], capsys)  # 25,000 rows: three chunks
    assert code == 0
    lines = out.splitlines()
    if fmt == "json":
        rows = json.loads(out)
        assert len(rows) == 25000 and rows[-1] == {"i": 24999, "s": "x|24999", "d": "2026-01-01"}
    elif fmt == "jsonl":
        assert len(lines) == 25000 and json.loads(lines[1]) == {"i": 1, "s": "x|1", "d": "2026-01-02"}
    elif fmt == "csv":
        assert lines[0] == "i,s,d" and len(lines) == 25001 and lines[-1] == "24999,x|24999,2026-01-01"
    else:
        assert len(lines) == 25002 and lines[-1] == "| 24999 | x\\|24999 | 2026-01-01 |"
    code, out, _ = _run(["sql", "SELECT 1 AS a WHERE false", "-c", str(config), "-f", fmt], capsys)
    assert code == 0 and (fmt != "json" or json.loads(out) == [])


def test_sql_write_keeps_the_stored_summaries_true(config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(["sql", "DELETE FROM figures", "-c", str(config), "--write"], capsys)
    assert code == 0, err
    code, out, _ = _run(
        ["sql", "SELECT count(*) AS n FROM summary_by_year", "-c", str(config), "-f", "csv"], capsys
    )
    assert out == "n\n0\n"


def test_version_short_help_and_help_without_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    code, out, _ = _run(["--version"], capsys)
    assert code == 0 and out.strip() == f"campaigns {version('campaign-archive')}"
    code, out, _ = _run(["compare", "-h"], capsys)
    assert code == 0 and out.startswith("Usage: campaigns compare")
    for argv, usage in (
        ([], "Usage: campaigns [OPTIONS] COMMAND"),
        (["archive"], "Usage: campaigns archive"),
    ):
        code, out, err = _run(argv, capsys)
        assert code == 0 and out.startswith(usage) and "verify" in out and err == ""
    code, out, _ = _run(["--help"], capsys)
    assert "--install-completion" in out and "--show-completion" in out


def test_shell_completion_answers() -> None:
    env = {
        **subprocess_env(),
        "_CAMPAIGNS_COMPLETE": "complete_bash",
        "COMP_WORDS": "campaigns arch",
        "COMP_CWORD": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from flows.cli import main; main()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout.split() == ["archive"], done.stderr


@pytest.mark.slow
def test_ctrl_c_during_a_long_query_is_one_line_and_130(config: Path) -> None:
    query = "SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3"
    proc = subprocess.Popen(
        [sys.executable, "-c", "from flows.cli import main; main()", "sql", query, "-c", str(config)],
        env=subprocess_env(),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Wait until DuckDB is at work (the process burns CPU in the scan), not still importing:
    # on a loaded machine a fixed sleep can land the signal anywhere.
    import psutil

    worker, deadline = psutil.Process(proc.pid), time.monotonic() + 60
    while sum(worker.cpu_times()[:2]) < 3.0 and time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    for _ in range(6):  # under load a first Ctrl-C was seen to go unnoticed by DuckDB: press again
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=10)
            break
        except subprocess.TimeoutExpired:
            continue
    else:
        proc.kill()
        raise AssertionError("Ctrl-C did not stop the query")
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted" and out == ""


@pytest.mark.slow
def test_sql_csv_streams_in_little_memory(config: Path, tmp_path: Path) -> None:
    """3M rows of CSV (~200 MB of text): buffered, the process held >1 GB; streamed, a fraction."""
    query = "SELECT range AS i, repeat('x', 40) AS s, range * 1.5 AS f FROM range(3000000)"
    out = tmp_path / "big.csv"
    code = (
        "import resource, sys\nfrom flows.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit as e:\n    code = e.code or 0\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\nsys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "sql", query, "-c", str(config), "-f", "csv", "-o", str(out)],
        env=subprocess_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    peak_mb = int(done.stderr.strip().splitlines()[-1]) / 1024
    with out.open("rb") as fh:
        lines = sum(1 for _ in fh)
    assert lines == 3_000_001
    assert peak_mb < 400, f"peak {peak_mb:.0f} MB"
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss > 0
    assert os.path.getsize(out) > 150_000_000
