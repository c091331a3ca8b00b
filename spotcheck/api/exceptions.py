"""Turn a service's refusal into a 400 with its Chinese messages, never a 500."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from spotcheck.common.errors import CSRF_FAILED
from spotcheck.core.errors import DomainError


def service_errors(exc: DjangoValidationError) -> Any:
    """Return a refusal's messages: {field: [..]} or [..]."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return exc.messages


def _as_fields(messages: Any) -> dict[str, Any]:
    """Every 400 of the API is an object: messages that name no field go under
    ``non_field_errors``, as DRF's own serializers put them."""
    if isinstance(messages, dict):
        return messages
    return {api_settings.NON_FIELD_ERRORS_KEY: list(messages)}


class DatabaseUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "数据库暂时不可用，本次请求未生效（未保存任何内容），请稍后重试。"
    default_code = "database_unavailable"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OperationalError | InterfaceError):
        response = exception_handler(DatabaseUnavailable(), context)
        if response is not None:
            response["Retry-After"] = "30"
        return response
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_as_fields(service_errors(exc)))
    elif isinstance(exc, DomainError):
        exc = exceptions.ValidationError(_as_fields([str(exc)]))
    elif isinstance(exc, exceptions.PermissionDenied) and str(exc.detail).startswith("CSRF"):
        # DRF's session check words it in English ("CSRF Failed: …")
        exc = exceptions.PermissionDenied(CSRF_FAILED)
    return exception_handler(exc, context)
