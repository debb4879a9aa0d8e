"""Who is on the other end of a WebSocket.

API clients send `Authorization: Token <key>` (browsers cannot set that header, so no
Origin is needed). Browsers use their session cookie, which only counts when the Origin
header is the site itself (scheme, host and port, the host in ALLOWED_HOSTS) or one of
CSRF_TRUSTED_ORIGINS, as Django checks a POST's Origin — otherwise another site (or
another port on the same host) could open sockets with the visitor's cookie. Anyone
else is anonymous, and consumers refuse them."""

from typing import Any
from urllib.parse import urlsplit

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http.request import split_domain_port, validate_host
from django.utils.http import is_same_domain


@database_sync_to_async
def _token_user(key: str) -> Any:
    from rest_framework.authtoken.models import Token

    from socialapp.accounts.authentication import token_expired

    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active:
        return AnonymousUser()
    if token_expired(token):  # the REST API's rule (ExpiringTokenAuthentication)
        token.delete()
        return AnonymousUser()
    return token.user


def _secure(scope: dict[str, Any], headers: dict[bytes, bytes]) -> bool:
    """Like HttpRequest.is_secure(): SECURE_PROXY_SSL_HEADER when the proxy sent it,
    else the socket's own scheme (daphne leaves it out: ws)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        name, secure_value = settings.SECURE_PROXY_SSL_HEADER
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode("latin-1")
        if header in headers:
            return headers[header].decode("latin-1").split(",")[0].strip() == secure_value
    return scope.get("scheme") in ("wss", "https")


def _own_origin(scope: dict[str, Any], headers: dict[bytes, bytes]) -> str | None:
    """scheme://host[:port] of the site the socket was opened on, like HttpRequest.get_host()
    with its ALLOWED_HOSTS check; None when the host is not one of ours."""
    host_header = b"x-forwarded-host" if settings.USE_X_FORWARDED_HOST else b"host"
    host = headers.get(host_header, headers.get(b"host", b"")).decode("latin-1").split(",")[0].strip()
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG:
        allowed += ["localhost", "127.0.0.1", "[::1]"]
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, allowed):
        return None
    return f"{'https' if _secure(scope, headers) else 'http'}://{host}".lower()


def _origin_allowed(scope: dict[str, Any], headers: dict[bytes, bytes]) -> bool:
    """Django's CSRF origin check for sockets: the Origin is this site itself (scheme,
    host and port) or one of CSRF_TRUSTED_ORIGINS (`https://*.example.com` included)."""
    origin = headers.get(b"origin", b"").decode("latin-1").strip().lower()
    if not origin or origin == "null":
        return False
    if origin == _own_origin(scope, headers):
        return True
    trusted = [entry.lower() for entry in settings.CSRF_TRUSTED_ORIGINS]
    if origin in trusted:
        return True
    parsed = urlsplit(origin)
    return any(
        is_same_domain(parsed.netloc, pattern.netloc.removeprefix("*"))
        for pattern in map(urlsplit, trusted)
        if pattern.scheme == parsed.scheme and pattern.netloc.startswith("*.")
    )


class WebSocketAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        headers = dict(scope.get("headers", []))
        authorization = headers.get(b"authorization", b"").decode("latin-1")
        if "user" not in scope:
            if authorization.startswith("Token "):
                scope["user"] = await _token_user(authorization.removeprefix("Token ").strip())
            elif not _origin_allowed(scope, headers):
                scope["user"] = AnonymousUser()
        return await super().__call__(scope, receive, send)


def WebSocketAuthStack(inner: Any) -> Any:
    return WebSocketAuthMiddleware(AuthMiddlewareStack(inner))
