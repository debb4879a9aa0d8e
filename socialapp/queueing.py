"""Queueing tasks so that a broker outage never loses what was committed.

Work is queued after its row is committed. If the broker is down then, the row stays as
it was stored (pending, with the time it was queued) and the request answers normally;
a sweep that Celery beat runs every minute (`manage.py requeue_stuck` by hand) queues
again whatever stayed pending past its task's time limit. Tasks are idempotent, so a
row queued twice is done once.

Each app registers its sweep in `stuck_sweeps`, this module's one extension point, in its
AppConfig.ready: photos (display images), the tagger (analyses, alt texts, analyses of
photos being posted) and translation.
"""

import logging
from collections.abc import Callable

import redis.exceptions
from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

# What publishing raises while the broker is unreachable: kombu wraps connection errors
# in OperationalError after its retries; a raw socket or redis error may escape it.
BROKER_ERRORS = (OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)

# A sweep queues at most this many rows a run (oldest first); the next run takes more.
STUCK_BATCH = 500

# name -> sweep; a sweep queues again its stuck rows and returns how many it queued.
# Listeners: socialapp/photos/apps.py, tagging/apps.py, translation/apps.py.
stuck_sweeps: dict[str, Callable[[], int]] = {}


def task_get(name: str) -> Task:
    """The Celery task registered as `name` (its module's dotted path and function name).
    Services name their tasks this way: a task module imports its services, so a service
    importing its task module back would make an import cycle. Raises KeyError for a name
    no task module registers."""
    from socialapp.celery import app

    if name not in app.tasks:  # its module not imported yet in this process
        app.loader.import_default_modules()  # what a worker does at start: autodiscover_tasks
    return app.tasks[name]


def task_enqueue(task: Task | str, *args: object) -> bool:
    """Send `task(*args)` to the broker (inline without one); `task` is a task or its
    registered name (task_get). Returns False, having logged it, when the broker is
    unreachable: the caller's row stays pending for the sweep."""
    if isinstance(task, str):
        task = task_get(task)
    try:
        task.delay(*args)
    except BROKER_ERRORS as error:
        logger.warning("Could not queue %s%r, left for the sweep: %s", task.name, args, error)
        return False
    return True


def task_enqueue_on_commit(task: Task | str, *args: object) -> None:
    """Queue `task(*args)` once the current transaction is committed; a broker error
    then is logged and leaves the committed rows as they are (see task_enqueue)."""
    transaction.on_commit(lambda: task_enqueue(task, *args))


def workers_alive(*, timeout: float = 1.0) -> set[str] | None:
    """The names of the Celery workers that answer a ping within `timeout` seconds (a
    worker's main process answers while its prefork pool runs tasks), or None, having
    logged it, when the broker is unreachable."""
    from socialapp.celery import app

    try:
        replies = app.control.ping(timeout=timeout)
    except BROKER_ERRORS as error:
        logger.warning("Could not ping the workers: %s", error)
        return None
    return {name for reply in replies for name in reply}


def stuck_requeue() -> dict[str, int]:
    """Run every registered sweep, in the order the apps registered them. Returns how
    many rows each queued again."""
    return {name: sweep() for name, sweep in stuck_sweeps.items()}
