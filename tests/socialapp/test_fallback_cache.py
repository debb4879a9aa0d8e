"""The API keeps answering, and throttling keeps counting, while Redis is down.

A private redis-server on a free port stands for the cache's Redis, so stopping and
restarting it touches nothing else on the machine."""

import logging
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.test import override_settings
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import unavailable
from tests.servers import free_port, wait_for_port

pytestmark = [pytest.mark.services, pytest.mark.django_db]

RETRY_SECONDS = 0.2
API_PATHS = ["/api/feed/", "/api/search/?q=cats", "/api/listings/"]


@contextmanager
def redis_server(port: int, folder: Path) -> Iterator[None]:
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, seconds=10)
        yield
    finally:
        server.terminate()
        server.wait(timeout=10)


def fallback_cache(url: str) -> dict[str, object]:
    return {
        "default": {
            "BACKEND": "socialapp.fallback_cache.RedisCacheWithLocalFallback",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "fallback_retry_seconds": RETRY_SECONDS,
            },
        }
    }


@pytest.fixture
def redis_port() -> int:
    if not shutil.which("redis-server"):
        unavailable("redis-server is not installed")
    return free_port()


def test_api_answers_and_throttles_while_redis_is_down_and_uses_redis_again_after(
    auth_client, user, redis_port, tmp_path, monkeypatch, caplog
):
    # given: the fallback cache on a private Redis, and a limit of 6 API requests a minute
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "6/min")
    caplog.set_level(logging.WARNING, logger="socialapp.fallback_cache")
    with override_settings(CACHES=fallback_cache(f"redis://127.0.0.1:{redis_port}/0")):
        with redis_server(redis_port, tmp_path):
            before = auth_client.get("/api/feed/").status_code

        # when: Redis is down
        during = [auth_client.get(API_PATHS[i % 3]).status_code for i in range(7)]

        # and: it is back
        with redis_server(redis_port, tmp_path):
            time.sleep(RETRY_SECONDS * 2)
            after = auth_client.get("/api/feed/").status_code
            stored = redis.Redis(port=redis_port).keys()

    # then: every request is answered; the limit counts in memory (the 7th is refused)
    assert before == 200
    assert during == [200, 200, 200, 200, 200, 200, 429]
    # and: afterwards the counter is in Redis again (the memory's would refuse it)
    assert after == 200
    assert stored == [f":1:throttle_user_{user.pk}".encode()]
    # and: one warning when the outage began, one line when it ended
    outage_lines = [r for r in caplog.records if r.name == "socialapp.fallback_cache"]
    assert [(r.levelname, r.getMessage().split(" (")[0].split(" after")[0]) for r in outage_lines] == [
        ("WARNING", f"Redis cache at redis://127.0.0.1:{redis_port}/0 is unreachable"),
        ("WARNING", f"Redis cache at redis://127.0.0.1:{redis_port}/0 is reachable again"),
    ]
