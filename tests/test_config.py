"""flows/config.py: which file is read, and everything checked when the settings load (one line each)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from errors import ConfigError
from flows.config import CONFIG_ENV, Settings, config_path, load_settings
from tests.helpers import ROOT

_SOURCE = '[[sources]]\nname = "a"\nstart_urls = ["http://127.0.0.1:9/x"]\n'


@pytest.fixture()
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No CAMPAIGNS_* variable from the caller's shell, and a working directory without campaigns.toml."""
    for name in list(os.environ):
        if name.upper().startswith("CAMPAIGNS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _conf(tmp: Path, text: str, name: str = "c.toml") -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_config_file_is_the_flag_then_campaigns_config_then_the_working_directorys(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert config_path(None) is None
    local = _conf(clean_env, _SOURCE, "campaigns.toml")
    assert config_path(None) == Path("campaigns.toml")
    named = _conf(clean_env, _SOURCE.replace('"a"', '"b"'), "elsewhere.toml")
    monkeypatch.setenv(CONFIG_ENV, str(named))
    assert config_path(None) == named
    assert [s.name for s in load_settings().sources] == ["b"]
    assert config_path(local) == local
    monkeypatch.setenv(CONFIG_ENV, str(clean_env / "missing.toml"))
    with pytest.raises(ConfigError, match=r"CAMPAIGNS_CONFIG=.*missing.toml: no such file"):
        load_settings()


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[crawl]\ndelay_seconds = inf\n", "crawl.delay_seconds: Input should be a finite number"),
        ("[crawl]\ndelay_seconds = nan\n", "crawl.delay_seconds: Input should be a finite number"),
        ("[crawl]\ntimeout_seconds = 1e999\n", "crawl.timeout_seconds: Input should be a finite number"),
        (_SOURCE + 'article_pattern = "(["\n', "article_pattern: Value error, not a regular expression"),
        (_SOURCE + 'pagination = "{url}?page={pge}"\n', "not a template of {url}, {page}, {index}"),
        (_SOURCE + 'pagination = "{url}/page"\n', "names no page"),
        (
            '[[sources]]\nname = "a"\nstart_urls = ["anninhthudo.vn/xa-hoi"]\n',
            "not an http(s) URL with a host",
        ),
        ('[[sources]]\nname = "a"\nfeeds = ["ftp://x.vn/rss"]\n', "not an http(s) URL with a host"),
        ('[[sources]]\nname = "a"\nsitemaps = ["https:///sitemap.xml"]\n', "not an http(s) URL with a host"),
        ('task_runner = "spark"\n', "task_runner: Input should be 'thread' or 'dask'"),
    ],
)
def test_bad_values_are_refused_when_the_settings_load(clean_env: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_conf(clean_env, toml))
    assert message in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_payload_is_held_to_the_same_checks(clean_env: Path) -> None:
    payload = load_settings(_conf(clean_env, _SOURCE)).to_payload()
    payload["sources"][0]["article_pattern"] = "(["
    with pytest.raises(ConfigError, match=r"invalid settings: sources\.0\.article_pattern: .*not a regular"):
        Settings.from_payload(payload)


def test_a_config_file_that_is_not_utf8_is_one_line(clean_env: Path) -> None:
    path = clean_env / "latin1.toml"
    path.write_bytes('[[sources]]\nname = "Công an"\n'.encode("cp1258"))
    with pytest.raises(
        ConfigError, match=r"latin1.toml: not UTF-8 text \(byte 0x\w\w at offset \d+\); save it as UTF-8"
    ):
        load_settings(path)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CAMPAIGNS_SOURCES", "[{bad", "environment variable CAMPAIGNS_SOURCES: not valid JSON"),
        ("CAMPAIGNS_CRAWL__ALLOW_HOSTS", "[127.0.0.1]", "CAMPAIGNS_CRAWL__ALLOW_HOSTS: not valid JSON"),
        ("CAMPAIGNS_CRAWL__ALLOW_HOSTS", "127.0.0.1", "CAMPAIGNS_CRAWL__ALLOW_HOSTS: not the JSON list"),
        ("CAMPAIGNS_CRAWL__DELAY_SECONDS", "nan", "crawl.delay_seconds: Input should be a finite number"),
    ],
)
def test_a_bad_environment_variable_is_named(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings()


@pytest.mark.parametrize(
    ("env", "write", "needle"),
    [
        ({}, b'[[sources]]\nname = "C\xf4ng an"\n', "not UTF-8 text"),
        ({"CAMPAIGNS_SOURCES": "[{"}, None, "environment variable CAMPAIGNS_SOURCES: not valid JSON"),
        ({"CAMPAIGNS_CRAWL__DELAY_SECONDS": "1e999"}, None, "Input should be a finite number"),
    ],
)
def test_the_cli_says_it_in_one_line(
    clean_env: Path, env: dict[str, str], write: bytes | None, needle: str
) -> None:
    argv = [str(Path(sys.executable).with_name("campaigns")), "crawl"]
    if write is not None:
        (clean_env / "bad.toml").write_bytes(write)
        argv += ["--config", str(clean_env / "bad.toml")]
    done = subprocess.run(
        argv,
        cwd=clean_env,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("error: ") and needle in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
