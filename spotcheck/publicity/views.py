"""Public pages: open to everyone, read only, never personal data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from spotcheck.publicity.selectors import public_overview


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "publicity/home.html", {"overview": public_overview()})
