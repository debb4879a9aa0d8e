"""Celery tasks of translation. They take ids, reload rows and are safe to run twice.

A prefork Celery child runs one task at a time, so batching happens in the task: the
first task to run claims every pending translation of its direction (see
`services.translations_run`) and the tasks of the messages it took find nothing to do.
Without a broker (one machine, tasks inline) the work runs beside the ASGI server, one
run at a time, never in the sender's socket handler."""

import logging
import threading
from typing import Any

from asgiref.sync import sync_to_async
from celery import Task, shared_task
from django.conf import settings
from django.db import close_old_connections

from socialapp.celery import SendOnlyTask
from socialapp.server_loop import server_loop

from . import services

logger = logging.getLogger(__name__)


class TranslationTask(SendOnlyTask):
    """Sent with a broker, a translation goes to a worker. Without one (tasks inline) it
    runs beside the ASGI server (translation_inline_dispatch), never in the sender's
    socket handler: services queue it by name (socialapp.queueing) and need not know."""

    def apply_async(self, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            return super().apply_async(args, kwargs, **options)
        translation_inline_dispatch(*(args or ()))
        return None


@shared_task(
    base=TranslationTask,
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


def translation_inline_dispatch(translation_id: int) -> None:
    """Without a broker, run `message_translate` beside the ASGI server: the sender's
    socket handler goes on at once, and the translation frame is sent from a thread the
    server's event loop knows (the in-memory channel layer only works from there).
    Outside a server (a command, a shell) it runs here and now."""
    loop = server_loop()
    if loop is None:
        _inline_run(translation_id)
        return
    with _inline_idle:
        _inline_count[0] += 1
    loop.call_soon_threadsafe(
        lambda: loop.create_task(sync_to_async(_inline_background, thread_sensitive=False)(translation_id))
    )


# One translation run at a time in a process, as in a prefork worker child: messages
# that arrive meanwhile wait here and are taken by the next run as one batch.
_inline_lock = threading.Lock()
_inline_idle = threading.Condition()
_inline_count = [0]


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
