"""While the database is unreachable, requests that need it get a fast 503 with
Retry-After: {"detail"} on the API, a short page elsewhere; never a 500 or a hang."""

import http.client
import json
import os
import sqlite3
import time
from unittest import mock

import pytest
import requests
from django.db import OperationalError, connection
from django.test import Client
from rest_framework.authtoken.models import Token

from socialapp import env
from socialapp.database_outage import UNAVAILABLE_MESSAGE
from socialapp.photos.models import Photo
from tests.factories import UserFactory
from tests.images import jpeg_bytes
from tests.servers import daphne_servers, free_port
from tests.tcp_proxy import tcp_proxy

CONNECTION_LOST = OperationalError("consuming input failed: server closed the connection unexpectedly")


def _get(port: int, path: str, headers: dict[str, str]) -> tuple[int, str | None, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheader("Retry-After"), response.read().decode()
    finally:
        conn.close()


@pytest.mark.django_db
def test_api_answers_503_with_retry_after_when_the_database_is_lost(auth_client):
    # given: the database connection fails in the middle of the feed
    with mock.patch("socialapp.photos.selectors.photo_feed", side_effect=CONNECTION_LOST):
        # when
        response = auth_client.get("/api/feed/")

    # then
    assert (response.status_code, response["Retry-After"], response.json()) == (
        503,
        "10",
        {"detail": UNAVAILABLE_MESSAGE},
    )


@pytest.mark.django_db
def test_page_answers_a_plain_503_page_when_the_database_is_lost(user):
    # given: a signed-in visitor whose home page needs the database
    client = Client()
    client.force_login(user)
    with mock.patch("socialapp.photos.selectors.photo_feed", side_effect=CONNECTION_LOST):
        # when
        response = client.get("/")

    # then
    assert (response.status_code, response["Retry-After"]) == (503, "10")
    assert "socialapp is briefly unavailable" in response.content.decode()


@pytest.mark.django_db
def test_the_503_answers_speak_the_visitors_language():
    client = Client(headers={"accept-language": "es"})
    client.force_login(UserFactory(language="es"))
    with mock.patch("socialapp.photos.selectors.photo_feed", side_effect=CONNECTION_LOST):
        page = client.get("/")
        api = client.get("/api/feed/")

    assert page.status_code == api.status_code == 503
    assert "socialapp no está disponible por un momento" in page.content.decode()
    assert '<html lang="es">' in page.content.decode()
    assert api.json()["detail"].startswith("El servicio no está disponible por un momento;")


@pytest.mark.django_db
def test_loading_the_signed_in_user_answers_503_when_the_database_is_lost(user):
    # given: the session's user cannot be loaded (before any view runs)
    client = Client()
    client.force_login(user)
    with mock.patch("django.contrib.auth.get_user", side_effect=CONNECTION_LOST):
        # when
        response = client.get("/api/feed/")

    # then
    assert (response.status_code, response["Retry-After"], response.json()) == (
        503,
        "10",
        {"detail": UNAVAILABLE_MESSAGE},
    )


@pytest.mark.django_db
def test_a_wrong_query_on_sqlite_stays_a_server_error(auth_client):
    # given: SQLite's OperationalError for a missing column, which is a bug, not an outage
    error = OperationalError("no such column: photos_photo.nope")
    error.__cause__ = sqlite3.OperationalError("no such column: photos_photo.nope")
    with (
        mock.patch("socialapp.photos.selectors.photo_feed", side_effect=error),
        # when / then: it reaches Django's 500 handling unchanged
        pytest.raises(OperationalError, match="no such column"),
    ):
        auth_client.get("/api/feed/")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_server_answers_503_while_postgresql_is_down_and_200_once_it_is_back(postgres_url, tmp_path):
    # given: a server whose PostgreSQL is reached through a proxy the test can take down
    user = UserFactory()
    token = Token.objects.create(user=user)
    session = Client()
    session.force_login(user)
    api = {"Authorization": f"Token {token.key}"}
    page = {"Cookie": f"sessionid={session.cookies['sessionid'].value}"}
    db = connection.settings_dict
    port = free_port()
    with tcp_proxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))) as proxy:
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
            "DATABASE_URL": f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
            "REDIS_URL": "",
            "VAR_DIR": str(tmp_path),
            "DEBUG": "true",  # the debug page must not be what an outage shows either
        }
        with daphne_servers([port], env):
            before = [_get(port, "/api/feed/", api)[0], _get(port, "/", page)[0]]

            # when: PostgreSQL goes away
            proxy.down()
            api_down = [_get(port, "/api/feed/", api) for _ in range(2)]
            page_down = _get(port, "/", page)
            upload_down = requests.post(
                f"http://127.0.0.1:{port}/api/photos/",
                headers=api,
                files={"image": ("down.jpg", jpeg_bytes(), "image/jpeg")},
                data={"caption": "posted while the database is down"},
                timeout=15,
            )

            # and: comes back
            proxy.up()
            after = []
            for _ in range(20):
                after.append(_get(port, "/api/feed/", api)[0])
                if after[-1] == 200:
                    break
                time.sleep(0.5)

    # then
    assert before == [200, 200]
    assert [(status, retry_after, json.loads(body)) for status, retry_after, body in api_down] == [
        (503, "10", {"detail": UNAVAILABLE_MESSAGE}),
        (503, "10", {"detail": UNAVAILABLE_MESSAGE}),
    ]
    assert page_down[:2] == (503, "10")
    assert "socialapp is briefly unavailable" in page_down[2]
    assert after[-1] == 200
    assert set(after[:-1]) <= {503}
    # the upload refused during the outage left no row and no file behind
    assert (upload_down.status_code, upload_down.headers["Retry-After"]) == (503, "10")
    assert upload_down.json() == {"detail": UNAVAILABLE_MESSAGE}
    assert Photo.objects.filter(owner=user).count() == 0
    assert [path for path in (tmp_path / "media").rglob("*") if path.is_file()] == []


def test_postgresql_waits_are_bounded_by_the_timeout_settings(monkeypatch):
    # given
    monkeypatch.setattr(env, "DATABASE_URL", "postgres://app@db.example:5432/app")
    limits = {"POOL_SIZE": 10, "CONNECT_TIMEOUT": 3, "POOL_TIMEOUT": 3.0, "STATEMENT_TIMEOUT": 30}
    for name, value in limits.items():
        monkeypatch.setattr(env, f"DATABASE_{name}", value)

    # when
    options = env.database_config()["OPTIONS"]

    # then: connecting, waiting for the pool and each statement end in seconds
    assert options == {
        "pool": {"min_size": 1, "max_size": 10, "timeout": 3.0},
        "connect_timeout": 3,
        "options": "-c statement_timeout=30000",
    }
