"""Two crawls of one host at once (a scheduled one and a manual one: two processes, one
config) never send two requests closer than the delay, robots.txt included, as the
server's request log shows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.demo.run import to_toml
from tests.helpers import ROOT
from tests.helpers.chaos import assert_polite
from tests.helpers.newsite import RemoteSite
from tests.steps.test_discovery_run import unconfigured_config

DELAY = 0.15
_CRAWL = (
    "import sys\n"
    "from flows.config import load_settings\n"
    "from tests.helpers.pipeline import crawl_all\n"
    "crawl_all(load_settings(sys.argv[1]), batch_size=4)\n"
)


@pytest.mark.slow
def test_two_concurrent_crawls_keep_the_delay_together(tmp_path: Path) -> None:
    with RemoteSite() as site:
        conf = tmp_path / "campaigns.toml"
        conf.write_text(to_toml(unconfigured_config(site, tmp_path / "data", delay_seconds=DELAY)))
        crawls = [
            subprocess.Popen(
                [sys.executable, "-c", _CRAWL, str(conf)],
                cwd=ROOT,
                env={
                    **os.environ,
                    "CAMPAIGNS_CRAWL__USER_AGENT": f"crawl-{n}/0.1 (+https://example.invalid/c)",
                },
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in (1, 2)
        ]
        for crawl in crawls:
            _, err = crawl.communicate(timeout=120)
            assert crawl.returncode == 0, err[-3000:]
        hits = site.hits
    by_crawl: dict[str, list[float]] = {}
    for hit in hits:
        by_crawl.setdefault(hit.headers["user-agent"].split("/")[0], []).append(hit.at)
    assert sorted(by_crawl) == ["crawl-1", "crawl-2"]
    one, two = by_crawl["crawl-1"], by_crawl["crawl-2"]
    assert min(one) < max(two) and min(two) < max(one)  # the two crawls did run at the same time
    assert [h.path for h in hits].count("/robots.txt") == 1  # asked once, for both
    assert_polite(hits, DELAY)  # arrival times from the server's kernel
