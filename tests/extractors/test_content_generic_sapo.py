"""The lead of an unknown layout is kept; teasers with a lead-like class are not."""

from __future__ import annotations

from extractors.content import extract_content

_PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tin tỉnh</title>
<link rel="canonical" href="https://baomoi-tinh.example.vn/tin/giot-hong-123.html"></head><body>
<div class="sidebar"><a href="/khac.html"><p class="item-sapo">Hơn 9.999 người dự lễ hội pháo hoa ở nơi khác.</p></a></div>
<main><h1>Ngày hội hiến máu ở vùng biên</h1>
<div class="news-sapo"><strong>Ngày 18/10, Công an tỉnh tổ chức ngày hội hiến máu tại 03 điểm trên địa bàn.</strong></div>
<div class="news-body">
<p>Ngay từ sáng sớm, đông đảo cán bộ, chiến sĩ và người dân đã có mặt tại các điểm hiến máu để đăng ký.</p>
<p>Kết thúc ngày hội, Ban tổ chức đã tiếp nhận 412 đơn vị máu, vượt kế hoạch đề ra từ đầu năm.</p>
<p>Toàn bộ số máu được chuyển về Bệnh viện Đa khoa tỉnh để phục vụ cấp cứu, điều trị người bệnh.</p>
</div></main>
<div class="teasers"><div class="lead"><a href="/x.html">Tin khác: 7.000 phần quà ở nơi khác</a></div></div>
</body></html>"""


def test_the_lead_after_the_headline_comes_first_and_teasers_stay_out() -> None:
    content = extract_content(_PAGE, None)
    assert content.method == "generic"
    assert content.text.startswith("Ngày 18/10, Công an tỉnh tổ chức ngày hội hiến máu tại 03 điểm")
    assert "412 đơn vị máu" in content.text
    assert "9.999" not in content.text and "7.000 phần quà" not in content.text
