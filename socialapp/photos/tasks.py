"""Celery tasks of posts. They take ids, reload rows and are safe to run twice."""

import logging

from celery import Task, shared_task
from django.db import DatabaseError

from socialapp import queueing

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    time_limit=int(services.DISPLAY_TIME_LIMIT.total_seconds()),
)
def photo_display_make(self: Task, photo_id: int) -> str:
    """Make a new post's 1080 px display image. Until it is there, pages show the photo
    itself, so a failure costs bandwidth, not the post."""
    try:
        made = services.photo_display_add(photo_id=photo_id)
    except (DatabaseError, ConnectionError, TimeoutError) as error:
        raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
    except OSError as error:  # the stored image is unreadable; another try reads the same bytes
        logger.warning("Display image for photo %s failed: %s", photo_id, error)
        return "failed"
    return "made" if made else "skipped"


@shared_task(time_limit=55, ignore_result=True)
def stuck_requeue() -> dict[str, int]:
    """Celery beat runs this every minute: queue again the work that stayed pending past
    its time limit (display images, analyses, translations). Returns the counts."""
    counts = queueing.stuck_requeue()
    if any(counts.values()):
        logger.info("Queued stuck work again: %s", counts)
    return counts
