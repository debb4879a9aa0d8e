import os
import socket
from typing import NoReturn
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytest_plugins = ["tests.browser"]  # Playwright fixtures for browser tests


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttle counters live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def auth_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def unavailable(problem: str) -> NoReturn:
    """A real server or program a test needs is missing: with CI set the test fails,
    elsewhere it skips, naming what is missing."""
    if os.environ.get("CI"):
        pytest.fail(problem)
    pytest.skip(problem)


def require_service(name: str, variable: str, default_port: int) -> str:
    """The URL of a real server for a `services` test. With CI set a missing server fails
    the test; elsewhere the test skips, naming the server."""
    url = os.environ.get(variable, "")
    problem = None
    if not url:
        problem = f"{name} is not configured: set {variable}"
    elif not _reachable(url, default_port):
        problem = f"{name} is not reachable at {url}"
    if problem:
        unavailable(problem)
    return url


@pytest.fixture
def redis_url() -> str:
    return require_service("Redis", "REDIS_URL", 6379)


@pytest.fixture
def postgres_url() -> str:
    url = require_service("PostgreSQL", "DATABASE_URL", 5432)
    if not url.startswith(("postgres://", "postgresql://")):
        unavailable(f"DATABASE_URL does not name PostgreSQL: {url}")
    return url


# A real S3-compatible object store (SeaweedFS) and a bucket per test: tests/seaweedfs.py.
from tests.seaweedfs import s3_bucket, seaweedfs  # noqa: E402, F401
