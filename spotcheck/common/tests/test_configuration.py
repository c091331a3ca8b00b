"""config/env.py: typed environment readers that fail loudly, and the production guard."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
    generated_secret,
)
from config.redis_urls import with_timeouts

BASE_DIR = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("TRUE", True), (" yes ", True), ("on", True), ("0", False), ("off", False)],
)
def test_env_bool_reads_the_usual_spellings(
    raw: str, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setenv("SPOTCHECK_TEST_FLAG", raw)

    # when
    value = env_bool("SPOTCHECK_TEST_FLAG", not expected)

    # then
    assert value is expected


def test_env_bool_rejects_maybe(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("SPOTCHECK_TEST_FLAG", "maybe")

    # when / then
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_bool("SPOTCHECK_TEST_FLAG", False)
    assert str(excinfo.value) == (
        "环境变量 SPOTCHECK_TEST_FLAG='maybe' 不是布尔值（应为 true/false、1/0）"
    )


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_env_bool_falls_back_to_the_default_when_unset_or_blank(
    raw: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    if raw is None:
        monkeypatch.delenv("SPOTCHECK_TEST_FLAG", raising=False)
    else:
        monkeypatch.setenv("SPOTCHECK_TEST_FLAG", raw)

    # when / then
    assert env_bool("SPOTCHECK_TEST_FLAG", True) is True


def test_env_int_rejects_abc(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("SPOTCHECK_TEST_NUMBER", "abc")

    # when / then
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_int("SPOTCHECK_TEST_NUMBER", 5)
    assert str(excinfo.value) == "环境变量 SPOTCHECK_TEST_NUMBER='abc' 不是整数"


def test_env_int_rejects_a_value_below_the_minimum(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("SPOTCHECK_TEST_NUMBER", "3")

    # when / then
    with pytest.raises(ImproperlyConfigured, match="SPOTCHECK_TEST_NUMBER=3 小于允许的最小值 10"):
        env_int("SPOTCHECK_TEST_NUMBER", 50, minimum=10)


def test_env_int_reads_an_integer(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("SPOTCHECK_TEST_NUMBER", " 42 ")

    # when / then
    assert env_int("SPOTCHECK_TEST_NUMBER", 5, minimum=10) == 42


def test_env_list_drops_blank_items(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("SPOTCHECK_TEST_LIST", " a.gov.cn , ,b.gov.cn,")

    # when / then
    assert env_list("SPOTCHECK_TEST_LIST", []) == ["a.gov.cn", "b.gov.cn"]


def test_env_choice_rejects_a_value_outside_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.setenv("SPOTCHECK_TEST_MODE", "staging")

    # when / then
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_choice("SPOTCHECK_TEST_MODE", "development", ("development", "production"))
    assert str(excinfo.value) == (
        "环境变量 SPOTCHECK_TEST_MODE='staging' 无效，可选值：development, production"
    )


def test_a_required_string_names_the_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    # given
    monkeypatch.delenv("SPOTCHECK_TEST_REQUIRED", raising=False)

    # when / then
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_str("SPOTCHECK_TEST_REQUIRED", "default", required=True)
    assert str(excinfo.value) == (
        "缺少必需的环境变量 SPOTCHECK_TEST_REQUIRED（missing required SPOTCHECK_TEST_REQUIRED）"
    )


def test_env_secret_reads_the_file_named_by_name_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    secret_file = tmp_path / "secret_key"
    secret_file.write_text("s3cr3t-from-a-docker-secret\n", encoding="utf-8")
    monkeypatch.setenv("SPOTCHECK_TEST_SECRET", "the-plain-variable-loses")
    monkeypatch.setenv("SPOTCHECK_TEST_SECRET_FILE", str(secret_file))

    # when
    secret = env_secret("SPOTCHECK_TEST_SECRET", required=True)

    # then
    assert secret == "s3cr3t-from-a-docker-secret"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "SPOTCHECK_TEST_SECRET_FILE 指向的文件不存在："),
        ("  \n", "SPOTCHECK_TEST_SECRET_FILE 指向的文件为空："),
    ],
)
def test_env_secret_refuses_a_missing_or_empty_file(
    content: str | None, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    secret_file = tmp_path / "secret_key"
    if content is not None:
        secret_file.write_text(content, encoding="utf-8")
    monkeypatch.setenv("SPOTCHECK_TEST_SECRET_FILE", str(secret_file))

    # when / then
    with pytest.raises(ImproperlyConfigured) as excinfo:
        env_secret("SPOTCHECK_TEST_SECRET", "default")
    assert str(excinfo.value) == f"{message}{secret_file}"


_SETUP = "import django; django.setup(); print('settings loaded')"


def _start_django(script: str = _SETUP, **env: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter so this process's settings stay untouched."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DEBUG", "ALLOWED_HOSTS", "SPOTCHECK_ENV"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "config.settings.base", **env})
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start_naming_secret_key() -> None:
    # given / when
    result = _start_django(SPOTCHECK_ENV="production", ALLOWED_HOSTS="spotcheck.example.gov.cn")

    # then
    assert result.returncode != 0
    assert "settings loaded" not in result.stdout
    assert (
        "django.core.exceptions.ImproperlyConfigured: "
        "缺少必需的环境变量 SECRET_KEY（missing required SECRET_KEY）"
    ) in result.stderr


def test_production_with_a_secret_key_and_hosts_starts() -> None:
    # given / when
    result = _start_django(
        SPOTCHECK_ENV="production",
        ALLOWED_HOSTS="spotcheck.example.gov.cn",
        SECRET_KEY="a-long-random-production-secret-0123456789",
    )

    # then
    assert result.stderr == ""
    assert result.stdout == "settings loaded\n"


def test_the_sqlite_database_opens_when_its_folder_does_not_exist_yet(tmp_path: Path) -> None:
    # given: a fresh clone has no var/ folder for the default database
    database = tmp_path / "fresh-clone" / "var" / "spotcheck.sqlite3"

    # when
    result = _start_django(
        "import django; django.setup(); from django.db import connection; "
        "connection.ensure_connection(); print('database opened')",
        DATABASE_URL=f"sqlite:///{database}",
    )

    # then
    assert result.stderr == ""
    assert result.stdout == "database opened\n"
    assert database.is_file()


def test_production_refuses_debug() -> None:
    # given / when
    result = _start_django(
        SPOTCHECK_ENV="production",
        ALLOWED_HOSTS="spotcheck.example.gov.cn",
        SECRET_KEY="a-long-random-production-secret-0123456789",
        DEBUG="true",
    )

    # then
    assert result.returncode != 0
    assert "ImproperlyConfigured: 生产模式下不允许 DEBUG=true" in result.stderr


_REDIS_TIMEOUTS = """
import django; django.setup()
import django_rq
from django.core.cache import cache
queue = django_rq.get_connection("default").connection_pool.connection_kwargs
pool = cache._cache._get_connection_pool(write=True).connection_kwargs
for kwargs in (queue, pool):
    print(kwargs["db"], kwargs["socket_connect_timeout"], kwargs["socket_timeout"])
"""


def test_every_redis_connection_carries_the_configured_timeouts() -> None:
    # given / when: the RQ queue and the cache on Redis, one URL with a timeout of its own
    result = _start_django(
        _REDIS_TIMEOUTS,
        TASKS_BACKEND="rq",
        REDIS_URL="redis://127.0.0.1:6379/3?socket_timeout=99",
        CACHE_BACKEND="redis",
        CACHE_REDIS_URL="redis://127.0.0.1:6379/4",
        REDIS_CONNECT_TIMEOUT="2",
        REDIS_READ_TIMEOUT="7",
    )

    # then: (db, connect timeout, read timeout) of the queue's and the cache's connections
    assert result.stderr == ""
    assert result.stdout == "3 2.0 7.0\n4 2.0 7.0\n"


def test_the_redis_timeouts_default_to_5_and_10_seconds() -> None:
    # given / when
    result = _start_django(_REDIS_TIMEOUTS, TASKS_BACKEND="rq", CACHE_BACKEND="redis")

    # then
    assert result.stderr == ""
    assert result.stdout == "0 5.0 10.0\n1 5.0 10.0\n"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "redis://127.0.0.1:6379/0",
            "redis://127.0.0.1:6379/0?socket_connect_timeout=5&socket_timeout=10",
        ),
        (
            "redis://:p%40ss@redis:6380/2?socket_timeout=99&health_check_interval=30",
            "redis://:p%40ss@redis:6380/2?health_check_interval=30"
            "&socket_connect_timeout=5&socket_timeout=10",
        ),
        (
            "unix:///run/redis/redis.sock?db=3",
            "unix:///run/redis/redis.sock?db=3&socket_connect_timeout=5&socket_timeout=10",
        ),
    ],
)
def test_with_timeouts_sets_both_and_keeps_the_rest_of_the_url(url: str, expected: str) -> None:
    assert with_timeouts(url, connect=5, read=10) == expected


def test_debug_is_off_unless_asked_for() -> None:
    # given / when
    result = _start_django(
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    )

    # then
    assert result.stdout == "False\n"


def test_development_without_a_secret_key_uses_the_one_kept_in_var() -> None:
    # given / when
    result = _start_django(
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECRET_KEY == (s.BASE_DIR / 'var' / 'secret_key').read_text().strip(),"
        " len(s.SECRET_KEY) >= 50)"
    )

    # then
    assert result.stdout == "True True\n"


def test_a_generated_secret_is_made_once_private_and_kept(tmp_path: Path) -> None:
    # given
    path = tmp_path / "var" / "secret_key"

    # when
    first = generated_secret(path)
    second = generated_secret(path)

    # then
    assert first == second
    assert len(first) >= 50
    assert path.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["secret_key"]


def test_a_given_secret_key_wins_over_the_generated_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given
    monkeypatch.setenv("SPOTCHECK_TEST_SECRET", "given-secret")
    path = tmp_path / "secret_key"

    # when
    secret = env_secret("SPOTCHECK_TEST_SECRET", generated=path)

    # then
    assert secret == "given-secret"
    assert not path.exists()
