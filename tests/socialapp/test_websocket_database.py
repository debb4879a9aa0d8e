"""The chat consumers' database helpers: the one place that relies on a channels
internal (its dispatch and get_handler_name), checked here against the installed
channels, and a kept connection that uses only asgiref's public sync_to_async."""

from unittest.mock import patch

import channels
import pytest
from channels.consumer import AsyncConsumer
from django.db import DatabaseError

from socialapp.websocket_database import (
    CHANNELS_CHECKED,
    NoDatabaseHopConsumer,
    kept_connection_sync_to_async,
)


class _Handlers:
    def __init__(self) -> None:
        self.handled: list[str] = []

    async def chat_event(self, message):
        self.handled.append(message["type"])


class _Channels(_Handlers, AsyncConsumer):
    pass


class _NoHop(_Handlers, NoDatabaseHopConsumer):
    pass


def test_the_installed_channels_is_the_version_the_adapter_was_checked_against():
    assert channels.__version__ == CHANNELS_CHECKED, (
        "channels changed: re-read AsyncConsumer.dispatch and get_handler_name against "
        "socialapp/websocket_database.py, then update CHANNELS_CHECKED"
    )


@pytest.mark.asyncio
async def test_channels_dispatch_still_closes_connections_before_each_handler_which_ours_skips():
    theirs, ours = _Channels(), _NoHop()

    with patch("channels.consumer.aclose_old_connections") as closes:
        await theirs.dispatch({"type": "chat.event"})
        closed_by_channels = closes.await_count
        await ours.dispatch({"type": "chat.event"})

    assert (closed_by_channels, closes.await_count) == (1, 1)
    assert (theirs.handled, ours.handled) == (["chat.event"], ["chat.event"])


@pytest.mark.asyncio
@pytest.mark.parametrize("message", [{"type": "no.such"}, {"type": "_private"}, {"text": "no type"}])
async def test_ours_refuses_what_channels_refuses(message):
    refused = []
    for consumer in (_Channels(), _NoHop()):
        with patch("channels.consumer.aclose_old_connections"), pytest.raises(ValueError) as error:
            await consumer.dispatch(message)
        refused.append(type(error.value))

    assert refused == [ValueError, ValueError]


@pytest.mark.asyncio
async def test_a_database_error_closes_the_kept_connection_and_is_raised():
    def broken() -> None:
        raise DatabaseError("server closed the connection")

    with patch("socialapp.websocket_database.close_old_connections") as closes:
        with pytest.raises(DatabaseError):
            await kept_connection_sync_to_async(broken)()
        answer = await kept_connection_sync_to_async(lambda x: x + 1)(1)

    assert (closes.call_count, answer) == (1, 2)
