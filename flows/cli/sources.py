"""``campaigns sources check``: what discovery finds on a site, before a crawl stores anything.

Only typer and our own light modules load at import; the crawler loads inside the command.
"""

from __future__ import annotations

import re
from typing import Annotated

import typer

from flows.cli._common import ConfigOption, Format, FormatOption, console, emit, one_line_errors, settings_for

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    sources = typer.Typer(
        name="sources",
        help="The news sources: check what discovery finds on a site before crawling it.",
        no_args_is_help=True,
    )
    sources.command("check")(check)
    app.add_typer(sources, name="sources")


@one_line_errors
def check(
    url: Annotated[
        str | None,
        typer.Argument(help="A start URL to check (a site not configured yet).", show_default=False),
    ] = None,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source", "-s", help="A configured source to check (repeatable; default: all of them)."
        ),
    ] = None,
    pattern: Annotated[
        str | None,
        typer.Option("--pattern", help="Try this article_pattern (a regex on canonical URLs) instead."),
    ] = None,
    unmatched: Annotated[
        bool, typer.Option("--unmatched", help="Also list each link the article_pattern leaves out.")
    ] = False,
    config: ConfigOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Fetch the start pages politely and show what discovery finds: robots.txt rules, listing
    pages followed (and how), feeds, sitemaps, article links. Stores nothing.

    With URL and --source, the source's settings are tried on that start URL."""
    from extractors.urls import canonicalize_url, is_http_url, site_of
    from flows.config import Source
    from flows.steps.check import CHECK_COLUMNS, check_rows, check_sources, check_summary

    if url is not None and not is_http_url(canonicalize_url(url)):
        raise typer.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URL")
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise typer.BadParameter(f"not a regular expression ({exc})", param_hint="--pattern") from None
    settings = settings_for(config)
    if url is not None and not source:
        chosen = [Source(name=site_of(url) or url, start_urls=(url,))]
    else:
        chosen = list(settings.select_sources(source or ()))
        if url is not None:
            chosen = [s.model_copy(update={"start_urls": (url,)}) for s in chosen]
    if pattern is not None:
        chosen = [s.model_copy(update={"article_pattern": pattern}) for s in chosen]
    checks = check_sources(settings, chosen)
    rows = [row for c in checks for row in check_rows(c, unmatched=unmatched)]
    emit(rows, fmt, columns=CHECK_COLUMNS, title="What discovery finds (nothing stored)")
    if fmt is Format.table:
        out = console()
        for c in checks:
            out.print(check_summary(c), markup=False, soft_wrap=True)
