"""Suggestions for one photo: compute and store them, and the owner's decisions."""

import zipfile

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from socialapp.accounts.models import User
from socialapp.hashtags.models import Concept
from socialapp.hashtags.services import hashtag_get_or_create
from socialapp.notifications.services import notification_send
from socialapp.photos.models import Photo, PhotoHashtag
from tagging import selectors
from tagging.ml.inference import Prediction
from tagging.models import ModelVersion, PhotoSuggestion, ShopSuggestion

Status = Photo.TaggingStatus


def photo_tagging_start(*, photo: Photo) -> None:
    """Mark a photo pending and, once that is committed, queue its tagging task."""
    from tagging.tasks import photo_suggest

    Photo.objects.filter(pk=photo.pk).update(tagging_status=Status.PENDING, tagging_reason="")
    photo.tagging_status, photo.tagging_reason = Status.PENDING, ""
    photo_id = photo.pk
    transaction.on_commit(lambda: photo_suggest.delay(photo_id))


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
    """Queue tagging again for a photo whose suggestions failed (or never ran)."""
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
