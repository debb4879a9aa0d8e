"""Which address a request comes from, for rate limits and sign-in lockouts.

X-Forwarded-For is written by whoever sends the request, so it only counts when the
operator declares how many proxies of their own sit in front of the site
(TRUSTED_PROXY_COUNT): each appends the address it received from, so the client is the
TRUSTED_PROXY_COUNT-th address from the right. DRF's throttles use the same rule
(REST_FRAMEWORK["NUM_PROXIES"] is set to the same number)."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or the address the trusted proxies saw."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    addresses = [address.strip() for address in forwarded.split(",")]
    return addresses[-min(proxies, len(addresses))] or remote
