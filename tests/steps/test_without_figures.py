"""An article the topic gates turn away is stored and counted by why, never dropped silently."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from flows.cli._tables import print_summary
from flows.config import load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoArticle, DemoSite
from flows.steps.summary import WITHOUT_FIGURES
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import article_html, write_site_tree

_VN = timezone(timedelta(hours=7))
_FRAUD = (
    "/lua-dao-chiem-doat-tien-quyen-gop-post9201.antd",
    "Triệt phá nhóm lừa đảo chiếm đoạt tiền quyên góp hiến máu",
    "Công an quận đã bắt giữ 3 đối tượng giả danh ban tổ chức ngày hội hiến máu, lập trang "
    "quyên góp giả và chiếm đoạt hơn 200 triệu đồng của người dân. Vụ việc đang được điều tra mở rộng.",
)


def test_a_story_the_gates_turn_away_is_counted_in_the_summary(tmp_path: Path) -> None:
    from rich.console import Console

    tree = write_site_tree(tmp_path / "fixtures", per_site=1)
    path, title, body = _FRAUD
    html = article_html(title, f"https://anninhthudo.vn{path}", "2025-05-02T09:00:00+07:00", body).encode()
    extra = [DemoArticle(path, title, datetime(2025, 5, 2, 9, tzinfo=_VN), html)]
    with DemoSite(tree, extra={"anninhthudo.vn": extra}) as site:
        conf = tmp_path / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp_path / "data")), encoding="utf-8")
        summary = crawl_all(load_settings(conf))
    by_source = {s["source"]: s for s in summary["sources"]}
    assert by_source["anninhthudo.vn"]["without_figures"] == {WITHOUT_FIGURES["off_topic_title"]: 1}
    assert summary["totals"]["without_figures"] == {"another kind of story": 1}
    console = Console(record=True, width=200)
    print_summary(console, summary)
    assert "Stored without figures: 1 another kind of story" in console.export_text()
