"""Evidence files are recognised by their content."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from spotcheck.followup.evidence import MAX_EVIDENCE_BYTES, check_upload


@pytest.mark.parametrize(
    ("data", "content_type", "extension"),
    [
        (b"%PDF-1.7\n...", "application/pdf", ".pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg", ".jpg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png", ".png"),
    ],
)
def test_pdf_jpeg_and_png_are_recognised_whatever_their_name(
    data: bytes, content_type: str, extension: str
) -> None:
    # when
    checked = check_upload(SimpleUploadedFile("现场照片.dat", data, "application/octet-stream"))
    # then
    assert (checked.content_type, checked.extension, checked.data) == (
        content_type,
        extension,
        data,
    )
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "a.pdf",
            b"<html>not a pdf</html>",
            "“a.pdf”不是 PDF、JPEG 或 PNG 文件（按文件内容识别），未上传",
        ),
        ("b.png", b"", "“b.png”是空文件"),
        ("c.pdf", b"%PDF-" + b"0" * MAX_EVIDENCE_BYTES, "“c.pdf”超过 10 MB，请压缩后上传"),
    ],
)
def test_other_files_are_refused_with_their_name(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        check_upload(SimpleUploadedFile(name, data))
    assert exc.value.messages == [message]
