"""Opening the DuckDB file: migrations, views, locks, and the one place DuckDB errors become ours.

``connect`` opens (and for writers creates and upgrades) the warehouse; ``session``
is the short write session every writer should use, because DuckDB lets one
process hold the file read-write at a time and readers cannot open it meanwhile.
``transaction`` wraps several loads so a batch lands whole or not at all.

Migrations are the files ``warehouse/migrations/NNN_name.sql``; each runs in its
own transaction and is recorded in ``schema_migrations``. They must not contain
``BEGIN``/``COMMIT`` themselves. ``views.sql`` is re-run whenever a migration was
applied or its text changed (its digest is kept in ``schema_meta``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from errors import WarehouseBusyError, WarehouseError

__all__ = [
    "SCHEMA_VERSION",
    "STORAGE_COMPATIBILITY",
    "Migration",
    "connect",
    "discover_migrations",
    "duckdb_errors",
    "fetch_all",
    "require_database",
    "schema_version",
    "session",
    "transaction",
]

_HERE = Path(__file__).resolve().parent
_MIGRATIONS = _HERE / "migrations"
_VIEWS = _HERE / "views.sql"
_MIGRATION_NAME = re.compile(r"^(\d{3,})_([A-Za-z0-9_]+)\.sql$")
_LOCK_MARKERS = ("could not set lock", "conflicting lock")
#: The storage format new warehouse files are written in: the one of DuckDB 1.1, the oldest
#: version ``pyproject.toml`` allows, so every allowed DuckDB (and the tools built on it) opens them.
STORAGE_COMPATIBILITY = "v1.1.0"
_BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       VARCHAR NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
CREATE TABLE IF NOT EXISTS schema_meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered SQL file of ``warehouse/migrations``."""

    version: int
    name: str
    path: Path


def discover_migrations(folder: Path | None = None) -> tuple[Migration, ...]:
    """The migration files in version order; two files with one number are an error."""
    found: dict[int, Migration] = {}
    for path in sorted((folder or _MIGRATIONS).glob("*.sql")):
        m = _MIGRATION_NAME.match(path.name)
        if m is None:
            continue
        version = int(m.group(1))
        if version in found:
            raise WarehouseError(
                f"two migrations share number {version}: {found[version].path.name}, {path.name}"
            )
        found[version] = Migration(version, m.group(2), path)
    return tuple(found[v] for v in sorted(found))


#: Highest migration number known to the code.
SCHEMA_VERSION: int = max((m.version for m in discover_migrations()), default=0)


@contextmanager
def duckdb_errors(what: str = "database") -> Iterator[None]:
    """Translate DuckDB exceptions raised inside the block into :class:`errors.WarehouseError`."""
    try:
        yield
    except duckdb.Error as exc:
        raise _translate(exc, what) from exc


def fetch_all(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
) -> list[tuple]:
    """Run one statement with bound parameters (``?`` list or ``$name`` mapping) and read its whole result."""
    bound: list[Any] | dict[str, Any] | None
    if params is None:
        bound = None
    elif isinstance(params, Mapping):
        bound = dict(params)
    else:
        bound = list(params)
    with duckdb_errors():
        con.execute(sql, bound)
        if con.description is None:
            return []
        return con.fetchall()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration recorded in the file (0 for a new or foreign file)."""
    rows = fetch_all(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'schema_migrations' AND schema_name = 'main'",
    )
    if not rows[0][0]:
        return 0
    return int(fetch_all(con, "SELECT coalesce(max(version), 0) FROM schema_migrations")[0][0])


def connect(
    path: Path | str,
    *,
    read_only: bool = False,
    busy_timeout: float = 10.0,
    allow_files: bool = True,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writer creates it, applies pending migrations and refreshes the views.

    ``read_only`` never changes the file and refuses a missing one. A file held by
    another process is retried for ``busy_timeout`` seconds, then
    :class:`errors.WarehouseBusyError`. ``allow_files=False`` disables every file
    and network access of SQL (``read_csv``, ``COPY``, ``ATTACH``, extensions) and
    locks the configuration so a query cannot turn it back on.
    """
    db_path = Path(path)
    if read_only:
        require_database(db_path)
    if not read_only:
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WarehouseError(f"cannot create folder for {db_path}: {exc.strerror}") from None
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": True,
        # a new file is written in the storage format of the oldest DuckDB pyproject.toml allows
        "storage_compatibility_version": STORAGE_COMPATIBILITY,
    }
    if not allow_files:
        config["enable_external_access"] = False
    con = _open_with_retry(db_path, read_only=read_only, config=config, busy_timeout=busy_timeout)
    try:
        with duckdb_errors(str(db_path)):
            # DuckDB's own progress bar writes to stdout: into a piped CSV
            con.execute("SET enable_progress_bar = false")
            if not allow_files:
                con.execute("SET lock_configuration = true")
        _check_and_migrate(con, db_path, read_only=read_only)
    except BaseException:
        con.close()
        raise
    return con


def require_database(path: Path | str) -> None:
    """WarehouseError unless the warehouse exists: commands that only read (or re-read) never create one."""
    if not Path(path).is_file():
        raise WarehouseError(f"database {path} does not exist (nothing has been loaded yet?)")


@contextmanager
def session(path: Path | str, **kw: Any) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open, yield, close: writers keep the file only for the length of one batch."""
    con = connect(path, **kw)
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """BEGIN … COMMIT, ROLLBACK on any error. Inside an open transaction it joins the outer one."""
    if _in_transaction(con):
        yield  # the outer transaction commits or rolls back
        return
    with duckdb_errors():
        con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        _rollback_quietly(con)
        raise
    try:
        con.execute("COMMIT")
    except duckdb.Error as exc:
        _rollback_quietly(con)
        raise _translate(exc, "commit") from exc


def _in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Outside a transaction every statement gets a new id; inside one the id stays."""
    probe = "SELECT current_transaction_id()"
    try:
        first = con.execute(probe).fetchall()
        second = con.execute(probe).fetchall()
    except duckdb.TransactionException:
        return True  # an aborted transaction is still open: its owner must roll it back
    except duckdb.Error as exc:
        raise _translate(exc, "database") from exc
    return bool(first == second)


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    # nothing open (the failure already ended it) or the connection is gone
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


def _open_with_retry(
    path: Path,
    *,
    read_only: bool,
    config: dict[str, str | bool | int | float | list[str]],
    busy_timeout: float,
) -> duckdb.DuckDBPyConnection:
    deadline = time.monotonic() + max(busy_timeout, 0.0)
    delay = 0.01
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config)
        except duckdb.Error as exc:
            if not _is_lock_error(exc):
                raise _translate(exc, str(path)) from exc
            if time.monotonic() >= deadline:
                raise WarehouseBusyError(
                    f"database {path} is busy: another process holds it ({_lock_holder(exc)}); "
                    f"gave up after {busy_timeout:g}s, try again when it has finished"
                ) from None
        time.sleep(min(delay * (1 + random.random()), max(deadline - time.monotonic(), 0.0)))
        delay = min(delay * 2, 0.1)


def _check_and_migrate(con: duckdb.DuckDBPyConnection, path: Path, *, read_only: bool) -> None:
    migrations = discover_migrations(_MIGRATIONS)
    known = max((m.version for m in migrations), default=0)
    current = schema_version(con)
    if current > known:
        raise WarehouseError(
            f"database schema version {current} is newer than this program ({known}); upgrade campaign-archive"
        )
    if read_only:
        return
    with duckdb_errors(str(path)):
        con.execute(_BOOTSTRAP)
    applied = {int(r[0]) for r in fetch_all(con, "SELECT version FROM schema_migrations")}
    changed = False
    for mig in migrations:
        if mig.version in applied:
            continue
        script = mig.path.read_text(encoding="utf-8")
        try:
            with transaction(con):
                con.execute(script)
                con.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [mig.version, mig.name]
                )
        except duckdb.Error as exc:
            raise WarehouseError(f"migration {mig.path.name} failed: {_first_line(exc)}") from exc
        changed = True
    _refresh_views(con, force=changed)


def _refresh_views(con: duckdb.DuckDBPyConnection, *, force: bool) -> None:
    if not _VIEWS.is_file():
        return
    text = _VIEWS.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()
    stored = fetch_all(con, "SELECT value FROM schema_meta WHERE key = 'views_sha256'")
    if not force and stored and stored[0][0] == digest:
        return
    try:
        with transaction(con):
            con.execute(text)
            con.execute(
                "INSERT OR REPLACE INTO schema_meta (key, value) VALUES ('views_sha256', ?)", [digest]
            )
    except duckdb.Error as exc:
        raise WarehouseError(f"views.sql failed: {_first_line(exc)}") from exc


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, duckdb.IOException) and any(marker in text for marker in _LOCK_MARKERS)


def _lock_holder(exc: BaseException) -> str:
    m = re.search(r"held in (.+?) \(PID (\d+)\)", str(exc))
    if m is None:
        return "lock conflict"
    return f"{os.path.basename(m.group(1))}, PID {m.group(2)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _translate(exc: duckdb.Error, what: str) -> WarehouseError:
    if _is_lock_error(exc):
        return WarehouseBusyError(f"{what} is busy: another process holds it ({_lock_holder(exc)})")
    if isinstance(exc, duckdb.ConnectionException) and "different configuration" in str(exc):
        return WarehouseError(
            f"{what} is already open in this process with other settings (read-only or file access); close it first"
        )
    return WarehouseError(f"{what}: {_first_line(exc)}" if what != "database" else _first_line(exc))
