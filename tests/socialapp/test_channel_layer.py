"""The channels_redis layer as settings configure it, on the real Redis: what a busy or a
quiet server process needs so that a stored chat message is always broadcast."""

import asyncio

import pytest
from channels_redis.core import RedisChannelLayer

from socialapp.settings import base

pytestmark = pytest.mark.services


def _layer() -> RedisChannelLayer:
    # socialapp.settings.test swaps in the in-memory layer; this is the one servers use.
    return RedisChannelLayer(**base.CHANNEL_LAYERS["default"]["CONFIG"])


def test_an_idle_socket_still_receives_after_the_redis_read_timeout(redis_url):
    async def scenario() -> dict:
        layer = _layer()
        channel = await layer.new_channel()

        async def later() -> None:
            await asyncio.sleep(6)  # longer than channels_redis's 5 s BZPOPMIN
            await layer.send(channel, {"type": "late"})

        sender = asyncio.create_task(later())
        try:
            return await asyncio.wait_for(layer.receive(channel), 15)
        finally:
            await sender
            await layer.flush()
            await layer.close_pools()

    assert asyncio.run(scenario()) == {"type": "late"}


def test_a_busy_server_gets_every_group_message_sent_at_once(redis_url):
    sockets = 300  # of one process, more than redis-py's and channels_redis's 100

    async def scenario() -> list[dict]:
        layer = _layer()
        channels = [await layer.new_channel() for _ in range(sockets)]
        for n, channel in enumerate(channels):
            await layer.group_add(f"chat.{n}", channel)
        try:
            await asyncio.gather(
                *(layer.group_send(f"chat.{n}", {"type": "chat.event", "n": n}) for n in range(sockets))
            )
            return [await asyncio.wait_for(layer.receive(channel), 10) for channel in channels]
        finally:
            await layer.flush()
            await layer.close_pools()

    assert asyncio.run(scenario()) == [{"type": "chat.event", "n": n} for n in range(sockets)]
