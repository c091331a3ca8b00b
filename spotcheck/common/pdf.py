"""Render a Django template to an A4 PDF with WeasyPrint, Chinese fonts embedded.

The PDF is drawn from the same data as the page, so what is printed is what is
shown.  Rendering never touches the network: the only resources a template may
load are the project's own static files (``{% static %}``) and ``data:`` URLs;
anything else (http, https, ftp, files outside the static folders) is refused
and simply left out of the PDF.

The page size, margins and fonts live in ``static/css/pdf.css``; templates link
it with ``<link rel="stylesheet" href="{% static 'css/pdf.css' %}">``.  The fonts
are the system's Noto CJK (Debian ``fonts-noto-cjk``, installed by
``scripts/ensure-system.sh pdf``); WeasyPrint embeds the subset it uses.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

# Relative URLs in a template resolve against this; the fetcher maps the result
# back onto the static folders.
BASE_URL = "file:///"

PDF_CONTENT_TYPE = "application/pdf"


class NonLocalURLError(ValueError):
    """A template asked for a resource that is not one of the project's static files."""


def static_path_for_url(url: str) -> Path | None:
    """Return the local file a ``{% static %}`` URL names, or None if it names none."""
    static_url = settings.STATIC_URL or "/static/"
    parts = urlsplit(url)
    if parts.scheme == "file":
        # "/static/css/pdf.css" resolved against BASE_URL.
        prefix = "/" + static_url.lstrip("/") if "://" not in static_url else None
        path = unquote(parts.path)
        if prefix is None or not path.startswith(prefix):
            return None
        relative = path[len(prefix) :]
    elif "://" in static_url and url.startswith(static_url):
        # STATIC_URL on another host: the files are still ours, read them locally.
        relative = unquote(urlsplit(url).path[len(urlsplit(static_url).path) :])
    else:
        return None
    if not relative or ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if found:
        return Path(found if isinstance(found, str) else found[0])
    collected = Path(settings.STATIC_ROOT) / relative
    return collected if collected.is_file() else None


def _fetcher_class() -> type:
    # here, not at the top: as in render_pdf below, only PDF requests load WeasyPrint
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalStaticFetcher(URLFetcher):  # type: ignore[misc]
        """Serve static files and ``data:`` URLs; refuse everything else."""

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_path_for_url(url)
            if path is None:
                logger.warning("PDF: refused non-local resource %s", url)
                raise NonLocalURLError(f"PDF 只能引用本站静态文件，已拒绝：{url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return LocalStaticFetcher


def local_url_fetcher() -> Any:
    """Return a WeasyPrint URL fetcher that only reads the project's static files."""
    return _fetcher_class()(allowed_protocols=("file", "data"), timeout=1)


def render_pdf(
    template_name: str, context: dict[str, Any], *, request: HttpRequest | None = None
) -> bytes:
    """Render ``template_name`` with ``context`` and return the PDF's bytes (A4)."""
    # Imported here: WeasyPrint loads Pango through ctypes at import time, and only
    # PDF requests need it (system checks and other pages run without it).
    from weasyprint import HTML

    html = render_to_string(template_name, context, request=request)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=local_url_fetcher())
    pdf = document.write_pdf()
    if pdf is None:  # write_pdf() without a target always returns the bytes
        raise RuntimeError("WeasyPrint returned no PDF")
    return bytes(pdf)


def pdf_response(pdf: bytes, *, filename: str, inline: bool = True) -> HttpResponse:
    """Wrap PDF bytes in a response that opens in the browser (or downloads)."""
    response = HttpResponse(pdf, content_type=PDF_CONTENT_TYPE)
    header = content_disposition_header(not inline, filename)
    if header:
        response.headers["Content-Disposition"] = header
    return response
