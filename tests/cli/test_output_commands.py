"""Output for people and for pipes, over the real commands and a real warehouse: nothing cut when
piped, layouts that fit narrow terminals, --format everywhere, and page text that is never markup."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pytest
from rich.console import Console

from flows.cli._common import COMPACT, FULL, Format, emit, print_summary, print_yoy
from flows.cli.app import main
from tests.helpers.sites import article_html
from tests.helpers.warehouse import fig, record
from warehouse import db
from warehouse.load import load_articles
from warehouse.queries import campaign_yoy

KEY = "hanh-trinh-do"
HOSTILE = "Hiến máu [/] [link=http://evil.example]bấm[/link] [red]đỏ[/red] [blink]x[/blink] [video]"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


def _years() -> list[tuple]:
    """Five years of a campaign with figures in many kinds: a wide history."""
    items = []
    for i, year in enumerate(range(2021, 2026)):
        blood, people, sites, gifts, money = (
            1300 + 211 * i,
            2000 + 377 * i,
            9 + i,
            300 + 50 * i,
            150_000_000 * (i + 1),
        )
        text = (
            f"Mục tiêu {blood - 100} đơn vị máu. Tiếp nhận {blood} đơn vị máu, {people} người tham gia, "
            f"{sites} điểm hiến máu, {gifts} phần quà, {money} đồng."
        )
        items.append(
            record(
                f"https://cand.com.vn/{year}.html",
                text,
                [
                    fig(f"{blood - 100} đơn vị máu", blood - 100, role="target"),
                    fig(f"{blood} đơn vị máu", blood),
                    fig(f"{people} người", people, kind="participants"),
                    fig(f"{sites} điểm", sites, kind="sites"),
                    fig(f"{gifts} phần quà", gifts, kind="gifts"),
                    fig(f"{money} đồng", money, kind="money_vnd"),
                ],
                year=year,
                published=f"{year}-06-05T08:00:00+07:00",
                name=f"Hành trình Đỏ {HOSTILE}",
                organizer=f"Công an tỉnh {HOSTILE}",
                title=HOSTILE,
            )
        )
    return items


@pytest.fixture
def config(tmp_path: Path) -> Path:
    database = tmp_path / "data" / "campaigns.duckdb"
    with db.session(database) as con:
        load_articles(con, [(r, None) for r in _years()], run_id="r1")
    cfg = tmp_path / "campaigns.toml"
    cfg.write_text(f"[storage]\ndatabase = {json.dumps(str(database))}\n", encoding="utf-8")
    return cfg


def _history(cfg: Path) -> list[dict]:
    with db.session(cfg.parent / "data" / "campaigns.duckdb", read_only=True) as con:
        return campaign_yoy(con, KEY)


def _numbers(row: dict) -> list[str]:
    return [f"{int(v):,}" for k, v in row.items() if k.endswith(("_target", "_achieved")) and v is not None]


def test_compare_through_a_pipe_holds_every_value(
    config: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # what a terminal of 80 columns would say: a pipe ignores it
    code, out, _ = _run(["compare", KEY, "-c", str(config)], capsys)
    assert code == 0
    assert "…" not in out
    for row in _history(config):
        line = next(ln for ln in out.splitlines() if ln.lstrip("│ ").startswith(str(row["year"])))
        for value in _numbers(row):
            assert value in line, (row["year"], value, line)
        if row["blood_units_achieved_change_pct"] is not None:
            assert f"{row['blood_units_achieved_change_pct']:+.1f}" in line


def test_compare_csv_loads_into_duckdb_with_the_same_numbers(
    config: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = _run(["compare", KEY, "-c", str(config), "--format", "csv"], capsys)
    assert code == 0
    path = tmp_path / "history.csv"
    path.write_text(out, encoding="utf-8")
    con = duckdb.connect()
    got = con.execute(
        "SELECT year, blood_units_target, blood_units_achieved, blood_units_achieved_change_pct, "
        "money_vnd_achieved, key FROM read_csv(?) ORDER BY year",
        [str(path)],
    ).fetchall()
    want = [
        (r["year"], r["blood_units_target"], r["blood_units_achieved"], r["blood_units_achieved_change_pct"],
         r["money_vnd_achieved"], KEY)
        for r in _history(config)
    ]  # fmt: skip
    assert got == want and len(got) == 5


def test_compare_json_is_one_document_with_stable_keys(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(["compare", KEY, "-c", str(config), "-f", "json"], capsys)
    assert code == 0
    rows = json.loads(out)
    assert [r["year"] for r in rows] == [2021, 2022, 2023, 2024, 2025]
    # every year-over-year kind is a key, even one no year reports (patients): the same for every campaign
    assert {"patients_target", "hospitals_achieved", "inferred_articles", "organizers_as_written"} <= set(
        rows[0]
    )
    assert all(r.keys() == rows[0].keys() for r in rows)
    assert rows[0]["organizer"] == f"Công an tỉnh {HOSTILE}" and rows[4]["money_vnd_achieved"] == 750_000_000


@pytest.mark.parametrize(
    ("width", "layout"), [(200, "years as rows"), (100, "years as columns"), (40, "blocks")]
)
def test_a_narrow_terminal_gets_another_layout_never_ellipses(width: int, layout: str, config: Path) -> None:
    rows = _history(config)
    buf = io.StringIO()
    term = Console(
        file=buf, width=width, force_terminal=True, color_system=None, highlight=False, soft_wrap=True
    )
    print_yoy(term, "Hành trình Đỏ: Công an", rows, FULL)
    text = buf.getvalue()
    lines = text.splitlines()
    assert "…" not in text and max(len(ln) for ln in lines) <= width
    for row in rows:
        for value in _numbers(row):
            assert value in text
    if layout == "years as rows":
        assert any(ln.lstrip("│ ").startswith("2023") and "1,722" in ln for ln in lines)
    elif layout == "years as columns":
        head = next(ln for ln in lines if "2021" in ln)
        assert all(str(y) in head for y in range(2021, 2026))
        assert any(ln.startswith("blood units achieved") and "1,300" in ln and "2,144" in ln for ln in lines)
    else:
        assert "2024" in [ln.strip() for ln in lines]
        assert any(ln.strip().startswith("money vnd achieved") for ln in lines)


class _Tty(io.StringIO):
    """A terminal, as far as Rich can tell (its width comes from COLUMNS)."""

    def isatty(self) -> bool:
        return True


def test_emit_stacks_rows_on_a_narrow_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    rows = [{"site": "cand.com.vn", "title": "Một tiêu đề dài " * 6, "figures": 1_234_567}]
    buf = _Tty()
    emit(rows, Format.table, file=buf)
    lines = ANSI.sub("", buf.getvalue()).splitlines()
    assert "…" not in "".join(lines) and max(len(ln) for ln in lines) <= 40
    assert any(ln.startswith("figures") and "1234567" in ln for ln in lines)  # a block: name beside value
    wide = _Tty()
    monkeypatch.setenv("COLUMNS", "200")
    emit(rows, Format.table, file=wide)
    assert any("cand.com.vn" in ln and "1234567" in ln for ln in wide.getvalue().splitlines())


def _page(tmp_path: Path) -> Path:
    url = "https://anninhthudo.vn/hien-mau-post555.antd"
    body = (
        "Ngày 12/6/2023, Công an thành phố Hà Nội phát động chương trình "
        '"Hành trình giọt máu nghĩa tình" năm 2023 với mục tiêu tiếp nhận 2.500 đơn vị máu. '
        "Kết thúc chương trình đã tiếp nhận 2.812 đơn vị máu."
    )
    page = tmp_path / "page.html"
    page.write_text(article_html(HOSTILE, url, "2023-06-12T08:00:00+07:00", body), encoding="utf-8")
    return page


@pytest.mark.parametrize("color", [False, True], ids=["pipe", "terminal"])
def test_page_text_is_never_markup_in_any_table(
    color: bool,
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if color:  # Rich takes this for a terminal: our own styles are escape codes, theirs must not be
        monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "400")
    outputs = []
    for argv in (
        ["compare", KEY, "-c", str(config)],
        ["campaigns", "-c", str(config)],
        ["sql", "SELECT title, campaign_name, quote FROM campaign_figures LIMIT 2", "-c", str(config)],
        ["extract", str(_page(tmp_path)), "--format", "table"],
    ):
        code, out, err = _run(argv, capsys)
        assert code == 0, (argv, err)
        outputs.append((argv[0], out))
    fixtures = _hostile_fixture(tmp_path)
    code, out, err = _run(["audit", "--fixtures", str(fixtures)], capsys)
    assert "Extraction audit: 1 fixture pages" in out, err
    outputs.append(("audit", out))
    summary = {
        "run_id": "crawl-1",
        "sources": [{"source": HOSTILE, "fetched": 1, "failed": {}, "new_campaign_years": [[KEY, 2023]]}],
        "totals": {"fetched": 1, "failed": {}, "new_campaign_years": [[KEY, 2023]]},
        "sources_failed": {HOSTILE: f"boom {HOSTILE}"},
    }
    buf = io.StringIO()
    print_summary(Console(file=buf, force_terminal=color, highlight=False, soft_wrap=True), summary)
    outputs.append(("crawl summary", buf.getvalue()))
    buf = io.StringIO()
    term = Console(file=buf, force_terminal=color, width=200, highlight=False, soft_wrap=True)
    print_yoy(term, f"{HOSTILE} ({KEY})", _history(config), COMPACT)
    outputs.append(("demo table", buf.getvalue()))
    for name, out in outputs:
        assert "\x1b]8;" not in out, name  # no terminal hyperlink
        assert not re.search(r"\x1b\[[0-9;]*5m", out), name  # no blink
        for piece in (
            "[/]",
            "[link=http://evil.example]bấm[/link]",
            "[red]đỏ[/red]",
            "[blink]x[/blink]",
            "[video]",
        ):
            assert piece in out, (name, piece)  # as written, no escape code inside


def _hostile_fixture(tmp_path: Path) -> Path:
    """A fixture whose expected reading holds a figure the page lacks, quoted with markup: the
    audit prints it in its diff."""
    from extractors.extract import extract_article
    from flows.steps.audit import project

    page = _page(tmp_path)
    folder = tmp_path / "fixtures" / "anninhthudo.vn"
    folder.mkdir(parents=True)
    (folder / "hien-mau.html").write_bytes(page.read_bytes())
    expected = project(extract_article(page.read_bytes(), None).to_dict())
    expected["figures"].append(
        {"value": 7, "value_max": None, "approx": None, "kind": "other", "role": "other", "quote": HOSTILE}
    )
    (folder / "hien-mau.expected.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    return tmp_path / "fixtures"


def test_crawl_summary_for_programs() -> None:
    summary = {
        "run_id": "crawl-1",
        "sources": [{"source": "cand.com.vn", "fetched": 3, "failed": {"http 404": 1, "robots": 2},
                     "new_campaign_years": [[KEY, 2023]]}],
        "totals": {"fetched": 3, "failed": {"http 404": 1, "robots": 2}, "new_campaign_years": [[KEY, 2023]]},
        "sources_failed": {},
    }  # fmt: skip
    for fmt in (Format.csv, Format.json):
        buf = io.StringIO()
        print_summary(Console(file=buf), summary, fmt)
        if fmt is Format.json:
            assert json.loads(buf.getvalue()) == summary
        else:
            rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
            assert [r["source"] for r in rows] == ["cand.com.vn", "total"]
            assert rows[0]["failed"] == "3" and rows[1]["new_campaign_years"] == f"{KEY} 2023"


def test_the_one_site_campaign_across_the_merger_is_one_campaign_with_five_years(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hoa_binh, phu_tho = "Công an tỉnh Hòa Bình", "Công an tỉnh Phú Thọ"
    arts = [
        ("2021", "Tiếp nhận 410 đơn vị máu.", fig("410 đơn vị máu", 410), hoa_binh),
        ("2022", "Tiếp nhận 455 đơn vị máu.", fig("455 đơn vị máu", 455), hoa_binh),
        ("2023", "Kế hoạch năm nay: 500 đơn vị máu.", fig("500 đơn vị máu", 500, role="target"), None),
        ("2024", "Mục tiêu 520 đơn vị máu.", fig("520 đơn vị máu", 520, role="target"), None),
        ("2025", "Tiếp nhận 610 đơn vị máu.", fig("610 đơn vị máu", 610), phu_tho),
    ]
    database = tmp_path / "w.duckdb"
    with db.session(database) as con:
        load_articles(
            con,
            [
                (record(f"https://baophutho.vn/{y}.html", t, [f], year=int(y), organizer=o,
                        published=f"{y}-06-05T08:00:00+07:00"), None)
                for y, t, f, o in arts
            ],
            run_id="r",
        )  # fmt: skip
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"[storage]\ndatabase = {json.dumps(str(database))}\n", encoding="utf-8")
    code, out, _ = _run(["compare", KEY, "-c", str(cfg)], capsys)
    assert code == 0
    assert out.count("Hành trình Đỏ (hanh-trinh-do)") == 1  # one campaign, not two
    assert f"{phu_tho} (articles say: {hoa_binh})" in out
    years = [ln for ln in out.splitlines() if re.match(r"^│ 20\d\d ", ln)]
    assert [ln.split()[1] for ln in years] == ["2021", "2022", "2023", "2024", "2025"]
    assert all(hoa_binh in ln for ln in years[:2]) and "1" in years[2].split("│")[3]  # 1 inferred
    code, out, _ = _run(["campaigns", "-c", str(cfg), "-f", "json"], capsys)
    (camp,) = json.loads(out)
    assert camp["years"] == [2021, 2022, 2023, 2024, 2025] and camp["inferred_articles"] == 2
    assert camp["organizer"] == phu_tho and camp["organizers_as_written"] == [hoa_binh, phu_tho]
    code, out, _ = _run(["campaigns", "-c", str(cfg), "-f", "csv"], capsys)
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["organizers_as_written"] == f"{hoa_binh}; {phu_tho}"
