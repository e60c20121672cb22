"""The README's command examples run as printed after `make demo`.

A demo warehouse is built the way `campaigns demo` builds it (the demo sites served from the
project's fixtures, crawled with the plain recipe into ``demo-data/``), then every example of
the Commands section that reads it (``-c demo-data/campaigns.toml``), and the extract and audit
examples, run in one shell from a folder laid out like the project's, through the installed
``campaigns`` script. The examples that need the network or a Prefect server (crawl, schedule,
demo) are left out.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flows.config import load_settings
from flows.demo.run import demo_config, to_toml
from flows.demo.site import DEMO_SITES, DemoSite
from tests.helpers.pipeline import crawl_all
from tests.helpers.sites import ROOT

pytestmark = pytest.mark.slow


def readme_examples() -> list[str]:
    """The shell lines of the README's Commands section that read the demo, or the fixtures."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Commands") : readme.index("## Extraction quality")]
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        for line in block.splitlines():
            reads_demo = "demo-data/campaigns.toml" in line
            local = re.match(r"campaigns (extract fixtures/|audit( |$))", line) and "--add" not in line
            if reads_demo or local:
                lines.append(line)
    return lines


def test_the_readme_has_runnable_examples_of_every_read_command() -> None:
    examples = "\n".join(readme_examples())
    for command in ("sql", "compare", "campaigns", "export", "report", "archive verify", "archive show",
                    "archive export-cdxj", "reextract", "audit", "extract"):  # fmt: skip
        assert f"campaigns {command} " in examples or f"campaigns {command}\n" in examples + "\n", command


def test_the_readme_examples_run_as_printed(tmp_path: Path) -> None:
    if not all((ROOT / "fixtures" / s.name).is_dir() for s in DEMO_SITES):
        pytest.skip("the project's demo fixtures are not here")
    data = tmp_path / "demo-data"
    with DemoSite(ROOT / "fixtures") as site:
        data.mkdir()
        (data / "campaigns.toml").write_text(to_toml(demo_config(site, data)), encoding="utf-8")
        crawl_all(load_settings(data / "campaigns.toml"))
    (tmp_path / "fixtures").symlink_to(ROOT / "fixtures")
    script = "set -e\n" + "".join(f"echo '>>> {n}'\n{line}\n" for n, line in enumerate(readme_examples()))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("FORCE_COLOR", None)
    done = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    last = done.stdout.rsplit(">>> ", 1)[-1].split("\n", 1)[0]
    assert done.returncode == 0, f"example {last}: {readme_examples()[int(last)]}\n{done.stderr[-3000:]}"
    assert "Hành trình giọt máu nghĩa tình" in done.stdout and "Traceback" not in done.stderr
    assert (tmp_path / "report.html").is_file() and (tmp_path / "history.csv").is_file()
    assert "HTTP/1.1 200" in done.stdout or " 200 OK" in done.stdout  # archive show printed the capture
