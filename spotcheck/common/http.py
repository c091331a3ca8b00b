"""Small response helpers shared by the views of several contexts."""

from __future__ import annotations

from django.http import HttpResponse


def download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    """Return ``data`` as a file the browser saves under ``filename`` (ASCII names only)."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
