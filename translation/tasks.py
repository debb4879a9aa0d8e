"""Celery tasks of translation. They take ids, reload rows and are safe to run twice.

A prefork Celery child runs one task at a time, so batching happens in the task: the
first task to run claims every pending translation of its direction (see
`services.translations_run`) and the tasks of the messages it took find nothing to do.
Without a broker (one machine, tasks inline) the work runs on one background thread of
the web process, never in the sender's request or socket handler."""

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from celery import Task, shared_task
from django.conf import settings
from django.db import close_old_connections

from . import services

logger = logging.getLogger(__name__)

_inline = ThreadPoolExecutor(max_workers=1, thread_name_prefix="translation")


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
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


def translation_dispatch(translation_id: int) -> Future[int] | None:
    """Run `message_translate` on a worker, or on the background thread without a broker."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        message_translate.delay(translation_id)
        return None
    return _inline.submit(_inline_run, translation_id)


def inline_drain() -> None:
    """Wait until the background thread has run everything handed to it so far."""
    _inline.submit(int).result()


def _inline_run(translation_id: int) -> int:
    try:
        return int(message_translate.apply(args=(translation_id,)).get())
    finally:
        close_old_connections()
