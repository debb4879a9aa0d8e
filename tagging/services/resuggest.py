"""Re-suggest after a new version: the active tagger over the posts whose suggestions
are still unreviewed (`manage.py resuggest`).

A post whose owner accepted or rejected any suggestion is left exactly as it is: its
decisions, the suggestions it was shown beside them and its alt text. So a concept the
owner turned down is never suggested again, by construction. On every other analysed
post (all of its suggestions still open) the active version's suggestions replace the
old ones, which no one looked at twice: they are stored the way an upload's are
(ranked, with what the caption says merged in, never a hashtag the post already
carries nor a blocked or non-visual concept,
the version on each row and on the photo, the alt text rebuilt unless the owner wrote
their own), and the earlier versions' open rows are deleted. A post already analysed by
the active version is not selected, so a second run does nothing. Hidden posts and
posts of deactivated accounts are skipped; private ones are not (suggestions are for
their owner; training privacy is another matter).

A photo whose embedding its upload kept (served_embeddings, under the active version's
backbone) is re-scored from it: a retrained head on the same backbone needs no decoding
and no forward pass. The others (after a fine-tuned backbone, say) run through the model
in batches, decoded and preprocessed in threads while the batch before runs its forward
pass (tagging.ml.batch_inference), and their new embeddings are kept as well. Every STORE_CHUNK
photos are stored in one transaction of a few queries: the photos are locked and each
decided again there, so an owner who decides, or a post that is deleted, hidden or
analysed again meanwhile, wins; every photo's rows change together or not at all.
Stored one transaction per photo (about a dozen queries each) the writes alone took a
fifth of the time of a forward pass on 2 cores."""

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from socialapp.notifications.services import notifications_send
from socialapp.photos.models import Photo, PhotoHashtag
from tagging import selectors
from tagging.caption_suggestions import suggestions_with_captions
from tagging.ml.batch_inference import Job, Outcome, batch_size_best, predict_stream
from tagging.ml.embeddings import EmbeddingCache
from tagging.ml.inference import Prediction
from tagging.models import PhotoSuggestion, ShopSuggestion
from tagging.services.suggestions import (
    served_embedding_key,
    served_embeddings,
    suggested_concepts,
    suggestion_rows,
)

Progress = Callable[[str, int, int], object]  # (stage, done, total)
STAGE = "resuggest"
STORE_CHUNK = 32  # photos stored in one transaction: its few queries are shared by that many


@dataclass(frozen=True)
class Resuggested:
    model_version: str
    rescored: int  # posts now showing the active version's suggestions
    reviewed: int  # skipped: their owner accepted or rejected a suggestion
    unreadable: int  # left as they were: their file could not be read
    changed: int  # skipped: deleted, hidden, re-analysed or decided on while this ran
    images: int  # photos scored by the model
    kept: int  # of which scored from the embedding kept at upload (no forward pass)
    seconds: float
    batch_size: int  # photos a forward pass

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds else 0.0


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def suggestions_recompute(
    *, since: datetime | None = None, batch_size: int | None = None, progress: Progress = _quiet
) -> Resuggested:
    """Run the active version over the unreviewed posts created at or after `since` (all
    when None), `batch_size` photos a forward pass (the fastest for the tagger's device
    when None, batch_size_best), and store their new suggestions. Returns the counts and
    timing. Raises ValueError for a batch size below 1, FileNotFoundError for a missing
    model."""
    if batch_size is not None and batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    tagger = selectors.tagger_active()
    batch_size = batch_size or batch_size_best(tagger)
    version = tagger.version
    reviewed = selectors.photos_to_resuggest(version=version, since=since, reviewed=True).count()
    unreviewed = selectors.photos_to_resuggest(version=version, since=since, reviewed=False)
    todo = list(unreviewed.values_list("pk", flat=True))
    chunk = batch_size * -(-STORE_CHUNK // batch_size)  # whole batches, at least STORE_CHUNK photos
    excluded = selectors.excluded_concepts()
    jobs = _jobs(todo, chunk, excluded, tagger.backbone.preprocessing.crop)
    embeddings = served_embeddings(tagger)
    counts: Counter[str] = Counter()
    kept = 0
    progress(STAGE, 0, len(todo))
    start = time.perf_counter()
    for outcomes in predict_stream(tagger, jobs, batch_size=batch_size, cache=embeddings):
        counts.update(
            _batch_store(
                outcomes, version, embeddings, excluded=excluded, limit=tagger.thresholds.max_suggestions
            )
        )
        kept += sum(o.prediction is not None and o.computed is None for o in outcomes)
        progress(STAGE, min(len(todo), counts.total()), len(todo))
    seconds = time.perf_counter() - start
    progress(STAGE, len(todo), len(todo))  # posts deleted before their batch was read
    return Resuggested(
        model_version=version,
        rescored=counts["rescored"],
        reviewed=reviewed + counts["reviewed"],
        unreadable=counts["unreadable"],
        changed=counts["changed"] + len(todo) - counts.total(),
        images=counts.total() - counts["unreadable"],
        kept=kept,
        seconds=seconds,
        batch_size=batch_size,
    )


def _jobs(ids: list[int], size: int, excluded: frozenset[str], crop: int) -> Iterator[list[Job[int]]]:
    """The photos as jobs for the tagger, `size` at a time (read when they are needed):
    each in its owner's language, never suggesting a hashtag it already carries."""
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        photos = Photo.objects.filter(pk__in=chunk).select_related("owner").order_by("pk")
        present: defaultdict[int, set[str]] = defaultdict(set)
        links = PhotoHashtag.objects.filter(photo_id__in=chunk)
        for photo_id, name in links.values_list("photo_id", "hashtag__concept__name"):
            present[photo_id].add(name)
        yield [
            Job(
                key=photo.pk,
                # the smallest stored file that has the model's input size, as an upload reads
                source=partial(photo.covering_read, crop),
                language=photo.owner.language,
                exclude=excluded | present[photo.pk],
                embedding=served_embedding_key(photo),
                photo_id=photo.pk,
            )
            for photo in photos
        ]


def _batch_store(
    outcomes: list[Outcome[int]],
    version: str,
    embeddings: EmbeddingCache,
    *,
    excluded: frozenset[str],
    limit: int,
) -> list[str]:
    """Store a chunk's new suggestions in one transaction and a few queries whatever its
    size, deciding each photo again on its locked row, and keep the embeddings the
    outcomes give to keep (computed, or kept before blobs held the black-and-white flag,
    now with it) for those rescored (under the lock, so a delete of the photo, whose hook
    removes its embeddings, comes after); then tell the owners' open post pages (they redraw; no
    bell: nothing the owners did asked for this). Returns what became of each photo:
    rescored, reviewed, changed or unreadable."""
    predictions = {o.job.key: o.prediction for o in outcomes if o.prediction is not None}
    decided = PhotoSuggestion.objects.filter(photo=OuterRef("pk")).exclude(state=PhotoSuggestion.State.OPEN)
    with transaction.atomic():
        locked = (
            Photo.objects.select_for_update()
            .select_related("owner")
            .annotate(reviewed=Exists(decided))
            .filter(pk__in=predictions)
            .order_by("pk")  # the same lock order as every other batch
        )
        photos = {photo.pk: photo for photo in locked}
        fates = {key: _fate(photos.get(key), version) for key in predictions}
        rescored = [photos[key] for key, fate in fates.items() if fate == "rescored"]
        if rescored:
            _replace(rescored, predictions, version, excluded=excluded, limit=limit)
        for outcome in outcomes:
            if outcome.keep is not None and fates.get(outcome.job.key) == "rescored":
                assert outcome.job.embedding is not None
                embeddings.keep(outcome.job.embedding, outcome.keep, monochrome=outcome.monochrome)
    events = [
        (photo.owner_id, {"type": "suggestions.ready", "photo_id": photo.pk, "model_version": version})
        for photo in rescored
    ]
    transaction.on_commit(partial(notifications_send, events=events))
    return [fates.get(outcome.job.key, "unreadable") for outcome in outcomes]


def _fate(photo: Photo | None, version: str) -> str:
    if (
        photo is None
        or photo.is_hidden
        or photo.tagging_status != Photo.TaggingStatus.READY
        or photo.tagging_model_version == version
    ):
        return "changed"  # deleted, hidden or analysed again meanwhile
    return "reviewed" if photo.reviewed else "rescored"  # type: ignore[attr-defined]


def _replace(
    photos: Sequence[Photo],
    predictions: dict[int, Prediction],
    version: str,
    *,
    excluded: frozenset[str],
    limit: int,
) -> None:
    """The photos' suggestions (all open) give way to their new ones, with what their
    captions say merged in as an upload merges it (suggestions_with_captions: `excluded`
    and `limit` as there), stored as an upload stores them (suggestions._store), and their
    alt text follows, unless the owner wrote their own."""
    predictions = suggestions_with_captions(predictions, photos, excluded=excluded, limit=limit)
    concepts = suggested_concepts([suggestion for p in photos for suggestion in predictions[p.pk].hashtags])
    new = {
        photo.pk: suggestion_rows(photo, predictions[photo.pk].hashtags, concepts, version)
        for photo in photos
    }
    PhotoSuggestion.objects.filter(photo__in=photos).delete()
    PhotoSuggestion.objects.bulk_create([row for rows in new.values() for row in rows])
    shops = [(photo, predictions[photo.pk].shop_category) for photo in photos]
    ShopSuggestion.objects.bulk_create(
        [
            ShopSuggestion(photo=photo, model_version=version, category=shop.name, score=shop.score)
            for photo, shop in shops
            if shop is not None
        ],
        ignore_conflicts=True,  # kept from an earlier run with this version, as _store keeps it
    )
    now = timezone.now()
    typed = selectors.hashtagged_visual_concepts(photo_ids=[p.pk for p in photos if not p.alt_text_by_owner])
    written = [photo for photo in photos if not photo.alt_text_by_owner]
    for photo in written:
        photo.alt_text = selectors.suggestions_alt_text(
            suggestions=new[photo.pk], typed=typed.get(photo.pk, []), language=photo.owner.language
        )
    # What every photo gets alike in one UPDATE; only the alt texts differ (a CASE per
    # field over the chunk cost more Python than the rest of the writes together).
    Photo.objects.filter(pk__in=[photo.pk for photo in photos]).update(
        tagging_status=Photo.TaggingStatus.READY,
        tagging_reason="",
        tagging_model_version=version,
        updated_at=now,
    )
    Photo.objects.bulk_update(written, ["alt_text"])
