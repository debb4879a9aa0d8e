from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation


class UserLanguageMiddleware:
    """Signed-in people see pages in their preferred language; visitors get the
    browser's (LocaleMiddleware, which runs before this). Token clients get their
    account's too (accounts.authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            # A language a person or token activated ends with the request: code that runs
            # next on this thread without a request (a task, a socket's consumer) gets the default.
            translation.deactivate()
        return response
