"""Limits on guessing passwords and on creating accounts, and the answers when one is hit.

Failed sign-ins are counted by django-axes (settings AXES_*), per account and per client
address (socialapp.client_address); sign-ups by a DRF throttle per client address that
the API and the /signup/ page share."""

import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import ngettext
from rest_framework.exceptions import ErrorDetail, Throttled
from rest_framework.throttling import SimpleRateThrottle

from socialapp.client_address import client_address


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def sign_in_locked_message(seconds: float) -> str:
    minutes = _minutes(seconds)
    return ngettext(
        "Too many failed sign-ins; try again in %(minutes)d minute.",
        "Too many failed sign-ins; try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def sign_up_limited_message(seconds: float) -> str:
    minutes = _minutes(seconds)
    return ngettext(
        "Too many sign-ups from your address; try again in %(minutes)d minute.",
        "Too many sign-ups from your address; try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class SignInAttempts(AxesDatabaseHandler):
    """django-axes' database handler, except that a successful sign-in forgets only the
    failures for that account. The stock reset also forgets every failure from the
    address, so signing in to an account of one's own would reset the count of guesses
    at someone else's."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        username = get_client_username(request, credentials)
        return self.reset_attempts(username=username) if username else 0


def sign_in_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The answer to a sign-in that django-axes refused (AXES_LOCKOUT_CALLABLE): 429 with
    Retry-After, as {"detail": ...} on the API and as the login page on the web."""
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off is not None else 0
    message = sign_in_locked_message(seconds)
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        context = {"form": form, "limit_message": message, "next": request.POST.get("next", "")}
        response = render(request, "registration/login.html", context, status=429)
    response["Retry-After"] = str(seconds)
    return response


class SignupRateThrottle(SimpleRateThrottle):
    """Account creations per client address (setting SIGNUP_RATE)."""

    scope = "signup"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}

    def retry_after(self) -> int:
        """Whole seconds until the next sign-up is allowed (after allow_request refused)."""
        return math.ceil(self.wait() or 0)


class SignupThrottled(Throttled):
    """429 with Retry-After and the sign-up limit's own message (DRF's would append
    "Expected available in N seconds")."""

    def __init__(self, wait: float | None) -> None:
        super().__init__(wait)
        self.detail = ErrorDetail(sign_up_limited_message(wait or 0), code=self.default_code)
