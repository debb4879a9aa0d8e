"""Suggestions for one photo: compute and store them, and the owner's decisions."""

import zipfile
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from socialapp.accounts.models import User
from socialapp.hashtags.models import Concept
from socialapp.hashtags.services import hashtag_get_or_create
from socialapp.notifications.services import notification_send
from socialapp.photos.models import Photo, PhotoHashtag
from socialapp.queueing import STUCK_BATCH, task_enqueue, task_enqueue_on_commit
from tagging import selectors
from tagging.ml.inference import Prediction
from tagging.models import ModelVersion, PhotoSuggestion, ShopSuggestion

Status = Photo.TaggingStatus

# The tagging task's hard time limit: an analysis still pending this long after it was
# queued is stuck (its message was lost to a broker outage, or its worker died) and the
# sweep queues it again; its owner may retry it.
ANALYSIS_TIME_LIMIT = timedelta(seconds=180)


class NotRetryable(Exception):
    """Only a failed, never started or stuck analysis can be retried."""

    def __init__(self, status: str) -> None:
        super().__init__(f"The analysis is {status}; only a failed or stuck one can be retried.")
        self.detail = str(self)


def photo_tagging_start(*, photo: Photo) -> None:
    """Mark a photo pending and, once that is committed, queue its tagging task. If the
    broker is down then, the photo stays pending for the sweep."""
    from tagging.tasks import photo_suggest

    now = timezone.now()
    Photo.objects.filter(pk=photo.pk).update(
        tagging_status=Status.PENDING, tagging_reason="", tagging_queued_at=now
    )
    photo.tagging_status, photo.tagging_reason, photo.tagging_queued_at = Status.PENDING, "", now
    task_enqueue_on_commit(photo_suggest, photo.pk)


def photo_tagging_stuck(*, photo: Photo) -> bool:
    """Whether `photo`'s analysis is pending past its time limit."""
    queued_at = photo.tagging_queued_at
    return photo.tagging_status == Status.PENDING and (
        queued_at is None or queued_at < timezone.now() - ANALYSIS_TIME_LIMIT
    )


def analyses_requeue_stuck(*, older_than: timedelta = ANALYSIS_TIME_LIMIT) -> int:
    """Queue again the analyses still pending over `older_than` after they were queued,
    oldest first. Stops at the first broker error. Returns how many it queued."""
    from tagging.tasks import photo_suggest

    now = timezone.now()
    stuck = Photo.objects.filter(
        Q(tagging_queued_at__lt=now - older_than) | Q(tagging_queued_at=None), tagging_status=Status.PENDING
    )
    queued = 0
    for photo_id in stuck.order_by("tagging_queued_at", "pk").values_list("pk", flat=True)[:STUCK_BATCH]:
        if not task_enqueue(photo_suggest, photo_id):
            break
        Photo.objects.filter(pk=photo_id).update(tagging_queued_at=now)  # once per `older_than`
        queued += 1
    return queued


def photo_suggestions_compute(*, photo_id: int) -> Photo | None:
    """Run the active tagger on a photo and store its suggestions, shop category and alt
    text, then tell the owner's sockets. Idempotent: a photo already tagged by the active
    version is left as it is. Returns None if the photo is gone.
    Raises OSError for an unreadable file, FileNotFoundError for a missing model."""
    photo = Photo.objects.select_related("owner").filter(pk=photo_id).first()
    if photo is None:
        return None
    tagger = selectors.tagger_active()
    if photo.tagging_status == Status.READY and photo.tagging_model_version == tagger.version:
        return photo
    present = set(photo.hashtags.values_list("concept__name", flat=True))
    # The model's input is `crop` pixels square. The 320 px grid thumbnail of most photos
    # has that many across and decodes in a millisecond, against ~20 ms for a 12 MP
    # original even at 1/8 scale; wide panoramas fall back to a bigger file.
    source = photo.smallest_covering(tagger.backbone.preprocessing.crop)
    [prediction] = tagger.predict(
        [source.path], language=photo.owner.language, exclude=selectors.excluded_concepts() | present
    )
    with transaction.atomic():
        photo = Photo.objects.select_for_update().select_related("owner").get(pk=photo_id)
        _store(photo, prediction)
        owner_id = photo.owner_id
        transaction.on_commit(
            lambda: notification_send(
                user_id=owner_id,
                event={
                    "type": "suggestions.ready",
                    "photo_id": photo_id,
                    "model_version": prediction.model_version,
                },
            )
        )
    return photo


def _store(photo: Photo, prediction: Prediction) -> None:
    """In a few queries whatever the number of suggestions (one each cost five). Safe to
    run twice: the unique (photo, concept, version) keeps the first set."""
    version = prediction.model_version
    concepts = _concepts(prediction)
    PhotoSuggestion.objects.bulk_create(
        [
            PhotoSuggestion(
                photo=photo,
                concept=concepts[suggestion.concept],
                model_version=version,
                hashtag=suggestion.hashtag,
                score=suggestion.score,
                rank=rank,
            )
            for rank, suggestion in enumerate(prediction.hashtags)
        ],
        ignore_conflicts=True,
    )
    if prediction.shop_category is not None:
        ShopSuggestion.objects.get_or_create(
            photo=photo,
            model_version=version,
            defaults={"category": prediction.shop_category.name, "score": prediction.shop_category.score},
        )
    if not photo.alt_text:
        photo.alt_text = prediction.alt_text  # never overwrite what the owner wrote
    photo.tagging_status, photo.tagging_reason, photo.tagging_model_version = Status.READY, "", version
    photo.save(
        update_fields=["alt_text", "tagging_status", "tagging_reason", "tagging_model_version", "updated_at"]
    )


def _concepts(prediction: Prediction) -> dict[str, Concept]:
    """The suggested concepts by name, creating the ones the database does not have yet."""
    wanted = {s.concept: s for s in prediction.hashtags}
    found = {c.name: c for c in Concept.objects.filter(name__in=wanted)}
    missing = [
        Concept(name=name, display_en=s.display_en, display_es=s.display_es)
        for name, s in wanted.items()
        if name not in found
    ]
    if missing:
        Concept.objects.bulk_create(missing, ignore_conflicts=True)  # another worker may have just made one
        found = {c.name: c for c in Concept.objects.filter(name__in=wanted)}
    return found


def photo_tagging_fail(*, photo_id: int, reason: str) -> None:
    """The post stays published; its suggestions failed for `reason` (the owner or an
    admin can retry)."""
    Photo.objects.filter(pk=photo_id).update(tagging_status=Status.FAILED, tagging_reason=reason[:300])
    photo = Photo.objects.filter(pk=photo_id).values_list("owner_id", flat=True).first()
    if photo is not None:
        transaction.on_commit(
            lambda: notification_send(
                user_id=photo, event={"type": "suggestions.failed", "photo_id": photo_id, "reason": reason}
            )
        )


def photo_tagging_retry(*, photo: Photo) -> Photo:
    """Queue tagging again for a photo whose suggestions failed, never ran, or are stuck
    (pending past their time limit). Raises NotRetryable for a ready or fresh one."""
    retryable = photo.tagging_status in (Status.FAILED, Status.NOT_STARTED)
    if not retryable and not photo_tagging_stuck(photo=photo):
        raise NotRetryable(photo.tagging_status)
    photo_tagging_start(photo=photo)
    return photo


@transaction.atomic
def suggestion_accept(*, suggestion: PhotoSuggestion) -> PhotoSuggestion:
    """The hashtag joins the post, marked as suggested; the decision is kept for training."""
    hashtag = hashtag_get_or_create(typed=suggestion.hashtag)
    PhotoHashtag.objects.get_or_create(
        photo_id=suggestion.photo_id,
        hashtag=hashtag,
        defaults={"typed": suggestion.hashtag, "source": PhotoHashtag.Source.SUGGESTION},
    )
    return _decide(suggestion, PhotoSuggestion.State.ACCEPTED)


@transaction.atomic
def suggestion_reject(*, suggestion: PhotoSuggestion) -> PhotoSuggestion:
    """Reject a suggestion (taking it off the post if it was accepted before); a rejected
    concept is never a training target for this photo."""
    PhotoHashtag.objects.filter(
        photo_id=suggestion.photo_id,
        source=PhotoHashtag.Source.SUGGESTION,
        hashtag__concept_id=suggestion.concept_id,
    ).delete()
    return _decide(suggestion, PhotoSuggestion.State.REJECTED)


def _decide(suggestion: PhotoSuggestion, state: str) -> PhotoSuggestion:
    suggestion.state = state
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["state", "decided_at"])
    return suggestion


def suggestions_export(user: User, archive: zipfile.ZipFile) -> None:
    """The export's tagger part: suggestions for the user's photos and their decisions,
    and the model versions their photos trained."""
    from socialapp.accounts.export import write_json

    suggestions = PhotoSuggestion.objects.filter(photo__owner=user).order_by(
        "photo_id", "model_version", "rank"
    )
    write_json(
        archive,
        "suggestions.json",
        list(suggestions.values("photo_id", "hashtag", "score", "model_version", "state", "decided_at")),
    )
    write_json(
        archive,
        "training.json",
        list(
            ModelVersion.objects.filter(trained_on__owner=user)
            .annotate(your_photos=Count("trained_on"))
            .values("name", "created_at", "your_photos")
        ),
    )
