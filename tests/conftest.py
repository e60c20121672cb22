"""Shared pytest set-up: the ``--update-golden`` flag and one Prefect test server per session.

Tests that run flows take the ``prefect_harness`` fixture (and are marked ``slow``): the
temporary Prefect server starts once (~11 s) on first use and stops at the end of the
session. Tests that do not use it never import Prefect.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the project importable without `pip install -e .`
    sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the fixtures' expected files from the current extraction (review the diff).",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when pytest runs with --update-golden."""
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """``../shared`` beside the repository; skips the test where it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(scope="session")
def prefect_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A temporary Prefect server and database for the whole session (quiet, offline)."""
    from flows.orchestration.prefect_env import configure_prefect

    saved = dict(os.environ)
    home = tmp_path_factory.mktemp("prefect-home")
    os.environ.pop("PREFECT_API_URL", None)
    configure_prefect(None, data_dir=home)
    from prefect.testing.utilities import prefect_test_harness

    try:
        with prefect_test_harness(server_startup_timeout=90):
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
