"""URL canonicalisation: one spelling per page, so discovery dedups and state keys agree.

``canonicalize_url`` resolves a link against its page, then removes what does not
change the page: the fragment, tracking parameters (``utm_*``, ``fbclid``, ``gclid``,
Zalo's ``zarsrc``/``gidzl``, ...), the default port, a trailing slash (not the root),
the mobile/AMP spellings (``m.``/``amp.`` hosts, ``/amp/`` path segments, ``.amp``
suffixes, ``?amp``) and the order of the remaining query parameters. Host names are
lower-cased (IDNA-encoded when not ASCII); percent-escapes are normalised.
Non-HTTP links (``mailto:``, ``javascript:``) come back stripped but otherwise unchanged.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

__all__ = ["TRACKING_PARAMS", "canonicalize_url", "host_of", "is_http_url", "site_of"]

TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "zarsrc",
        "gidzl",
        "zaloid",
        "amp",
        "outputtype",
        "itm_source",
        "itm_medium",
        "itm_campaign",
        "itm_content",
    }
)
_TRACKING_PREFIXES = ("utm_", "vn_", "vnn_", "pk_")
_MOBILE_HOST_PREFIXES = ("m.", "amp.")
_SITE_PREFIXES = ("www.", *_MOBILE_HOST_PREFIXES)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left unescaped in a path / query (RFC 3986 reserved + unreserved).
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = "/:@!$'()*+,;?-._~"
_AMP_EXT = re.compile(r"\.amp(?=\.html?$)|(?<=\.htm)\.amp$|(?<=\.html)\.amp$", re.IGNORECASE)
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)


def host_of(url: str) -> str:
    """The lower-case host name of ``url`` ("" when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def site_of(url: str | None) -> str:
    """The site key of ``url``: its host, lower case, without a "www." / "m." / "amp." prefix
    ("" when there is none). Records, fixtures folders, site profiles and the shipped
    sources all name a site this way."""
    host = host_of(url or "").rstrip(".")
    for prefix in _SITE_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            return host[len(prefix) :]
    return host


def canonicalize_url(url: str, base: str | None = None) -> str:
    """The canonical spelling of ``url`` (resolved against ``base`` when relative)."""
    url = url.strip()
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url
    if port == _DEFAULT_PORTS[scheme]:
        port = None
    userinfo = ""
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "") + "@"
    host = _host(parts.hostname)
    netloc = userinfo + (host if port is None else f"{host}:{port}")
    return urlunsplit((scheme, netloc, _path(parts.path), _query(parts.query), ""))


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    if not host.isascii():
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    for prefix in _MOBILE_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    return f"[{host}]" if ":" in host else host


def _path(path: str) -> str:
    path = _escapes(path, _PATH_SAFE)
    path = "/".join(s for s in path.split("/") if s.lower() != "amp")
    if path in ("", "/"):
        return "/"
    path = posixpath.normpath("/" + path.lstrip("/"))
    path = _AMP_EXT.sub("", path)
    return path.rstrip("/") or "/"


def _query(query: str) -> str:
    kept: list[tuple[str, str, str]] = []
    for piece in query.split("&"):
        if not piece:
            continue
        key, sep, value = piece.partition("=")
        name = unquote(key.replace("+", " ")).lower()
        if name in TRACKING_PARAMS or name.startswith(_TRACKING_PREFIXES):
            continue
        kept.append((_escapes(key, _QUERY_SAFE), sep, _escapes(value, _QUERY_SAFE + "=")))
    kept.sort()
    return "&".join(k + sep + v for k, sep, v in kept)


def _escapes(text: str, safe: str) -> str:
    """Decode escapes of unreserved characters, upper-case the others, escape raw non-ASCII."""
    text = _ESCAPE.sub(_one_escape, text)
    return quote(text, safe=safe + "%")


def _one_escape(m: re.Match[str]) -> str:
    char = chr(int(m.group(1), 16))
    return char if char in _UNRESERVED else m.group(0).upper()
