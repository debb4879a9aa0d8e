"""Suggestions for one photo: compute and store them, and the owner's decisions."""

import logging
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from socialapp.accounts.models import User
from socialapp.hashtags.models import Concept
from socialapp.hashtags.services import hashtag_get_or_create
from socialapp.notifications.models import Notification
from socialapp.notifications.services import notification_create, notification_send
from socialapp.photos.models import Photo, PhotoHashtag
from socialapp.queueing import STUCK_BATCH, task_enqueue, task_enqueue_on_commit, workers_alive
from tagging import selectors
from tagging.artifacts import artifact_blobs
from tagging.caption_suggestions import caption_model_of, captions_merged, suggestions_with_captions
from tagging.ml.predictions import Suggestion
from tagging.models import AltTextRewrite, ModelVersion, PhotoSuggestion, ShopSuggestion

if TYPE_CHECKING:  # they load torch, which only the analyses need (not the queueing here)
    from PIL import Image

    from tagging.ml.embeddings import EmbeddingCache, Key
    from tagging.ml.inference import Looked, Prediction, Tagger

logger = logging.getLogger(__name__)

Status = Photo.TaggingStatus

# The tagging task's hard time limit: an analysis still pending this long after it was
# queued is stuck (its message was lost to a broker outage, or its worker died) and the
# sweep queues it again; its owner may retry it.
ANALYSIS_TIME_LIMIT = timedelta(seconds=180)
# A started analysis whose worker does not answer a ping is lost after this long: the
# worker died (analyses_requeue_stuck).
ANALYSIS_LOST_AFTER = timedelta(seconds=30)
# Queued by name: tagging/tasks.py imports these services (socialapp.queueing.task_get).
SUGGEST_TASK = "tagging.tasks.photo_suggest"


class NotRetryable(Exception):
    """Only a failed, never started or stuck analysis can be retried."""

    def __init__(self, status: str) -> None:
        super().__init__(f"The analysis is {status}; only a failed or stuck one can be retried.")
        self.detail = str(self)


def photo_tagging_start(*, photo: Photo) -> None:
    """Mark a photo pending and, once that is committed, queue its tagging task. If the
    broker is down then, the photo stays pending for the sweep."""
    now = timezone.now()
    Photo.objects.filter(pk=photo.pk).update(
        tagging_status=Status.PENDING,
        tagging_reason="",
        tagging_queued_at=now,
        tagging_worker="",
        tagging_started_at=None,
    )
    photo.tagging_status, photo.tagging_reason, photo.tagging_queued_at = Status.PENDING, "", now
    task_enqueue_on_commit(SUGGEST_TASK, photo.pk)


# Inline (no worker: a task runs in the request that queues it), a new post's analysis
# runs in its upload's request once the post is stored. Its forward pass need not wait for
# that: it starts from the pixels the upload decoded, on a thread of its own, while the
# grid thumbnail is encoded and the files and rows are written (a 12 MP upload had its
# suggestions stored in 61 ms instead of 77 on 2 cores, README), and
# photo_suggestions_compute takes its embedding from here: photo id -> (its stored image's
# name, the embedding version, what the tagger saw of it, to come). The name makes sure of the photo:
# a rolled-back id can come again (SQLite's tests), a stored image's name never does.
_early: dict[int, tuple[str, str, "Future[Looked]"]] = {}
# Posts whose analysis did not take its embedding (it failed before) are forgotten once
# this many more are kept.
EARLY_KEPT = 16
_early_thread = ThreadPoolExecutor(1, thread_name_prefix="analysis")  # its thread starts on a first use


def analysis_begin_early(image: "Image.Image") -> Callable[[Photo], object] | None:
    """photos' photo_decoded_hooks: inline, start the forward pass of the analysis of the
    post being uploaded, from `image` as its upload decoded it, and return what ties it to
    the post once stored (the analysis queued on commit takes it). With workers, nothing:
    a worker analyses the post from its grid thumbnail, and a web process never loads the
    models (tests/test_web_process_imports.py). Never raises: a tagger that cannot load
    leaves the analysis to report it."""
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        return None
    from tagging.ml.preprocessing import covering

    try:
        tagger = selectors.tagger_active()
    except (OSError, ImproperlyConfigured):
        return None
    embedding = _early_thread.submit(tagger.look, [covering(image, tagger.backbone.preprocessing)])
    version = tagger.embedding_version

    def keep(photo: Photo) -> None:
        transaction.on_commit(partial(_early_keep, photo.pk, photo.image.name, version, embedding))

    return keep


def _early_keep(photo_id: int, image: str, version: str, embedding: "Future[Looked]") -> None:
    _early[photo_id] = (image, version, embedding)
    while len(_early) > EARLY_KEPT:
        _early.pop(next(iter(_early)), None)


def _early_look(
    photo: Photo, early: tuple[str, str, "Future[Looked]"] | None, tagger: "Tagger"
) -> "Looked | None":
    """What analysis_begin_early saw of the post (`early`, taken from _early), if it did,
    for this photo and this tagger's embeddings; None otherwise, or if it failed (the
    analysis computes it again, and fails, if it does, where that is reported)."""
    if early is None or early[:2] != (photo.image.name, tagger.embedding_version):
        return None
    try:
        return early[2].result()
    except Exception:  # computed again by the caller, where an error is reported
        logger.warning("The early forward pass of photo %s failed; running it again", photo.pk, exc_info=True)
        return None


def photo_tagging_stuck(*, photo: Photo) -> bool:
    """Whether `photo`'s analysis is pending past its time limit."""
    queued_at = photo.tagging_queued_at
    return photo.tagging_status == Status.PENDING and (
        queued_at is None or queued_at < timezone.now() - ANALYSIS_TIME_LIMIT
    )


def analyses_requeue_stuck(
    *,
    older_than: timedelta = ANALYSIS_TIME_LIMIT,
    lost_after: timedelta = ANALYSIS_LOST_AFTER,
    workers_alive: Callable[[], set[str] | None] = workers_alive,
) -> int:
    """The sweep's part for analyses (Celery beat, every minute). Queue again, oldest
    first, the analyses lost or stuck, and return how many it queued:

    - lost: started over `lost_after` ago by a worker that does not answer a ping (it
      died; see analyses_requeue_orphaned for one restarted under its name). Workers
      are pinged only when there is such a started analysis. A worker's main process
      answers while its prefork pool (bin/serve's) runs tasks; a `--pool=solo` worker
      busy with a task does not, so its analysis may run twice, and is stored once.
    - stuck: still pending over `older_than` after they were queued (their message was
      lost to a broker outage, or is still queued behind others: only the time limit
      tells these apart, so they keep it).

    Stops at the first broker error."""
    now = timezone.now()
    started = Photo.objects.filter(
        tagging_status=Status.PENDING, tagging_started_at__lt=now - lost_after
    ).exclude(tagging_worker="")
    queued = 0
    if started.exists() and (alive := workers_alive()) is not None:
        queued, broker_up = _requeue_claimed(started.exclude(tagging_worker__in=alive))
        if not broker_up:
            return queued
    stuck = Photo.objects.filter(
        Q(tagging_queued_at__lt=now - older_than) | Q(tagging_queued_at=None), tagging_status=Status.PENDING
    )
    for photo_id in stuck.order_by("tagging_queued_at", "pk").values_list("pk", flat=True)[:STUCK_BATCH]:
        if not task_enqueue(SUGGEST_TASK, photo_id):
            break
        Photo.objects.filter(pk=photo_id).update(  # once per `older_than`
            tagging_queued_at=now, tagging_worker="", tagging_started_at=None
        )
        queued += 1
    return queued


def photo_tagging_began(*, photo_id: int, worker: str) -> None:
    """Record that the Celery worker named `worker` started `photo_id`'s pending
    analysis, and when (see analyses_requeue_orphaned)."""
    Photo.objects.filter(pk=photo_id, tagging_status=Status.PENDING).update(
        tagging_worker=worker, tagging_started_at=timezone.now()
    )


def analyses_requeue_orphaned(*, worker: str) -> int:
    """Queue again the pending analyses that a worker named `worker` started. Call it
    when a worker of that name starts, before it takes any task: worker names are unique
    among running workers (`celery@<host>` unless named with -n), so the process that
    started them died (SIGKILL, the OOM killer, a reboot) and without this they would
    come back only with the broker's redelivery (its visibility timeout, 300 s) or the
    sweep (30 s after the next ping no one answers for it, or 180 s).
    A pool child that dies is not this case: its worker fails the task and the broker
    redelivers it at once (reject_on_worker_lost).

    Each photo is claimed before it is queued (its worker cleared, only if still set),
    so two start-ups never queue it twice; the broker's later redelivery of the dead
    worker's message finds the analysis ready and does nothing (the task is
    idempotent). Returns how many it queued."""
    orphaned = Photo.objects.filter(tagging_status=Status.PENDING, tagging_worker=worker)
    return _requeue_claimed(orphaned)[0]


def _requeue_claimed(photos: "QuerySet[Photo]") -> tuple[int, bool]:
    """Queue again `photos`' analyses, oldest started first, each claimed before it is
    queued (its worker cleared, only if it still matches `photos`), so that two sweeps
    or start-ups never queue one twice. Returns how many it queued and whether the
    broker took them all; after a broker error it stops, leaving the photo it claimed
    pending without a queued time, which the next sweep takes as stuck."""
    queued = 0
    for photo_id in photos.order_by("tagging_started_at", "pk").values_list("pk", flat=True)[:STUCK_BATCH]:
        if not photos.filter(pk=photo_id).update(
            tagging_worker="", tagging_started_at=None, tagging_queued_at=timezone.now()
        ):
            continue  # queued again meanwhile by another sweep or its owner
        if not task_enqueue(SUGGEST_TASK, photo_id):
            Photo.objects.filter(pk=photo_id).update(tagging_queued_at=None)
            return queued, False
        queued += 1
    return queued, True


def photo_suggestions_compute(*, photo_id: int) -> Photo | None:
    """Run the active tagger on a photo and store its suggestions, shop category and alt
    text, then tell the owner's sockets. Idempotent: a photo already tagged by the active
    version is left as it is. Returns None if the photo is gone.
    Raises OSError for an unreadable file, FileNotFoundError for a missing model."""
    early = _early.pop(photo_id, None)  # taken whatever becomes of this run
    photo = Photo.objects.select_related("owner").filter(pk=photo_id).first()
    if photo is None:
        return None
    tagger = selectors.tagger_active()
    if photo.tagging_status == Status.READY and photo.tagging_model_version == tagger.version:
        return photo
    present = set(photo.hashtags.values_list("concept__name", flat=True))
    excluded = selectors.excluded_concepts()
    # The model's input is `crop` pixels square. The grid thumbnail (a 320 px square
    # covered, whatever the photo's shape) has that many across and decodes in a
    # millisecond, against ~20 ms for a 12 MP original even at 1/8 scale.
    # Inline, the upload's own pixels were already on their way (analysis_begin_early).
    looked = _early_look(photo, early, tagger)
    if looked is None:
        from tagging.ml.preprocessing import decode

        preprocessing = tagger.backbone.preprocessing
        looked = tagger.look([decode(photo.covering_read(preprocessing.crop), preprocessing)])
    [seen] = tagger.predictions(
        looked.embeddings,
        languages=[photo.owner.language],
        excludes=[excluded | present],
        monochrome=looked.monochrome,
        photo_ids=[photo.pk],
    )
    with transaction.atomic():
        photo = Photo.objects.select_for_update().select_related("owner").get(pk=photo_id)
        if photo.tagging_status == Status.READY and photo.tagging_model_version == seen.model_version:
            return photo  # another run of this task stored them while this one computed
        # The caption as it is under the lock: one edited while the photo was analysed, before
        # there were chips to follow it (photo_suggestions_follow_caption), is the one read.
        [prediction] = suggestions_with_captions(
            {photo.pk: seen}, [photo], excluded=excluded, limit=tagger.thresholds.max_suggestions
        ).values()
        _store(photo, prediction, excluded)
        _ready_send_on_commit(photo, prediction.model_version)
        if prediction.hashtags:  # the bell, after the event that redraws an open post page
            notification_create(recipient=photo.owner, kind=Notification.Kind.SUGGESTIONS, photo=photo)
        # Kept so that a later version with the same backbone (a retrained head) re-suggests
        # from it without running the backbone (resuggest); under the row lock, so a delete
        # of the photo (whose hook removes its embeddings) comes after it.
        # With whether it is black and white, so that no re-scoring reads the photo again.
        served_embeddings(tagger).keep(
            served_embedding_key(photo), looked.embeddings[0], monochrome=looked.monochrome[0]
        )
    return photo


def served_embeddings(tagger: "Tagger") -> "EmbeddingCache":
    """The embeddings of served photos, as computed for their suggestions."""
    from tagging.ml.embeddings import EmbeddingCache

    return EmbeddingCache(artifact_blobs(), tagger.embedding_version)


def served_embedding_key(photo: Photo) -> "Key":
    """A photo's key among served_embeddings: its stored image's name, whichever of its
    files the tagger read (the analysis may run before the display image exists), marked
    apart from the keys training gives the embeddings of originals."""
    return (photo.pk, f"{Path(str(photo.image.name)).stem}_served")


def _store(photo: Photo, prediction: "Prediction", excluded: frozenset[str]) -> None:
    """In a few queries whatever the number of suggestions (one each cost five). The
    caller holds the photo's row and has checked that this version's are not stored yet
    (the unique (photo, concept, version) keeps the first set all the same), so the alt
    text is written from the suggestions in hand, all open. `excluded`: the concepts
    never suggested (selectors.excluded_concepts)."""
    version = prediction.model_version
    rows = suggestion_rows(photo, prediction.hashtags, suggested_concepts(prediction.hashtags), version)
    PhotoSuggestion.objects.bulk_create(rows, ignore_conflicts=True)
    if prediction.shop_category is not None:  # one insert, not a SELECT, an INSERT and a savepoint
        ShopSuggestion.objects.bulk_create(
            [
                ShopSuggestion(
                    photo=photo,
                    model_version=version,
                    category=prediction.shop_category.name,
                    score=prediction.shop_category.score,
                )
            ],
            ignore_conflicts=True,
        )
    photo.tagging_status, photo.tagging_reason, photo.tagging_model_version = Status.READY, "", version
    if not photo.alt_text_by_owner:  # never overwrite what the owner wrote
        typed = selectors.hashtagged_visual_concepts(photo_ids=[photo.pk], excluded=excluded)
        photo.alt_text = selectors.suggestions_alt_text(
            suggestions=rows, typed=typed.get(photo.pk, []), language=photo.owner.language
        )
    photo.save(
        update_fields=["alt_text", "tagging_status", "tagging_reason", "tagging_model_version", "updated_at"]
    )


# Queued by name when an admin changes a concept (tagging/apps.py).
CONCEPT_ALT_TEXTS_TASK = "tagging.tasks.concept_alt_texts_rewrite"
ALT_TEXT_CHUNK = 500  # photos written in one bulk update
# A requested rewrite not done this long after its task was sent is sent again by the
# sweep (its message was lost to a broker outage, or its worker died); a rewrite is
# idempotent, so one still running that long only runs twice.
ALT_TEXT_REWRITE_LOST_AFTER = timedelta(minutes=10)


def concept_alt_texts_request(*, concept_id: int) -> bool:
    """An admin changed a concept's names: record that the alt texts that may name it are
    to be written again, then queue the rewrite. Returns whether its task was sent; if
    not (broker down), the sweep sends it (alt_texts_requeue_stuck)."""
    now = timezone.now()
    AltTextRewrite.objects.update_or_create(
        concept_id=concept_id, defaults={"requested_at": now, "queued_at": None}
    )
    if not task_enqueue(CONCEPT_ALT_TEXTS_TASK, concept_id):
        return False
    AltTextRewrite.objects.filter(concept_id=concept_id, requested_at=now).update(queued_at=now)
    return True


def alt_texts_requeue_stuck(*, lost_after: timedelta = ALT_TEXT_REWRITE_LOST_AFTER) -> int:
    """The sweep's part for alt-text rewrites (Celery beat, every minute): send again the
    requested rewrites whose task was never sent or was sent over `lost_after` ago.
    Returns how many it sent; stops at the first broker error."""
    now = timezone.now()
    waiting = AltTextRewrite.objects.filter(Q(queued_at=None) | Q(queued_at__lt=now - lost_after))
    sent = 0
    for concept_id in waiting.order_by("requested_at").values_list("concept_id", flat=True)[:STUCK_BATCH]:
        if not task_enqueue(CONCEPT_ALT_TEXTS_TASK, concept_id):
            break
        AltTextRewrite.objects.filter(concept_id=concept_id).update(queued_at=now)
        sent += 1
    return sent


def concept_alt_texts_rewrite(*, concept_id: int) -> int:
    """Write again the tagger's alt texts (never an owner's) of the posts that may name a
    concept whose names changed: those whose caption hashtags it or whose current
    suggestions include it, a chunk at a time; then the request is done (unless another
    came meanwhile: it runs again for that one). Returns how many texts changed."""
    began = timezone.now()
    changed = _alt_texts_rewrite(concept_id)
    AltTextRewrite.objects.filter(concept_id=concept_id, requested_at__lte=began).delete()
    return changed


def _alt_texts_rewrite(concept_id: int) -> int:
    names_it = Q(
        hashtag_links__hashtag__concept_id=concept_id, hashtag_links__source=PhotoHashtag.Source.CAPTION
    ) | Q(suggestions__concept_id=concept_id, suggestions__model_version=F("tagging_model_version"))
    ids = list(
        Photo.objects.filter(names_it, alt_text_by_owner=False).values_list("pk", flat=True).distinct()
    )
    changed = 0
    for start in range(0, len(ids), ALT_TEXT_CHUNK):
        with transaction.atomic():
            photos = list(
                Photo.objects.select_for_update()
                .select_related("owner")
                .filter(pk__in=ids[start : start + ALT_TEXT_CHUNK], alt_text_by_owner=False)
            )
            texts = selectors.photos_alt_text_generated(photos=photos)
            rewritten = [photo for photo in photos if texts[photo.pk] != photo.alt_text]
            for photo in rewritten:
                photo.alt_text = texts[photo.pk]
            Photo.objects.bulk_update(rewritten, ["alt_text"])
            changed += len(rewritten)
    return changed


def _alt_text_rebuild(photo: Photo) -> None:
    """Write the tagger's alt text for `photo`'s current suggestions, in its owner's
    language, unless the owner wrote their own. The caller saves the photo."""
    if photo.alt_text_by_owner:
        return  # never overwrite what the owner wrote
    photo.alt_text = selectors.photo_alt_text_generated(photo=photo, language=photo.owner.language)


def suggestion_rows(
    photo: Photo, suggestions: list["Suggestion"], concepts: dict[str, Concept], version: str
) -> list[PhotoSuggestion]:
    """The photo's rows (unsaved, all open) for `suggestions` of `version`, ranked in
    their order; `concepts`: suggested_concepts(suggestions)."""
    return [
        PhotoSuggestion(
            photo=photo,
            concept=concepts[suggestion.concept],
            model_version=version,
            hashtag=suggestion.hashtag,
            score=suggestion.score,
            photo_score=suggestion.seen,
            photo_rank=rank if suggestion.photo_score is None else suggestion.photo_rank,
            rank=rank,
        )
        for rank, suggestion in enumerate(suggestions)
    ]


def suggested_concepts(suggestions: list["Suggestion"]) -> dict[str, Concept]:
    """The suggested concepts by name, creating the ones the database does not have yet."""
    wanted = {s.concept: s for s in suggestions}
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
    (pending past their time limit). Every interface (page, API, admin action) retries
    through here. Raises NotRetryable for a ready or fresh one."""
    with transaction.atomic():
        # Decided on the stored row, locked: the caller's copy may be a page old, and two
        # retries at once queue one analysis.
        stored = Photo.objects.select_for_update().get(pk=photo.pk)
        retryable = stored.tagging_status in (Status.FAILED, Status.NOT_STARTED)
        if not retryable and not photo_tagging_stuck(photo=stored):
            raise NotRetryable(stored.tagging_status)
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
    """Record the decision and rebuild the alt text, which names what the owner kept."""
    photo = Photo.objects.select_for_update().select_related("owner").get(pk=suggestion.photo_id)
    suggestion.state = state
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["state", "decided_at"])
    _alt_text_rebuild(photo)
    photo.save(update_fields=["alt_text", "updated_at"])
    return suggestion


def photo_suggestions_follow_caption(*, photo: Photo) -> None:
    """Redraw a post's suggestions after its owner edited the caption, as an upload with
    that caption would have drawn them (caption_suggestions.captions_merged, with the
    caption model of the version that suggested them): a concept the new caption names
    joins what the photo alone says, placed by both models' evidence; one only the old
    caption named goes; the rest is back to what the photo said (photo_score). Every
    suggestion the tagger made from the photo stays, and what the owner accepted or
    rejected stays as it was (a rejected concept is never suggested again). A caption's
    chip is drawn only within the first TAGGING_MAX_SUGGESTIONS, and one of the photo's
    that it pushes past them stays stored, unshown (selectors.photo_suggestions), for an
    edit back. The alt text follows unless the owner wrote their own, and the owner's open
    pages redraw the chips. Nothing to do before the analysis has stored suggestions (it
    reads the caption then). Called inside the transaction that changes the caption
    (photos' photo_caption_hooks)."""
    version = photo.tagging_model_version
    model = caption_model_of(version=version) if photo.tagging_status == Status.READY and version else None
    if model is None:
        return  # no suggestions yet, or a version that reads no captions
    rows = list(
        PhotoSuggestion.objects.select_for_update()
        .filter(photo=photo, model_version=version)
        .select_related("concept")
        .order_by("rank")
    )
    # what the photo alone suggested (a photo_rank), in the order it did
    seen = [
        Suggestion(
            row.concept.name,
            row.hashtag,
            row.photo_score,
            row.concept.display_en,
            row.concept.display_es,
            photo_score=row.photo_score,
            photo_rank=row.photo_rank,
        )
        for row in sorted((row for row in rows if row.photo_rank is not None), key=attrgetter("photo_rank"))
    ]
    decided = {row.concept.name for row in rows if row.state != PhotoSuggestion.State.OPEN}
    excluded = selectors.excluded_concepts() | decided
    merged = captions_merged(model, [photo], {photo.pk: seen}, excluded=excluded).get(photo.pk, seen)
    limit = settings.TAGGING_MAX_SUGGESTIONS
    drawn = [s for rank, s in enumerate(merged) if s.photo_rank is not None or rank < limit]
    names = {s.concept for s in drawn}
    existing = {row.concept.name: row for row in rows}
    # what only the old caption named goes; decided ones the photo did not see stay, last
    gone = [row for row in rows if row.concept.name not in names and row.state == PhotoSuggestion.State.OPEN]
    last = [row for row in rows if row.concept.name not in names and row.state != PhotoSuggestion.State.OPEN]
    drafted = suggestion_rows(photo, drawn, suggested_concepts(drawn), version)
    new = [row for row in drafted if row.concept.name not in existing]  # only the caption names these
    changed = []
    # (row, its score now, its rank now): an open one takes its new score, a decided one
    # keeps the score it was decided at
    placed = [(row, row.score, rank) for rank, row in enumerate(last, start=len(drawn))]
    for draft in drafted:
        if (row := existing.get(draft.concept.name)) is not None:
            placed.append(
                (row, draft.score if row.state == PhotoSuggestion.State.OPEN else row.score, draft.rank)
            )
    for row, score, rank in placed:
        if (row.score, row.rank) != (score, rank):
            row.score, row.rank = score, rank
            changed.append(row)
    if not (gone or new or changed):
        return
    PhotoSuggestion.objects.filter(pk__in=[row.pk for row in gone]).delete()
    PhotoSuggestion.objects.bulk_update(changed, ["score", "rank"])
    PhotoSuggestion.objects.bulk_create(new)
    if not photo.alt_text_by_owner:
        _alt_text_rebuild(photo)
        Photo.objects.filter(pk=photo.pk).update(alt_text=photo.alt_text)
    _ready_send_on_commit(photo, version)


def _ready_send_on_commit(photo: Photo, version: str) -> None:
    """Once committed, tell the owner's open pages that `photo`'s suggestions of `version`
    are stored, so they draw them (static/js/suggestions.js)."""
    owner_id, photo_id = photo.owner_id, photo.pk
    transaction.on_commit(
        lambda: notification_send(
            user_id=owner_id,
            event={"type": "suggestions.ready", "photo_id": photo_id, "model_version": version},
        )
    )


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
