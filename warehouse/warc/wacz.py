"""WACZ packages (Web Archive Collection Zipped, 1.1.1): the archive as one portable file.

:func:`write_wacz` zips WARC files as they are (stored, never recompressed) under
``archive/``, the sorted CDXJ index gzipped under ``indexes/index.cdx.gz`` (the name py-wacz
and ``wb-manager`` use), the article pages under
``pages/pages.jsonl`` (so ReplayWeb.page and ``wb-manager add --unpack-wacz`` open the
collection at its articles), ``datapackage.json`` (every file with its sha256 and size)
and ``datapackage-digest.json``. The package is written beside its target and renamed
into place, so a failed export leaves no half file. No SQL here: the caller passes the
captures and pages (the warehouse knows the titles).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from errors import ArchiveError
from warehouse.types import Capture
from warehouse.warc.reader import export_cdxj

__all__ = ["WACZ_VERSION", "WaczPage", "WaczSummary", "write_wacz"]

WACZ_VERSION = "1.1.1"
_SOFTWARE = "campaign-archive/0.1"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class WaczPage:
    """One entry of ``pages.jsonl``: an article as a replay tool lists it."""

    url: str
    ts: str  # capture time, ISO 8601 UTC
    title: str | None = None
    published: str | None = None


@dataclass(frozen=True, slots=True)
class WaczSummary:
    path: Path
    warc_files: int
    captures: int
    pages: int
    bytes: int


def write_wacz(
    out: Path,
    archive: Path,
    warc_names: Sequence[str],
    captures: Iterable[Capture],
    pages: Sequence[WaczPage],
    *,
    title: str = "campaign-archive",
) -> WaczSummary:
    """Write the WACZ ``out`` from the named WARC files of ``archive`` and the captures in them."""
    out = Path(out)
    if not out.parent.is_dir():
        raise ArchiveError(f"cannot write {out}: no folder {out.parent}")
    if not warc_names:
        raise ArchiveError("nothing to package: no WARC file holds a matching capture")
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    resources: list[dict[str, object]] = []
    cdxj = io.StringIO()
    caps = list(captures)
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            for name in sorted(set(warc_names)):
                src = Path(archive) / name
                if not src.is_file():
                    raise ArchiveError(f"cannot package {name}: not in {archive}")
                resources.append(_add_file(zf, f"archive/{name}", src))
            export_cdxj(Path(archive), cdxj, captures=caps)
            index = gzip.compress(
                cdxj.getvalue().encode("utf-8"), mtime=0
            )  # CDXJ lines, as py-wacz names them
            resources.append(_add_bytes(zf, "indexes/index.cdx.gz", index, zipfile.ZIP_STORED))
            resources.append(_add_bytes(zf, "pages/pages.jsonl", _pages_jsonl(pages)))
            package = _datapackage(resources, title, pages)
            zf.writestr(_info("datapackage.json", zipfile.ZIP_DEFLATED), package)
            digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package).hexdigest()}
            zf.writestr(_info("datapackage-digest.json", zipfile.ZIP_DEFLATED), json.dumps(digest, indent=2))
        os.replace(tmp, out)
    except OSError as exc:
        raise ArchiveError(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return WaczSummary(out, len(set(warc_names)), len(caps), len(pages), out.stat().st_size)


def _pages_jsonl(pages: Sequence[WaczPage]) -> bytes:
    lines = [{"format": "json-pages-1.0", "id": "pages", "title": "Articles"}]
    for i, page in enumerate(pages):
        entry: dict[str, object] = {"id": f"p{i:06d}", "url": page.url, "ts": page.ts}
        if page.title:
            entry["title"] = page.title
        if page.published:
            entry["published"] = page.published
        lines.append(entry)  # type: ignore[arg-type]
    return "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode("utf-8")


def _datapackage(resources: list[dict[str, object]], title: str, pages: Sequence[WaczPage]) -> bytes:
    package: dict[str, object] = {
        "profile": "data-package",
        "title": title,
        "resources": resources,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "wacz_version": WACZ_VERSION,
        "software": _SOFTWARE,
    }
    if pages:
        package["mainPageURL"] = pages[0].url
        package["mainPageDate"] = pages[0].ts
    return json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")


def _info(name: str, compress: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, datetime.now(UTC).timetuple()[:6])
    info.compress_type = compress
    return info


def _add_file(zf: zipfile.ZipFile, name: str, src: Path) -> dict[str, object]:
    """Copy ``src`` in, stored as it is (a WARC is read at offsets inside the zip)."""
    sha = hashlib.sha256()
    size = 0
    with src.open("rb") as fh, zf.open(_info(name, zipfile.ZIP_STORED), "w", force_zip64=True) as dst:
        while chunk := fh.read(_CHUNK):
            sha.update(chunk)
            size += len(chunk)
            dst.write(chunk)
    return _resource(name, sha.hexdigest(), size)


def _add_bytes(
    zf: zipfile.ZipFile, name: str, data: bytes, compress: int = zipfile.ZIP_DEFLATED
) -> dict[str, object]:
    zf.writestr(_info(name, compress), data)
    return _resource(name, hashlib.sha256(data).hexdigest(), len(data))


def _resource(path: str, sha256: str, size: int) -> dict[str, object]:
    return {"name": Path(path).name.lower(), "path": path, "hash": f"sha256:{sha256}", "bytes": size}
