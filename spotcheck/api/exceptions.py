"""Turn a service's refusal into a 400 with its Chinese messages, never a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from spotcheck.core.errors import DomainError


def service_errors(exc: DjangoValidationError) -> Any:
    """Return a refusal's messages: {field: [..]} or [..]."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return exc.messages


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(service_errors(exc))
    elif isinstance(exc, DomainError):
        exc = exceptions.ValidationError([str(exc)])
    return exception_handler(exc, context)
