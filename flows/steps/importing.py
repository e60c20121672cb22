"""``campaigns import``: web archives other tools wrote, turned into campaign records.

Each WARC file (``.warc``, ``.warc.gz``; a WACZ's ``archive/`` members) is kept as it is:
copied byte for byte into the archive folder as ``import-<sha256[:12]>-<name>`` (never
rewritten), or, when the same bytes are already there (a WACZ of this archive), left where
they are. Its records are read with their digests checked (:func:`warehouse.warc.scan.scan_warc`),
every response and revisit is indexed in ``captures`` like a crawl's own (so ``archive verify``,
``show``, ``export-cdxj`` and ``reextract`` cover it), and the HTML responses of the configured
sources' articles go through the crawl's own extraction (:func:`flows.steps.extract.extract_archived`,
keywords included) and loader. Every record that gives no article is counted by reason; nothing
is fatal but a file that cannot be read at all.

Idempotent: a file is known by the sha256 of its bytes (``imported_files``), a record by its
WARC-Record-ID, an article by (URL, payload digest): importing twice, or a page the crawl
already stored, adds nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from errors import ArchiveError, ConfigError, PipelineError, describe_error
from extractors.decode import is_textual
from extractors.record import EXTRACTOR_VERSION
from extractors.urls import canonicalize_url, host_of
from flows.config import Settings, Source
from flows.steps.extract import Page, extract_archived
from warehouse.db import session, transaction
from warehouse.history import (
    imported_file,
    known_capture_ids,
    record_import,
    record_origins,
    stored_article_captures,
)
from warehouse.load import load_articles, load_captures
from warehouse.queries import list_campaigns
from warehouse.run_history import finish_run, start_run
from warehouse.types import Capture
from warehouse.warc.inputs import find_archives, warc_members
from warehouse.warc.reader import decode_payload, read_response
from warehouse.warc.records import fsync_dir
from warehouse.warc.scan import Scanned, scan_warc

__all__ = ["FileImport", "ImportSummary", "import_archives"]

log = logging.getLogger("campaigns.pipeline")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_HTML = ("text/html", "application/xhtml+xml")
_BATCH = 200


@dataclass(frozen=True, slots=True)
class FileImport:
    """What importing one file (or one WACZ member) did."""

    source_file: str
    warc_file: str | None
    status: str  # "imported", "already imported", "failed"
    records: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ImportSummary:
    run_id: str
    files: tuple[FileImport, ...]
    articles: int
    loaded: int
    figures: int
    new_campaign_years: tuple[tuple[str, int], ...]

    @property
    def reasons(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for f in self.files:
            total.update(f.reasons)
        return dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0])))

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "files": [
                {"file": f.source_file, "archived_as": f.warc_file, "status": f.status, "records": f.records,
                 "reasons": f.reasons, "error": f.error}
                for f in self.files
            ],
            "records_by_reason": self.reasons,
            "articles": self.articles,
            "loaded": self.loaded,
            "figures": self.figures,
            "new_campaign_years": [list(y) for y in self.new_campaign_years],
        }  # fmt: skip


def import_archives(settings: Settings, paths: Sequence[Path]) -> ImportSummary:
    """Import every archive file of ``paths``; returns what was done, counted by reason."""
    files = find_archives(paths)
    if not files:
        raise ConfigError("no .warc, .warc.gz or .wacz file in " + ", ".join(str(p) for p in paths))
    archive = Path(settings.archive)
    try:
        archive.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ArchiveError(f"cannot create archive folder {archive}: {exc.strerror}") from None
    with session(settings.database) as con:
        run_id = start_run(con, "import", EXTRACTOR_VERSION, {"paths": [str(p) for p in paths]})
        before = _campaign_years(list_campaigns(con))
    done: list[FileImport] = []
    totals = Counter[str]()
    for path in files:
        for name, opener in warc_members(path):
            try:
                result, counts = _import_one(settings, run_id, name, opener)
            except (PipelineError, OSError, zipfile.BadZipFile) as exc:
                result, counts = FileImport(name, None, "failed", error=describe_error(exc)), Counter[str]()
                log.warning("import: %s failed: %s", name, describe_error(exc))
            done.append(result)
            totals.update(counts)
    with session(settings.database) as con:
        after = _campaign_years(list_campaigns(con))
        summary = ImportSummary(
            run_id,
            tuple(done),
            totals["articles"],
            totals["loaded"],
            totals["figures"],
            tuple(sorted(after - before)),
        )
        finish_run(con, run_id, summary.to_dict())
    return summary


# -- one file ----------------------------------------------------------------------------------


def _import_one(settings: Settings, run_id: str, name: str, opener: Any) -> tuple[FileImport, Counter[str]]:
    archive = Path(settings.archive)
    tmp = archive / f".import-{os.getpid()}.tmp"
    sha = hashlib.sha256()
    size = 0
    try:
        reader = opener()
        expected = getattr(reader, "expected", None)  # a WACZ member's sha256 from its datapackage.json
        with reader as src, tmp.open("wb") as out:
            while chunk := src.read(1 << 20):
                sha.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        digest = sha.hexdigest()
        if expected and expected != digest:
            raise ArchiveError(
                f"{name}: sha256 {digest} differs from the WACZ's datapackage.json ({expected})"
            )
        with session(settings.database) as con:
            known = imported_file(con, digest)
        if known is not None:
            log.info("import: %s: already imported as %s", name, known)
            return FileImport(name, known, "already imported"), Counter()
        base = _SAFE.sub("-", Path(name.rsplit("!", 1)[-1]).name)
        same = archive / base
        if same.is_file() and same.stat().st_size == size and _sha256(same) == digest:
            warc_file = base  # these very bytes are already in the archive (a WACZ of it): keep them there
        else:
            warc_file = f"import-{digest[:12]}-{base}"
            os.replace(tmp, archive / warc_file)
            fsync_dir(archive)
    finally:
        tmp.unlink(missing_ok=True)
    return _index_and_extract(settings, run_id, name, warc_file, digest, size)


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _index_and_extract(
    settings: Settings, run_id: str, name: str, warc_file: str, digest: str, size: int
) -> tuple[FileImport, Counter[str]]:
    archive = Path(settings.archive)
    reasons: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    scanned = list(scan_warc(archive / warc_file))
    by_id = {s.record_id for s in scanned if not s.problem and s.type in ("response", "revisit")}
    originals = {s.record_id: s for s in scanned if s.type == "response"}
    with session(settings.database) as con:
        already = known_capture_ids(con, sorted(by_id))
        fresh = [
            s
            for s in scanned
            if not s.problem and s.type in ("response", "revisit") and s.record_id not in already
        ]
        captures = [s.capture(warc_file) for s in fresh if s.record_id and s.date]
        with transaction(con):
            load_captures(con, captures)
            record_origins(con, [c.capture_id for c in captures], "import", run_id, name)
        known_originals = known_capture_ids(con, sorted({s.refers_to for s in fresh if s.refers_to}))
    pages: list[Page] = []
    for s in scanned:
        reason = _reason(s, settings.sources, already, originals, known_originals)
        if reason == "article":
            page = _page(s, warc_file, settings.sources)
            if page is None:
                reason = "undecodable body"
            else:
                pages.append(page)
                continue
        reasons[reason] += 1
    with session(settings.database) as con:  # a page the crawl (or an earlier import) stored: nothing to add
        stored = stored_article_captures(con, sorted({p.capture.url for p in pages}))
    same = {id(p) for p in pages if p.capture.url in stored and _same_body(archive, stored[p.capture.url], p)}
    reasons["already stored"] += len(same)
    pages = [p for p in pages if id(p) not in same]
    for start in range(0, len(pages), _BATCH):
        batch_reasons, batch_totals = _extract_and_load(settings, run_id, pages[start : start + _BATCH])
        reasons.update(batch_reasons)
        totals.update(batch_totals)
    counts = {k: v for k, v in sorted(reasons.items()) if v}
    with session(settings.database) as con:
        record_import(con, digest, warc_file, name, size, run_id, counts)
    log.info(
        "import: %s: %d records (%s)",
        name,
        sum(counts.values()),
        ", ".join(f"{v} {k}" for k, v in counts.items()),
    )
    return FileImport(name, warc_file, "imported", len(scanned), counts), totals


def _same_body(archive: Path, stored: Capture, page: Page) -> bool:
    """True when the stored article's capture holds the same page (bodies compared decoded, since
    one tool asked for gzip and another did not)."""
    if stored.payload_digest == page.capture.payload_digest:
        return True
    try:
        return read_response(archive, stored).body == page.body
    except PipelineError:
        return False


def _reason(
    s: Scanned,
    sources: Sequence[Source],
    already: set[str],
    originals: dict[str, Scanned],
    known_originals: set[str],
) -> str:
    """Why a record gives no new article ("article" when it may)."""
    if s.problem:
        return f"damaged ({s.problem.split(' (')[0]})"
    if s.type not in ("response", "revisit"):
        return f"{s.type} record"
    if not s.digests_ok:
        return "digest mismatch"
    if s.record_id in already:
        return "already archived"
    if s.type == "revisit":
        if s.refers_to and (s.refers_to in originals or s.refers_to in known_originals):
            return "revisit"
        return "revisit without its original"
    if s.truncated:
        return "truncated"
    if not 200 <= s.status < 300:
        return f"http {s.status}" if s.status else "no HTTP response"
    ctype = (s.content_type or "").split(";")[0].strip().lower()
    if ctype and ctype not in _HTML:
        return "not HTML"
    if _source_of(s.url, sources) is None:
        return "not an article of a source"
    return "article"


def _source_of(url: str, sources: Sequence[Source]) -> Source | None:
    """The configured source ``url`` is an article of: its host (and port) is one of the source's
    addresses (or the source's name), and its canonical form matches ``article_pattern``."""
    canonical = canonicalize_url(url)
    netloc = _netloc(canonical)
    for source in sources:
        homes = {_netloc(canonicalize_url(u)) for u in (*source.start_urls, *source.feeds, *source.sitemaps)}
        if netloc not in homes and host_of(canonical).removeprefix("www.") != source.name.removeprefix(
            "www."
        ):
            continue
        if source.article_pattern and not re.search(source.article_pattern, canonical):
            continue
        return source
    return None


def _netloc(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].lower()


def _page(s: Scanned, warc_file: str, sources: Sequence[Source]) -> Page | None:
    body, error = decode_payload(s.payload, s.http_headers)
    if error is not None and not body:
        return None
    source = _source_of(s.url, sources)
    if not is_textual(s.content_type) and s.content_type:
        return None
    return Page(s.capture(warc_file), source.name if source else None, body)


def _extract_and_load(
    settings: Settings, run_id: str, pages: Sequence[Page]
) -> tuple[Counter[str], Counter[str]]:
    """The crawl's extraction and loader over one batch of imported pages."""
    keywords = {s.name: s.keywords for s in settings.sources}
    extracted = extract_archived(settings.archive, pages, keywords)
    reasons: Counter[str] = Counter(
        {"off-topic": len(extracted.off_topic), "extraction error": len(extracted.errors)}
    )
    totals: Counter[str] = Counter()
    good = list(extracted.records)
    with session(settings.database) as con:
        try:  # the whole batch at once, as the crawl loads; one by one only to find a refused record
            totals["loaded"] += load_articles(
                con, [(r, p.capture.capture_id) for p, r in good], run_id=run_id
            )
            reasons["article"] += len(good)
            totals["articles"] += len(good)
            totals["figures"] += sum(len(r.figures) for _, r in good)
            return reasons, totals
        except PipelineError as exc:
            if exc.transient:
                raise
        for page, record in good:
            try:
                totals["loaded"] += load_articles(con, [(record, page.capture.capture_id)], run_id=run_id)
            except PipelineError as exc:
                if exc.transient:
                    raise
                reasons["load error"] += 1
                log.warning("import: cannot load %s: %s", page.capture.url, describe_error(exc))
                continue
            reasons["article"] += 1
            totals["articles"] += 1
            totals["figures"] += len(record.figures)
    return reasons, totals


def _campaign_years(rows: Any) -> set[tuple[str, int]]:
    return {(str(r["key"]), int(y)) for r in rows for y in (r.get("years") or [])}
