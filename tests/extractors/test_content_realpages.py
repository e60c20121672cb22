"""Main-content extraction on real saved pages of Vietnamese news sites (``../shared/realpages``).

The truth of each page (title, date, section) was read off the page by hand.
Headlines of the related/other-story boxes, captions and bylines are read from
the page at test time (with the test's own selectors) and must not be in
``text``; article paragraphs, likewise read from the page, must be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pytest
from selectolax.lexbor import LexborHTMLParser

from extractors.content import Content, extract_content
from extractors.normalize import normalize_text
from tests.helpers import REALPAGES as REAL

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/realpages is absent")


@dataclass(frozen=True)
class Page:
    file: str
    profile: str
    title: str
    published: str | None
    section: str | None
    site: str
    boxes: str = ""  # elements of other stories: none of their text may be in `text`
    body: str = ""  # article paragraphs: each must be in `text`
    absent: str = ""  # captions, bylines, widgets: not in `text`
    url: str | None = None
    photo_story: bool = False


PAGES = [
    Page(
        "baochinhphu__article_2026.html",
        "baochinhphu.vn",
        "Chính sách mới có hiệu lực từ tháng 3/2026",
        "2026-03-01T09:51:00+07:00",
        "Chính sách và cuộc sống",
        "baochinhphu.vn",
        boxes="[type=RelatedNewsBox] h4 a, .kbwscwlrl-label",
        body="[data-role=content] > p",
    ),
    Page(
        "dantri__article_2026.html",
        "dantri.com.vn",
        "Giá vàng giảm, vẫn cao hơn thế giới gần 20 triệu đồng/lượng",
        "2026-03-07T08:07:18+07:00",
        "Kinh doanh",
        "dantri.com.vn",
        boxes="article[data-content-name=article-related] a, article[data-content-name=article-popular] a,"
        " .swiper-slide a",
        body="[data-slot=content] > p",
    ),
    Page(
        "dantri__article_the-gioi_2022.html",
        "dantri.com.vn",
        'Chiến thuật của Nga khi đưa 50 xe tăng "sát thủ chiến trường" tới Donbass',
        None,
        None,
        "dantri.com.vn",
        boxes="article.article-related h3 a, article.article-related .article-excerpt, .article-related .title-head",
        body=".singular-content > p",
        absent=".singular-content figcaption",
    ),
    Page(
        "dantri__article_xa-hoi_2022.html",
        "dantri.com.vn",
        "Khu vực trung tâm, xóm đạo ở TPHCM kẹt cứng trong đêm Noel",
        None,
        "Xã hội",
        "dantri.com.vn",
        absent="figure.video figcaption",
    ),
    Page(
        "tienphong__article_giai-tri_2026.html",
        "tienphong.vn",
        "Siêu mẫu nội y bị mắng khắp mạng xã hội",
        "2026-09-06T15:33:28+07:00",
        "Giải trí",
        "tienphong.vn",
        boxes=".article-relate h2 a, .related-news h2 a, .basic-box-9 h2 a, .box-heading",
        body=".article__sapo p",
        absent=".article__author, .article__tag a, .article__meta .author",
        photo_story=True,
    ),
    Page(
        "tuoitre__article_2026.html",
        "tuoitre.vn",
        "Chiến sự đẩy giá hoa nhập khẩu dịp 8-3 tăng mạnh",
        "2026-03-07T08:01:00+07:00",
        "Kinh doanh",
        "tuoitre.vn",
        boxes="[type=RelatedOneNews] a, [type=RelatedOneNews] p, .box-category-link-title, .readmore-body-box a",
        body="[data-role=content] > p",
        absent="figcaption, .detail-author-bot, .sendstarauthor",
    ),
    Page(
        "vietnamnet__article_2026.html",
        "vietnamnet.vn",
        "Cổ phiếu FLC được giao dịch trở lại",
        "2026-03-07T08:52:11+07:00",
        "Kinh doanh",
        "vietnamnet.vn",
        boxes=".related-news h3 a",
        body="#maincontent > p",
        absent="figcaption, .article-detail-author__info",
    ),
    Page(
        "vnexpress__article_fragment_phap-luat_2021.html",
        "vnexpress.net",
        "Thứ trưởng Y tế Trương Quốc Cường bị bắt vì cáo buộc gì?",
        "2021-11-04T17:12:00+07:00",
        "Pháp luật",
        "vnexpress.net",
        boxes="ul.list-news li > a[title]",
        body="article.fck_detail > p.Normal",
        absent="figcaption, p.author_mail, .btn_guicauhoi_detail",
        url="https://vnexpress.net/thu-truong-y-te-truong-quoc-cuong-bi-bat-vi-cao-buoc-gi-4381438.html",
    ),
    Page(
        "vnexpress__article_giaitri_2015_goose.html",
        "vnexpress.net",
        "Khánh Ly đến viếng mộ Trịnh Công Sơn",
        "2014-05-02T08:54:00+07:00",
        None,
        "giaitri.vnexpress.net",
        boxes=".relative_new a, #box_xemnhieunhat a[title]",
        absent="p.Normal[style*=right] strong",
        photo_story=True,
    ),
    Page(
        "vnexpress__article_kinh-doanh_2026.html",
        "vnexpress.net",
        "Cách các nước đối phó cú sốc năng lượng từ Trung Đông",
        "2026-03-07T00:05:00+07:00",
        "Kinh doanh",
        "vnexpress.net",
        body="article.fck_detail > p.Normal:not([style])",
        absent="figcaption, p.Normal[style*=right], .footer-content",
    ),
    Page(
        "vnexpress__article_mobile_thoi-su_2026.html",
        "vnexpress.net",
        "Cổ thụ đổ giữa đường, trung tâm TP HCM ùn tắc tứ phía",
        "2026-10-07T07:49:01+07:00",
        "Thời sự",
        "vnexpress.net",
        body="p.short_intro",
        absent="p.Normal[style*=right], .icon_thumb_zoom",
        photo_story=True,
    ),
]


@cache
def _run(name: str, url: str | None) -> tuple[Content, LexborHTMLParser]:
    raw = (REAL / name).read_bytes()
    return extract_content(raw, url), LexborHTMLParser(raw.decode("utf-8", errors="replace"))


def _squash(text: str) -> str:
    """Whitespace-free form: the test joins inline elements differently from the extractor."""
    return re.sub(r"\s+", "", text)


def _texts(tree: LexborHTMLParser, selector: str, min_len: int) -> list[str]:
    if not selector:
        return []
    out = [normalize_text(n.text(separator=" ")) for n in tree.css(selector)]
    return [t for t in out if len(t) >= min_len]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.file.removesuffix(".html"))
def test_real_article_metadata(page: Page) -> None:
    content, _ = _run(page.file, page.url)
    assert content.method == f"profile:{page.profile}"
    assert content.title == page.title
    assert content.published == page.published
    assert content.section == page.section
    assert content.site == page.site
    assert content.language == "vi"
    if page.url is None:
        assert content.canonical_url and content.canonical_url.startswith("http")
        assert content.url == content.canonical_url
    else:
        assert content.url == page.url


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.file.removesuffix(".html"))
def test_real_article_text_has_body_and_no_boxes(page: Page) -> None:
    content, tree = _run(page.file, page.url)
    text = content.text
    assert len(text) >= 300
    assert "\n\n" not in text and text == text.strip()
    boxes = _texts(tree, page.boxes, 12)
    if page.boxes:
        assert boxes, f"test selector {page.boxes!r} found nothing"
    flat = _squash(text)
    leaked = [b for b in boxes if _squash(b) in flat]
    assert not leaked, leaked
    absent = _texts(tree, page.absent, 4)
    assert not [a for a in absent if _squash(a) in flat]
    body = [b for b in _texts(tree, page.body, 40) if not b.startswith("Ảnh:")]
    if page.body:
        assert body
    missing = [b for b in body if _squash(b) not in flat]
    assert not missing, missing


def test_real_sapo_comes_first() -> None:
    content, tree = _run("tuoitre__article_2026.html", None)
    node = tree.css_first("h2.detail-sapo")
    assert node is not None
    assert content.text.split("\n")[0] == normalize_text(node.text())


@pytest.mark.parametrize("page", [p for p in PAGES if p.photo_story], ids=lambda p: p.file)
def test_real_photo_story_keeps_captions_without_credits(page: Page) -> None:
    """A photo story has no paragraph outside its captions: captions are the text, credits go."""
    content, tree = _run(page.file, page.url)
    captions = _texts(tree, "figcaption p, figcaption, table.tplCaption p.Image", 40)
    assert captions
    assert any(c[:40] in content.text for c in captions)
    assert "Ảnh:" not in content.text and "Đồ họa:" not in content.text


def test_real_normal_article_drops_captions() -> None:
    content, tree = _run("dantri__article_xa-hoi_2022.html", None)
    # body paragraphs end with a photo credit "(Ảnh: ...)": the credit goes, the sentence stays
    paras = _texts(tree, ".e-magazine__body > p", 40)
    assert paras and all("(Ảnh:" in p for p in paras)
    assert "(Ảnh:" not in content.text
    assert all(p[: p.index("(Ảnh:")].strip() in content.text for p in paras)


def test_real_fragment_matches_profile_by_dom_marker_without_url() -> None:
    content, _ = _run("vnexpress__article_fragment_phap-luat_2021.html", None)
    assert content.method == "profile:vnexpress.net"
    assert content.url == "" and content.canonical_url is None and content.site == ""


def test_real_head_only_page_keeps_metadata() -> None:
    content, _ = _run("thanhnien__article_head-only_2026.html", None)
    assert content.title and content.title.startswith("Ngày đầu đi xe buýt miễn phí")
    assert content.published == "2026-07-01T16:36:00+07:00"
    assert content.section == "Đời sống"
    assert content.site == "thanhnien.vn"
    assert content.method == "generic"  # the thanhnien profile finds no body in a head-only excerpt


@pytest.mark.parametrize("name", sorted(p.name for p in REAL.glob("*listing*.html")) if REAL.is_dir() else [])
def test_real_listing_does_not_crash(name: str) -> None:
    content, _ = _run(name, None)
    assert isinstance(content.text, str)
    assert content.method == "generic"  # no article body on a listing
    assert content.language == "vi"
