"""Main-content extraction on pages written for the tests (our own sentences, real layouts)."""

from __future__ import annotations

import unicodedata

import pytest

from errors import ExtractionError
from extractors.content import canonical_url, extract_content
from tests.helpers.content import BOX_NUMBERS, MCMS_BODY, generic_page, mcms_page


def _no_box_numbers(text: str) -> None:
    leaked = [n for n in BOX_NUMBERS if n in text]
    assert not leaked, leaked


def test_profile_path_reads_mcms_layout() -> None:
    c = extract_content(mcms_page(), "https://anninhthudo.vn/cong-an-ra-quan-hien-mau-post123456.antd")
    assert c.method == "profile:anninhthudo.vn"
    assert c.title == "Công an tỉnh ra quân hiến máu tình nguyện"
    assert c.published == "2024-03-12T09:30:00+07:00"
    assert c.section == "Xã hội"
    assert c.site == "anninhthudo.vn"
    lines = c.text.split("\n")
    assert lines[0].startswith("ANTĐ - Lực lượng Công an tỉnh")  # the sapo first
    assert "1.200 đơn vị máu tại 6 điểm" in lines[1]
    assert len(lines) == 4
    _no_box_numbers(c.text)


def test_template_changed_falls_back_to_generic_without_boxes() -> None:
    body = MCMS_BODY + (
        '<div class="relbox-x"><h4>Tin liên quan</h4><ul><li><a href="/c.html">Hơn 5.555 người hiến máu ở tỉnh bạn</a>'
        '</li><li><a href="/d.html">Trao 2.468 suất quà Tết</a></li></ul></div>'
        "<p>Dịp này, Ban tổ chức cũng trao giấy khen cho 25 tập thể và 40 cá nhân có thành tích xuất sắc "
        "trong phong trào hiến máu tình nguyện.</p>"
    )
    page = mcms_page(
        body, body_class="content-v2-2026", body_attrs=""
    )  # the profile's body selectors find nothing
    c = extract_content(page, "https://anninhthudo.vn/cong-an-ra-quan-hien-mau-post123456.antd")
    assert c.method == "generic"
    assert "1.200 đơn vị máu" in c.text and "315 đơn vị máu" in c.text
    assert "25 tập thể và 40 cá nhân" in c.text  # the box in the middle is gone, the text after it stays
    _no_box_numbers(c.text)
    assert c.title == "Công an tỉnh ra quân hiến máu tình nguyện"
    assert c.published == "2024-03-12T09:30:00+07:00"


def test_unknown_site_generic_path_and_metadata() -> None:
    head = (
        '<link rel="canonical" href="/tin/ra-quan-hien-mau-123.html">'
        '<meta property="og:title" content="Ra quân hiến máu tình nguyện | Báo Địa Phương">'
        '<meta property="og:site_name" content="Báo Địa Phương">'
    )
    body = (
        '<span class="date">Thứ Năm, 14/03/2024 14:11</span>'
        + MCMS_BODY
        + '<p><a href="/t-1.html">Trao 4.321 phần quà cho hộ nghèo trong dịp Tết Nguyên đán</a></p>'
        + "<p>Chương trình sẽ tiếp tục đến hết tháng 4 với mục tiêu tiếp nhận thêm 500 đơn vị máu.</p>"
    )
    url = "https://www.baodiaphuong.example.vn/tin/ra-quan-hien-mau-123.html?utm=x"
    c = extract_content(generic_page(body, head=head), url)
    assert c.method == "generic"
    assert c.url == url
    assert c.canonical_url == "https://www.baodiaphuong.example.vn/tin/ra-quan-hien-mau-123.html"
    assert c.site == "baodiaphuong.example.vn"
    assert c.title == "Ra quân hiến máu tình nguyện"
    assert c.published == "2024-03-14T14:11:00+07:00"
    assert c.language == "vi"
    assert "1.200 đơn vị máu" in c.text and "500 đơn vị máu" in c.text
    _no_box_numbers(c.text)


def test_seed_like_layout_in_body_teasers_captions_and_boxes() -> None:
    """The anninhthudo shape of the seed: a link-only teaser table and a caption table inside the body."""
    body = (
        "<p>Đợt hiến máu năm nay dự kiến tiếp nhận 900 đơn vị máu.</p>"
        '<table class="relate"><tr><td><a href="/x.html">Trao 4.321 phần quà cho hộ nghèo</a> '
        '<a href="/y.html">Hơn 7.777 người dự ngày hội đi bộ</a></td></tr></table>'
        "<p>Các đơn vị đã đăng ký 1.050 người tham gia hiến máu.</p>"
        '<table class="picture"><tr><td class="pic"><img src="a.jpg"></td></tr>'
        '<tr><td class="caption">Hàng trăm cán bộ tham gia hiến 5.555 đơn vị máu. Ảnh: Nguyễn Văn A</td></tr></table>'
        "<p>Ban tổ chức cảm ơn các tình nguyện viên đã đồng hành.</p>"
        '<p>Tin liên quan</p><p><a href="/z.html">Cần 9.876 tỷ đồng làm đường ven biển</a></p>'
    )
    c = extract_content(mcms_page(body))
    assert c.method == "profile:anninhthudo.vn"
    assert "900 đơn vị máu" in c.text and "1.050 người" in c.text and "tình nguyện viên" in c.text
    _no_box_numbers(c.text)
    assert "Ảnh:" not in c.text and "Hàng trăm" not in c.text


def test_box_with_heading_inside_body_is_removed_text_after_stays() -> None:
    body = (
        "<p>Đoàn Thanh niên phát động chiến dịch với 12 đội hình tình nguyện.</p>"
        '<div class="box"><strong>Xem thêm:</strong><ul><li><a href="/q.html">Trao 4.321 phần quà cho hộ nghèo</a></li>'
        '<li><a href="/r.html">Hơn 7.777 người dự ngày hội đi bộ</a></li></ul></div>'
        "<p>Chiến dịch kéo dài 30 ngày, kết thúc vào cuối tháng 7.</p>"
    )
    c = extract_content(mcms_page(body))
    assert "12 đội hình" in c.text and "30 ngày" in c.text
    _no_box_numbers(c.text)


def test_nfd_input_and_eth_are_normalised() -> None:
    body = "<p>Ðoàn viên Công an tỉnh đã hiến 120 đơn vị máu tại Bệnh viện Đa khoa tỉnh.</p>"
    page = unicodedata.normalize("NFD", mcms_page(body, sapo="Ðợt hiến máu thứ hai trong năm."))
    c = extract_content(page)
    assert unicodedata.is_normalized("NFC", c.text)
    assert "Đoàn viên Công an tỉnh đã hiến 120 đơn vị máu" in c.text
    assert c.text.startswith("Đợt hiến máu thứ hai")
    assert "Ð" not in c.text and c.title == "Công an tỉnh ra quân hiến máu tình nguyện"


def test_duplicated_paragraphs_are_dropped() -> None:
    para = "<p>Buổi lễ thu hút gần 400 người tham gia.</p>"
    c = extract_content(mcms_page(para + para + "<p>Hoạt động kết thúc lúc 11h.</p>" + para))
    lines = c.text.split("\n")
    assert lines.count("Buổi lễ thu hút gần 400 người tham gia.") == 2  # only consecutive repeats go
    assert lines[1:3] == ["Buổi lễ thu hút gần 400 người tham gia.", "Hoạt động kết thúc lúc 11h."]


def test_br_inside_sentence_is_a_space_and_inline_tags_join() -> None:
    body = (
        "<p>Tính đến 15h, đã tiếp nhận hơn<br>1.700 đơn vị<br/>máu từ các <strong>cán</strong> bộ"
        ' <a href="/t">chiến sĩ</a>.</p><p><span class="loc">Hà Nội</span>Chương trình kéo dài hai ngày.</p>'
    )
    c = extract_content(mcms_page(body))
    assert "đã tiếp nhận hơn 1.700 đơn vị máu từ các cán bộ chiến sĩ." in c.text
    assert "Hà Nội Chương trình kéo dài hai ngày." in c.text


def test_lists_headings_tables_are_paragraphs_and_bylines_dropped() -> None:
    body = (
        "<h2>Kết quả đợt 1</h2><ul><li>Điểm 1: 210 đơn vị máu</li><li>Điểm 2: 185 đơn vị máu</li></ul>"
        "<table><tr><th>Đơn vị</th><th>Số đơn vị máu</th></tr><tr><td>Phòng Cảnh sát</td><td>95</td></tr></table>"
        "<blockquote><p>Mỗi giọt máu cho đi là một cuộc đời ở lại.</p></blockquote>"
        '<p style="text-align: right;"><strong>Minh Châu</strong></p>'
    )
    lines = extract_content(mcms_page(body)).text.split("\n")
    assert lines[1:] == [
        "Kết quả đợt 1",
        "Điểm 1: 210 đơn vị máu",
        "Điểm 2: 185 đơn vị máu",
        "Đơn vị | Số đơn vị máu",
        "Phòng Cảnh sát | 95",
        "Mỗi giọt máu cho đi là một cuộc đời ở lại.",
    ]


def test_photo_credit_removed_from_body_paragraphs() -> None:
    body = (
        "<p>Các tình nguyện viên chờ đến lượt hiến máu (Ảnh: Trần Hùng).</p>"
        "<p>Ảnh: Nguyễn Văn A</p><p>Nhiều người đến từ sớm - Ảnh: T.L.</p>"
    )
    lines = extract_content(mcms_page(body)).text.split("\n")
    assert lines[1:] == ["Các tình nguyện viên chờ đến lượt hiến máu.", "Nhiều người đến từ sớm"]


def test_profile_chosen_by_dom_marker_without_url() -> None:
    head = '<meta property="og:site_name" content="Báo An ninh Thủ đô">'
    c = extract_content(mcms_page(host="", head=head))
    assert c.method == "profile:anninhthudo.vn"
    assert c.url == "" and c.site == "" and c.canonical_url is None


def test_json_ld_graph_date_wins_and_utc_is_converted() -> None:
    head = (
        '<script type="application/ld+json">{"@context":"https://schema.org","@graph":['
        '{"@type":"WebPage","name":"x"},{"@type":"NewsArticle","headline":"Tiêu đề","datePublished":'
        '"2022-06-05T01:00:00Z",}]}</script>'
        '<meta property="article:published_time" content="2022-06-06T08:00:00+07:00">'
    )
    assert extract_content(mcms_page(head=head)).published == "2022-06-05T08:00:00+07:00"


def test_bytes_windows_1258_meta_charset() -> None:
    text = "Đoàn viên hiến 150 đơn vị máu tại Bệnh viện Việt Đức."
    page = mcms_page(f"<p>{text}</p>").replace('<meta charset="utf-8">', '<meta charset="windows-1258">')
    raw = _encode_cp1258(page)
    assert raw.decode("cp1258") != page  # combining tone marks: not the same code points
    c = extract_content(raw)
    assert text in c.text
    assert c.title == "Công an tỉnh ra quân hiến máu tình nguyện"


def test_bytes_utf8_with_bom_and_no_charset() -> None:
    page = mcms_page().replace('<meta charset="utf-8">', "")
    c = extract_content(b"\xef\xbb\xbf" + page.encode("utf-8"))
    assert "1.200 đơn vị máu" in c.text


@pytest.mark.parametrize(
    "data",
    [
        b"",
        "",
        "   \n",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"\x00\x01\x02binary\x00" * 50,
        "plain text, no markup",
    ],
    ids=["empty-bytes", "empty-str", "blank", "png", "nul-bytes", "no-markup"],
)
def test_not_html_raises_extraction_error(data: str | bytes) -> None:
    with pytest.raises(ExtractionError):
        extract_content(data)
    with pytest.raises(ExtractionError):
        canonical_url(data)


def test_page_url_canonical_og_and_none() -> None:
    assert canonical_url(mcms_page()) == "https://anninhthudo.vn/cong-an-ra-quan-hien-mau-post123456.antd"
    og = '<meta property="og:url" content="https://cand.com.vn/bai-viet-i700001/">'
    assert canonical_url(mcms_page(host="", head=og)) == "https://cand.com.vn/bai-viet-i700001/"
    relative_only = '<link rel="canonical" href="/chi-co-duong-dan.html">'
    assert canonical_url(mcms_page(host="", head=relative_only)) is None
    assert canonical_url(mcms_page(host="")) is None


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://m.vnexpress.net:443/bai-1.html", "vnexpress.net"),
        ("https://www.anninhthudo.vn/bai-2.antd", "anninhthudo.vn"),
        ("http://amp.cand.com.vn/bai-3", "cand.com.vn"),
        ("https://giaitri.vnexpress.net/bai-4.html", "giaitri.vnexpress.net"),
    ],
)
def test_site_from_url_and_profile_by_host_suffix(url: str, site: str) -> None:
    c = extract_content(mcms_page(host=""), url)
    assert c.site == site and c.url == url
    assert c.method.startswith("profile:") or c.method == "generic"


def test_title_suffix_stripped_only_when_it_is_the_site() -> None:
    head = '<meta property="og:title" content="Hiến máu - Nghĩa cử cao đẹp - Tuổi Trẻ Online">'
    page = generic_page(MCMS_BODY, head=head)
    assert extract_content(page).title == "Hiến máu - Nghĩa cử cao đẹp"
    keep = '<meta property="og:title" content="Công an Hà Nội - Đoàn Thanh niên ra quân">'
    assert (
        extract_content(generic_page(MCMS_BODY, head=keep)).title
        == "Công an Hà Nội - Đoàn Thanh niên ra quân"
    )


def _encode_cp1258(text: str) -> bytes:
    """Windows-1258: letters with hats/horns/breve precomposed, the five tones as combining marks."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (letter + "".join(c for c in parts if c in tones)).encode("cp1258")
    return bytes(out)


def test_box_title_as_bare_text_in_body_ends_the_body() -> None:
    body = (
        "<p>Chương trình tiếp nhận 640 đơn vị máu trong ngày đầu.</p>Tin liên quan"
        '<p><a href="/m.html">Trao 4.321 phần quà cho hộ nghèo</a> (02/03/2024)</p><p>Hơn 7.777 người dự ngày hội đi bộ</p>'
    )
    c = extract_content(mcms_page(body))
    assert c.text.split("\n")[1:] == ["Chương trình tiếp nhận 640 đơn vị máu trong ngày đầu."]


def test_generic_box_before_the_article_does_not_cut_it() -> None:
    sidebar = (
        '<aside-like class="col-left"><div class="hot"><div class="hot-title">Đọc nhiều</div>'
        '<a href="/h1.html">Cần 9.876 tỷ đồng làm đường ven biển</a></div></aside-like>'
    )
    page = generic_page(MCMS_BODY).replace("<main>", "<main>" + sidebar)
    c = extract_content(page, "https://tinhnha.example.vn/bai-1.html")
    assert c.method == "generic"
    assert "1.200 đơn vị máu" in c.text and "315 đơn vị máu" in c.text
    _no_box_numbers(c.text)
    assert not c.text.startswith("Ra quân hiến máu tình nguyện")  # the headline is not body text


@pytest.mark.parametrize(
    ("lang", "body", "expected"),
    [
        ('lang="vi-VN"', MCMS_BODY, "vi"),
        ('lang="en"', MCMS_BODY * 2, "vi"),  # a template default contradicted by the text
        ("", MCMS_BODY, "vi"),
        ("", "<p>The police unit collected 120 units of blood on Sunday morning.</p>", None),
    ],
)
def test_language(lang: str, body: str, expected: str | None) -> None:
    page = mcms_page(body, sapo="").replace('<html lang="vi">', f"<html {lang}>")
    if expected is None:
        page = page.replace("Công an tỉnh ra quân hiến máu tình nguyện", "Police blood drive")
        page = page.replace("Báo An ninh Thủ đô", "Daily").replace("Xã hội", "Society")
        page = page.replace("Trang chủ", "Home")
    assert extract_content(page).language == expected


def _republished_page(canonical: str) -> str:
    """A story of one outlet, republished by another in its own layout (vietnamnet's markup)."""
    return f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Đoàn viên phường hiến 210 đơn vị máu</title>
<link rel="canonical" href="{canonical}">
<meta property="article:published_time" content="2024-06-14T07:30:00+07:00">
</head><body><div class="content-detail">
<h1 class="content-detail-title">Đoàn viên phường hiến 210 đơn vị máu</h1>
<div id="maincontent">
<p>Sáng 13/6, Đoàn phường tổ chức ngày hội hiến máu; ban tổ chức tiếp nhận 210 đơn vị máu.</p>
<p>Nguồn: báo bạn</p>
</div></div>
<div class="box-related"><h3>Tin liên quan</h3><ul><li><a href="/x.html">Trao 3.333 suất quà</a></li></ul></div>
</body></html>"""


def test_a_republished_page_is_read_by_its_layout_with_its_own_metadata() -> None:
    # the URL names vnexpress, whose profile finds no body in this layout: the layout's profile does
    c = extract_content(_republished_page("https://vnexpress.net/doan-vien-hien-mau-4780001.html"))
    assert c.method == "layout:profile:vietnamnet.vn"
    assert "tiếp nhận 210 đơn vị máu" in c.text and "3.333" not in c.text
    assert (c.site, c.title, c.published) == (
        "vnexpress.net",
        "Đoàn viên phường hiến 210 đơn vị máu",
        "2024-06-14T07:30:00+07:00",
    )
    # the site's own page in its own layout is read by its own profile
    assert (
        extract_content(_republished_page("https://vietnamnet.vn/a-123.html")).method
        == "profile:vietnamnet.vn"
    )
