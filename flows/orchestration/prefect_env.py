"""Prepare Prefect's environment before ``import prefect``.

Prefect reads its settings from the environment when it is first imported, so the
CLI calls :func:`configure_prefect` first and imports :mod:`flows.orchestration.flows` after.

Where Prefect keeps its state (``PREFECT_HOME``: the SQLite database of the
temporary server, logs, profiles):

- ``settings.prefect_home`` when set (config ``prefect_home = ...`` or
  ``CAMPAIGNS_PREFECT_HOME``);
- else ``<data-dir>/.prefect`` for ``campaigns demo`` (the demo is self-contained:
  deleting its folder deletes everything it made);
- else ``~/.campaign-archive/prefect``.

When ``PREFECT_API_URL`` is set, flows report to that server (``prefect server
start``); otherwise Prefect starts a temporary local server for the run
("ephemeral" mode), which takes 7–16 s on this kind of machine.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from errors import ConfigError

__all__ = ["DEFAULT_PREFECT_HOME", "PrefectEnv", "configure_prefect", "prefect_home_for"]

DEFAULT_PREFECT_HOME = Path("~/.campaign-archive/prefect")

#: Always set: offline and quiet, whatever the user's shell says.
_FORCED = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
#: Set unless the user chose otherwise in the environment.
_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_SERVER_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
    "PREFECT_UI_ENABLED": "false",
}


@dataclass(frozen=True, slots=True)
class PrefectEnv:
    """What :func:`configure_prefect` decided: where the state lives, which server runs flows."""

    home: Path
    api_url: str | None

    @property
    def ephemeral(self) -> bool:
        """True when a temporary local server will be started for the run."""
        return self.api_url is None

    def describe(self) -> str:
        server = "temporary local server" if self.ephemeral else self.api_url
        return f"Prefect: {server}; PREFECT_HOME={self.home}"


def prefect_home_for(settings: Any, data_dir: Path | None = None) -> Path:
    """The PREFECT_HOME for these settings (see the module docstring for the order)."""
    chosen = getattr(settings, "prefect_home", None)
    if chosen is not None:
        home = Path(chosen)
    elif data_dir is not None:
        home = Path(data_dir) / ".prefect"
    else:
        home = DEFAULT_PREFECT_HOME
    return home.expanduser().resolve()


def configure_prefect(
    settings: Any,
    *,
    data_dir: Path | None = None,
    environ: MutableMapping[str, str] | None = None,
) -> PrefectEnv:
    """Write Prefect's environment (``environ``, default ``os.environ``) and create PREFECT_HOME.

    Must run before the first ``import prefect`` of the process to take effect;
    afterwards Prefect keeps the settings it read at import.
    """
    env = os.environ if environ is None else environ
    home = prefect_home_for(settings, data_dir)
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create PREFECT_HOME {home}: {exc.strerror}") from None
    env["PREFECT_HOME"] = str(home)
    env.update(_FORCED)
    for name, value in _DEFAULTS.items():
        env.setdefault(name, value)
    api_url = env.get("PREFECT_API_URL") or None
    return PrefectEnv(home=home, api_url=api_url)
