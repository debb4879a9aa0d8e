"""Database calls from a busy WebSocket consumer without a new connection each time.

channels' database_sync_to_async calls close_old_connections() before and after the
function, and with CONN_MAX_AGE = 0 (what Django asks for under ASGI, where HTTP
requests run on throwaway threads) that closes the connection every time: a chat message
paid for two fresh PostgreSQL connections, about 5 ms of CPU each on loopback, a hundred
times its queries. Consumers run their sync code on the server's one thread-sensitive
thread, so keeping that thread's connection between calls is safe; it is closed after a
database error (it may be broken), and every database_sync_to_async call on the same
thread (authentication, connect, resync) still closes it, so it is renewed often.
channels' consumer dispatch closes it too, before every event; NoDatabaseHopConsumer is
the base for consumers that do not need that.

With PostgreSQL's connection pool (env.database_config) a closed connection goes back to
the pool instead of away, so what keeping it saves now is the pool's check-out and
check-in; the thread hop NoDatabaseHopConsumer saves is unchanged.
"""

import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from channels.consumer import AsyncConsumer, get_handler_name
from django.db import Error, close_old_connections

# The channels internals NoDatabaseHopConsumer relies on (get_handler_name, and what
# AsyncConsumer.dispatch does besides routing) were read in this version;
# tests/socialapp/test_websocket_database.py fails when they change.
CHANNELS_CHECKED = "4.3.2"

P = ParamSpec("P")
R = TypeVar("R")


def kept_connection_sync_to_async(function: Callable[P, R]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Used like database_sync_to_async: await kept_connection_sync_to_async(function)(...).
    Runs `function` on the thread-sensitive thread without closing its connection
    before or after; after a database error the connection is closed (it may be broken)."""

    @functools.wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except Error:
            close_old_connections()
            raise

    return sync_to_async(run, thread_sensitive=True)


class NoDatabaseHopConsumer(AsyncConsumer):
    """A consumer whose handlers reach the database only through database_sync_to_async
    (which closes old connections around each call) or kept_connection_sync_to_async.

    channels' own dispatch first awaits close_old_connections on the database thread for
    every event: a thread hop per frame sent or received, queued behind other sockets'
    database work, and with CONN_MAX_AGE = 0 it closes the connection kept for messages,
    so each message paid for a new PostgreSQL connection. This dispatch skips that and
    routes as channels does (its get_handler_name; see CHANNELS_CHECKED)."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
