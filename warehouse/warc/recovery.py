"""Crash safety of the WARC writer: the lock-held marker beside the file being written, and
the recovery that runs whenever an archive is opened.

A file being written has a marker beside it (``<name>.open``) whose lock its writer holds.
After a crash (``kill -9``, power loss) the marker remains with no live holder;
:func:`recover` then cuts the file back to its last complete exchange and keeps the torn
bytes in ``quarantine/``. A marker still locked by a live writer is left alone.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from errors import ArchiveError
from warehouse.warc.records import cut_torn_tail

__all__ = ["OPEN_MARKER", "QUARANTINE", "recover", "take_marker"]

QUARANTINE = "quarantine"
#: The suffix of the marker beside a WARC file being written.
OPEN_MARKER = ".open"


def recover(folder: Path, *, all_files: bool = False) -> list[Path]:
    """Cut WARC files left open by a dead writer back to their last complete exchange.

    Files whose ``.open`` marker is still locked by a live writer are left alone.
    The torn bytes are moved to ``folder/quarantine/<file>.<offset>.torn``; the
    quarantined paths are returned. ``all_files`` also checks files without a
    marker (a full scan: slow on a big archive).
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    out: list[Path] = []
    try:
        for stale in folder.glob(f".*{OPEN_MARKER}.*.tmp"):  # a writer died while taking its marker
            if time.time() - stale.stat().st_mtime > 3600:
                _with_dead_marker(stale, lambda: None)
        checked: set[str] = set()
        for marker in sorted(folder.glob(f"*.warc.gz{OPEN_MARKER}")):
            warc = marker.with_name(marker.name[: -len(OPEN_MARKER)])

            def repair(warc: Path = warc) -> None:
                checked.add(warc.name)
                if warc.is_file():
                    q = cut_torn_tail(warc, folder / QUARANTINE)
                    if q is not None:
                        out.append(q)

            _with_dead_marker(marker, repair)
        if all_files:
            for warc in sorted(folder.glob("*.warc.gz")):
                if warc.name not in checked and not (folder / (warc.name + OPEN_MARKER)).exists():
                    q = cut_torn_tail(warc, folder / QUARANTINE)
                    if q is not None:
                        out.append(q)
    except OSError as exc:
        raise ArchiveError(f"cannot recover {folder}: {exc.strerror or exc}") from None
    return out


def _with_dead_marker(marker: Path, action: Callable[[], None]) -> None:
    """Run ``action`` and remove ``marker`` if no live process holds its lock."""
    try:
        fh = marker.open("rb")
    except FileNotFoundError:
        return
    with fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return
        action()
        marker.unlink(missing_ok=True)


def take_marker(folder: Path, name: str) -> IO[bytes]:
    """Create ``<name>.open`` already locked (made under a temporary name, then renamed)."""
    tmp = folder / f".{name}{OPEN_MARKER}.{os.getpid()}.tmp"
    fh = tmp.open("wb")
    fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    fh.write(f"{os.getpid()}\n".encode())
    fh.flush()
    os.rename(tmp, folder / (name + OPEN_MARKER))
    return fh
