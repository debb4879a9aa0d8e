"""Every API error is {"detail": "..."} with the right 4xx status.

Serializer errors keep their per-field messages under "fields" as well, so a client can
point at the field to fix; "detail" always says it in one sentence.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from socialapp.uploads import UploadError


class DetailSerializer(serializers.Serializer):
    """The body of every error answer (the "Detail" schema of /api/schema/)."""

    detail = serializers.CharField(help_text="What went wrong and what to fix, in one sentence")

    def get_fields(self) -> dict[str, serializers.Field]:
        # "fields" cannot be a class attribute: Serializer.fields is the property listing them.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            required=False, help_text="Per-field messages, when the request body or parameters were invalid"
        )
        return fields


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        field, value = next(iter(errors.items()))
        message = _first_message(value)
        return message if field in ("non_field_errors", "detail") else f"{field}: {message}"
    if isinstance(errors, list) and errors:
        return _first_message(errors[0])
    return str(errors)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, UploadError):
        return Response({"detail": exc.detail}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(" ".join(exc.messages))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else None
        body: dict[str, Any] = {"detail": _first_message(exc.detail)}
        if fields:
            body["fields"] = fields
        response.data = body
        response.status_code = status.HTTP_400_BAD_REQUEST
    return response
