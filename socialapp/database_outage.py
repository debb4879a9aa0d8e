"""503 with Retry-After, instead of a 500 or a hang, while the database is unreachable.

The connection, pool and statement timeouts (socialapp.env: DATABASE_*_TIMEOUT) bound how
long a request waits for the database; this middleware turns the error that ends the wait
into an answer a client can act on: {"detail": ...} on the API, a short page elsewhere.
"""

import logging
import sqlite3
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
UNAVAILABLE_MESSAGE = _("The service is briefly unavailable; try again in a few seconds.")


def is_database_outage(error: BaseException) -> bool:
    """Whether `error` says the database is unreachable or too slow (connection refused or
    lost, psycopg_pool's PoolTimeout, a statement timeout), not that the query is wrong."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    if isinstance(error.__cause__, sqlite3.OperationalError):
        # SQLite reports a missing table or column as OperationalError too: that is a bug (500).
        return "database is locked" in str(error)
    return True


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": UNAVAILABLE_MESSAGE}, status=503)
    else:
        # Rendered without the request: base.html's context processors and the signed-in
        # user would need the database that is missing.
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    """Placed right after AuthenticationMiddleware. Django answers an error raised inside a
    later middleware with a 500 before an earlier one sees it, so this one loads the
    session and the signed-in user itself (the first database work of most requests,
    which UserLanguageMiddleware would do next anyway), and catches view errors in
    process_exception."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            getattr(request, "user", None) and request.user.is_authenticated
        except (OperationalError, InterfaceError) as error:
            if not is_database_outage(error):
                raise
            return self._unavailable(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            return self._unavailable(request, exception)
        return None

    def _unavailable(self, request: HttpRequest, error: Exception) -> HttpResponse:
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, error)
        return database_unavailable_response(request)
