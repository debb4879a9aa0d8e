"""API tokens that expire API_TOKEN_TTL_DAYS after they were issued (0: never).

The REST API (ExpiringTokenAuthentication) and the WebSocket token check
(socialapp.websocket_auth) apply the same rule through token_expired."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_expired(token: Token) -> bool:
    days = settings.API_TOKEN_TTL_DAYS
    return bool(days) and token.created <= timezone.now() - timedelta(days=days)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`; an expired token is deleted and refused with 401.
    A token client is answered in its account's language, as a signed-in browser is
    (accounts.middleware.UserLanguageMiddleware, which runs before DRF knows the user)."""

    def authenticate(self, request: Any) -> tuple[Any, Token] | None:
        signed_in = super().authenticate(request)
        if signed_in is not None and signed_in[0].language:
            translation.activate(signed_in[0].language)
            request._request.LANGUAGE_CODE = signed_in[0].language
        return signed_in

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("Your token has expired; sign in again."))
        return user, token
