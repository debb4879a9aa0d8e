"""The channel layer as settings configure it, on the real Redis: what a busy or a quiet
server process needs so that a stored chat message is always broadcast."""

import asyncio

import pytest
import redis
from asgiref.sync import async_to_sync
from django.utils.module_loading import import_string

from socialapp.settings import base

pytestmark = pytest.mark.services


def _layer(**config):
    """The layer servers use (socialapp.settings.test swaps in the in-memory one), with
    `config` in place of the settings' where given."""
    layer = base.CHANNEL_LAYERS["default"]
    return import_string(layer["BACKEND"])(**(config or layer["CONFIG"]))


def test_an_idle_socket_still_receives_after_the_redis_read_timeout(redis_url):
    async def scenario() -> dict:
        layer = _layer()
        channel = await layer.new_channel()
        await layer.group_add("chat.quiet", channel)

        async def later() -> None:
            await asyncio.sleep(6)  # longer than redis-py's 5 s socket timeout
            await layer.group_send("chat.quiet", {"type": "late"})

        sender = asyncio.create_task(later())
        try:
            return await asyncio.wait_for(layer.receive(channel), 15)
        finally:
            await sender
            await layer.flush()

    assert asyncio.run(scenario()) == {"type": "late"}


def test_a_busy_server_gets_every_group_message_sent_at_once(redis_url):
    sockets = 300  # of one process, more than redis-py's default pool of 100

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

    assert asyncio.run(scenario()) == [{"type": "chat.event", "n": n} for n in range(sockets)]


def test_a_worker_outside_the_server_loop_reaches_a_server_socket(redis_url):
    # Celery workers announce translations with async_to_sync, each call on a loop of its own.
    async def scenario() -> list[dict]:
        server = _layer()
        channel = await server.new_channel()
        await server.group_add("chat.7", channel)
        worker = _layer()

        def announce(n: int) -> None:
            async_to_sync(worker.group_send)("chat.7", {"type": "translation", "n": n})

        try:
            await asyncio.to_thread(announce, 1)
            await asyncio.to_thread(announce, 2)
            return [await asyncio.wait_for(server.receive(channel), 10) for _ in range(2)]
        finally:
            await server.flush()

    assert asyncio.run(scenario()) == [{"type": "translation", "n": 1}, {"type": "translation", "n": 2}]


def test_a_server_whose_redis_connection_drops_subscribes_again(redis_url):
    # Redis restarted, or a network blip: what is published while the subscriber is away
    # is lost (clients resync on the seq gap); what follows must arrive.
    name = "socialapp-test-blip"  # so that only this test's connections are dropped

    async def scenario() -> list[dict]:
        layer = _layer(hosts=[{"address": redis_url, "client_name": name}])
        channel = await layer.new_channel()
        await layer.group_add("chat.blip", channel)
        admin = redis.Redis.from_url(redis_url)
        try:
            mine = [c["id"] for c in admin.client_list(_type="pubsub") if c["name"] == name]
            assert mine and all(admin.client_kill_filter(_id=i) == 1 for i in mine)
            deadline = asyncio.get_running_loop().time() + 10
            while True:  # until the layer has subscribed again
                await layer.group_send("chat.blip", {"type": "probe"})
                try:
                    await asyncio.wait_for(layer.receive(channel), 0.5)
                    break
                except TimeoutError:
                    assert asyncio.get_running_loop().time() < deadline, "never subscribed again"
            for n in range(3):
                await layer.group_send("chat.blip", {"type": "after", "n": n})
            received = []
            while len(received) < 3:
                message = await asyncio.wait_for(layer.receive(channel), 5)
                if message["type"] != "probe":  # a late one of the probes above
                    received.append(message)
            return received
        finally:
            admin.close()
            await layer.flush()

    assert asyncio.run(scenario()) == [{"type": "after", "n": n} for n in range(3)]
