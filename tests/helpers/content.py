"""Page builders for the content tests: our own Vietnamese sentences in real site layouts."""

from __future__ import annotations

__all__ = ["BOX_NUMBERS", "MCMS_BODY", "generic_page", "mcms_page"]

#: Paragraphs of an invented police blood-drive story (numbers are the article's).
MCMS_BODY = (
    "<p>Sáng 12/3, Công an tỉnh Hà Nam tổ chức lễ ra quân chương trình hiến máu tình nguyện năm 2024 "
    "với chỉ tiêu tiếp nhận 1.200 đơn vị máu tại 6 điểm hiến máu trên địa bàn tỉnh.</p>"
    "<p>Theo Ban tổ chức, trong những năm qua đã có hơn 8.400 lượt cán bộ, chiến sĩ tham gia hiến máu, "
    "góp phần cứu chữa nhiều bệnh nhân tại các bệnh viện tuyến tỉnh.</p>"
    "<p>Ngay trong buổi sáng, đơn vị đã tiếp nhận 315 đơn vị máu từ các đoàn viên thanh niên "
    "và cán bộ, chiến sĩ của các phòng nghiệp vụ.</p>"
)

#: Numbers that only stand in boxes of other stories: none may reach the text.
BOX_NUMBERS = ("9.876", "4.321", "7.777", "5.555", "2.468")

_BOXES_OUTSIDE = (
    '<div class="box-other"><h3 class="box-heading">Có thể bạn quan tâm</h3>'
    '<article class="story"><h2><a href="/a-1.html">Cần 9.876 tỷ đồng làm đường ven biển</a></h2></article></div>'
    '<div class="box-other"><h3 class="box-heading">Tin khác</h3>'
    '<article class="story"><h2><a href="/a-2.html">Trao 4.321 phần quà cho hộ nghèo</a></h2>'
    '<div class="meta">Cộng đồng 02/03/2024 10:15</div></article>'
    '<article class="story"><h2><a href="/a-3.html">Hơn 7.777 người dự ngày hội đi bộ</a></h2>'
    '<div class="meta">Cộng đồng 01/03/2024 08:40</div></article></div>'
)


def mcms_page(
    body: str = MCMS_BODY,
    *,
    host: str = "anninhthudo.vn",
    head: str = "",
    sapo: str = "ANTĐ - Lực lượng Công an tỉnh tiếp tục lan tỏa phong trào hiến máu cứu người.",
    body_class: str = "article__body zce-content-body cms-body",
    body_attrs: str = 'itemprop="articleBody"',
) -> str:
    """A page in the mcms layout of tienphong / the police papers."""
    canonical = (
        f'<link rel="canonical" href="https://{host}/cong-an-ra-quan-hien-mau-post123456.antd">'
        if host
        else ""
    )
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        "<title>Công an tỉnh ra quân hiến máu tình nguyện | Báo An ninh Thủ đô</title>"
        f"{canonical}{head}</head><body>"
        '<header class="site-header"><ul class="menu"><li><a href="/">Trang chủ</a></li></ul></header>'
        '<div class="article"><div class="breadcrumb breadcrumb-detail"><h2 class="main">'
        '<a href="/xa-hoi/">Xã hội</a></h2></div>'
        '<div class="article__header"><h1 class="article__title cms-title">Công an tỉnh ra quân hiến máu tình nguyện</h1>'
        '<div class="article__meta"><time class="time" datetime="2024-03-12T09:30:00+07:00">12/03/2024 09:30</time>'
        "</div></div>"
        f'<div class="article__sapo cms-desc"><p>{sapo}</p></div>'
        f'<div class="{body_class}" {body_attrs}>{body}</div>'
        f'<div class="article-footer">{_BOXES_OUTSIDE}</div></div>'
        "<footer>Giấy phép số 5.555/GP-BTTTT</footer></body></html>"
    )


def generic_page(body: str, *, head: str = "", title: str = "Ra quân hiến máu tình nguyện") -> str:
    """A page of a layout no profile knows: a plain article block and boxes after it."""
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{title}</title>{head}</head><body>"
        '<nav><a href="/">Trang chủ</a> <a href="/xa-hoi">Xã hội</a></nav>'
        f'<main><article class="story-2026"><h1 class="headline-2026">{title}</h1>'
        f'<div class="content-2026">{body}</div></article>'
        '<section class="more-2026"><h2>Có thể bạn quan tâm</h2><ul>'
        '<li><a href="/b-1.html">Cần 9.876 tỷ đồng làm đường ven biển</a></li>'
        '<li><a href="/b-2.html">Hơn 7.777 người dự ngày hội đi bộ</a></li></ul></section>'
        '<section class="more-2026"><h2>Tin khác</h2>'
        '<div class="item-2026"><a href="/b-3.html">Trao 4.321 phần quà cho hộ nghèo</a>'
        "<span>Cộng đồng 02/03/2024 10:15</span></div></section></main>"
        "<footer>Giấy phép số 2.468/GP-BTTTT</footer></body></html>"
    )
