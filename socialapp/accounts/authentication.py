"""API tokens that expire API_TOKEN_TTL_DAYS after they were issued (0: never).

The REST API (ExpiringTokenAuthentication) and the WebSocket token check
(socialapp.websocket_auth) apply the same rule through token_expired."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token: Token) -> bool:
    days = settings.API_TOKEN_TTL_DAYS
    return bool(days) and token.created <= timezone.now() - timedelta(days=days)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; an expired token is deleted and refused with 401."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("Your token has expired; sign in again."))
        return user, token
