"""Sync code of the ASGI server finds the server's event loop through public asyncio,
recorded by socialapp.asgi's application (no asgiref thread-local)."""

import asyncio
import threading

import pytest
from asgiref.sync import sync_to_async
from channels.testing import HttpCommunicator

from socialapp import server_loop
from socialapp.asgi import application


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_thread_of_the_server_finds_its_running_loop():
    communicator = HttpCommunicator(application, "GET", "/no-such-page/", headers=[(b"host", b"localhost")])
    await communicator.get_response()

    from_sync_thread = await sync_to_async(server_loop.server_loop)()
    from_plain_thread: list[object] = []
    thread = threading.Thread(target=lambda: from_plain_thread.append(server_loop.server_loop()))
    thread.start()
    thread.join()

    assert from_sync_thread is asyncio.get_running_loop()
    assert from_plain_thread == [asyncio.get_running_loop()]


def test_a_recorded_loop_that_stopped_is_no_server_loop():
    loop = asyncio.new_event_loop()
    loop.run_until_complete(_record())
    loop.close()

    assert server_loop.server_loop() is None


async def _record() -> None:
    server_loop.server_loop_record()
