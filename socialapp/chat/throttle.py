"""Per-person limits on chat frames, counted in the cache: every socket of a person shares
one count, within a process (the in-memory cache, without Redis) and across processes
(the Redis cache, with REDIS_URL). A window starts with a person's first frame of a kind
and lasts CHAT_RATE_SECONDS; a frame over the limit is told how long until it ends.
A socket whose message was refused refuses its next ones until that time too
(throttle_hold), even if the window ends sooner: they are stored in the order typed.

Called from the sync code a consumer already runs on the database thread, so a check
costs no thread hop of its own (with Redis, one INCR round trip)."""

import math
import time

from django.core.cache import cache


class RateLimited(Exception):
    """Over the limit: `retry_after` whole seconds, `until` the time they end."""

    def __init__(self, *, kind: str, limit: int, retry_after: int, until: float) -> None:
        super().__init__(f"Over {limit} {kind}; retry after {retry_after} s.")
        self.kind, self.limit, self.retry_after, self.until = kind, limit, retry_after, until


def _now() -> float:
    return time.time()


def throttle_check(*, user_id: int, kind: str, limit: int, seconds: int) -> None:
    """Count one frame of `kind` for the user. Raises RateLimited (with the whole seconds
    until the window ends, at least 1) when it is over `limit` per `seconds`."""
    key, now = f"chat:rate:{kind}:{user_id}", _now()
    count = 1
    for _ in range(2):
        if cache.add(key, 1, timeout=seconds):
            cache.set(f"{key}:since", now, timeout=seconds)
            break
        try:
            count = cache.incr(key)
            break
        except ValueError:  # it expired between add and incr: start a new window
            continue
    if count > limit:
        since = cache.get(f"{key}:since", now)
        retry_after = max(1, math.ceil(since + seconds - now))
        raise RateLimited(kind=kind, limit=limit, retry_after=retry_after, until=now + retry_after)


def throttle_hold(*, until: float, kind: str, limit: int) -> None:
    """Raises RateLimited before `until` (retry after the whole seconds left, at least 1;
    the same `until`: a refusal while held does not hold longer)."""
    now = _now()
    if now < until:
        raise RateLimited(kind=kind, limit=limit, retry_after=max(1, math.ceil(until - now)), until=until)
