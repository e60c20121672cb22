"""Discovery: links from listings, feeds and sitemaps; pagination; relevance; the shipped sources."""

from __future__ import annotations

import asyncio
import gzip
import re

import pytest

from extractors.urls import canonicalize_url, site_of
from flows.config import CrawlSettings, Source, default_sources
from flows.crawler.discover import discover, entry_urls, matches_keywords
from flows.crawler.feeds import links_from_feed, links_from_sitemap
from flows.crawler.fetch import Fetcher
from flows.crawler.listings import links_from_listing, listing_page_url, read_listing
from tests.helpers import REALPAGES as REAL
from tests.helpers.chaos import ChaosSite, Request, page, send


def _real(name: str) -> bytes:
    path = REAL / name
    if not path.is_file():
        pytest.skip("../shared/realpages is not present")
    return path.read_bytes()


def _source(name: str) -> Source:
    return next(s for s in default_sources() if s.name == name)


def test_listing_links_are_filtered_canonical_and_deduplicated() -> None:
    src = Source(name="t", article_pattern=r"^https://x\.vn/[a-z-]+-\d{6}\.htm$")
    html = page(
        "l",
        links=[
            "/hien-mau-123456.htm?utm_source=fb",
            "https://m.x.vn/hien-mau-123456.htm#c",
            "trao-qua-654321.htm",
            "/xa-hoi.htm",
            "https://other.vn/hien-mau-123456.htm",
            "javascript:;",
            "#top",
        ],
        head='<base href="https://x.vn/">',
    )
    links, nxt = links_from_listing(html, "https://x.vn/xa-hoi.htm", src)
    assert links == ["https://x.vn/hien-mau-123456.htm", "https://x.vn/trao-qua-654321.htm"]
    assert nxt is None


def test_without_a_pattern_links_stay_on_the_listing_host() -> None:
    links, _ = links_from_listing(
        page("l", links=["/a", "https://x.vn/b", "https://y.vn/c"]), "https://x.vn/", Source(name="t")
    )
    assert links == ["https://x.vn/a", "https://x.vn/b"]


@pytest.mark.parametrize(
    ("template", "start", "page2", "page3"),
    [
        (
            "{url}/trang-{page}.htm",
            "https://dantri.com.vn/xa-hoi.htm",
            "https://dantri.com.vn/xa-hoi/trang-2.htm",
            "https://dantri.com.vn/xa-hoi/trang-3.htm",
        ),
        (
            "{url}-p{page}",
            "https://vnexpress.net/phap-luat",
            "https://vnexpress.net/phap-luat-p2",
            "https://vnexpress.net/phap-luat-p3",
        ),
        (
            "{url}-page{index}",
            "https://vietnamnet.vn/thoi-su",
            "https://vietnamnet.vn/thoi-su-page1",
            "https://vietnamnet.vn/thoi-su-page2",
        ),
        (
            "{url}/?page={page}",
            "https://tienphong.vn/xa-hoi/",
            "https://tienphong.vn/xa-hoi?page=2",
            "https://tienphong.vn/xa-hoi?page=3",
        ),
    ],
)
def test_pagination_templates(template: str, start: str, page2: str, page3: str) -> None:
    assert listing_page_url(start, template, 1) == listing_page_url(start, template, 0)
    assert listing_page_url(start, template, 2) == page2
    src = Source(name="t", start_urls=(start,), pagination=template)
    assert links_from_listing(page("p1"), start, src)[1] == page2
    assert links_from_listing(page("p2"), page2, src)[1] == page3


def test_a_configured_pattern_beats_rel_next_on_the_pages_it_can_place() -> None:
    src = Source(name="t", start_urls=("https://x.vn/a",), pagination="{url}-p{page}")
    html = page("l", head='<link rel="next" href="/a?cursor=xyz">')
    assert read_listing(html, "https://x.vn/a", src).next_url == "https://x.vn/a-p2"
    assert read_listing(html, "https://x.vn/a", src).next_via == "pagination pattern"
    # a page the template cannot place (reached some other way) goes on by what it says
    assert links_from_listing(html, "https://x.vn/b?cursor=1", src)[1] == "https://x.vn/a?cursor=xyz"


_SECTION = "https://x.vn/xa-hoi.htm"


@pytest.mark.parametrize(
    ("pager", "expected", "via"),
    [
        ('<a href="/xa-hoi/trang-2.htm">Trang sau</a>', "/xa-hoi/trang-2.htm", "'Trang sau'"),
        ('<a href="/xa-hoi/trang-2.htm">Trang tiếp »</a>', "/xa-hoi/trang-2.htm", "'Trang tiếp »'"),
        ('<a href="/xa-hoi?page=2"> TIẾP THEO </a>', "/xa-hoi?page=2", "'TIẾP THEO'"),
        ('<a href="/xa-hoi/p2" title="Trang tiếp">❯</a>', "/xa-hoi/p2", "'Trang tiếp'"),
        ('<a href="/xa-hoi/p2" aria-label="Trang sau"><svg></svg></a>', "/xa-hoi/p2", "'Trang sau'"),
        ('<a class="btn-page next-page" href="/xa-hoi-p2"><svg></svg></a>', "/xa-hoi-p2", "a.next"),
        ('<a class="next" href="/xa-hoi/page/2/"></a>', "/xa-hoi/page/2", "a.next"),
        (
            '<ul class="pagination"><li class="active"><span>1</span></li>'
            '<li><a href="/xa-hoi/trang-2.htm">2</a></li><li><a href="/xa-hoi/trang-3.htm">3</a></li></ul>',
            "/xa-hoi/trang-2.htm",
            "page 2 of the pagination",
        ),
        (  # no mark on the current page: this page's own link, or page 1 on the start page
            '<div class="box-page"><a href="/xa-hoi.htm">1</a><a href="/xa-hoi/trang-2.htm">2</a></div>',
            "/xa-hoi/trang-2.htm",
            "page 2 of the pagination",
        ),
        (  # "»" saying "last page" is not the next one
            '<a href="/xa-hoi/trang-9.htm" title="Trang cuối">»</a><a href="/xa-hoi/trang-2.htm">›</a>',
            "/xa-hoi/trang-2.htm",
            "'›'",
        ),
        ('<a href="/xa-hoi/trang-2.htm">»</a>', "/xa-hoi/trang-2.htm", "'»'"),
        ('<a href="/xa-hoi?trang=2">Xem thêm</a>', "/xa-hoi?trang=2", "'Xem thêm'"),
        # what is not a next page: another section, an article, a script, the previous page
        ('<a href="/the-thao.htm">Xem thêm</a>', None, ""),
        ('<a href="/hien-mau-123456.htm">Xem tiếp</a>', None, ""),
        ('<a href="javascript:;" class="btn next">Xem thêm</a>', None, ""),
        (
            '<a href="/xa-hoi/trang-0.htm">Trang trước</a><a href="/xa-hoi/trang-0.htm" class="prev">‹</a>',
            None,
            "",
        ),
        ('<a href="https://y.vn/xa-hoi/trang-2.htm">Trang sau</a>', None, ""),
    ],
)
def test_next_pages_found_without_configuration(pager: str, expected: str | None, via: str) -> None:
    src = Source(name="t", start_urls=(_SECTION,), article_pattern=r"-\d{6}\.htm$")
    html = page("Xã hội", links=["/hien-mau-123456.htm"]).replace("</body>", pager + "</body>")
    got = read_listing(html, _SECTION, src, start=_SECTION)
    assert got.next_url == (f"https://x.vn{expected}" if expected else None)
    assert got.next_via == via


def test_the_next_page_stays_in_the_section_it_started_from() -> None:
    src = Source(name="t", article_pattern=r"-\d{6}\.htm$")
    here = "https://x.vn/xa-hoi/trang-2.htm"
    html = page("p2").replace(
        "</body>",
        '<div class="paging"><a href="/xa-hoi.htm">1</a><a class="active" href="/xa-hoi/trang-2.htm">2</a>'
        '<a href="/xa-hoi/trang-3.htm">3</a></div></body>',
    )
    got = read_listing(html, here, src, start=_SECTION)
    assert (got.next_url, got.next_via) == ("https://x.vn/xa-hoi/trang-3.htm", "page 3 of the pagination")
    assert read_listing(html, here, src, start="https://x.vn/the-thao.htm").next_url is None


@pytest.mark.parametrize(
    ("name", "source", "listing_url", "next_page", "at_least"),
    [
        (
            "dantri__listing_2026.html",
            "dantri.com.vn",
            "https://dantri.com.vn/kinh-doanh.htm",
            "https://dantri.com.vn/kinh-doanh/trang-2.htm",
            30,
        ),
        (
            "vnexpress__listing_kinh-doanh_2026.html",
            "vnexpress.net",
            "https://vnexpress.net/kinh-doanh",
            "https://vnexpress.net/kinh-doanh-p2",
            30,
        ),
        (
            "vietnamnet__listing_2026.html",
            "vietnamnet.vn",
            "https://vietnamnet.vn/kinh-doanh",
            "https://vietnamnet.vn/kinh-doanh-page1",
            20,
        ),
        (  # the saved page shows no next page, and no template is shipped that could not be checked
            "tuoitre__listing_2026.html",
            "tuoitre.vn",
            "https://tuoitre.vn/kinh-doanh.htm",
            None,
            10,
        ),
        (
            "baochinhphu__listing_2026.html",
            "baochinhphu.vn",
            "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm",
            None,
            20,
        ),
    ],
)
def test_real_listings_with_the_shipped_sources(
    name: str, source: str, listing_url: str, next_page: str | None, at_least: int
) -> None:
    html = _real(name).decode("utf-8", "replace")
    src = _source(source).model_copy(update={"start_urls": (listing_url,)})
    links, nxt = links_from_listing(html, listing_url, src)
    assert len(links) >= at_least
    assert len(links) == len(set(links))
    assert all(re.search(src.article_pattern or "", u) for u in links)
    assert not any("#" in u or "utm_" in u for u in links)
    assert nxt == next_page


@pytest.mark.parametrize(
    ("name", "listing_url", "next_page", "via", "without_rel_next"),
    [
        ("dantri__listing_2026.html", "https://dantri.com.vn/kinh-doanh.htm",
         "https://dantri.com.vn/kinh-doanh/trang-2.htm", "'Trang tiếp'", "'Trang tiếp'"),
        ("vnexpress__listing_kinh-doanh_2026.html", "https://vnexpress.net/kinh-doanh",
         "https://vnexpress.net/kinh-doanh-p2", "rel=next", "a.next"),
        ("vietnamnet__listing_2026.html", "https://vietnamnet.vn/kinh-doanh",
         "https://vietnamnet.vn/kinh-doanh-page1", "rel=next", "page 2 of the pagination"),
        # its "Xem thêm" loads more by script (href="javascript:;"): nothing to follow
        ("baochinhphu__listing_2026.html", "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm",
         None, "", ""),
    ],
)  # fmt: skip
def test_real_listings_paginate_without_a_configured_pattern(
    name: str, listing_url: str, next_page: str | None, via: str, without_rel_next: str
) -> None:
    """The real CMSs' next-page anchors, found with no ``pagination`` in the config (and with
    ``rel=next`` taken out, the anchors of the page itself)."""
    html = _real(name).decode("utf-8", "replace")
    src = Source(name="real", start_urls=(listing_url,))
    got = read_listing(html, listing_url, src, start=listing_url)
    assert (got.next_url, got.next_via) == (next_page, via)
    bare = re.sub(r"<link[^>]*rel=[\"']next[\"'][^>]*>", "", html)
    assert read_listing(bare, listing_url, src, start=listing_url).next_via == without_rel_next
    if name.startswith("dantri"):  # neither rel=next nor "Trang tiếp": its numbered pagination
        plain = bare.replace('title="Trang tiếp"', "").replace("page-item next", "page-item")
        assert read_listing(plain, listing_url, src, start=listing_url).next_via == "page 2 of the pagination"


def test_real_listings_announce_the_feeds_the_shipped_sources_name() -> None:
    """The feed addresses of sources.toml follow the shape the sites announce in <link rel=alternate>."""
    announced = {
        "dantri__listing_2026.html": ("https://dantri.com.vn/kinh-doanh.htm", "https://dantri.com.vn/rss/kinh-doanh.rss"),
        "tuoitre__listing_2026.html": ("https://tuoitre.vn/kinh-doanh.htm", "https://tuoitre.vn/rss/kinh-doanh.rss"),
        "vietnamnet__listing_2026.html": ("https://vietnamnet.vn/kinh-doanh", "https://vietnamnet.vn/kinh-doanh.rss"),
        "baochinhphu__listing_2026.html": (
            "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm",
            "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.rss",
        ),
        "vnexpress__listing_kinh-doanh_2026.html": ("https://vnexpress.net/kinh-doanh", None),
    }  # fmt: skip
    shipped = {s.name: s for s in default_sources()}
    for name, (url, feed) in announced.items():
        got = read_listing(_real(name).decode("utf-8", "replace"), url, Source(name="real"), start=url)
        assert got.feeds == ([feed] if feed else []), name
        if feed:  # the shipped feeds of that site follow the same rule, section by section
            rule = _feed_rule(url, feed)
            site = shipped[site_of(url)]
            assert rule is not None and site.feeds
            assert [_feed_rule(u, f) for u, f in zip(site.start_urls, site.feeds, strict=True)] == [
                rule
            ] * len(site.feeds), site.name


def _feed_rule(listing: str, feed: str) -> str | None:
    """How a listing's feed is spelled: /rss/<section>.rss or <section>.rss."""
    origin, path = listing.split("/", 3)[:3], "/" + listing.split("/", 3)[3].removesuffix(".htm")
    base = "/".join(origin)
    return {f"{base}/rss{path}.rss": "/rss/<section>.rss", f"{base}{path}.rss": "<section>.rss"}.get(feed)


@pytest.mark.parametrize(
    ("name", "site"),
    [
        ("dantri__listing_2026.html", "dantri.com.vn"),
        ("vnexpress__listing_kinh-doanh_2026.html", "vnexpress.net"),
        ("tuoitre__listing_2026.html", "tuoitre.vn"),
        ("vietnamnet__listing_2026.html", "vietnamnet.vn"),
        ("baochinhphu__listing_2026.html", "baochinhphu.vn"),
    ],
)
def test_the_shipped_start_urls_are_sections_the_sites_menus_link_to(name: str, site: str) -> None:
    html = _real(name).decode("utf-8", "replace")
    base = f"https://{site}/"
    linked = {canonicalize_url(h, base) for h in re.findall(r'href="([^"]+)"', html)}
    for url in _source(site).start_urls:
        assert canonicalize_url(url) in linked, url


def test_real_article_urls_match_their_sources_pattern() -> None:
    if not REAL.is_dir():
        pytest.skip("../shared/realpages is not present")
    checked = 0
    for note in REAL.glob("*__article*.source.txt"):
        m = re.search(r'original URL: (?:href=")?(https://[^"\s]+)', note.read_text())
        site = site_of(m.group(1)) if m else ""  # sources are named by their site's host
        if m is None or site not in {s.name for s in default_sources()}:
            continue
        from extractors.urls import canonicalize_url

        assert re.search(_source(site).article_pattern or "", canonicalize_url(m.group(1))), m.group(1)
        checked += 1
    assert checked >= 5


def test_feeds_rss2_atom_rss1_and_broken() -> None:
    rss = b"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><link>https://x.vn/</link>
      <item><link>
        https://x.vn/a-1.htm?utm_source=rss
      </link></item>
      <item><guid isPermaLink="true">https://x.vn/a-2.htm</guid></item>
      <item><guid isPermaLink="false">tag:x.vn,2026:3</guid></item>
      <item><link><![CDATA[https://x.vn/a-1.htm]]></link></item></channel></rss>"""
    assert links_from_feed(rss, "https://x.vn/rss/a.rss") == ["https://x.vn/a-1.htm", "https://x.vn/a-2.htm"]
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><link rel="self" href="https://x.vn/atom"/>
      <entry><link rel="alternate" href="/b-1.htm"/></entry><entry><link href="https://x.vn/b-2.htm"/></entry></feed>"""
    assert links_from_feed(atom, "https://x.vn/atom") == ["https://x.vn/b-1.htm", "https://x.vn/b-2.htm"]
    rdf = b"""<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
      <item rdf:about="https://x.vn/c-1.htm"><link>https://x.vn/c-1.htm</link></item></rdf:RDF>"""
    assert links_from_feed(rdf, "https://x.vn/rdf") == ["https://x.vn/c-1.htm"]
    broken = b"<rss><channel><item><title>A & B</title><link>https://x.vn/d-1.htm</link></item>"
    assert links_from_feed(broken, "https://x.vn/rss") == ["https://x.vn/d-1.htm"]


def test_entity_expansion_is_never_performed() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
      <rss><channel><item><title>&lol2;</title><link>https://x.vn/e-1.htm</link></item></channel></rss>"""
    assert links_from_feed(bomb, "https://x.vn/rss") == ["https://x.vn/e-1.htm"]


def test_real_feeds() -> None:
    vnn = links_from_feed(_real("vietnamnet__rss_thoi-su_2026.xml"), "https://vietnamnet.vn/thoi-su.rss")
    assert len(vnn) == 3
    assert all(re.search(_source("vietnamnet.vn").article_pattern or "", u) for u in vnn)
    vne = links_from_feed(
        _real("vnexpress__rss_tin-moi-nhat_2017.xml"), "http://vnexpress.net/rss/tin-moi-nhat.rss"
    )
    assert len(vne) == 25 and all(u.startswith("http://") and u.endswith(".html") for u in vne)


def test_sitemaps_index_news_and_gzip() -> None:
    index = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://x.vn/sitemap-news.xml</loc></sitemap><sitemap><loc>/sitemap-2.xml.gz</loc></sitemap></sitemapindex>"""
    assert links_from_sitemap(index, "https://x.vn/sitemap.xml") == (
        [],
        ["https://x.vn/sitemap-news.xml", "https://x.vn/sitemap-2.xml.gz"],
    )
    news = """<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
      <url><loc>https://x.vn/f-1.htm</loc><news:news><news:title>Hiến máu</news:title></news:news></url>
      <url><loc> https://x.vn/f-2.htm </loc></url></urlset>""".encode()
    assert links_from_sitemap(news, "https://x.vn/sitemap-news.xml") == (
        ["https://x.vn/f-1.htm", "https://x.vn/f-2.htm"],
        [],
    )
    assert links_from_sitemap(gzip.compress(news), "https://x.vn/s.xml.gz")[0] == [
        "https://x.vn/f-1.htm",
        "https://x.vn/f-2.htm",
    ]


def test_relevance_ignores_case_and_diacritics_and_wants_whole_words() -> None:
    keywords = _source("dantri.com.vn").keywords
    assert matches_keywords("Công an tổ chức NGÀY HỘI HIẾN MÁU tình nguyện", keywords)
    assert matches_keywords("tiep nhan 300 don vi mau", keywords)
    assert matches_keywords("Hành trình\u00a0đỏ năm nay", keywords)
    assert matches_keywords("Trao 500 phần quà Tết", keywords)
    assert not matches_keywords("Giá vàng hôm nay tăng mạnh", keywords)
    assert not matches_keywords("hiến máuxyz", ["hiến máu"])
    assert matches_keywords("anything", [])


def test_shipped_sources_are_complete() -> None:
    sources = default_sources()
    names = {s.name for s in sources}
    assert names >= {
        "anninhthudo.vn",
        "cand.com.vn",
        "congan.com.vn",
        "tienphong.vn",
        "vnexpress.net",
        "dantri.com.vn",
        "tuoitre.vn",
        "thanhnien.vn",
        "vietnamnet.vn",
        "baochinhphu.vn",
    }
    for s in sources:
        assert s.start_urls and s.article_pattern and s.keywords, s.name
        assert all(u.startswith("https://") for u in (*s.start_urls, *s.feeds)), s.name
        pattern = re.compile(s.article_pattern)
        assert not any(pattern.search(u) for u in entry_urls(s)), s.name  # listings are not articles
        assert {"hiến máu", "đơn vị máu", "Chủ nhật đỏ", "Xuân hồng", "phần quà"} <= set(s.keywords)


def test_discover_follows_pages_feeds_and_sitemaps_on_a_live_site() -> None:
    async def scenario() -> None:
        async with ChaosSite() as site:

            async def listing(req: Request, w: asyncio.StreamWriter) -> bool:
                n = 1 if req.path == "/tin" else int(req.path.rsplit("-", 1)[1].split(".")[0])
                return await send(
                    w, 200, page(f"p{n}", links=[f"/a/p{n}-1", f"/a/p{n}-2", "/a/p1-1"]).encode()
                )

            async def sitemap(req: Request, w: asyncio.StreamWriter) -> bool:
                if req.path == "/sitemap.xml":
                    body = f"<sitemapindex><sitemap><loc>{site.url('/sitemap-news.xml')}</loc></sitemap></sitemapindex>"
                else:
                    body = f"<urlset><url><loc>{site.url('/a/from-sitemap')}</loc></url><url><loc>{site.url('/not-article')}</loc></url></urlset>"
                return await send(w, 200, body.encode(), content_type="application/xml")

            for path in ("/tin", "/tin/trang-2.htm", "/tin/trang-3.htm", "/tin/trang-4.htm"):
                site.routes[path] = listing
            site.routes["/sitemap.xml"] = site.routes["/sitemap-news.xml"] = sitemap
            src = Source(
                name="live",
                start_urls=(site.url("/tin"),),
                sitemaps=(site.url("/sitemap.xml"),),
                article_pattern=r"/a/",
                pagination="{url}/trang-{page}.htm",
            )
            crawl = CrawlSettings(delay_seconds=0.0, allow_hosts=("127.0.0.1",), listing_depth=3)
            async with Fetcher(crawl) as fetcher:
                found = await discover(src, fetcher, crawl)
            assert [u.rsplit("/", 1)[1] for u in found.article_urls] == [
                "p1-1", "p1-2", "p2-1", "p2-2", "p3-1", "p3-2", "from-sitemap"
            ]  # fmt: skip
            assert [r.kind for r in found.results] == ["listing"] * 3 + ["sitemap"] * 2
            assert "/tin/trang-4.htm" not in site.counts  # listing_depth pages, no more

    asyncio.run(scenario())


def test_a_broken_article_pattern_is_a_config_error_before_any_fetch() -> None:
    from errors import ConfigError

    with pytest.raises(ValueError, match="not a regular expression"):  # settings refuse it when they load
        Source(name="broken", article_pattern="([")
    src = Source.model_construct(name="broken", start_urls=("http://127.0.0.1:9/x",), article_pattern="([")
    with pytest.raises(ConfigError, match="broken: article_pattern"):
        links_from_listing(page("l"), "https://x.vn/", src)

    async def scenario() -> None:
        crawl = CrawlSettings(allow_hosts=("127.0.0.1",))
        async with Fetcher(crawl) as fetcher:
            with pytest.raises(ConfigError):
                await discover(src, fetcher, crawl)

    asyncio.run(scenario())
