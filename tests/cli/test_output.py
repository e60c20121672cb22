"""The rows every command prints: a table for people, csv/json/markdown for programs."""

from __future__ import annotations

import csv
import io
import json

import pytest

from flows.cli._common import Format, emit

ROWS = [
    {"site": "anninhthudo.vn", "title": "Hiến máu [red]nhân đạo[/] [link=http://x]bấm[/link]", "figures": 58},
    {"site": "cand.com.vn", "title": "Trao 1.200 phần quà | Tết 2026 " + "rất dài " * 30, "figures": None},
]


def test_a_piped_table_is_never_cut_and_prints_markup_as_written() -> None:
    buf = io.StringIO()  # not a terminal
    emit(ROWS, Format.table, title="Articles [bold]x[/bold]", file=buf)
    text = buf.getvalue()
    assert "…" not in text and "rất dài " * 30 in text  # the long title whole, on one line
    assert "[red]nhân đạo[/]" in text and "[link=http://x]bấm[/link]" in text
    assert "Articles [bold]x[/bold]" in text and "\x1b" not in text


@pytest.mark.parametrize("fmt", [Format.csv, Format.json, Format.markdown])
def test_program_formats_keep_every_value(fmt: Format) -> None:
    buf = io.StringIO()
    emit(ROWS, fmt, columns=["site", "figures", "title"], file=buf)
    text = buf.getvalue()
    if fmt is Format.json:
        assert json.loads(text) == [{k: r[k] for k in ("site", "figures", "title")} for r in ROWS]
    elif fmt is Format.csv:
        got = list(csv.reader(io.StringIO(text)))
        assert got[0] == ["site", "figures", "title"] and got[1][1] == "58" and got[2][1] == ""
        assert got[2][2] == ROWS[1]["title"]
    else:
        lines = text.splitlines()
        assert lines[0] == "| site | figures | title |" and len(lines) == 4
        assert "\\| Tết 2026" in lines[3]  # a pipe inside a value is escaped


def test_no_rows_still_prints_a_valid_document() -> None:
    buf = io.StringIO()
    emit([], Format.json, columns=["a"], file=buf)
    assert json.loads(buf.getvalue()) == []
