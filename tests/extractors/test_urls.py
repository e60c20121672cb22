"""URL canonicalisation: one spelling per page."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.urls import canonicalize_url, host_of, is_http_url


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        # fragments, tracking parameters, parameter order
        ("https://vnexpress.net/a-b-4381438.html#box_comment_vne", "https://vnexpress.net/a-b-4381438.html"),
        (
            "https://dantri.com.vn/xa-hoi/x-20221224204141057.htm?utm_source=fb&utm_medium=s&utm_campaign=c",
            "https://dantri.com.vn/xa-hoi/x-20221224204141057.htm",
        ),
        (
            "https://tuoitre.vn/x-2026.htm?fbclid=IwAR0&gclid=abc&zarsrc=30&gidzl=q",
            "https://tuoitre.vn/x-2026.htm",
        ),
        ("https://vietnamnet.vn/x.html?vnn_source=trangchu&vnn_medium=menu", "https://vietnamnet.vn/x.html"),
        (
            "https://x.vn/search?q=hi%E1%BA%BFn+m%C3%A1u&b=2&a=1",
            "https://x.vn/search?a=1&b=2&q=hi%E1%BA%BFn+m%C3%A1u",
        ),
        # host case, default ports, trailing slash (not the root), dot segments
        ("HTTPS://DanTri.COM.VN:443/Xa-Hoi/", "https://dantri.com.vn/Xa-Hoi"),
        ("http://x.vn:80", "http://x.vn/"),
        ("http://x.vn:8080/a/./b/../c/", "http://x.vn:8080/a/c"),
        ("https://cand.com.vn/Xa-hoi/hien-mau-i712345/", "https://cand.com.vn/Xa-hoi/hien-mau-i712345"),
        # mobile and AMP spellings to the desktop form
        ("https://m.vnexpress.net/a-b-4381438.html", "https://vnexpress.net/a-b-4381438.html"),
        ("https://amp.dantri.com.vn/xa-hoi/x-2022.htm", "https://dantri.com.vn/xa-hoi/x-2022.htm"),
        (
            "https://thanhnien.vn/amp/x-185260701162022832.htm",
            "https://thanhnien.vn/x-185260701162022832.htm",
        ),
        ("https://tuoitre.vn/x-2026.htm/amp", "https://tuoitre.vn/x-2026.htm"),
        ("https://tuoitre.vn/x-2026.amp.htm", "https://tuoitre.vn/x-2026.htm"),
        ("https://baochinhphu.vn/x-102.htm.amp", "https://baochinhphu.vn/x-102.htm"),
        ("https://vnexpress.net/a-1.html?amp", "https://vnexpress.net/a-1.html"),
        ("https://vnexpress.net/a-1.html?outputType=amp&x=1", "https://vnexpress.net/a-1.html?x=1"),
        # percent-escapes: unreserved decoded, others upper-cased, raw non-ASCII escaped
        ("https://x.vn/a%7eb%2fc", "https://x.vn/a~b%2Fc"),
        ("https://x.vn/tìm kiếm", "https://x.vn/t%C3%ACm%20ki%E1%BA%BFm"),
        # a short host is never stripped to a TLD
        ("https://m.vn/x", "https://m.vn/x"),
    ],
)
def test_canonical_spellings(raw: str, canonical: str) -> None:
    assert canonicalize_url(raw) == canonical


def test_relative_links_resolve_against_the_page() -> None:
    page = "https://dantri.com.vn/xa-hoi.htm"
    assert canonicalize_url("/xa-hoi/trang-2.htm", page) == "https://dantri.com.vn/xa-hoi/trang-2.htm"
    assert canonicalize_url("x-2022.htm?utm_source=a#c", page) == "https://dantri.com.vn/x-2022.htm"
    assert canonicalize_url("//m.vnexpress.net/a-1.html", page) == "https://vnexpress.net/a-1.html"


def test_duplicate_spellings_collapse_to_one() -> None:
    base = "http://127.0.0.1:8000/listing"
    spellings = ["/a/dup", "/a/dup?utm_source=fb", "/a/dup#top", "/a/dup/", "/a/dup?fbclid=1&zarsrc=2"]
    assert {canonicalize_url(s, base) for s in spellings} == {"http://127.0.0.1:8000/a/dup"}


def test_non_http_links_are_left_alone() -> None:
    assert canonicalize_url("mailto:toa-soan@example.invalid") == "mailto:toa-soan@example.invalid"
    assert canonicalize_url("javascript:void(0)") == "javascript:void(0)"
    assert not is_http_url("file:///etc/passwd")
    assert is_http_url("https://x.vn/")
    assert host_of("https://WWW.X.vn:81/a") == "www.x.vn"


_segment = st.text(alphabet="abcAMP-_.~%/é ", max_size=12)


@given(
    scheme=st.sampled_from(["http", "https", "HTTP"]),
    host=st.sampled_from(["x.vn", "M.x.vn", "amp.y.com.vn", "127.0.0.1:8080", "z.vn:443"]),
    path=st.lists(_segment, max_size=4),
    query=st.lists(
        st.tuples(st.sampled_from(["a", "b", "utm_x", "fbclid", "q", "amp"]), st.text("xy1% ", max_size=3)),
        max_size=4,
    ),
    fragment=st.text("ab", max_size=3),
)
def test_canonicalisation_is_idempotent(
    scheme: str, host: str, path: list[str], query: list[tuple[str, str]], fragment: str
) -> None:
    url = f"{scheme}://{host}/" + "/".join(path)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query)
    if fragment:
        url += "#" + fragment
    once = canonicalize_url(url)
    assert canonicalize_url(once) == once
    assert "#" not in once and "utm_" not in once and "fbclid" not in once
