"""Helpers shared by the tests, imported one way: ``from tests.helpers.<module> import ...``.

``ROOT`` is the repository, ``SHARED`` the ``../shared`` folder beside it (tests that read
it skip when it is absent), ``REALPAGES`` its saved real pages.
"""

from pathlib import Path

__all__ = ["FIXTURES", "REALPAGES", "ROOT", "SCHEMA", "SHARED"]

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
REALPAGES = SHARED / "realpages"
SCHEMA = SHARED / "spec" / "article-record.schema.json"
FIXTURES = ROOT / "fixtures"
