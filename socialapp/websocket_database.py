"""Database calls from a busy WebSocket consumer without a new connection each time.

channels' database_sync_to_async calls close_old_connections() before and after the
function, and with CONN_MAX_AGE = 0 (what Django asks for under ASGI, where HTTP
requests run on throwaway threads) that closes the connection every time: a chat message
paid for two fresh PostgreSQL connections, about 5 ms of CPU each on loopback, a hundred
times its queries. Consumers run their sync code on the server's one thread-sensitive
thread, so keeping that thread's connection between calls is safe; it is closed after a
database error (it may be broken), and every database_sync_to_async call on the same
thread (authentication, connect, resync) still closes it, so it is renewed often.
"""

from typing import Any

from asgiref.sync import SyncToAsync
from django.db import Error, close_old_connections


class KeptConnectionSyncToAsync(SyncToAsync):
    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().thread_handler(loop, *args, **kwargs)
        except Error:
            close_old_connections()
            raise


# Used like database_sync_to_async: await kept_connection_sync_to_async(function)(...)
kept_connection_sync_to_async = KeptConnectionSyncToAsync
