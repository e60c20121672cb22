"""Fixtures shared by the flows/CLI tests: a small fixture tree of demo sites, written in tmp."""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["ROOT", "article_html", "write_fixture", "write_site_tree"]

from tests.helpers import ROOT

_BODY = (
    "Sáng {day}/6/{year}, Công an thành phố Hà Nội tổ chức chương trình "
    '"Hành trình giọt máu nghĩa tình" lần thứ {n}. Mục tiêu năm nay là {target} đơn vị máu. '
    "Kết thúc ngày hội đã tiếp nhận {got} đơn vị máu từ cán bộ chiến sĩ tham gia hiến máu."
)


def article_html(title: str, url: str, published: str, body: str) -> str:
    """A small article page in the mcms family's markup, with canonical and og tags."""
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        f'<link rel="canonical" href="{url}"><meta property="og:url" content="{url}">'
        f'<meta name="description" content="{title}">'
        f'<meta property="article:published_time" content="{published}">'
        '</head><body><article class="article">'
        f'<h1 class="article__title cms-title">{title}</h1>'
        f'<div class="article__body zce-content-body cms-body"><p>{body}</p></div>'
        "</article></body></html>"
    )


def write_fixture(
    folder: Path, slug: str, url: str, title: str, published: str, body: str, **extra: object
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.html").write_text(article_html(title, url, published, body), encoding="utf-8")
    expected = {"url": url, "title": title, "published": published, "relevant": True, **extra}
    (folder / f"{slug}.expected.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")


def write_site_tree(root: Path, per_site: int = 6) -> Path:
    """``root/<site>/`` with ``per_site`` campaign articles (2019+) and one unrelated story per site."""
    for site, url_of in (
        ("anninhthudo.vn", lambda i: f"https://anninhthudo.vn/hanh-trinh-giot-mau-{i}-post{1000 + i}.antd"),
        ("cand.com.vn", lambda i: f"https://cand.com.vn/Xa-hoi/hanh-trinh-giot-mau-{i}-i{2000 + i}/"),
    ):
        folder = root / site
        for i in range(per_site):
            year = 2019 + i % 5
            body = _BODY.format(day=10 + i, year=year, n=i + 1, target=1000 + 100 * i, got=900 + 100 * i)
            write_fixture(
                folder,
                f"giot-mau-{i}",
                url_of(i),
                f"Hành trình giọt máu nghĩa tình {year} ({i})",
                f"{year}-06-{10 + i:02d}T08:00:00+07:00",
                body,
            )
        write_fixture(
            folder,
            "giao-thong",
            url_of(99),
            "Phân luồng giao thông dịp lễ",
            "2024-04-28T07:00:00+07:00",
            "Cảnh sát giao thông phân luồng tại các cửa ngõ thủ đô trong dịp nghỉ lễ.",
            relevant=False,
        )
    return root
