"""Celery tasks of translation. They take ids, reload rows and are safe to run twice.

A prefork Celery child runs one task at a time, so batching happens in the task: the
first task to run claims every pending translation of its direction (see
`services.translations_run`) and the tasks of the messages it took find nothing to do.
Without a broker (one machine, tasks inline) the work runs beside the ASGI server, one
run at a time, never in the sender's socket handler."""

import asyncio
import logging
import os
import threading

from asgiref.sync import SyncToAsync, sync_to_async
from celery import Task, shared_task
from django.conf import settings
from django.db import close_old_connections

from socialapp.queueing import task_enqueue

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    soft_time_limit=60,
    time_limit=int(services.TRANSLATION_TIME_LIMIT.total_seconds()),
)
def message_translate(self: Task, translation_id: int) -> int:
    """Translate a message (and the others pending in its direction). Returns how many."""
    try:
        return len(services.translations_run(translation_id=translation_id))
    except Exception as error:
        # The database or broker hiccuped, or the engine failed: try again a few times.
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
        logger.exception("Translation %s failed; delivering the message untranslated", translation_id)
        services.translations_fail(translation_ids=[translation_id])
        return 0


def translation_dispatch(translation_id: int) -> None:
    """Run `message_translate` on a worker. Without a broker, run it beside the ASGI
    server: the sender's socket handler goes on at once, and the translation frame is
    sent from a thread the server's event loop knows (the in-memory channel layer only
    works from there). Outside a server (a command, a shell) it runs here and now."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        task_enqueue(message_translate, translation_id)  # a broker error leaves it pending for the sweep
        return
    loop = _server_loop()
    if loop is None:
        _inline_run(translation_id)
        return
    with _inline_idle:
        _inline_count[0] += 1
    loop.call_soon_threadsafe(
        lambda: loop.create_task(sync_to_async(_inline_background, thread_sensitive=False)(translation_id))
    )


def inline_drain(timeout: float = 30) -> None:
    """Wait until the translations handed to the server's loop have run (for tests)."""
    with _inline_idle:
        _inline_idle.wait_for(lambda: _inline_count[0] == 0, timeout=timeout)


# One translation run at a time in a process, as in a prefork worker child: messages
# that arrive meanwhile wait here and are taken by the next run as one batch.
_inline_lock = threading.Lock()
_inline_idle = threading.Condition()
_inline_count = [0]


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The event loop of the ASGI server whose sync_to_async thread this is, if any.
    asgiref records it in this thread-local for its own async_to_sync."""
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is None or getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) != os.getpid():
        return None
    return loop if loop.is_running() else None


def _inline_background(translation_id: int) -> None:
    try:
        _inline_run(translation_id)
    finally:
        close_old_connections()  # this pool thread's own connection, as after a request
        with _inline_idle:
            _inline_count[0] -= 1
            _inline_idle.notify_all()


def _inline_run(translation_id: int) -> None:
    with _inline_lock:
        message_translate.apply(args=(translation_id,))
