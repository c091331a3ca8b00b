"""Check an uploaded evidence file by its content, not by its name or declared type."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_STEP = 10

# leading bytes → (MIME type, extension)
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


class Upload(Protocol):
    name: str | None
    size: int | None

    def read(self, size: int = ...) -> bytes: ...

    def seek(self, offset: int, whence: int = ...) -> int: ...


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks, read into memory."""

    name: str
    content_type: str
    extension: str
    data: bytes
    sha256: str


def check_upload(upload: Upload) -> CheckedFile:
    """Accept a PDF, JPEG or PNG of at most 10 MB, recognised by its first bytes."""
    name = (upload.name or "证据").rsplit("/", 1)[-1][:200]
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationError(f"“{name}”超过 10 MB，请压缩后上传")
    upload.seek(0)
    data = upload.read(MAX_EVIDENCE_BYTES + 1)
    if len(data) > MAX_EVIDENCE_BYTES:
        raise ValidationError(f"“{name}”超过 10 MB，请压缩后上传")
    if not data:
        raise ValidationError(f"“{name}”是空文件")
    for magic, content_type, extension in _SIGNATURES:
        if data.startswith(magic):
            return CheckedFile(
                name, content_type, extension, data, hashlib.sha256(data).hexdigest()
            )
    raise ValidationError(f"“{name}”不是 PDF、JPEG 或 PNG 文件（按文件内容识别），未上传")
