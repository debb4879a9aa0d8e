"""Known devices: a browser someone signed in on keeps their failed sign-ins apart from
everyone else's, so guesses at an account from elsewhere cannot lock its owner out of the
devices they use (OWASP's device cookies).

A successful sign-in on the web gives the browser a signed cookie naming the account and
a random id for the device. django-axes counts a sign-in's failures under the username
it names (AXES_USERNAME_CALLABLE = lockout_username): for a browser with that cookie,
"<username> (device <id>)", so its own failures still lock it (a stolen cookie buys no
more guesses than anyone gets); for everyone else the plain username, locked as before.
The failures per client address are counted as before for both."""

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "known_device"
MAX_AGE_DAYS = 365
MAX_ACCOUNTS = 10  # accounts a browser is remembered for, most recent first
_SALT = "socialapp.accounts.known_devices"


def _known(request: HttpRequest) -> dict[str, str]:
    """Account (casefolded username) -> device id, from the request's cookie; empty for
    none, a forged or an expired one."""
    try:
        pairs = signing.loads(request.COOKIES.get(COOKIE, ""), salt=_SALT, max_age=MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        return {}
    if not isinstance(pairs, list):
        return {}
    return {str(name): str(device) for name, device in pairs}


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The name django-axes counts this sign-in's failures under (see the module)."""
    data = credentials or getattr(request, "data", None) or request.POST
    username = data.get(settings.AXES_USERNAME_FORM_FIELD)
    if not username:
        return None
    device = _known(request).get(str(username).casefold())
    return f"{username} (device {device})" if device else str(username)


def device_remember_on_sign_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """user_logged_in receiver: KnownDeviceMiddleware gives the browser its cookie."""
    if request is not None:
        request.known_device_username = user.get_username()  # type: ignore[attr-defined]


class KnownDeviceMiddleware:
    """Sets the known-device cookie on the answer to a successful sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        username = getattr(request, "known_device_username", None)
        if username:
            known = _known(request)
            name = username.casefold()
            device = known.pop(name, None) or secrets.token_urlsafe(9)
            pairs = [[name, device], *([n, d] for n, d in known.items())][:MAX_ACCOUNTS]
            response.set_cookie(
                COOKIE,
                signing.dumps(pairs, salt=_SALT),
                max_age=MAX_AGE_DAYS * 86400,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
