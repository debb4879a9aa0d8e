"""Pub/sub channels are server-wide in Redis: the database number in REDIS_URL does not
separate them. Two deployments or test runs on one Redis server with different database
numbers must still not hear each other's chat groups (a reconnect storm bench run lost
messages when a concurrent test's group_send on "chat.<n>" reached its sockets)."""

import asyncio
from urllib.parse import urlparse

import pytest
from django.utils.module_loading import import_string

from socialapp.settings import base

GROUP = "chat.isolation"
EVENT = {"type": "chat.event", "frame": {"type": "message", "seq": 1}}


def _layer(url: str):
    layer = base.redis_channel_layers(url)["default"]
    return import_string(layer["BACKEND"])(**layer["CONFIG"])


def _on_database(url: str, db: int) -> str:
    return urlparse(url)._replace(path=f"/{db}").geturl()


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("redis://127.0.0.1:6379/3", "asgi.db3."),
        ("redis://127.0.0.1:6379/0", "asgi"),
        ("redis://127.0.0.1:6379", "asgi"),
        ("unix:///run/redis.sock", "asgi"),
        ("unix:///run/redis.sock?db=4", "asgi.db4."),
    ],
)
def test_the_channel_prefix_names_the_redis_database(url, prefix):
    assert base.redis_channel_layers(url)["default"]["CONFIG"]["prefix"] == prefix


@pytest.mark.services
def test_a_group_message_reaches_only_servers_on_the_same_redis_database(redis_url):
    # given a sender and a receiver on the test's Redis database, and a receiver on another
    db = int(urlparse(redis_url).path.strip("/") or 0)
    other_url = _on_database(redis_url, (db + 1) % 16)

    async def scenario() -> tuple[dict, dict | None]:
        sender, same, elsewhere = _layer(redis_url), _layer(redis_url), _layer(other_url)
        here, there = await same.new_channel(), await elsewhere.new_channel()
        await same.group_add(GROUP, here)
        await elsewhere.group_add(GROUP, there)
        try:
            # when the sender broadcasts to the group
            await sender.group_send(GROUP, EVENT)
            received = await asyncio.wait_for(same.receive(here), 10)
            try:
                overheard = await asyncio.wait_for(elsewhere.receive(there), 1)
            except TimeoutError:
                overheard = None
            return received, overheard
        finally:
            for layer in (sender, same, elsewhere):
                await layer.flush()

    # then only the receiver on the same database gets it
    assert asyncio.run(scenario()) == (EVENT, None)
