"""The archive against its index: the weekly check, and the repair after a killed run. No Prefect here.

:func:`verify_archive` reads the index (``warehouse.archive_queries.all_captures``)
over a read-only connection, closes it, then walks every gzip member, record and
digest with :func:`warehouse.warc.reader.verify`. A crawl may write between the two
reads (records not indexed yet), so a check that finds problems reads the index and
the files once more and reports only what is still wrong (:mod:`flows.orchestration.verify`
runs it weekly).

A crawl writes an exchange to WARC (fsynced), then indexes it in DuckDB. A process
killed between the two leaves records the index does not know; a process killed
inside a write leaves a torn tail. :func:`reindex_archive` (run when a crawl run
begins) cuts torn tails (:func:`warehouse.warc.writer.recover`), then indexes every
response or revisit that lies past the indexed end of its file. WARC files are
append-only and closed for good once their writer closes them, so in the normal
case every file ends where its last indexed record ends and nothing is read.
Files still held by a live writer (their ``.open`` marker exists) are left alone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from errors import ArchiveError, WarehouseError
from flows.config import Settings
from warehouse.archive_queries import all_captures, package_selection
from warehouse.db import session, transaction
from warehouse.load import load_captures
from warehouse.types import Capture
from warehouse.warc.reader import iter_captures, verify, warc_files
from warehouse.warc.recovery import recover
from warehouse.warc.wacz import WaczPage, WaczSummary, write_wacz

__all__ = ["ArchiveCheck", "package_archive", "reindex_archive", "verify_archive"]

log = logging.getLogger("campaigns.pipeline")
_SHOWN = 50  # problems listed in the report
_OPEN_MARKER = ".open"  # what warehouse.warc.writer puts beside a file being written


@dataclass(frozen=True, slots=True)
class ArchiveCheck:
    """What the check found: ``indexed`` is None when there was no warehouse to compare with."""

    archive: str
    files: int
    records: int
    indexed: int | None
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def markdown(self) -> str:
        """The report (the flow's artifact)."""
        index = (
            "no warehouse: the index was not compared"
            if self.indexed is None
            else f"held against **{self.indexed}** indexed captures"
        )
        lines = [
            "# Archive verification",
            "",
            f"- `{self.archive}`: **{self.records}** WARC records in {self.files} files, {index}",
            f"- result: **{'ok' if self.ok else f'{len(self.problems)} problems'}**",
        ]
        if self.problems:
            lines += ["", *(f"- {p}" for p in self.problems[:_SHOWN])]
            if len(self.problems) > _SHOWN:
                lines.append(f"- … and {len(self.problems) - _SHOWN} more")
        return "\n".join(lines) + "\n"

    def to_dict(self) -> dict[str, object]:
        return {
            "archive": self.archive,
            "files": self.files,
            "records": self.records,
            "indexed": self.indexed,
            "ok": self.ok,
            "problems": list(self.problems),
        }


def _index(database: Path, busy_timeout: float) -> list[Capture] | None:
    if not database.is_file():
        return None
    with session(database, read_only=True, busy_timeout=busy_timeout) as con:
        return all_captures(con)


def _check(folder: Path, database: Path, busy_timeout: float) -> ArchiveCheck:
    index = _index(database, busy_timeout)
    files = warc_files(folder) if folder.is_dir() else []
    if not files:
        problems = [f"{len(index)} indexed captures but no WARC file in {folder}"] if index else []
        return ArchiveCheck(str(folder), 0, 0, None if index is None else len(index), tuple(problems))
    report = verify(folder, index)
    indexed = None if index is None else len(index)
    return ArchiveCheck(str(folder), len(files), report.records, indexed, tuple(report.problems))


def verify_archive(settings: Settings, *, busy_timeout: float = 30.0, confirm: bool = True) -> ArchiveCheck:
    """Check the archive of ``settings`` against its index; ``confirm`` looks again before reporting problems.

    A warehouse held by a writer for longer than ``busy_timeout`` raises
    :class:`errors.WarehouseBusyError` (transient: the flow retries it).
    """
    folder, database = Path(settings.archive), Path(settings.database)
    check = _check(folder, database, busy_timeout)
    if check.ok or not confirm:
        return check
    return _check(folder, database, busy_timeout)


# -- recovery after a kill -----------------------------------------------------------------


def _closed_files(folder: Path) -> dict[Path, int]:
    """The WARC files no writer holds, with their sizes now."""
    out: dict[Path, int] = {}
    for path in warc_files(folder):
        if path.name.startswith("import-"):  # indexed by the import that brought it (damage and all)
            continue
        if path.with_name(path.name + _OPEN_MARKER).exists():
            continue
        try:
            out[path] = path.stat().st_size
        except OSError:  # removed meanwhile
            continue
    return out


def reindex_archive(settings: Settings) -> list[Capture]:
    """Repair torn tails, then index the records no ``captures`` row points to; returns them."""
    folder = Path(settings.archive)
    if not folder.is_dir():
        return []
    quarantined = recover(folder)
    files = _closed_files(folder)
    if not files:
        return []
    with session(settings.database) as con:
        ends: dict[str, int] = {}
        for cap in all_captures(con):
            ends[cap.warc_file] = max(ends.get(cap.warc_file, 0), cap.offset + cap.length)
        found: list[Capture] = []
        for path, size in files.items():
            end = ends.get(path.name, 0)
            if size <= end:
                continue
            try:
                found += [c for c in iter_captures([path]) if c.offset >= end]
            except ArchiveError as exc:  # damage is the weekly verify's to report; crawl on
                log.warning("archive recovery: %s not reindexed: %s", path.name, exc)
        if found:
            with transaction(con):
                load_captures(con, found)
    if found or quarantined:
        log.warning(
            "archive recovery: %d torn tails quarantined, %d unindexed records indexed",
            len(quarantined),
            len(found),
        )
    return found


# -- a portable package ----------------------------------------------------------------------


def package_archive(
    settings: Settings, out: Path, *, site: str | None = None, since: datetime | None = None
) -> WaczSummary:
    """Write the archive (or the files holding ``site``'s captures since ``since``) as a WACZ."""
    if not Path(settings.database).is_file():
        raise WarehouseError(f"no warehouse at {settings.database}: the package's pages come from it")
    with session(settings.database, read_only=True, busy_timeout=30.0) as con:
        captures, articles = package_selection(con, site=site, since=since)
    names = sorted({c.warc_file for c in captures})
    pages = [WaczPage(url, ts, title, published) for url, ts, title, published in articles]
    what = f"{site or 'all sites'}" + (f" since {since:%Y-%m-%d}" if since else "")
    return write_wacz(out, Path(settings.archive), names, captures, pages, title=f"campaign-archive: {what}")
