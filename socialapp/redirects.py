"""Going back to where a form was posted from, without becoming an open redirect.

A `next` field (or any address a visitor can set) is followed only when it is a page of
this site; anything else (another host, `//host`, `javascript:`) goes to `fallback`."""

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def next_or(request: HttpRequest, fallback: str) -> str:
    """The POSTed (or, failing that, query-string) `next` if it stays on this site, else
    `fallback`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


def redirect_back(request: HttpRequest, *, fallback: str) -> HttpResponseRedirect:
    """A redirect to `next_or(request, fallback)`; never reverses a URL name, so `next`
    cannot be mistaken for one."""
    return HttpResponseRedirect(next_or(request, fallback))
