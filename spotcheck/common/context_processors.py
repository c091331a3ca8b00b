from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def platform(request: HttpRequest) -> dict[str, Any]:
    """Expose the platform name and environment to every template."""
    return {
        "PLATFORM_NAME": "双随机、一公开监管平台",
        "PLATFORM_ENV": settings.SPOTCHECK_ENV,
    }
