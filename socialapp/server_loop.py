"""The event loop of this process's ASGI server, for sync code (a thread of the server)
that hands work back to it: the in-memory channel layer only works from that loop.

socialapp.asgi's application records it as each connection starts, with asyncio's public
`get_running_loop`; a process that runs no server (a worker, a command) has none."""

import asyncio
import os

_recorded: dict[int, asyncio.AbstractEventLoop] = {}  # by process id: a fork has its own


def server_loop_record() -> None:
    """Call from the server's loop (an ASGI application): remember it."""
    _recorded[os.getpid()] = asyncio.get_running_loop()


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop of this process's ASGI server, or None."""
    loop = _recorded.get(os.getpid())
    return loop if loop is not None and loop.is_running() else None
