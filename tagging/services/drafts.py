"""What the tagger sees in a photo before it is posted (models.DraftAnalysis).

The new-post form sends a small copy of the chosen photo while its owner writes the
caption, so that the hashtag autocomplete blends what the photo shows from the first
"#" on, as it does on a post's own page. Creating one stores the copy and queues its
analysis (a worker runs the model; inline without one); the request never loads torch.
"""

import io
import logging
from datetime import timedelta
from typing import IO

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from socialapp.accounts.models import User
from socialapp.queueing import STUCK_BATCH, task_enqueue, task_enqueue_on_commit
from socialapp.uploads import GRID_SIDE, image_process
from tagging import selectors
from tagging.models import DRAFT_ANALYSIS_KEPT, DraftAnalysis

logger = logging.getLogger(__name__)

# One still pending this long after it was queued lost its message (a broker outage), or
# waits behind other work: the sweep queues it again (a second run stores nothing), while
# it can still help, DRAFT_ANALYSIS_USEFUL after it was made; a caption is written by then.
DRAFT_ANALYSIS_TIME_LIMIT = timedelta(seconds=60)
DRAFT_ANALYSIS_USEFUL = timedelta(minutes=10)
ANALYSE_TASK = "tagging.tasks.draft_analyse"


def draft_analysis_create(*, owner: User, image: IO[bytes]) -> DraftAnalysis:
    """Check `image` as an upload is checked, keep the copy the tagger reads (the grid
    thumbnail: shorter side GRID_SIDE) and queue its analysis. Deletes every analysis
    older than DRAFT_ANALYSIS_KEPT on the way (without workers no sweep runs). Raises
    UploadError / UploadTooLarge."""
    processed = image_process(file=image, thumbnails=(GRID_SIDE,))
    with transaction.atomic():
        draft_analyses_delete_expired()
        analysis = DraftAnalysis.objects.create(owner=owner, image=processed.thumbnails[GRID_SIDE])
        task_enqueue_on_commit(ANALYSE_TASK, analysis.pk)
    analysis.refresh_from_db(fields=["status"])  # inline, the analysis ran on commit
    return analysis


def draft_analyses_delete_expired() -> int:
    """Delete every analysis made over DRAFT_ANALYSIS_KEPT ago (they answer 404 already:
    caption_suggestions.draft_vision_scores). Returns how many."""
    deleted, _ = DraftAnalysis.objects.filter(created_at__lt=timezone.now() - DRAFT_ANALYSIS_KEPT).delete()
    return deleted


def draft_analyses_requeue_stuck(*, older_than: timedelta = DRAFT_ANALYSIS_TIME_LIMIT) -> int:
    """The sweep's part for draft analyses (Celery beat, every minute): delete those
    older than DRAFT_ANALYSIS_KEPT, and queue again, oldest first, those made in the last
    DRAFT_ANALYSIS_USEFUL that are still pending `older_than` after they were queued, once
    per `older_than`. Returns how many it queued; stops at the first broker error."""
    draft_analyses_delete_expired()
    now = timezone.now()
    stuck = DraftAnalysis.objects.filter(
        status=DraftAnalysis.Status.PENDING,
        queued_at__lt=now - older_than,
        created_at__gte=now - DRAFT_ANALYSIS_USEFUL,
    )
    queued = 0
    for analysis_id in stuck.order_by("queued_at", "pk").values_list("pk", flat=True)[:STUCK_BATCH]:
        if not task_enqueue(ANALYSE_TASK, analysis_id):
            break
        DraftAnalysis.objects.filter(pk=analysis_id).update(queued_at=now)
        queued += 1
    return queued


def draft_analysis_compute(*, analysis_id: int) -> DraftAnalysis | None:
    """Run the active tagger on a draft analysis's copy and store what the photo alone
    says of each concept it would suggest (its owner's language; never a non-visual or
    blocked one), then empty the copy. Idempotent: one no longer pending is left as it
    is. Returns None when it is gone (expired). What would fail again on another run (an
    unreadable copy, missing model files, a version that wants other embeddings) marks it
    failed, logged: the caption alone answers for it, and the upload it precedes is not
    held up."""
    from tagging.ml.preprocessing import decode

    analysis = DraftAnalysis.objects.select_related("owner").filter(pk=analysis_id).first()
    if analysis is None or analysis.status != DraftAnalysis.Status.PENDING:
        return analysis
    try:
        tagger = selectors.tagger_active()
        looked = tagger.look([decode(io.BytesIO(bytes(analysis.image)), tagger.backbone.preprocessing)])
    except (OSError, ImproperlyConfigured) as error:
        logger.error("Draft analysis %s failed: %s", analysis_id, error)
        return _store(analysis_id, DraftAnalysis.Status.FAILED, {}, "")
    [seen] = tagger.predictions(
        looked.embeddings,
        languages=[analysis.owner.language],
        excludes=[selectors.excluded_concepts()],
        monochrome=looked.monochrome,
    )
    scores = {suggestion.concept: suggestion.score for suggestion in seen.hashtags}
    return _store(analysis_id, DraftAnalysis.Status.READY, scores, seen.model_version)


def _store(analysis_id: int, status: str, scores: dict[str, float], version: str) -> DraftAnalysis | None:
    DraftAnalysis.objects.filter(pk=analysis_id, status=DraftAnalysis.Status.PENDING).update(
        status=status, scores=scores, model_version=version, image=b""
    )
    return DraftAnalysis.objects.filter(pk=analysis_id).first()
