"""One kinds table (extractors/kinds.toml): the record type, the spec, the warehouse and the
year-over-year columns all say the same kinds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extractors.kinds import HEADLINE_KINDS, KIND_TABLE, YOY_KINDS, label, short_label
from extractors.record import KINDS
from tests.helpers import SCHEMA
from warehouse.db import connect

NAMES = [k.name for k in KIND_TABLE]


def test_the_table_lists_each_kind_once_with_labels() -> None:
    assert len(NAMES) == len(set(NAMES))
    assert all(k.label and k.short for k in KIND_TABLE)
    assert label("blood_units") == "Blood units" and short_label("participants") == "people"
    assert set(HEADLINE_KINDS) <= set(YOY_KINDS) <= set(NAMES)


def test_the_record_type_has_the_table_kinds() -> None:
    assert set(KINDS) == set(NAMES)


def test_the_spec_schema_has_the_table_kinds() -> None:
    if not SCHEMA.is_file():
        pytest.skip("../shared is not present")
    text = SCHEMA.read_text(encoding="utf-8")
    enum = json.loads(text)["properties"]["figures"]["items"]["properties"]["kind"]["enum"]
    assert set(enum) == set(NAMES)


def test_the_warehouse_check_constraint_has_the_table_kinds(tmp_path: Path) -> None:
    con = connect(tmp_path / "w.duckdb")
    try:
        checks = [
            r[0]
            for r in con.execute(
                "SELECT constraint_text FROM duckdb_constraints() "
                "WHERE table_name = 'figures' AND constraint_type = 'CHECK'"
            ).fetchall()
        ]
    finally:
        con.close()
    (kind_check,) = [c for c in checks if re.search(r"\bkind IN", c)]
    assert set(re.findall(r"'([a-z_]+)'", kind_check)) == set(NAMES)
