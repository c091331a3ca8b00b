"""spotcheck.common.messaging: one API, a file and a log backend, the backend checked at start."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from spotcheck.common.messaging import (
    Message,
    MessageBackend,
    MessageError,
    backend_class,
    send_message,
)

BASE_DIR = Path(__file__).resolve().parents[3]


class RefusingGateway(MessageBackend):
    """A gateway that refuses every message, as a province's gateway may."""

    name = "测试网关"

    def send(self, message: Message) -> str:
        raise MessageError("网关拒绝发送")


class BrokenGateway(MessageBackend):
    name = "出错网关"

    def send(self, message: Message) -> str:
        raise ConnectionResetError("reset")


def _lines(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_file_backend_appends_one_json_line_per_message(tmp_path: Path) -> None:
    # given the file backend writing into a folder that does not exist yet
    path = tmp_path / "messages" / "out.jsonl"
    with override_settings(
        MESSAGE_BACKEND="spotcheck.common.messaging.FileBackend", MESSAGE_FILE_PATH=path
    ):
        # when two messages are sent
        first = send_message(to_phone="138 0000 1111", text="第一条", purpose="test")
        send_message(to_phone="13900002222", text="第二条", purpose="test")

    # then each is one line, the number without blanks, the reference its id
    lines = _lines(path)
    assert [(m["to_phone"], m["text"], m["purpose"]) for m in lines] == [
        ("13800001111", "第一条", "test"),
        ("13900002222", "第二条", "test"),
    ]
    assert first.reference == lines[0]["id"] == first.message.id
    assert first.backend == "文件"


def test_the_console_backend_logs_the_message_with_the_number_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given the log backend
    with (
        override_settings(MESSAGE_BACKEND="spotcheck.common.messaging.ConsoleBackend"),
        caplog.at_level(logging.INFO, logger="spotcheck.common.messaging"),
    ):
        # when a message is sent
        send_message(to_phone="13800001111", text="检查结果告知书已生成", purpose="test")

    # then the log has the text, not the full number
    assert "检查结果告知书已生成" in caplog.text
    assert "138****1111" in caplog.text
    assert "13800001111" not in caplog.text


@pytest.mark.parametrize(
    ("phone", "text", "error"),
    [
        ("abc", "内容", "联系电话格式不正确，无法发送"),
        ("", "内容", "联系电话格式不正确，无法发送"),
        ("13800001111", "  ", "消息内容须为 1 至 500 个字"),
        ("13800001111", "长" * 501, "消息内容须为 1 至 500 个字"),
    ],
)
def test_a_bad_number_or_text_is_refused_before_the_backend(
    phone: str, text: str, error: str, tmp_path: Path
) -> None:
    path = tmp_path / "out.jsonl"
    with (
        override_settings(MESSAGE_FILE_PATH=path),
        pytest.raises(MessageError) as excinfo,
    ):
        send_message(to_phone=phone, text=text, purpose="test")

    assert str(excinfo.value) == error
    assert not path.exists()


def test_a_gateway_refusal_and_a_gateway_crash_both_reach_the_caller_as_message_errors() -> None:
    here = "spotcheck.common.tests.test_messaging"
    with override_settings(MESSAGE_BACKEND=f"{here}.RefusingGateway"):
        with pytest.raises(MessageError, match="网关拒绝发送"):
            send_message(to_phone="13800001111", text="内容", purpose="test")
    with override_settings(MESSAGE_BACKEND=f"{here}.BrokenGateway"):
        with pytest.raises(MessageError, match="消息发送通道出错"):
            send_message(to_phone="13800001111", text="内容", purpose="test")


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("spotcheck.common.messaging.NoSuchBackend", "找不到该消息发送通道"),
        ("nowhere.at.all.Backend", "找不到该消息发送通道"),
        ("spotcheck.common.messaging.send_message", "须为 spotcheck.common.messaging"),
        ("spotcheck.common.messaging.MessageError", "须为 spotcheck.common.messaging"),
    ],
)
def test_a_path_that_names_no_backend_is_refused_in_chinese(path: str, reason: str) -> None:
    with pytest.raises(ImproperlyConfigured) as excinfo:
        backend_class(path)

    assert str(excinfo.value).startswith(f"MESSAGE_BACKEND={path!r} 无效：")
    assert reason in str(excinfo.value)


def test_the_platform_does_not_start_with_a_bad_backend_path() -> None:
    # given a fresh interpreter whose MESSAGE_BACKEND names nothing
    env = {**os.environ, "MESSAGE_BACKEND": "spotcheck.common.messaging.Nothing"}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"

    # when Django starts
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    # then it stops, naming the setting, before anything runs
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "MESSAGE_BACKEND='spotcheck.common.messaging.Nothing' 无效" in result.stderr
