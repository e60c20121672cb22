"""The ``campaigns`` command line: commands only, each a thin shell over a step or a flow.

Importing this package loads typer and our light modules only: ``campaigns --help`` never
imports Prefect, trafilatura or DuckDB.
"""

from flows.cli.app import app, main

__all__ = ["app", "main"]
