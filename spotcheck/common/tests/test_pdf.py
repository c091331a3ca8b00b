from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from pypdf import PdfReader

from spotcheck.common.pdf import (
    NonLocalURLError,
    local_url_fetcher,
    pdf_response,
    render_pdf,
    static_path_for_url,
)

A4_POINTS = (595.28, 841.89)

SAMPLE = """{% extends "pdf/base.html" %}
{% block title %}样例{% endblock %}
{% block content %}
<h1>随机抽查联合检查记录表</h1>
<p>{{ enterprise }}</p>
<p>统一社会信用代码：{{ uscc }}</p>
{% if outside %}<img src="http://example.invalid/logo.png" alt="">
<img src="file:///etc/hostname" alt="">{% endif %}
{% endblock %}
"""


@pytest.fixture
def sample_template(tmp_path: Path):
    (tmp_path / "sample.html").write_text(SAMPLE, encoding="utf-8")
    templates = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}]
    with override_settings(TEMPLATES=templates):
        yield "sample.html"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _embedded_fonts(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"]["/Font"]
        for ref in fonts.values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add(str(descendant.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_chinese_text_comes_back_exactly_from_the_pdf(sample_template: str) -> None:
    # given
    context = {"enterprise": "晋州市鑫达商贸有限公司", "uscc": "91130183MA0DXXXX1K"}

    # when
    pdf = render_pdf(sample_template, context)

    # then
    lines = [line.strip() for line in _text(pdf).splitlines()]
    assert pdf.startswith(b"%PDF-")
    assert "随机抽查联合检查记录表" in lines
    assert "晋州市鑫达商贸有限公司" in lines
    assert "统一社会信用代码：91130183MA0DXXXX1K" in lines


def test_pages_are_a4_and_the_cjk_font_is_embedded(sample_template: str) -> None:
    # given
    context = {"enterprise": "晋州市鑫达商贸有限公司", "uscc": "91130183MA0DXXXX1K"}

    # when
    pdf = render_pdf(sample_template, context)

    # then
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    size = (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2))
    assert size == A4_POINTS
    fonts = _embedded_fonts(pdf)
    assert fonts
    assert all("CJK" in name for name in fonts), fonts


def test_resources_outside_the_static_files_are_refused_without_a_connection(
    sample_template: str, no_network: list[object], caplog: pytest.LogCaptureFixture
) -> None:
    # given
    context = {"enterprise": "甲", "uscc": "1", "outside": True}

    # when
    pdf = render_pdf(sample_template, context)

    # then
    assert no_network == []
    refused = sorted(r.getMessage() for r in caplog.records if r.name == "spotcheck.common.pdf")
    assert refused == [
        "PDF: refused non-local resource file:///etc/hostname",
        "PDF: refused non-local resource http://example.invalid/logo.png",
    ]
    assert "甲" in _text(pdf)


def test_fetcher_serves_the_static_stylesheet_from_disk() -> None:
    # given
    fetcher = local_url_fetcher()
    on_disk = (Path(settings.BASE_DIR) / "static" / "css" / "pdf.css").read_bytes()

    # when
    response = fetcher.fetch("file:///static/css/pdf.css")

    # then
    assert response.read() == on_disk
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example.com/static/css/pdf.css",
        "file:///etc/passwd",
        "file:///static/../config/settings/base.py",
        "file:///static/css/missing.css",
        "ftp://example.com/x.png",
    ],
)
def test_fetcher_refuses_anything_but_existing_static_files(url: str) -> None:
    # given
    fetcher = local_url_fetcher()

    # when / then
    with pytest.raises((NonLocalURLError, ValueError)):
        fetcher.fetch(url)


def test_static_url_on_another_host_still_reads_local_files() -> None:
    # given
    with override_settings(STATIC_URL="https://static.example.com/assets/"):
        # when
        path = static_path_for_url("https://static.example.com/assets/css/pdf.css")

    # then
    assert path == Path(settings.BASE_DIR) / "static" / "css" / "pdf.css"


def test_response_opens_inline_with_a_chinese_file_name() -> None:
    # when
    response = pdf_response(b"%PDF-1.7", filename="联合检查记录表.pdf")

    # then
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "inline; filename*=utf-8''"
        "%E8%81%94%E5%90%88%E6%A3%80%E6%9F%A5%E8%AE%B0%E5%BD%95%E8%A1%A8.pdf"
    )
