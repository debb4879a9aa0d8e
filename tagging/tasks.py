"""Celery tasks of the tagger. They take ids, reload rows and are safe to run twice."""

import logging

from celery import Task, shared_task
from celery.worker.consumer import Consumer
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

from tagging import services

logger = logging.getLogger(__name__)

# Worth another try: the database or broker hiccuped. Anything else (an unreadable file,
# a missing model) will fail the same way again, so the photo is marked failed at once.
TRANSIENT = (DatabaseError, ConnectionError, TimeoutError)


@shared_task(
    bind=True,
    acks_late=True,  # a task is acknowledged after it ran, so a lost worker's task runs again
    reject_on_worker_lost=True,
    max_retries=3,
    soft_time_limit=int(services.ANALYSIS_TIME_LIMIT.total_seconds()) - 60,
    time_limit=int(services.ANALYSIS_TIME_LIMIT.total_seconds()),
)
def photo_suggest(self: Task, photo_id: int) -> str:
    """Compute a photo's suggestions. Returns the tagging status."""
    try:
        services.photo_tagging_began(photo_id=photo_id, worker=self.request.hostname or "")
        photo = services.photo_suggestions_compute(photo_id=photo_id)
    except TRANSIENT as error:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
        services.photo_tagging_fail(
            photo_id=photo_id, reason=f"Gave up after {self.max_retries} retries: {error}"
        )
        return "failed"
    except OSError as error:  # unreadable image, missing model files
        logger.warning("Tagging photo %s failed: %s", photo_id, error)
        services.photo_tagging_fail(photo_id=photo_id, reason=f"Could not analyse the photo: {error}")
        return "failed"
    except ImproperlyConfigured as error:  # e.g. the active version wants other embeddings
        logger.error("Tagging photo %s failed: %s", photo_id, error)
        services.photo_tagging_fail(photo_id=photo_id, reason=f"The tagger is misconfigured: {error}")
        return "failed"
    return photo.tagging_status if photo is not None else "gone"


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    # as a post's analysis: a worker child's first one also loads the tagger
    time_limit=int(services.ANALYSIS_TIME_LIMIT.total_seconds()),
)
def draft_analyse(analysis_id: int) -> str:
    """What the tagger sees in a photo being posted. Returns its status ("gone" once
    expired). Not retried (a lost message is queued again by the sweep)."""
    analysis = services.draft_analysis_compute(analysis_id=analysis_id)
    return analysis.status if analysis is not None else "gone"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def concept_alt_texts_rewrite(concept_id: int) -> int:
    """An admin changed a concept's names: the tagger's alt texts that may name it follow."""
    return services.concept_alt_texts_rewrite(concept_id=concept_id)


def analyses_requeue_orphaned_on_ready(sender: Consumer, **kwargs: object) -> None:
    """Celery's worker_ready (connected in TaggingConfig.ready): before a worker takes its
    first task, queue again the analyses that a dead worker of the same name left
    started, so they come back as soon as it is restarted (services.analyses_requeue_orphaned)."""
    try:
        queued = services.analyses_requeue_orphaned(worker=sender.hostname)
    except DatabaseError as error:  # the sweep takes them (lost after 30 s, stuck after 180 s)
        logger.warning("Could not queue again the analyses %s left started: %s", sender.hostname, error)
        return
    finally:
        connection.close()  # not held idle by the main process; a later query reconnects
    if queued:
        logger.info("Queued again %s analyses a dead %s had started", queued, sender.hostname)
