"""Who is on the other end of a WebSocket.

API clients send `Authorization: Token <key>` (browsers cannot set that header, so no
Origin is needed). Browsers use their session cookie, which only counts when the Origin
header names one of ALLOWED_HOSTS — otherwise another site could open sockets with the
visitor's cookie. Anyone else is anonymous, and consumers refuse them."""

from typing import Any
from urllib.parse import urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import validate_host


@database_sync_to_async
def _token_user(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    return token.user if token is not None and token.user.is_active else AnonymousUser()


def _origin_allowed(origin: bytes) -> bool:
    host = urlparse(origin.decode("latin-1")).hostname or ""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG:
        allowed += ["localhost", "127.0.0.1", "[::1]"]
    return validate_host(host, allowed)


class WebSocketAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        if "user" not in scope:
            if authorization.startswith("Token "):
                scope["user"] = await _token_user(authorization.removeprefix("Token ").strip())
            elif not _origin_allowed(headers.get(b"origin", b"")):
                scope["user"] = AnonymousUser()
        return await super().__call__(scope, receive, send)


def WebSocketAuthStack(inner: Any) -> Any:
    return WebSocketAuthMiddleware(AuthMiddlewareStack(inner))
