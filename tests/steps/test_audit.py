"""``campaigns audit``: the fixture scorecard and its floors, drift over the archive, new fixtures."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.cli.app import main
from flows.config import Settings, load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from flows.steps.audit import BASELINE_NAME, audit_fixtures
from flows.steps.audit_archive import add_fixture, audit_archive
from tests.helpers import ROOT
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import write_site_tree

SEED = ROOT / "fixtures" / "anninhthudo.vn" / "hanoi-police-blood-2022"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    out, err = capsys.readouterr()
    return int(ended.value.code or 0), out, err


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    """Three fixture pages of two sites, copied so the test may change them."""
    picks = [SEED, *sorted((ROOT / "fixtures" / "vnexpress.net").glob("*.html"))[:2]]
    for page in picks:
        page = page.with_suffix(".html")
        dest = tmp_path / "fx" / page.parent.name
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(page, dest / page.name)
        shutil.copy(page.with_suffix(".expected.json"), dest / page.with_suffix(".expected.json").name)
    return tmp_path / "fx"


def test_scorecard_counts_a_missing_figure_and_its_diff_names_the_quote(corpus: Path) -> None:
    assert audit_fixtures(corpus).card.figures.f1 == 1.0
    exp = corpus / "anninhthudo.vn" / "hanoi-police-blood-2022.expected.json"
    data = json.loads(exp.read_text(encoding="utf-8"))
    dropped = data["figures"].pop(1)
    exp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    card = audit_fixtures(corpus).card
    assert card.figures.fp == 1 and card.figures.fn == 0 and card.figures.precision < 1.0
    (diff,) = card.diffs
    assert diff.extra[0]["quote"] == dropped["quote"]


def test_floors_fail_the_audit_and_update_pins_them(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (corpus / BASELINE_NAME).write_text(json.dumps({"floors": {"figures.f1": 1.01}}), encoding="utf-8")
    code, out, err = _run(["audit", "--fixtures", str(corpus)], capsys)
    assert code == 1 and "figures.f1" in err and "Extraction audit" in out
    code, _, _ = _run(["audit", "--fixtures", str(corpus), "--update"], capsys)
    assert code == 0
    floors = json.loads((corpus / BASELINE_NAME).read_text(encoding="utf-8"))["floors"]
    assert floors["figures.f1"] == 1.0 and floors["hospitals.f1"] == 1.0
    assert _run(["audit", "--fixtures", str(corpus)], capsys)[0] == 0


def test_add_turns_a_saved_page_into_a_draft_fixture(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "page.html"
    shutil.copy(SEED.with_suffix(".html"), saved)
    code, out, _ = _run(["audit", "--fixtures", str(tmp_path / "fx"), "--add", str(saved)], capsys)
    assert code == 0, out
    (page,) = (tmp_path / "fx" / "anninhthudo.vn").glob("*.html")
    draft = json.loads(page.with_suffix(".expected.json").read_text(encoding="utf-8"))
    assert draft["relevant"] is True and draft["campaign"]["year"] == 2022
    assert any(f["quote"] == "2.300 đơn vị máu" for f in draft["figures"])
    assert "DRAFT" in draft["notes"][0]
    with pytest.raises(Exception, match="exists already"):
        add_fixture(None, str(saved), tmp_path / "fx")
    code, _, err = _run(["audit", "--add", "not-a-file-nor-url"], capsys)
    assert code == 1 and err.startswith("error:") and len(err.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def archive_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    tmp = tmp_path_factory.mktemp("audit-archive")
    tree = write_site_tree(tmp / "fixtures", per_site=4)
    with DemoSite(tree) as site:
        conf = tmp / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp / "data")), encoding="utf-8")
        settings = load_settings(conf)
        crawl_all(settings)
        yield settings


def test_archive_audit_finds_no_drift_with_the_same_extractor(archive_settings: Settings) -> None:
    rows = audit_archive(archive_settings, sample=None)
    assert {r.site for r in rows} == {"anninhthudo.vn", "cand.com.vn"}
    for r in rows:
        assert r.pages == 4 and r.stored_figures == r.figures_now > 0
        assert (r.appeared, r.vanished, r.changed, r.warning) == (0, 0, 0, None)


def test_archive_audit_warns_when_a_sites_yield_collapses(
    archive_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import dataclasses

    import flows.steps.extract as step

    real = step.extract_article

    def template_changed(html: Any, url: Any = None, content_type: Any = None) -> Any:  # a site redesign
        rec = real(html, url, content_type)
        return dataclasses.replace(rec, figures=()) if "cand.com.vn" in rec.site else rec

    monkeypatch.setattr(step, "extract_article", template_changed)
    rows = {r.site: r for r in audit_archive(archive_settings, sample=None)}
    assert rows["cand.com.vn"].vanished == rows["cand.com.vn"].stored_figures > 0
    assert "yield dropped" in (rows["cand.com.vn"].warning or "")
    assert rows["anninhthudo.vn"].warning is None
    # the CLI path: one warning line per site, exit 1
    code, out, err = _run(
        ["audit", "--archive", "--config", str(archive_settings.database.parent.parent / "campaigns.toml")],
        capsys,
    )
    assert code == 1 and "warning: cand.com.vn" in err and "Archive drift" in out
