"""What every ``campaigns`` command shares: the --config option, settings, one-line errors.

Import nothing heavy here (no Prefect, no trafilatura, no duckdb): ``campaigns --help``
loads this module.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer

from errors import PipelineError

__all__ = ["ConfigOption", "fail", "one_line_errors", "settings_for"]

P = ParamSpec("P")
R = TypeVar("R")

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="TOML config ([storage], [crawl], [[sources]]); default ./campaigns.toml if present.",
        show_default=False,
    ),
]


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one readable line on stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def one_line_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn our errors (and a few obvious OS ones) into one line and exit 1, never a trace."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except PipelineError as exc:
            fail(str(exc))
        except FileNotFoundError as exc:
            fail(f"no such file: {exc.filename}")
        except PermissionError as exc:
            fail(f"permission denied: {exc.filename}")
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper


def settings_for(config: Path | None, **overrides: Any) -> Any:
    """Build the settings (CLI flag > env > config file > defaults); returns ``flows.config.Settings``."""
    from flows.config import load_settings

    return load_settings(config, **overrides)
