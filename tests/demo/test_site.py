"""The demo news sites: real HTTP on 127.0.0.1, listing + pagination + RSS + robots + articles."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser

from flows.demo.site import DEMO_SITES, DemoArticle, DemoSite, load_articles
from tests.helpers.sites import ROOT, write_site_tree


@pytest.fixture()
def tree(tmp_path: Path) -> Path:
    return write_site_tree(tmp_path / "fixtures", per_site=6)


def _links(html: str, selector: str) -> list[str]:
    return [str(a.attributes.get("href")) for a in LexborHTMLParser(html).css(selector)]


def test_load_articles_orders_newest_first_and_keys_by_canonical_path(tree: Path) -> None:
    arts = load_articles(tree / "anninhthudo.vn")
    assert len(arts) == 7
    assert [a.published for a in arts] == sorted((a.published for a in arts), reverse=True)
    assert all(a.path.startswith("/") and a.path.endswith(".antd") for a in arts)
    assert arts[0].sapo  # from the page's meta description


def test_each_site_serves_its_listing_pages_feed_robots_and_articles(tree: Path) -> None:
    with DemoSite(tree) as site, httpx.Client(timeout=5) as http:
        assert len(set(site.ports.values())) == 2
        for layout in DEMO_SITES:
            base = site.base_url(layout.name)
            arts = site.articles[layout.name]
            pages = site.listing_pages(layout.name)
            assert pages == 2  # 7 articles, 4 per page
            item_sel = (
                "article.story h2.story__heading a"
                if layout.layout == "mcms"
                else "h3 a.box-category-link-title"
            )
            seen: list[str] = []
            for n in range(1, pages + 1):
                r = http.get(base + layout.page_path(n))
                assert r.status_code == 200, layout.page_path(n)
                seen += _links(r.text, item_sel)
                assert "/admin/" in _links(r.text, "a")  # furniture the crawler must not follow
            assert seen == [a.path for a in arts]  # every article once, newest first
            assert all(re.search(layout.article_pattern, p) for p in seen)

            robots = http.get(base + "/robots.txt")
            assert robots.status_code == 200 and "Disallow: /admin/" in robots.text

            feed = http.get(base + layout.feed_path)
            assert feed.headers["content-type"].startswith("application/rss+xml")
            links = [e.text for e in ET.fromstring(feed.content).iter("link")][1:]
            assert links == [base + a.path for a in arts]

            page = http.get(base + arts[0].path)
            assert page.status_code == 200 and page.content == arts[0].html
            assert http.get(base + "/nowhere").status_code == 404
        assert site.hits("cand.com.vn")["/robots.txt"] == 1


def test_conditional_requests_get_304_and_gzip_when_asked(tree: Path) -> None:
    with DemoSite(tree) as site, httpx.Client(timeout=5) as http:
        url = site.base_url("cand.com.vn") + "/xa-hoi"
        first = http.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
        assert http.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert http.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
        raw = httpx.get(url, headers={"Accept-Encoding": "gzip"})
        assert raw.headers["content-encoding"] == "gzip"
        assert raw.content == first.content  # httpx decoded it
        with httpx.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as streamed:
            assert gzip.decompress(b"".join(streamed.iter_raw())) == first.content


def test_extra_articles_are_listed_and_answer_with_their_status(tree: Path) -> None:
    broken = DemoArticle(
        "/hong-post9999.antd",
        "Trang hỏng",
        load_articles(tree / "cand.com.vn")[0].published,
        b"oops",
        status=500,
    )
    with DemoSite(tree, extra={"anninhthudo.vn": [broken]}) as site:
        base = site.base_url("anninhthudo.vn")
        listing = httpx.get(base + "/xa-hoi").text
        assert "/hong-post9999.antd" in listing
        assert httpx.get(base + "/hong-post9999.antd").status_code == 500
        assert site.hits("anninhthudo.vn")["/hong-post9999.antd"] == 1


def test_ports_of_an_earlier_run_are_reused_and_a_taken_one_falls_back(tree: Path) -> None:
    with DemoSite(tree) as first:
        ports = first.ports
        with DemoSite(tree, ports=ports) as second:  # both taken: fall back to free ports
            assert set(second.ports.values()).isdisjoint(ports.values())
    with DemoSite(tree, ports=ports) as again:
        assert again.ports == ports


def test_the_project_fixtures_are_servable() -> None:
    for layout in DEMO_SITES:
        arts = load_articles(ROOT / "fixtures" / layout.name)
        assert len(arts) >= 5, f"fixtures/{layout.name} has too few pages with an expected url"
        assert all(re.search(layout.article_pattern, a.path) for a in arts), [a.path for a in arts]
        pages = [
            p
            for p in (ROOT / "fixtures" / layout.name).glob("*.html")
            if p.with_suffix(".expected.json").exists()
        ]
        assert len(arts) == len(pages)  # no two fixtures claim one URL
