"""``campaigns demo``: the demo sites of :mod:`flows.demo.site` started on 127.0.0.1 and
crawled with the nightly flow into a data folder (:func:`run_demo`), or served until
stopped with a config to crawl them (:func:`serve_demo`, ``campaigns demo --serve``).

:func:`run_demo` brings the sites back on the ports of the previous run in its data
folder when free, so a second run sees the same URLs: conditional requests, revisits,
no new rows.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from errors import ConfigError, PipelineError
from flows.config import default_sources, load_settings
from flows.demo.site import DEMO_SITES, DemoSite
from flows.orchestration.prefect_env import configure_prefect, prefect_server
from flows.steps.audit import PROJECT_FIXTURES

__all__ = [
    "DEMO_CAMPAIGN_KEY",
    "DEMO_KEYWORDS",
    "DemoResult",
    "demo_config",
    "run_demo",
    "serve_demo",
    "to_toml",
]

#: The campaign both demo sites cover, the one ``campaigns demo`` compares year over year.
DEMO_CAMPAIGN_KEY = "hanh-trinh-giot-mau-nghia-tinh"


#: Relevance keywords of a demo source when ``flows/sources.toml`` has no source of that site.
DEMO_KEYWORDS: tuple[str, ...] = ("hiến máu", "giọt máu", "đơn vị máu", "phần quà", "trao quà")


_PORTS_FILE = "demo-ports.json"


def demo_config(site: DemoSite, data_dir: Path) -> dict[str, Any]:
    """Settings (as TOML data) that crawl the running demo site into ``data_dir``."""
    shipped = {s.name: s.keywords for s in default_sources()}  # sources are named by their host
    keywords = {lay.name: shipped.get(lay.name) or DEMO_KEYWORDS for lay in site.layouts}
    depth = max(site.listing_pages(lay.name) for lay in site.layouts)
    data_dir = data_dir.resolve()
    return {
        "prefect_home": str(data_dir / ".prefect"),
        "max_workers": 2,
        "storage": {"database": str(data_dir / "campaigns.duckdb"), "archive": str(data_dir / "archive")},
        "crawl": {
            "delay_seconds": 0.05,
            "allow_hosts": ["127.0.0.1"],
            "listing_depth": depth,
            "timeout_seconds": 10.0,
            "connect_timeout_seconds": 5.0,
            "max_retries": 1,
            "backoff_base_seconds": 0.05,
            "backoff_max_seconds": 0.2,
        },
        "sources": site.sources(keywords),
    }


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid TOML basic string


def to_toml(config: dict[str, Any]) -> str:
    """TOML text of a settings dict: scalars, [tables] of scalars, and [[sources]]."""
    lines = [f"{k} = {_toml_value(v)}" for k, v in config.items() if not isinstance(v, dict | list)]
    for name, table in config.items():
        if isinstance(table, dict):
            lines += ["", f"[{name}]", *(f"{k} = {_toml_value(v)}" for k, v in table.items())]
    for name, items in config.items():
        if isinstance(items, list) and items and all(isinstance(i, dict) for i in items):
            for item in items:
                lines += ["", f"[[{name}]]", *(f"{k} = {_toml_value(v)}" for k, v in item.items())]
    return "\n".join(lines) + "\n"


def _saved_ports(data_dir: Path) -> dict[str, int]:
    try:
        data = json.loads((data_dir / _PORTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): int(v) for k, v in data.items()} if isinstance(data, dict) else {}


@dataclass(frozen=True, slots=True)
class DemoResult:
    """What ``campaigns demo`` produced: the run summary and where everything went."""

    summary: dict[str, Any]
    database: Path
    archive: Path
    config: Path


def _data_folder(data_dir: Path) -> Path:
    """The demo's folder, created; ConfigError when it cannot be (a file there, no permission)."""
    data_dir = Path(data_dir)
    if data_dir.exists() and not data_dir.is_dir():
        raise ConfigError(f"--data-dir {data_dir} is a file, not a folder")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create the demo folder {data_dir}: {exc.strerror}") from None
    return data_dir


def _check_fixtures(fixtures: Path) -> None:
    if not any((fixtures / lay.name).is_dir() for lay in DEMO_SITES):
        raise ConfigError(
            f"no demo fixtures under {fixtures} (expected {', '.join(s.name for s in DEMO_SITES)})"
        )


def serve_demo(
    data_dir: Path,
    *,
    fixtures: Path = PROJECT_FIXTURES,
    say: Callable[[str], object] = print,
    stop: threading.Event | None = None,
) -> None:
    """Serve the demo sites until ``stop`` is set (or the process is interrupted), on the ports of
    ``data_dir/demo-ports.json`` when there is one (a port taken is a ConfigError: the URLs must
    stay those the warehouse knows), and write ``data_dir/campaigns.toml`` to crawl them.

    No crawl and no Prefect here: ``campaigns crawl``, ``campaigns schedule`` or a worker
    does the crawling, against these sites, as often as the user likes.
    """
    data_dir = _data_folder(data_dir)
    _check_fixtures(fixtures)
    with DemoSite(fixtures, ports=_saved_ports(data_dir), strict_ports=True) as site:
        (data_dir / _PORTS_FILE).write_text(json.dumps(site.ports), encoding="utf-8")
        config_path = data_dir / "campaigns.toml"
        config_path.write_text(to_toml(demo_config(site, data_dir)), encoding="utf-8")
        for lay in site.layouts:
            say(f"serving {lay.name} at {site.base_url(lay.name)} ({len(site.articles[lay.name])} articles)")
        say(f"config: {config_path} (try: campaigns crawl --config {config_path})")
        say("serving until stopped (Ctrl-C or SIGTERM)")
        (stop or threading.Event()).wait()


def run_demo(
    data_dir: Path,
    *,
    fixtures: Path = PROJECT_FIXTURES,
    say: Callable[[str], object] = print,
    configure: bool = True,
    verbose: bool = False,
) -> DemoResult:
    """Serve the demo sites and crawl them with the nightly flow into ``data_dir``.

    ``configure=False`` leaves Prefect's environment and server alone (tests run under a
    harness); otherwise the run reports to the configured Prefect server, or to a
    temporary one of this process (:func:`flows.orchestration.prefect_env.prefect_server`).
    """
    data_dir = _data_folder(data_dir)
    _check_fixtures(fixtures)
    with DemoSite(fixtures, ports=_saved_ports(data_dir)) as site:
        (data_dir / _PORTS_FILE).write_text(json.dumps(site.ports), encoding="utf-8")
        for lay in site.layouts:
            say(f"serving {lay.name} at {site.base_url(lay.name)} ({len(site.articles[lay.name])} articles)")
        config_path = data_dir / "campaigns.toml"
        config_path.write_text(to_toml(demo_config(site, data_dir)), encoding="utf-8")
        settings = load_settings(config_path)
        server: AbstractContextManager[object] = nullcontext()
        if configure:
            env = configure_prefect(settings, data_dir=data_dir, verbose=verbose)
            say(f"{env.describe()}" + (" (starts in 10-20 s)" if env.ephemeral else ""))
            server = prefect_server(env)
        # Imported here, not at the top: Prefect reads its environment when first imported,
        # so it must come after configure_prefect.
        from flows.orchestration.flows import nightly_crawl, run_outcome

        with server:
            summary, failed_because = run_outcome(
                nightly_crawl(settings=settings.to_payload(), return_state=True)
            )
        if failed_because:
            raise PipelineError(f"the demo crawl failed: {failed_because}")
    return DemoResult(summary, settings.database, settings.archive, config_path)
