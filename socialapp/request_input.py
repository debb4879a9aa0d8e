"""Guards for what a client may put in a request, in one place.

PostgreSQL text cannot hold a NUL character, so a request carrying one anywhere a view
may read it (its path, query string, form values or cookies) is answered 400 here,
before any view can pass it to a query. JSON bodies need no such check: every
serializer CharField refuses NUL characters itself; nor do upload names, from which
Django drops unprintable characters.
"""

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

NUL = "\x00"
# The largest id a query may carry: BigAutoField's range on every database we run on.
ID_MAX = 2**63 - 1


def id_parse(raw: str | None, *, maximum: int = ID_MAX) -> int | None:
    """`raw` as a whole number from 0 to `maximum` written in ASCII digits, else None.
    str.isdigit() alone is not enough: "²" passes it and int("²") fails."""
    if not raw or not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if value <= maximum else None


def _holds_nul(values: Iterable[str]) -> bool:
    return any(NUL in value for value in values)


def _request_holds_nul(request: HttpRequest) -> bool:
    query = (v for _key, items in request.GET.lists() for v in items)
    if NUL in request.path_info or _holds_nul(request.GET.keys()) or _holds_nul(query):
        return True
    if _holds_nul(request.COOKIES.values()):
        return True
    if request.method == "POST" and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        values = (v for _key, items in request.POST.lists() for v in items)
        return _holds_nul(request.POST.keys()) or _holds_nul(values)
    return False


class NulCharacterMiddleware:
    """Answers 400, in JSON under /api/ and as a plain page elsewhere, for a request
    that holds a NUL character where a view could read it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _request_holds_nul(request):
            return self.get_response(request)
        detail = _(
            "The request holds a NUL character (%00), which cannot be stored; remove it and try again."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": detail}, status=400)
        return HttpResponse(detail, content_type="text/plain; charset=utf-8", status=400)
