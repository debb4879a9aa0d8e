"""How /api/schema/ describes the API: what every operation answers, errors included.

Views declare only their success answers (`@extend_schema(responses={200: X})`); this
class adds the rest the same way everywhere, so the schema says what the API does:

- a list (`responses={200: X(many=True)}`) is one page of socialapp.api.pagination:
  {count, next, previous, results};
- errors are {"detail", "fields"?} (the Detail component, socialapp.api.exceptions):
  400 everywhere (a NUL character anywhere in a request is refused before any view,
  socialapp.request_input; bodies, query parameters and services refuse more); 401
  everywhere (a wrong or expired token is refused even where signing in is optional);
  403 on every unsafe method (a session needs its CSRF token, services refuse some
  people) and where a permission beyond signing in applies (moderators only); 404 with
  path parameters or a page number; 413 and 415 with a file upload (too large, or a
  body that is not a form); 429 where throttled.

A view that answers another error (409, a 403 on a public read) says so in its decorator:
`responses={202: X, 409: OpenApiResponse(DetailSerializer, "why")}`.
"""

from typing import Any, cast

from drf_spectacular import openapi
from drf_spectacular.plumbing import force_instance
from rest_framework import permissions, serializers
from rest_framework.pagination import BasePagination
from rest_framework.settings import api_settings

from .exceptions import DetailSerializer

ERRORS = {
    "400": "The request is invalid: detail says what to fix, fields names each field's problem.",
    "401": "The credentials are missing, wrong or expired.",
    "403": "You may not do this (or a session's CSRF token is missing).",
    "404": "Not found, or not visible to you.",
    "409": "The object is not in a state that allows this.",
    "413": "The upload is too large.",
    "415": "The body is not a form: send the file as multipart/form-data.",
    "429": "Too many requests: wait and try again.",
}


class AutoSchema(openapi.AutoSchema):
    """Names nested serializers after their view, so every `RegisterApi.InputSerializer`
    and `TokenCreateApi.InputSerializer` gets its own component (RegisterInput, TokenCreateInput);
    wraps lists in their page and documents the error answers (see the module docstring)."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        detail = {"application/json": {"schema": self.resolve_serializer(DetailSerializer, "response").ref}}
        responses = operation["responses"]
        for code in self._error_codes(operation):
            responses.setdefault(code, {"description": ERRORS[code], "content": detail})
        for code, response in responses.items():
            if code in ERRORS and not response.get("description"):
                response["description"] = ERRORS[code]
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(self, operation: dict[str, Any]) -> list[str]:
        paginator = self._get_paginator() if self._is_list_view() else None
        page_parameters = (
            {p["name"] for p in paginator.get_schema_operation_parameters(self.view)} if paginator else set()
        )
        parameters = operation.get("parameters", [])
        unsafe = self.method not in permissions.SAFE_METHODS
        # Any request may be refused for a NUL character (socialapp.request_input).
        codes = ["400", "401"] if self.view.get_authenticators() else ["400"]
        if unsafe or self._has_own_permission():
            codes.append("403")
        if any(p["in"] == "path" for p in parameters) or page_parameters:
            codes.append("404")
        if "requestBody" in operation and self._takes_upload():
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _has_own_permission(self) -> bool:
        """A permission beyond signing in (moderators only) refuses a signed-in user with 403;
        signing in alone answers 401."""
        plain = (permissions.AllowAny, permissions.IsAuthenticated, permissions.IsAuthenticatedOrReadOnly)
        return any(type(permission) not in plain for permission in self.view.get_permissions())

    def _takes_upload(self) -> bool:
        serializer = force_instance(self.get_request_serializer())
        fields = getattr(serializer, "fields", {})
        return any(isinstance(field, serializers.FileField) for field in fields.values())

    def _get_paginator(self) -> Any:
        """Views paginate by hand (one APIView per operation), so a list answer is a page
        of the view's pagination_class or else the default one."""
        pagination_class = cast(
            "type[BasePagination] | None",
            getattr(self.view, "pagination_class", None) or api_settings.DEFAULT_PAGINATION_CLASS,
        )
        return pagination_class() if pagination_class else None

    def _get_serializer_name(self, serializer: Any, direction: str, bypass_extensions: bool = False) -> str:
        name = super()._get_serializer_name(serializer, direction, bypass_extensions)
        cls = serializer if isinstance(serializer, type) else type(serializer)
        owner = cls.__qualname__.split(".")[0]
        if owner != cls.__name__ and owner.endswith("Api"):
            prefix = owner.removesuffix("Api")
            for marker in ("Patched", ""):
                if name.startswith(marker):
                    return marker + prefix + name.removeprefix(marker)
        return name
