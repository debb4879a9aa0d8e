"""The Redis cache, answered from process memory while Redis is unreachable.

The cache holds only what may be lost: DRF's throttle counters and the sign-up limit
(sign-in lockouts are in the database, sessions too). When Redis refuses a connection
or does not answer within its socket timeouts, the operation goes to a LocMemCache of
this process instead, and so does every operation for the next `fallback_retry_seconds`;
then Redis is tried again. An outage thus costs each process one short timeout every
few seconds instead of a 500 on every API request. While it lasts the limits count per
process, each allowing the full rate (open rather than closed: a visitor is never
refused for our outage). One warning is logged when an outage starts and one line when
Redis answers again, not one per request.
"""

import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

REDIS_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class _Outage:
    """Whether one Redis location is down, shared by every thread of the process (Django
    makes a cache object per thread)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: float | None = None
        self._retry_at = 0.0

    def redis_worth_trying(self) -> bool:
        return self._since is None or time.monotonic() >= self._retry_at

    def began(self, *, location: str, error: Exception, retry_seconds: float) -> None:
        with self._lock:
            now = time.monotonic()
            if self._since is None:
                self._since = now
                logger.warning(
                    "Redis cache at %s is unreachable (%s); using this process's memory "
                    "and trying Redis again every %g s",
                    location,
                    error,
                    retry_seconds,
                )
            self._retry_at = now + retry_seconds

    def ended(self, *, location: str) -> None:
        if self._since is None:
            return
        with self._lock:
            if self._since is not None:
                seconds = time.monotonic() - self._since
                logger.warning("Redis cache at %s is reachable again after %.0f s", location, seconds)
                self._since = None


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(location: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(location, _Outage())


class RedisCacheWithLocalFallback(RedisCache):
    """django.core.cache.backends.redis.RedisCache plus OPTIONS["fallback_retry_seconds"]
    (default 5); give OPTIONS socket_connect_timeout and socket_timeout short values, since
    each outage costs one of them per process per retry."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self._retry_seconds = float(options.pop("fallback_retry_seconds", 5))
        super().__init__(server, {**params, "OPTIONS": options})
        location = server if isinstance(server, str) else ",".join(server)
        # As logged: without a password in the URL.
        self._location = re.sub(r"//[^/@]*@", "//", location)
        self._outage = _outage_for(self._location)
        # Same name, same storage: every thread of the process shares one fallback.
        self._local = LocMemCache(
            f"redis-fallback:{self._location}",
            {key: value for key, value in params.items() if key != "OPTIONS"},
        )

    def _either(self, redis_operation: Callable[..., Any], local: Callable[..., Any], *args: Any) -> Any:
        if self._outage.redis_worth_trying():
            try:
                result = redis_operation(self, *args)
            except REDIS_UNREACHABLE as error:
                self._outage.began(location=self._location, error=error, retry_seconds=self._retry_seconds)
            else:
                self._outage.ended(location=self._location)
                return result
        return local(*args)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._either(RedisCache.add, self._local.add, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._either(RedisCache.get, self._local.get, key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._either(RedisCache.set, self._local.set, key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._either(RedisCache.touch, self._local.touch, key, timeout, version)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._either(RedisCache.delete, self._local.delete, key, version)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._either(RedisCache.get_many, self._local.get_many, keys, version)

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._either(RedisCache.has_key, self._local.has_key, key, version)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return self._either(RedisCache.incr, self._local.incr, key, delta, version)

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._either(RedisCache.set_many, self._local.set_many, data, timeout, version)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._either(RedisCache.delete_many, self._local.delete_many, keys, version)

    def clear(self) -> None:
        # Both: counters kept in memory during an outage must not outlive a clear either.
        self._local.clear()
        self._either(RedisCache.clear, lambda: None)
