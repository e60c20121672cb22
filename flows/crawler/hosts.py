"""Per-host politeness that holds across the steps of a run and across processes.

:class:`HostGate` lets one request to a host run at a time and starts requests no closer
than the delay (start to start), robots.txt included. In one process an ``asyncio.Lock``
does it; given a state folder, the gate also takes an exclusive ``flock`` on
``<folder>/<host>.gate``, a small file holding the wall-clock time of the host's last
request start and the time before which no request may start (``Retry-After``,
backoff). The file is read and written under the lock, and the lock is held for the
whole request, so a scheduled crawl, a manual one and ``campaigns sources check``
running at once stay as polite together as one of them alone. A process that dies
releases its locks (the kernel drops them with the file descriptor).

:class:`RobotsCache` keeps each origin's robots.txt answer in
``<folder>/<origin>.robots.json`` for ``robots_cache_seconds`` (an unavailable answer
for at most 5 minutes), under its own lock, so robots.txt is asked for once per host
per run whatever the number of steps, fetchers or processes.

No waiting blocks the event loop: locks are polled (non-blocking ``flock``, then
``asyncio.sleep``), so other hosts go on meanwhile.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CachedRobots", "HostGate", "RobotsCache", "state_file"]

_POLL = 0.01  # seconds between two tries of a lock another process holds
_FUTURE = 600.0  # a stored time further ahead than this is a clock that moved: ignored
_UNAVAILABLE_MAX_AGE = 300.0
_UNSAFE = re.compile(r"[^a-z0-9.-]+")


def state_file(folder: Path, key: str, suffix: str) -> Path:
    """``folder/<key><suffix>`` with ``key`` (a host or an origin) made a safe file name."""
    return folder / (_UNSAFE.sub("_", key.lower()).strip("_")[:200] + suffix)


async def _flock(fd: int) -> None:
    """Take an exclusive flock on ``fd``, polling while another process holds it."""
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            await asyncio.sleep(_POLL)


@asynccontextmanager
async def _locked(path: Path) -> AsyncIterator[int]:
    """An exclusive flock on ``path`` (created when missing) for the time of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        await _flock(fd)
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _read(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _write(fd: int, data: bytes) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


class HostGate:
    """One host's requests: one at a time, started at least ``delay`` seconds apart."""

    def __init__(self, name: str, folder: Path | None = None) -> None:
        self.name = name
        self.path = state_file(folder, name, ".gate") if folder is not None else None
        self._lock = asyncio.Lock()
        self._fd: int | None = None  # the gate file, opened once, locked for each turn
        self.last_start = float("-inf")  # time.time() of the latest request start known here
        self.not_before = float("-inf")  # time.time() before which no request may start

    @asynccontextmanager
    async def turn(self, delay: float) -> AsyncIterator[None]:
        """Wait for this host's turn, then hold it while the request runs."""
        async with self._lock:
            while True:
                wait = max(self.last_start + delay, self.not_before) - time.time()
                if wait > 0:  # what this process knows already: wait without holding the file
                    await asyncio.sleep(wait)
                async with self._file() as fd:
                    self._load(fd)  # another process may have gone meanwhile
                    now = time.time()
                    if max(self.last_start + delay, self.not_before) <= now:
                        self.last_start = now
                        self._save(fd)  # saved before the request too, in case the process dies in it
                        try:
                            yield
                        finally:
                            self._save(fd)
                        return

    def sent_at(self, monotonic: float) -> None:
        """Inside a turn: the request actually left at ``monotonic`` (``time.monotonic()``),
        maybe after a slow connect; the next start counts from then."""
        if monotonic != float("-inf"):
            self.last_start = max(self.last_start, time.time() - (time.monotonic() - monotonic))

    async def push(self, until: float) -> None:
        """No request to this host before ``until`` (``time.time()``), in any process."""
        async with self._lock, self._file() as fd:
            self._load(fd)
            self.not_before = max(self.not_before, until)
            self._save(fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @asynccontextmanager
    async def _file(self) -> AsyncIterator[int | None]:
        """The gate file, exclusively locked (polled); None without a state folder."""
        if self.path is None:
            yield None
            return
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fd = self._fd
        await _flock(fd)
        try:
            yield fd
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

    def _load(self, fd: int | None) -> None:
        if fd is None:
            return
        try:
            data = json.loads(_read(fd) or b"{}")
            last, not_before = float(data.get("last_start", "-inf")), float(data.get("not_before", "-inf"))
        except (ValueError, TypeError, AttributeError):
            return  # an unreadable file: this process's own times stand, and the next save repairs it
        limit = time.time() + _FUTURE
        if last < limit:
            self.last_start = max(self.last_start, last)
        if not_before < limit:
            self.not_before = max(self.not_before, not_before)

    def _save(self, fd: int | None) -> None:
        if fd is None:
            return
        state = {"host": self.name, "last_start": self.last_start, "not_before": self.not_before}
        _write(fd, json.dumps({k: v for k, v in state.items() if v != float("-inf")}).encode())


@dataclass(frozen=True, slots=True)
class CachedRobots:
    """A robots.txt answer as it was received: ``status`` None when none came (``reason`` says why)."""

    status: int | None
    body: bytes
    reason: str | None
    fetched_at: float  # time.time()


class RobotsCache:
    """robots.txt answers per origin, shared through the state folder (nothing kept without one)."""

    def __init__(self, folder: Path | None, max_age: float) -> None:
        self.folder, self.max_age = folder, max_age

    @asynccontextmanager
    async def holding(self, origin: str) -> AsyncIterator[_Slot]:
        """Hold ``origin``'s entry (one process at a time looks it up and fetches)."""
        if self.folder is None:
            yield _Slot(None, self.max_age)
            return
        async with _locked(state_file(self.folder, origin, ".robots.lock")):
            yield _Slot(state_file(self.folder, origin, ".robots.json"), self.max_age)


class _Slot:
    def __init__(self, path: Path | None, max_age: float) -> None:
        self.path, self.max_age = path, max_age

    def load(self) -> CachedRobots | None:
        """The stored answer while it is fresh, else None."""
        if self.path is None:
            return None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entry = CachedRobots(
                None if data["status"] is None else int(data["status"]),
                str(data["body"]).encode("utf-8"),
                data.get("reason"),
                float(data["fetched_at"]),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        unavailable = entry.status is None or entry.status >= 500
        max_age = min(self.max_age, _UNAVAILABLE_MAX_AGE) if unavailable else self.max_age
        age = time.time() - entry.fetched_at
        return entry if 0 <= age < max_age else None

    def store(self, status: int | None, body: bytes, reason: str | None) -> None:
        if self.path is None or self.max_age <= 0:
            return
        data = {
            "status": status,
            "body": body.decode("utf-8", "replace"),
            "reason": reason,
            "fetched_at": time.time(),
        }
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.path)
