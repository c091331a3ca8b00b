"""Short messages to people outside the platform (an enterprise's registered phone).

One call, whatever carries the message::

    send_message(to_phone="13800000000", text="……", purpose="result_notice")

The carrier is the backend named by the setting ``MESSAGE_BACKEND`` (a dotted path to a
subclass of :class:`MessageBackend`):

- :class:`FileBackend` (the default, for development and tests) appends one JSON line per
  message to ``MESSAGE_FILE_PATH``; nothing leaves the server;
- :class:`ConsoleBackend` writes each message to the log (the number masked);
- an SMS gateway: SMS gateways differ by province (政务短信平台, a carrier's gateway), so
  none is built in. Subclass :class:`MessageBackend`, implement ``send`` and name the class
  in ``MESSAGE_BACKEND``; docs/operations.md ("Messages to enterprises") says how.

Rules for callers:

- Nothing is sent at import, and nothing inside a transaction: a service that decides a
  message is due hands ``send_message`` (or its own function that calls it and audits
  the send) to ``transaction.on_commit``, so a rolled-back step never sends.
- A message carries no personal data beyond what its purpose needs (the enterprise's
  name, a task number); it is stored and logged as sent.
- ``send_message`` raises :class:`MessageError` when the backend could not send; the
  caller records the failure (audit) and decides whether to try again.

The backend path is checked when the platform starts (``CommonConfig.ready``): a path that
does not name a backend class stops start-up with a Chinese message naming the setting.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
import uuid
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "spotcheck.common.messaging.FileBackend"
_PHONE = re.compile(r"^\+?[0-9][0-9-]{4,19}$")
MAX_TEXT_LENGTH = 500


class MessageError(Exception):
    """The backend could not send the message (the text says why, in Chinese)."""


@dataclass(frozen=True)
class Message:
    """One message as handed to a backend."""

    id: str
    to_phone: str
    text: str
    purpose: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Sent:
    """What a backend answers: the message and the carrier's reference, if it gives one."""

    message: Message
    backend: str
    reference: str = ""


class MessageBackend(ABC):
    """Base class of every carrier.  Subclass it for an SMS gateway.

    ``__init__`` takes no arguments: read the gateway's address, account and key from
    your own settings (add them to ``config/settings/base.py`` with ``env_str`` /
    ``env_secret``, to ``.env.example`` and to docs/configuration.md).

    ``send`` sends one message and returns the gateway's reference (its message id), or
    an empty string.  It raises :class:`MessageError` (never anything else) when the
    gateway refuses the message or cannot be reached; keep it short (a timeout of a few
    seconds): it runs after the commit, in the request or worker that committed.
    """

    name = "未命名通道"

    @abstractmethod
    def send(self, message: Message) -> str:
        """Send one message; return the gateway's reference or ""."""


class FileBackend(MessageBackend):
    """Appends each message as one JSON line to ``MESSAGE_FILE_PATH`` (development, tests)."""

    name = "文件"
    _lock = threading.Lock()

    def send(self, message: Message) -> str:
        path = Path(settings.MESSAGE_FILE_PATH)
        line = json.dumps(
            {**asdict(message), "created_at": message.created_at.isoformat()},
            ensure_ascii=False,
        )
        try:
            with self._lock:
                path.parent.mkdir(parents=True, exist_ok=True)
                with path.open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
        except OSError as error:
            raise MessageError(f"无法写入消息文件：{error.strerror or error}") from error
        return message.id


def masked(phone: str) -> str:
    """The number as logs show it: the first three and the last four digits."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


class ConsoleBackend(MessageBackend):
    """Writes each message to the log (level INFO), the number masked."""

    name = "日志"

    def send(self, message: Message) -> str:
        logger.info(
            "message %s to %s (%s): %s",
            message.id,
            masked(message.to_phone),
            message.purpose,
            message.text,
        )
        return message.id


def backend_class(path: str) -> type[MessageBackend]:
    """The backend class ``path`` names; ImproperlyConfigured, in Chinese, if it names none."""
    try:
        found = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(
            f"MESSAGE_BACKEND={path!r} 无效：找不到该消息发送通道（{error}）"
        ) from error
    if not (isinstance(found, type) and issubclass(found, MessageBackend)):
        raise ImproperlyConfigured(
            f"MESSAGE_BACKEND={path!r} 无效：须为 spotcheck.common.messaging.MessageBackend 的子类"
        )
    return found


def check_backend() -> type[MessageBackend]:
    """Check the configured backend at start-up (``CommonConfig.ready``)."""
    return backend_class(getattr(settings, "MESSAGE_BACKEND", DEFAULT_BACKEND))


def _checked(to_phone: str, text: str, purpose: str) -> tuple[str, str, str]:
    phone = re.sub(r"\s", "", to_phone or "")
    if not _PHONE.match(phone):
        raise MessageError("联系电话格式不正确，无法发送")
    text = (text or "").strip()
    if not text or len(text) > MAX_TEXT_LENGTH:
        raise MessageError(f"消息内容须为 1 至 {MAX_TEXT_LENGTH} 个字")
    if not purpose:
        raise MessageError("未说明消息用途")
    return phone, text, purpose


def send_message(*, to_phone: str, text: str, purpose: str) -> Sent:
    """Send one message through the configured backend; MessageError if it was not sent.

    Call it after the commit (``transaction.on_commit``), never inside a transaction.
    """
    phone, text, purpose = _checked(to_phone, text, purpose)
    backend = check_backend()()
    message = Message(
        id=uuid.uuid4().hex,
        to_phone=phone,
        text=text,
        purpose=purpose,
        created_at=timezone.now(),
    )
    try:
        reference = backend.send(message)
    except MessageError:
        raise
    except Exception as error:  # a gateway's own failure must not look like success
        logger.exception("message backend %s failed", type(backend).__name__)
        raise MessageError(f"消息发送通道出错：{type(error).__name__}") from error
    return Sent(message=message, backend=backend.name, reference=reference or "")
