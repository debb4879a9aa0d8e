"""A session cookie signs a socket in only when the Origin is this site itself (scheme,
host and port, like Django's CSRF origin check) or one of CSRF_TRUSTED_ORIGINS."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client, override_settings

from socialapp.asgi import application
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _session_cookie() -> bytes:
    browser = Client()
    await sync_to_async(browser.force_login)(await sync_to_async(UserFactory)())
    return f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def _connect(origin: str, host: str = "localhost:8000", scheme: str | None = None, extra=()):
    headers = [(b"origin", origin.encode()), (b"host", host.encode()), (b"cookie", await _session_cookie())]
    socket = WebsocketCommunicator(application, "/ws/notifications/", headers=[*headers, *extra])
    if scheme is not None:
        socket.scope["scheme"] = scheme
    connected = await socket.connect()
    if connected[0]:
        await socket.disconnect()
    return connected


async def test_the_same_origin_signs_the_socket_in():
    assert (await _connect("http://localhost:8000"))[0] is True


async def test_another_port_on_the_same_host_is_refused():
    assert await _connect("http://localhost:9999") == (False, 4403)


async def test_a_missing_port_is_another_origin():
    assert await _connect("http://localhost") == (False, 4403)


async def test_https_origin_on_a_plain_ws_socket_is_refused():
    assert await _connect("https://localhost:8000") == (False, 4403)


async def test_http_origin_on_a_wss_socket_is_refused_and_https_accepted():
    assert await _connect("http://localhost:8000", scheme="wss") == (False, 4403)
    assert (await _connect("https://localhost:8000", scheme="wss"))[0] is True


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
async def test_behind_a_tls_proxy_the_forwarded_scheme_counts():
    forwarded = [(b"x-forwarded-proto", b"https")]

    assert (await _connect("https://localhost:8000", extra=forwarded))[0] is True
    assert await _connect("http://localhost:8000", extra=forwarded) == (False, 4403)


async def test_a_host_outside_allowed_hosts_is_refused_even_when_it_matches():
    assert await _connect("http://evil.example", host="evil.example") == (False, 4403)


@override_settings(CSRF_TRUSTED_ORIGINS=["https://app.example.com", "https://*.example.org"])
async def test_csrf_trusted_origins_are_accepted_by_scheme_host_and_port():
    assert (await _connect("https://app.example.com"))[0] is True
    assert (await _connect("https://shop.example.org"))[0] is True
    assert await _connect("http://app.example.com") == (False, 4403)
    assert await _connect("https://app.example.com:8443") == (False, 4403)


async def test_no_origin_or_a_null_one_is_refused():
    assert await _connect("null") == (False, 4403)
    assert await _connect("") == (False, 4403)
