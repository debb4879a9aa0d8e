"""HTTP and WebSocket entry point (daphne socialapp.asgi:application)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")

# Django must be set up before anything imports models (consumers, routing).
django_asgi_app = get_asgi_application()

import threading  # noqa: E402
from typing import Any  # noqa: E402

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from socialapp.routing import websocket_urlpatterns  # noqa: E402
from socialapp.server_loop import server_loop_record  # noqa: E402
from socialapp.websocket_auth import WebSocketAuthStack  # noqa: E402
from translation.ml.detect import detector  # noqa: E402

router = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": WebSocketAuthStack(URLRouter(websocket_urlpatterns)),
    }
)


async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
    server_loop_record()  # for work that the server's threads hand back to it
    await router(scope, receive, send)


# Chat messages have their language detected as they are stored; load the detector's
# models (~0.4 s) now rather than in the first sender's message.
threading.Thread(target=detector, name="language-detector", daemon=True).start()

from django.conf import settings  # noqa: E402

if settings.CELERY_TASK_ALWAYS_EAGER:
    # No workers (no REDIS_URL): this process analyses the uploads itself, so it imports
    # the tagger's code (torch, about 5 s) now rather than in the first upload. With
    # workers it never does (tests/test_web_process_imports.py).
    import tagging.ml.inference  # noqa: F401

import gc  # noqa: E402

# What is loaded by now (Django, torch, the apps) lives as long as the process. Move it
# out of the collector's sight so that full collections, which a busy chat server runs
# every few seconds, scan only what came after: about 0.2 s of pause each, otherwise.
gc.freeze()
