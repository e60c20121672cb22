"""The ``campaigns`` CLI: help of every command, one-line errors, exit codes, no heavy imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.cli.app import app, main
from tests.helpers.sites import ROOT, article_html


def _command_paths() -> list[tuple[str, ...]]:
    import typer

    root = typer.main.get_command(app)
    paths: list[tuple[str, ...]] = []

    def walk(group: object, prefix: tuple[str, ...]) -> None:
        for name, cmd in sorted(getattr(group, "commands", {}).items()):
            if getattr(cmd, "commands", None):
                walk(cmd, (*prefix, name))
            else:
                paths.append((*prefix, name))

    walk(root, ())
    return paths


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def test_the_core_commands_are_registered() -> None:
    paths = _command_paths()
    for core in ("demo", "crawl", "extract", "schedule"):
        assert (core,) in paths


@pytest.mark.parametrize("path", _command_paths(), ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(
    path: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run([*path, "--help"], capsys)
    assert code == 0, err
    assert "Usage" in out and path[-1] in out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"campaigns {' '.join(path)}" in readme


def test_help_imports_neither_prefect_nor_trafilatura() -> None:
    probe = (
        "import sys\n"
        "from flows.cli.app import main\n"
        f"for argv in [['--help'], *[[*p, '--help'] for p in {_command_paths()!r}]]:\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit as e:\n"
        "        assert not e.code, (argv, e.code)\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'trafilatura', 'dask'})\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "HEAVY []"


@pytest.mark.parametrize(
    ("argv", "code", "needle"),
    [
        (["nope"], 2, "No such command"),
        (["extract", "--format", "xml", "x.html"], 2, "--format"),
        (["extract"], 2, "Missing argument"),
        (["extract", "/no/such/page.html"], 2, "does not exist"),
        (["crawl", "--task-runner", "spark"], 2, "--task-runner"),
        (["crawl", "--dask-workers", "0"], 2, "--dask-workers"),
        (["crawl", "--config", "/no/such/campaigns.toml"], 1, "config file not found"),
    ],
)
def test_bad_arguments_give_one_line_and_a_nonzero_exit(
    argv: list[str], code: int, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    got, out, err = _run(argv, capsys)
    assert got == code
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0], err
    assert "Traceback" not in out + err


def test_unknown_source_and_bad_config_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('[[sources]]\nname = "a"\nstart_urls = ["http://127.0.0.1:9/x"]\n', encoding="utf-8")
    got, _, err = _run(["crawl", "--config", str(conf), "--source", "b"], capsys)
    assert got == 1 and err.strip() == "error: unknown source b; known: a"
    conf.write_text("[crawl\n", encoding="utf-8")
    got, _, err = _run(["crawl", "--config", str(conf)], capsys)
    assert got == 1 and len(err.strip().splitlines()) == 1 and "not valid TOML" in err


def test_extract_url_with_several_pages_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    a.write_text("<html></html>", encoding="utf-8")
    b.write_text("<html></html>", encoding="utf-8")
    got, _, err = _run(["extract", str(a), str(b), "--url", "https://x.vn/a"], capsys)
    assert got == 2 and err.startswith("error: --url applies to one page")


def _page(tmp_path: Path) -> Path:
    url = "https://anninhthudo.vn/hanh-trinh-giot-mau-nghia-tinh-2023-post555.antd"
    body = (
        "Ngày 12/6/2023, Công an thành phố Hà Nội phát động chương trình "
        '"Hành trình giọt máu nghĩa tình" năm 2023 với mục tiêu tiếp nhận 2.500 đơn vị máu. '
        "Kết thúc chương trình đã tiếp nhận 2.812 đơn vị máu."
    )
    page = tmp_path / "page.html"
    page.write_text(
        article_html("Hành trình giọt máu nghĩa tình 2023", url, "2023-06-12T08:00:00+07:00", body)
    )
    return page


def test_extract_prints_one_json_line_per_page_with_url_from_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = _page(tmp_path)
    got, out, err = _run(["extract", str(page), str(page)], capsys)
    assert got == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 2
    record = json.loads(lines[0])
    assert record["url"].endswith("-post555.antd")
    assert any(f["value"] == 2812 and f["kind"] == "blood_units" for f in record["figures"])
    for f in record["figures"]:
        assert record["text"][f["start"] : f["end"]] == f["quote"]
    schema = ROOT.parent / "shared" / "spec" / "article-record.schema.json"
    if schema.exists():
        import jsonschema

        jsonschema.validate(record, json.loads(schema.read_text(encoding="utf-8")))


def test_extract_table_shows_each_figure_with_its_quote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got, out, _ = _run(["extract", str(_page(tmp_path)), "--format", "table"], capsys)
    assert got == 0
    assert "2.812 đơn vị máu" in out and "blood_units" in out


def test_schedule_without_a_prefect_server_says_how_to_start_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = dict(os.environ)
    try:
        os.environ.pop("PREFECT_API_URL", None)
        os.environ["PREFECT_PROFILES_PATH"] = str(tmp_path / "profiles.toml")  # no profile names a server
        os.environ["CAMPAIGNS_PREFECT_HOME"] = str(tmp_path / "ph")
        conf = tmp_path / "c.toml"
        conf.write_text('[[sources]]\nname = "a"\n', encoding="utf-8")
        got, _, err = _run(["schedule", "--config", str(conf)], capsys)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert got == 1 and "prefect server start" in err and len(err.strip().splitlines()) == 1
    assert (tmp_path / "ph").is_dir()  # PREFECT_HOME from the settings, created
