"""Web archives handed to ``campaigns import``: the WARC and WACZ files named or found under
folders, and each one opened as the WARC files it holds (itself, or a WACZ's ``archive/``
members, each held to the sha256 that the WACZ's ``datapackage.json`` lists).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from errors import ArchiveError, ConfigError

__all__ = ["find_archives", "warc_members"]


_SUFFIXES = (".warc.gz", ".warc", ".wacz")


def find_archives(paths: Sequence[Path]) -> list[Path]:
    """The WARC and WACZ files named, or found under the folders named (sorted); ConfigError for a missing path."""
    found: list[Path] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found += sorted(f for f in path.rglob("*") if f.is_file() and f.name.lower().endswith(_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise ConfigError(f"no such file or folder: {path}")
    return list(dict.fromkeys(found))


def warc_members(path: Path) -> Iterator[tuple[str, Any]]:
    """(name, opener) of the WARC files in ``path``: itself, or a WACZ's ``archive/`` members."""
    if not path.name.lower().endswith(".wacz"):
        yield str(path), lambda: path.open("rb")
        return
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError(f"{path}: not a WACZ (zip) file: {exc}") from None
    with zf:
        hashes = _wacz_hashes(zf)
        for info in zf.infolist():
            if info.filename.startswith("archive/") and info.filename.lower().endswith((".warc", ".warc.gz")):
                name = f"{path}!{info.filename}"

                def opener(info: zipfile.ZipInfo = info, name: str = name) -> Any:
                    return _Checked(zf.open(info), hashes.get(info.filename), name)

                yield name, opener


def _wacz_hashes(zf: zipfile.ZipFile) -> dict[str, str]:
    """``path → sha256 hex`` of the WACZ's datapackage.json (empty when there is none)."""
    try:
        package = json.loads(zf.read("datapackage.json"))
    except (KeyError, ValueError):
        return {}
    out = {}
    for res in package.get("resources", []):
        algo, _, value = str(res.get("hash", "")).partition(":")
        if algo == "sha256" and res.get("path"):
            out[str(res["path"])] = value
    return out


class _Checked:
    """A WACZ member being read, held to the sha256 its datapackage.json lists."""

    def __init__(self, fh: Any, expected: str | None, name: str) -> None:
        self.fh, self.expected, self.name = fh, expected, name

    def __enter__(self) -> Any:
        return self.fh

    def __exit__(self, *exc: object) -> None:
        self.fh.close()
