"""Which tagger is active, and which photos may train it."""

import copy
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from socialapp.accounts.models import User
from socialapp.hashtags.models import Concept
from socialapp.photos.models import Photo, PhotoHashtag
from tagging.artifacts import version_directory
from tagging.ml.stop_list import STOP_LIST

from .models import ConceptStat, ModelVersion, PhotoSuggestion, ShopSuggestion

if TYPE_CHECKING:  # the taggers' modules load torch: imported where a tagger is loaded
    from tagging.ml.inference import Tagger, Thresholds
    from tagging.ml.neighbours import NeighbourIndex

# A token in the shared cache that tagging.services.neighbour_index_refresh replaces
# whenever photos may stop feeding the neighbour index: each process filters its
# versions' indexes again (less those photos) on its next suggestion.
NEIGHBOURS_REVISION = "tagging:neighbours:revision"
ELIGIBLE_BATCH = 900  # ids per query: under SQLite's bound on query parameters


def thresholds() -> "Thresholds":
    from tagging.ml.inference import Thresholds

    return Thresholds(
        max_suggestions=settings.TAGGING_MAX_SUGGESTIONS,
        min_score=settings.TAGGING_MIN_SCORE,
        shop_min_score=settings.TAGGING_SHOP_MIN_SCORE,
    )


def _checkpoint() -> Path | None:
    return Path(settings.TAGGING_CHECKPOINT) if settings.TAGGING_CHECKPOINT else None


def tagger_cold_start() -> "Tagger":
    """Cold start alone, with the configured backbone, TTA and device. Loaded once per
    process. Raises ValueError for TAGGING_DEVICE=cuda without a GPU."""
    from tagging.ml.inference import cold_start_tagger

    return cold_start_tagger(
        settings.TAGGING_BACKBONE, _checkpoint(), thresholds(), settings.TAGGING_TTA, settings.TAGGING_DEVICE
    )


def tagger_active() -> "Tagger":
    """The tagger suggestions come from: the active model version blended with cold
    start, or cold start alone while no version is active. Loaded once per process."""
    import torch

    if settings.TORCH_THREADS and torch.get_num_threads() != settings.TORCH_THREADS:
        torch.set_num_threads(settings.TORCH_THREADS)
    active = ModelVersion.objects.filter(is_active=True).values_list("name", "folder").first()
    if active is None:
        return tagger_cold_start()
    return tagger_for_version(*active)


def tagger_for_version(name: str, folder: str) -> "Tagger":
    """Raises ImproperlyConfigured when the version was trained on embeddings of another
    kind (backbone weights or TAGGING_TTA) than this process computes."""
    loaded = _tagger_for_version(
        name,
        folder,
        settings.TAGGING_BACKBONE,
        _checkpoint(),
        thresholds(),
        settings.TAGGING_TTA,
        settings.TAGGING_DEVICE,
    )
    return _tagger_still_training(loaded, cache.get(NEIGHBOURS_REVISION))


@lru_cache(maxsize=2)
def _tagger_for_version(
    name: str,
    folder: str,
    backbone_name: str,
    checkpoint: Path | None,
    limits: "Thresholds",
    tta: str,
    device: str,
) -> "Tagger":
    """The version as stored, its whole neighbour index included: loaded once per process
    (its files never change once published); served through _tagger_still_training."""
    from tagging.calibration import version_calibration_read
    from tagging.ml.backbones import load_backbone
    from tagging.ml.coldstart import ColdStartHead
    from tagging.ml.inference import Tagger, cold_start_tagger
    from tagging.ml.learned import BlendedHead, load_saved
    from tagging.ml.neighbours import load_index

    directory = version_directory(folder=folder)  # from the bucket into a local cache
    saved = load_saved(directory / "head.pt")
    base = cold_start_tagger(backbone_name, checkpoint, limits, tta, device)
    finetuned = directory / "backbone.pt"
    # A fine-tuned version's embeddings come from its own weights, computed the same way.
    expected = f"{base.embedding_version}-finetuned" if finetuned.exists() else base.embedding_version
    trained_on = saved.get("backbone_version", expected)  # heads saved before it was recorded
    if trained_on != expected:
        raise ImproperlyConfigured(
            f"Model version {name} was trained on {trained_on} embeddings, but this process computes "
            f"{expected} (TAGGING_BACKBONE={backbone_name}, TAGGING_TTA={tta}): set those back, or "
            "train a new version."
        )
    backbone = (
        load_backbone(backbone_name, finetuned, base.backbone.device, inference=True)
        if finetuned.exists()
        else base.backbone
    )
    head = BlendedHead(
        saved,
        ColdStartHead(backbone),
        version=name,
        calibration=version_calibration_read(directory),
        neighbours=load_index(directory),
    )
    return Tagger(backbone, head, limits, tta=tta)


@lru_cache(maxsize=2)
def _tagger_still_training(loaded: "Tagger", revision: str | None) -> "Tagger":
    """`loaded` with a neighbour index of only the photos that may still train the
    tagger, worked out again for each `revision` (NEIGHBOURS_REVISION): one query, and
    none of the version's files read again."""
    from tagging.ml.inference import Tagger
    from tagging.ml.learned import BlendedHead

    head = loaded.head
    if not isinstance(head, BlendedHead) or head.neighbours is None:
        return loaded
    served = copy.copy(head)
    served.neighbours = _still_training(head.neighbours)
    return Tagger(loaded.backbone, served, loaded.thresholds, tta=loaded.tta)


def _still_training(index: "NeighbourIndex") -> "NeighbourIndex":
    """The index without photos that may no longer train the tagger (consent withdrawn,
    account made private or closed, post hidden or deleted since the version was trained)."""
    kept: set[int] = set()
    for start in range(0, len(index.photo_ids), ELIGIBLE_BATCH):
        chunk = index.photo_ids[start : start + ELIGIBLE_BATCH]
        kept.update(training_photos().filter(pk__in=chunk).values_list("pk", flat=True))
    return index.keeping(kept)


def training_photos() -> QuerySet[Photo]:
    """Photos that may train the tagger: public posts of active people who consented,
    never private accounts, withdrawn consent or posts hidden by moderators."""
    return (
        Photo.objects.filter(
            owner__is_active=True,
            owner__is_private=False,
            owner__training_consent=True,
            is_hidden=False,
        )
        .select_related("owner")
        .order_by("pk")
    )


def concept_statuses() -> dict[str, str]:
    """Concept name -> effective status (admin override or computed)."""
    return {s.concept.name: s.effective_status for s in ConceptStat.objects.select_related("concept")}


def model_version_get(*, name: str) -> ModelVersion:
    """Raises ModelVersion.DoesNotExist."""
    return ModelVersion.objects.get(name=name)


def model_versions_with_lineage() -> QuerySet[ModelVersion]:
    """Every version, newest first, each with `lineage`: how many photos trained it."""
    return ModelVersion.objects.annotate(lineage=Count("trained_on")).order_by("-created_at")


def model_versions_exist() -> bool:
    return ModelVersion.objects.exists()


def effective_status_q(*statuses: str, prefix: str = "") -> Q:
    """A filter for ConceptStat rows (reached through `prefix`, e.g. "concept__stat__")
    whose effective status is one of `statuses`: the admin's override, else the computed one."""
    override, computed = f"{prefix}override", f"{prefix}status"
    return Q(**{f"{override}__in": statuses}) | Q(**{override: "", f"{computed}__in": statuses})


def excluded_concepts() -> frozenset[str]:
    """Concepts never suggested: non-visual ones and those admins blocked."""
    hidden = effective_status_q(ConceptStat.Status.NON_VISUAL, ConceptStat.Status.BLOCKED)
    return frozenset(ConceptStat.objects.filter(hidden).values_list("concept__name", flat=True))


# The photos a computed "non-visual" verdict needs before the caption model takes the
# concept for a habit: on the demo's 3 to 5 photos each, the visualness measure called
# #forest, #nature and #sea non-visual, and as habits they were offered on every caption.
HABIT_MIN_PHOTOS = 20


def non_visual_concepts() -> frozenset[str]:
    """Concepts that are non-visual hashtags, written out of habit (the caption model
    scores them so): the stop list's and an admin's, however rare (#tbt written once is
    still no subject), and those the vocabulary measured non-visual on HABIT_MIN_PHOTOS
    photos or more (on fewer the measure cannot tell a scene from a habit)."""
    marked = ConceptStat.objects.filter(effective_status_q(ConceptStat.Status.NON_VISUAL)).exclude(
        override="", count__lt=HABIT_MIN_PHOTOS
    )
    return STOP_LIST | frozenset(marked.values_list("concept__name", flat=True))


def blocked_concepts() -> QuerySet[ConceptStat]:
    """The blocked concepts' statuses with their concept, by name."""
    blocked = effective_status_q(ConceptStat.Status.BLOCKED)
    return ConceptStat.objects.filter(blocked).select_related("concept").order_by("concept__name")


def concept_blocked(*, concept: Concept) -> bool:
    """Whether `concept` is blocked (never suggested, never a training target)."""
    return ConceptStat.objects.filter(
        effective_status_q(ConceptStat.Status.BLOCKED), concept=concept
    ).exists()


def photo_carries_blocked_concept(*, photo: Photo) -> bool:
    """Whether one of `photo`'s hashtags belongs to a blocked concept."""
    return photo.hashtags.filter(
        effective_status_q(ConceptStat.Status.BLOCKED, prefix="concept__stat__")
    ).exists()


def photo_suggestions(*, photo: Photo) -> list[PhotoSuggestion]:
    """The current suggestions of a photo: those of the version that last tagged it, but
    an open one whose concept the post now carries (its owner wrote it in the caption
    since: asking about it again would be asking twice) or ranked past
    TAGGING_MAX_SUGGESTIONS (a chip its edited caption named pushed it there: it is kept
    for an edit back, services.photo_suggestions_follow_caption)."""
    carried = PhotoHashtag.objects.filter(photo=photo, hashtag__concept_id=OuterRef("concept_id"))
    return list(
        PhotoSuggestion.objects.filter(photo=photo, model_version=photo.tagging_model_version)
        .exclude(
            Q(state=PhotoSuggestion.State.OPEN)
            & (Exists(carried) | Q(rank__gte=settings.TAGGING_MAX_SUGGESTIONS))
        )
        .order_by("rank")
    )


def shop_suggestion(*, photo: Photo) -> ShopSuggestion | None:
    return ShopSuggestion.objects.filter(photo=photo, model_version=photo.tagging_model_version).first()


def suggestion_get(*, photo: Photo, suggestion_id: int) -> PhotoSuggestion:
    """One of the photo's suggestions. Raises Http404."""
    suggestion = PhotoSuggestion.objects.filter(photo=photo, pk=suggestion_id).first()
    if suggestion is None:
        raise Http404(_("No such suggestion."))
    return suggestion


@dataclass(frozen=True)
class TrainingUsage:
    contributes: bool
    eligible_photos: int
    versions: list[tuple[str, int, bool]]  # (version, how many of your photos trained it, active)


def training_usage(*, user: User) -> TrainingUsage:
    """How `user`'s photos are used: whether they feed training now, how many would,
    and how many trained each model version (from lineage)."""
    versions = (
        ModelVersion.objects.filter(trained_on__owner=user)
        .annotate(yours=Count("trained_on"))
        .order_by("-created_at")
        .values_list("name", "yours", "is_active")
    )
    return TrainingUsage(
        contributes=user.contributes_to_training,
        eligible_photos=training_photos().filter(owner=user).count(),
        versions=list(versions),
    )


def photo_alt_text_generated(*, photo: Photo, language: str) -> str:
    """The alt text the tagger writes for `photo` in `language`: the visual concepts its
    owner hashtagged and the suggestions they accepted, else its best open suggestions
    (tagging.ml.alt_text.alt_text_concepts), never a rejected one. Empty when there is
    nothing to name."""
    return photos_alt_text_generated(photos=[photo], language=language)[photo.pk]


def photos_alt_text_generated(*, photos: list[Photo], language: str | None = None) -> dict[int, str]:
    """photo_alt_text_generated for many photos in three queries: photo id -> its text, in
    `language`, or in each owner's language when None (the owners must be loaded)."""
    if not photos:
        return {}
    current = Q()
    for version in {photo.tagging_model_version for photo in photos}:
        current |= Q(
            photo__in=[p for p in photos if p.tagging_model_version == version], model_version=version
        )
    suggestions: dict[int, list[PhotoSuggestion]] = {photo.pk: [] for photo in photos}
    rows = (
        PhotoSuggestion.objects.filter(current)
        .exclude(state=PhotoSuggestion.State.REJECTED)
        .select_related("concept")
        .order_by("photo_id", "rank")
    )
    for row in rows:
        suggestions[row.photo_id].append(row)
    typed = hashtagged_visual_concepts(photo_ids=[photo.pk for photo in photos])
    return {
        photo.pk: suggestions_alt_text(
            suggestions=suggestions[photo.pk],
            typed=typed.get(photo.pk, []),
            language=language or photo.owner.language,
        )
        for photo in photos
    }


def hashtagged_visual_concepts(
    *, photo_ids: list[int], excluded: frozenset[str] | None = None
) -> dict[int, list[Concept]]:
    """Per photo, the concepts of the hashtags its owner typed, in the caption's order,
    neither non-visual nor blocked (`excluded`: excluded_concepts(), where the caller
    has it)."""
    links = (
        PhotoHashtag.objects.filter(photo_id__in=photo_ids, source=PhotoHashtag.Source.CAPTION)
        .select_related("hashtag__concept")
        .order_by("pk")
    )
    pairs = [(link.photo_id, link.hashtag.concept) for link in links]
    if excluded is None:
        excluded = excluded_concepts()
    visual = {concept.name for _photo, concept in pairs} - excluded - STOP_LIST
    typed: dict[int, list[Concept]] = {}
    for photo_id, concept in pairs:
        if concept.name in visual:
            typed.setdefault(photo_id, []).append(concept)
    return typed


def suggestions_alt_text(
    *, suggestions: list[PhotoSuggestion], language: str, typed: list[Concept] | None = None
) -> str:
    """photo_alt_text_generated for a caller that holds the photo's current suggestions
    (with their concepts) and `typed`, its hashtagged_visual_concepts."""
    from tagging.ml.alt_text import post_alt_text

    return post_alt_text(typed or [], suggestions, language)


def photo_alt_text(*, photo: Photo, language: str) -> str:
    """The alt text a viewer reading `language` gets: what the owner wrote, else the
    tagger's in that language (the caption's words when there is neither)."""
    if photo.alt_text_by_owner:
        return photo.alt_text
    return photo_alt_text_generated(photo=photo, language=language) or photo.alt_text


def photos_to_resuggest(*, version: str, reviewed: bool, since: datetime | None = None) -> QuerySet[Photo]:
    """Posts whose suggestions came from a version other than `version`, oldest first:
    analysed (ready), not hidden, of an active owner (private ones included: suggestions
    are for the owner), created at or after `since`; those whose owner accepted or
    rejected any of their suggestions when `reviewed`, else those with none decided."""
    decided = Exists(
        PhotoSuggestion.objects.filter(photo=OuterRef("pk")).exclude(state=PhotoSuggestion.State.OPEN)
    )
    photos = Photo.objects.filter(
        tagging_status=Photo.TaggingStatus.READY, is_hidden=False, owner__is_active=True
    ).exclude(tagging_model_version=version)
    if since is not None:
        photos = photos.filter(created_at__gte=since)
    return (photos.filter(decided) if reviewed else photos.exclude(decided)).order_by("pk")
