"""The warehouse file opens in the oldest DuckDB ``pyproject.toml`` allows.

A real crawl of the demo sites writes the warehouse with the DuckDB of the project's venv;
then the oldest allowed DuckDB (``duckdb>=X.Y`` → ``X.Y.0``, installed in a throwaway venv by
``tests.helpers.tools``) opens the file read-only in a subprocess and queries every view:
it must read the storage format and give the same rows.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import duckdb
import pytest

from flows.config import load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DemoSite
from tests.helpers import ROOT
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import write_site_tree
from tests.helpers.tools import tool_venv

pytestmark = pytest.mark.slow

_QUERIES = {
    "latest_articles": "SELECT url, title, campaign_year FROM latest_articles ORDER BY url",
    "campaign_figures": "SELECT url, kind, role, value FROM campaign_figures ORDER BY ALL",
    "campaign_year_summary": "SELECT * FROM campaign_year_summary ORDER BY ALL",
    "campaign_yoy": "SELECT * FROM campaign_yoy ORDER BY ALL",
    "captures": "SELECT count(*), count(DISTINCT warc_file) FROM captures",
}
_READ = """
import duckdb, json, sys
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"version": duckdb.__version__}
for name, sql in json.loads(sys.argv[2]).items():
    out[name] = [[str(v) for v in row] for row in con.execute(sql).fetchall()]
print(json.dumps(out))
"""


def oldest_allowed_duckdb() -> str:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(d for d in deps if re.match(r"duckdb\b", d))
    m = re.search(r">=\s*(\d+)\.(\d+)(?:\.(\d+))?", spec)
    assert m, f"pyproject.toml declares no minimum DuckDB: {spec}"
    return f"{m.group(1)}.{m.group(2)}.{m.group(3) or 0}"


def test_the_oldest_allowed_duckdb_opens_the_warehouse_and_queries_its_views(tmp_path: Path) -> None:
    version = oldest_allowed_duckdb()
    tree = write_site_tree(tmp_path / "fixtures", per_site=4)
    with DemoSite(tree) as site:
        conf = tmp_path / "campaigns.toml"
        conf.write_text(to_toml(demo_config(site, tmp_path / "data")), encoding="utf-8")
        settings = load_settings(conf)
        crawl_all(settings)

    here = duckdb.connect(str(settings.database), read_only=True)
    try:
        expected = {
            n: [[str(v) for v in row] for row in here.execute(q).fetchall()] for n, q in _QUERIES.items()
        }
    finally:
        here.close()
    assert expected["campaign_figures"] and expected["campaign_yoy"]  # a real warehouse, not an empty one

    bin_ = tool_venv("duckdb-min", (f"duckdb=={version}",))
    run = subprocess.run(
        [str(bin_ / "python"), "-c", _READ, str(settings.database), json.dumps(_QUERIES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    got = json.loads(run.stdout)
    assert got.pop("version") == version
    assert got == expected
