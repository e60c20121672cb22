"""Prefect's environment: the project's defaults for every process, and the server runs report to.

Prefect reads its settings when it is first imported, so the CLI calls
:func:`configure_prefect` before it imports :mod:`flows.orchestration.flows`, then runs its
flows inside :func:`prefect_server`.

**One place for the project's defaults.** :data:`PROJECT_ENV` is what every process of
the project runs with: offline (``DO_NOT_TRACK``, no server analytics) and quiet. The
``campaigns`` commands apply it here; the runs of ``campaigns schedule`` inherit it; the
runs a worker starts get it from the deployments' job variables (``prefect.yaml``, held
equal to it by a test).

**Prefect's own settings resolution.** Which server, which log levels: environment >
``prefect.toml`` > the active Prefect profile (``prefect config set ...``,
``prefect profile use ...``) > the defaults here. The project's defaults fill only what
none of those set, and the profiles file stays the user's even though PREFECT_HOME moves.

Where Prefect keeps its state (``PREFECT_HOME``: the temporary server's SQLite database and
log): ``settings.prefect_home`` when set (config ``prefect_home = ...`` or
``CAMPAIGNS_PREFECT_HOME``); else ``<data-dir>/.prefect`` for ``campaigns demo`` (deleting
the demo folder deletes everything it made); else ``~/.campaign-archive/prefect``.

Which server: the API URL of Prefect's settings (environment or profile), which must
answer; without one, a temporary server of this process
(:class:`flows.orchestration.temp_server.TemporaryServer`, 7–16 s to start here) that
dies with it, even on ``kill -9``.

Prefect's own logs (task and flow states, tracebacks) go to the run history on the
server; on the terminal only with ``verbose`` (``campaigns crawl --verbose``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from errors import ConfigError
from flows.orchestration.temp_server import TemporaryServer

__all__ = [
    "DEFAULT_PREFECT_HOME",
    "PROJECT_ENV",
    "PrefectEnv",
    "configure_prefect",
    "prefect_home_for",
    "prefect_server",
]

DEFAULT_PREFECT_HOME = Path("~/.campaign-archive/prefect")

#: Always, whatever the shell or profile says: the project never calls home.
_OFFLINE = {"DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
#: Prefect settings the project defaults, where no environment variable, prefect.toml or profile sets them.
_DEFAULTS = {
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
    "PREFECT_LOGGING_LOG_PRINTS": "false",
}
#: The project's environment for every process that runs its flows (and a worker's job variables).
PROJECT_ENV: dict[str, str] = {**_OFFLINE, **_DEFAULTS}
#: Prefect's console log handler (``PREFECT_LOGGING_[PATH]_[KEY]`` overrides its logging.yml):
#: off the terminal unless verbose. Records still reach the run history (the API handler).
_QUIET_CONSOLE = ("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")


@dataclass(frozen=True, slots=True)
class PrefectEnv:
    """What :func:`configure_prefect` decided: where the state lives, which server runs flows."""

    home: Path
    api_url: str | None
    api_source: str = ""  # where the API URL comes from: "PREFECT_API_URL" or "Prefect profile 'x'"
    temporary: bool = False  # a temporary server of this process (see prefect_server)
    serve_url: str = "http://127.0.0.1:4200/api"  # where `prefect server start` would listen

    @property
    def ephemeral(self) -> bool:
        """True when no server is configured: the runs need a temporary one."""
        return self.api_url is None or self.temporary

    def describe(self) -> str:
        if self.temporary:
            server = f"temporary local server at {self.api_url}"
        elif self.api_url:
            server = f"{self.api_url} ({self.api_source})"
        else:
            server = "temporary local server"
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


def _user_profiles(env: MutableMapping[str, str]) -> str:
    """The profiles file Prefect would read without our PREFECT_HOME (where `prefect config set` writes)."""
    if env.get("PREFECT_PROFILES_PATH"):
        return env["PREFECT_PROFILES_PATH"]
    return str(Path(env.get("PREFECT_HOME") or "~/.prefect").expanduser() / "profiles.toml")


def configure_prefect(settings: Any, *, data_dir: Path | None = None, verbose: bool = False) -> PrefectEnv:
    """Write Prefect's environment (``os.environ``), create PREFECT_HOME and resolve Prefect's
    settings (environment, prefect.toml, profile) with the project's defaults.

    Must run before the first ``import prefect`` of the process to take full effect (the
    log configuration is read when ``prefect.main`` is first imported).
    """
    env = os.environ
    home = prefect_home_for(settings, data_dir)
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create PREFECT_HOME {home}: {exc.strerror}") from None
    env["PREFECT_PROFILES_PATH"] = _user_profiles(env)
    env["PREFECT_HOME"] = str(home)
    env.update(_OFFLINE)
    if not verbose:
        env.setdefault(*_QUIET_CONSOLE)
    # Prefect after the environment it reads at import (the documented exception to top-level imports).
    from prefect.context import refresh_global_settings_context
    from prefect.settings import Settings, get_current_settings

    chosen = Settings().to_environment_variables(exclude_unset=True)  # env, prefect.toml, profile
    for name, value in _DEFAULTS.items():
        if name not in chosen:
            env.setdefault(name, value)
    refresh_global_settings_context()
    current = get_current_settings()
    api_url = str(current.api.url) if current.api.url else None
    api = current.server.api
    return PrefectEnv(
        home=home,
        api_url=api_url,
        api_source="PREFECT_API_URL"
        if env.get("PREFECT_API_URL")
        else f"Prefect profile {_profile_name()!r}",
        serve_url=f"http://{api.host}:{api.port}/api",
    )


def _profile_name() -> str:
    from prefect.context import get_settings_context

    return get_settings_context().profile.name


@contextmanager
def prefect_server(env: PrefectEnv) -> Iterator[PrefectEnv]:
    """The server the runs of this block report to: the configured one, which must answer, else a
    temporary server of this process, stopped at the end (and dying with the process if killed).
    """
    if env.api_url and not env.temporary:
        _check_answers(env)
        yield env
        return
    from prefect.context import refresh_global_settings_context
    from prefect.settings import get_current_settings

    server_env = {**os.environ, **get_current_settings().to_environment_variables(exclude_unset=True)}
    server_env.pop("PREFECT_API_URL", None)
    timeout = float(server_env.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or 90)
    with TemporaryServer(env.home, server_env, timeout=timeout) as server:
        os.environ["PREFECT_API_URL"] = server.api_url
        refresh_global_settings_context()
        try:
            yield replace(env, api_url=server.api_url, api_source="temporary", temporary=True)
        finally:
            _drain_to_server()
            os.environ.pop("PREFECT_API_URL", None)
            refresh_global_settings_context()


def _drain_to_server(timeout: float = 10.0) -> None:
    """Send what Prefect still holds for the server (logs, events) before it stops, not at exit."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=timeout)
    EventsWorker.drain_all(timeout=timeout)


def _check_answers(env: PrefectEnv) -> None:
    """A configured server that does not answer is one line, not a retry storm and a traceback."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    if problem is not None:
        why = " ".join(str(problem).split()) or type(problem).__name__
        raise ConfigError(
            f"no Prefect server answers at {env.api_url} (set by {env.api_source}): {why}. "
            "Start one (`prefect server start`) or unset it to run with a temporary server"
        )
