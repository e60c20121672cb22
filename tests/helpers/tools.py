"""Independent archive tools in throwaway virtualenvs, so tests hold our files to them.

pywb pins redis 2.x and brings brotlipy (whose ``brotli`` module would shadow the one the
project decodes with), and the oldest DuckDB the project allows cannot share a venv with
the newest, so each runs from its own venv under ``build/tools/<name>``, created from PyPI
on first use and reused while its requirement list is unchanged (a stamp file holds it).
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

__all__ = ["TOOLS", "WEBARCHIVE", "tool_venv"]

TOOLS = ROOT / "build" / "tools"
#: pywb (replay, wb-manager) and py-wacz (wacz validate/create), the versions the issue names.
WEBARCHIVE = ("pywb==2.10.0", "wacz==0.6.0")


def tool_venv(name: str, requirements: tuple[str, ...]) -> Path:
    """The ``bin`` folder of venv ``name`` holding ``requirements`` (created on first use)."""
    venv = TOOLS / name
    stamp = venv / ".requirements"
    wanted = "\n".join(requirements) + "\n"
    TOOLS.mkdir(parents=True, exist_ok=True)
    with (TOOLS / f".{name}.lock").open("w") as lock:  # parallel test processes build it once
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text() == wanted:
            return venv / "bin"
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             *requirements],
            check=True,
            capture_output=True,
            text=True,
        )  # fmt: skip
        stamp.write_text(wanted)
    return venv / "bin"
