"""Settings, built once: CLI flag > env ``CAMPAIGNS_*`` > config TOML > defaults.

``load_settings()`` is the only place that reads the environment or a config
file; everything else receives the resulting :class:`Settings` as an argument.
Which config file: the one named (``--config``, a deployment's ``config`` parameter),
else ``$CAMPAIGNS_CONFIG``, else ``./campaigns.toml`` when present (:func:`config_path`).
Everything is checked here, before anything starts: numbers finite and in range,
``article_pattern`` a regular expression, ``pagination`` a template that fills,
start URLs, feeds and sitemaps http(s) URLs with a host.
Nested env names use ``__``: ``CAMPAIGNS_CRAWL__DELAY_SECONDS=2``. A config without
``[[sources]]`` gets the sources shipped in ``flows/sources.toml``, filled in here, once.
Across a process boundary (a flow parameter, a Dask worker) settings travel as
:meth:`Settings.to_payload` and come back with :meth:`Settings.from_payload`, which
reads nothing from the environment.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, InitSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from errors import ConfigError

__all__ = [
    "CONFIG_ENV",
    "DEFAULT_CONFIG_NAME",
    "CrawlSettings",
    "Settings",
    "Source",
    "StorageSettings",
    "config_path",
    "default_sources",
    "load_settings",
]

DEFAULT_CONFIG_NAME = "campaigns.toml"
#: The environment variable naming the config file (a worker's, a deployment's default).
CONFIG_ENV = "CAMPAIGNS_CONFIG"
_SOURCES_FILE = Path(__file__).with_name("sources.toml")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class StorageSettings(_Strict):
    database: Path = Path("campaigns.duckdb")
    archive: Path = Path("archive")
    warc_max_bytes: int = Field(
        default=100 * 1024 * 1024, gt=0, description="rotate WARC files past this size"
    )
    state_dir: Path | None = Field(
        default=None,
        description="per-host politeness state shared by every crawl of this warehouse "
        "(default: '<database name>.hosts' beside the database)",
    )


class CrawlSettings(_Strict):
    delay_seconds: float = Field(default=5.0, ge=0, description="per-host politeness floor")
    max_bytes: int = Field(default=5 * 1024 * 1024, gt=0, description="per response, after decompression")
    timeout_seconds: float = Field(default=30.0, gt=0, description="whole-response deadline")
    connect_timeout_seconds: float = Field(default=10.0, gt=0)
    allow_hosts: tuple[str, ...] = ()
    user_agent: str = (
        "campaign-archive/0.1 (+https://github.com/campaign-archive/campaign-archive; archive bot)"
    )
    max_redirects: int = Field(default=5, ge=0)
    max_retries: int = Field(default=3, ge=0)
    backoff_base_seconds: float = Field(default=1.0, ge=0)
    backoff_max_seconds: float = Field(default=60.0, ge=0)
    max_hosts_concurrent: int = Field(default=16, gt=0)
    listing_depth: int = Field(default=3, ge=1, description="pages of each listing to follow")
    robots_cache_seconds: float = Field(
        default=3600.0, ge=0, description="how long one robots.txt answer serves every crawl of a host"
    )
    sitemap_max_age_days: float = Field(
        default=3.0, gt=0, description="sitemap entries (and child sitemaps) older than this are skipped"
    )
    sitemap_max_urls: int = Field(default=500, ge=0, description="article URLs read from sitemaps per source")
    refresh: bool = False
    fail_after_unreached_runs: int = Field(
        default=3,
        ge=1,
        description="a source not reached in this many crawl runs in a row fails the run (flows.steps.health)",
    )


class Source(_Strict):
    name: str
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    article_pattern: str | None = Field(default=None, description="regex an article URL must match")
    pagination: str | None = Field(
        default=None,
        description="template for page N of a listing: '{url}/trang-{page}.htm' or '{url}?page={page}'",
    )
    keywords: tuple[str, ...] = ()

    @field_validator("start_urls", "feeds", "sitemaps")
    @classmethod
    def _http_urls(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"not an http(s) URL with a host: {url!r}")
        return urls

    @field_validator("article_pattern")
    @classmethod
    def _regex(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc} in {pattern!r}") from None
        return pattern

    @field_validator("pagination")
    @classmethod
    def _template(cls, template: str | None) -> str | None:
        if template is not None:
            try:
                filled = template.format(url="http://example.org/list", page=2, index=1)
            except (KeyError, IndexError, ValueError, AttributeError) as exc:
                raise ValueError(
                    f"not a template of {{url}}, {{page}}, {{index}}: {template!r} ({exc!r})"
                ) from None
            if filled == template.format(url="http://example.org/list", page=3, index=2):
                raise ValueError(f"names no page ({{page}} or {{index}}): {template!r}")
        return template


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CAMPAIGNS_", env_nested_delimiter="__", extra="forbid", frozen=True, allow_inf_nan=False
    )

    storage: StorageSettings = StorageSettings()
    crawl: CrawlSettings = CrawlSettings()
    sources: tuple[Source, ...] = ()
    prefect_home: Path | None = None
    task_runner: Literal["thread", "dask"] = "thread"
    dask_address: str | None = None
    dask_workers: int | None = None
    max_workers: int = Field(default=4, gt=0)

    @property
    def database(self) -> Path:
        return self.storage.database

    @property
    def archive(self) -> Path:
        return self.storage.archive

    @property
    def state_dir(self) -> Path:
        """Where crawls keep per-host politeness state (last request, robots.txt): the configured
        folder, else ``<database name>.hosts`` beside the database, so every crawl of one warehouse
        (a scheduled one and a manual one) shares it."""
        db = self.storage.database
        return self.storage.state_dir or db.with_name(f"{db.stem}.hosts")

    def to_payload(self) -> dict[str, Any]:
        """JSON-able data (a flow parameter), storage paths made absolute."""
        data = self.model_dump(mode="json")
        for name in ("database", "archive", "state_dir"):
            if data["storage"].get(name) is not None:
                data["storage"][name] = str(Path(data["storage"][name]).expanduser().resolve())
        return data

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Settings:
        """The settings of :meth:`to_payload` back (every field given: nothing read from the environment),
        held to the same checks as a config file; ConfigError when they fail."""
        try:
            return cls.model_validate(
                payload
            )  # validation alone: BaseSettings reads the environment in __init__
        except ValidationError as exc:
            raise ConfigError(f"invalid settings: {_first_error(exc)}") from None

    def select_sources(self, names: Iterable[str] = ()) -> tuple[Source, ...]:
        """The configured sources, or those ``names`` (in that order); ConfigError for an unknown one."""
        if not self.sources:
            raise ConfigError("no sources configured: add [[sources]] to the config file")
        wanted = list(dict.fromkeys(names))
        if not wanted:
            return self.sources
        by_name = {s.name: s for s in self.sources}
        missing = [n for n in wanted if n not in by_name]
        if missing:
            raise ConfigError(f"unknown source {', '.join(missing)}; known: {', '.join(by_name)}")
        return tuple(by_name[n] for n in wanted)


def default_sources() -> tuple[Source, ...]:
    """The real target papers shipped in ``flows/sources.toml``."""
    if not _SOURCES_FILE.exists():
        return ()
    data = _read_toml(_SOURCES_FILE)
    try:
        return tuple(Source(**s) for s in data.get("sources", []))
    except ValidationError as exc:
        raise ConfigError(f"{_SOURCES_FILE}: {_first_error(exc)}") from None


def config_path(
    config_file: Path | str | None = None, environ: Mapping[str, str] | None = None
) -> Path | None:
    """The config file :func:`load_settings` reads: ``config_file``, else ``$CAMPAIGNS_CONFIG``, else
    ``./campaigns.toml`` when it exists, else None (defaults and the shipped sources).

    A file named (argument or variable) must exist: ConfigError otherwise.
    """
    env = os.environ if environ is None else environ
    named, why = (
        (config_file, "config file") if config_file is not None else (env.get(CONFIG_ENV), CONFIG_ENV)
    )
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(
                f"config file not found: {path}" if why == "config file" else f"{why}={named}: no such file"
            )
        return path
    default = Path(DEFAULT_CONFIG_NAME)
    return default if default.is_file() else None


def load_settings(config_file: Path | str | None = None, **overrides: Any) -> Settings:
    """Build the settings once, from the file of :func:`config_path` (``config_file`` or
    ``$CAMPAIGNS_CONFIG`` or ``./campaigns.toml``), the environment and ``overrides``.

    ``overrides`` are CLI flags in the settings' nested shape (``{"storage": {"database": ...}}``);
    None values are dropped so an unset flag never hides the file or the environment.
    """
    path = config_path(config_file)
    toml_data = _read_toml(path) if path is not None else {}
    init = _drop_none(overrides)

    class _Built(Settings):
        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, InitSettingsSource(settings_cls, init_kwargs=toml_data))

    try:
        built = _Built(**init)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {_first_error(exc)}") from None
    except SettingsError as exc:  # a CAMPAIGNS_* variable that should hold JSON does not
        raise ConfigError(_env_error(exc)) from None
    values = {name: getattr(built, name) for name in Settings.model_fields}
    values["sources"] = values["sources"] or default_sources()
    return Settings.model_construct(**values)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def _env_error(exc: SettingsError) -> str:
    """Name the ``CAMPAIGNS_*`` variable whose value is not the JSON its field needs."""
    found = re.search(r'field "([^"]+)"', str(exc))
    field = found.group(1).upper() if found else ""
    prefix = f"CAMPAIGNS_{field}"
    names = [n for n in sorted(os.environ) if n.upper() == prefix or n.upper().startswith(prefix + "__")]
    for name in names:
        value = os.environ[name]
        try:
            json.loads(value)
        except json.JSONDecodeError as bad:
            if value.lstrip()[:1] in ("[", "{"):
                return f"environment variable {name}: not valid JSON ({bad.msg} at character {bad.pos})"
    return (
        f"environment variable {' or '.join(names) or prefix}: not the JSON list or table this setting needs"
    )


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in d.items():
        if isinstance(v, dict):
            inner = _drop_none(v)
            if inner:
                out[k] = inner
        elif v is not None:
            out[k] = v
    return out


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err.get("loc", ()))
    return f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid"))
