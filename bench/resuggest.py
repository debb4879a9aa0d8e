"""`manage.py resuggest`'s service over the demo photos, in inline mode (SQLite): images/s.

Each demo photo is published through the upload pipeline (so it has its 320 px grid
thumbnail, which the tagger reads, and the embedding its analysis kept), and marked as
analysed by an earlier version with five open suggestions, the rows a re-suggest
replaces. Then suggestions_recompute runs over all of them, `rounds` times (each round
puts the posts back first), and the median round's images/s is the figure, in two ways:
`computed`, the kept embeddings deleted before each round (a version with a new
backbone: every photo decoded and run through it), which is compared with the raw
backbone's best batch throughput, and `kept`, from the embeddings the uploads kept
(a retrained head on the same backbone: no forward pass). `best_raw(images)`, the
forward passes alone over as many photos in the best batch size and layout the caller
found, timed as one run, is measured right before and right after each computed round,
and the round is compared with their mean: on a shared 2-core VM the forward pass alone
drifts by 2x over minutes, so only figures taken at the same moment compare."""

import statistics
from collections.abc import Callable
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from socialapp.accounts.models import User
from socialapp.hashtags.models import Concept
from socialapp.photos.models import Photo
from socialapp.photos.services import photo_create
from tagging.models import PhotoSuggestion, ShopSuggestion
from tagging.services import embeddings_delete, suggestions_recompute

OLD = "bench-old"
DEMO = Path(__file__).resolve().parent.parent / "socialapp" / "demo" / "data" / "photos"


def resuggest_bench(
    *, best_raw: Callable[[int], float], rounds: int = 7, batch_size: int | None = None
) -> dict[str, object]:
    call_command("migrate", verbosity=0)
    owner = User.objects.create_user("bench-resuggest", password="bench-password-1", language="es")  # noqa: S106
    photos = [
        photo_create(owner=owner, image=SimpleUploadedFile(path.name, path.read_bytes()))
        for path in sorted(DEMO.glob("*.jpg"))
    ]
    concepts = list(Concept.objects.order_by("pk")[:5])
    per_second, raw_per_second, kept_per_second = [], [], []
    for _ in range(rounds):
        _as_if_old(photos, concepts)
        embeddings_delete(photo_ids=[photo.pk for photo in photos])
        before = best_raw(len(photos))
        result = suggestions_recompute(batch_size=batch_size)
        raw_per_second.append((before + best_raw(len(photos))) / 2)
        assert (result.rescored, result.kept) == (len(photos), 0), result
        per_second.append(result.images_per_second)
        _as_if_old(photos, concepts)  # the computed round kept them again
        result = suggestions_recompute(batch_size=batch_size)
        assert (result.rescored, result.kept) == (len(photos), len(photos)), result
        kept_per_second.append(result.images_per_second)
    return {
        "photos": len(photos),
        "batch_size": result.batch_size,
        "kept_images_per_second": round(statistics.median(kept_per_second), 1),
        "images_per_second": round(statistics.median(per_second), 1),
        "images_per_second_by_round": [round(value, 1) for value in per_second],
        "best_raw_images_per_second_by_round": [round(value, 1) for value in raw_per_second],
        "ratio_to_best_same_rounds": round(
            statistics.median(ours / theirs for ours, theirs in zip(per_second, raw_per_second, strict=True)),
            3,
        ),
    }


def _as_if_old(photos: list[Photo], concepts: list[Concept]) -> None:
    ids = [photo.pk for photo in photos]
    PhotoSuggestion.objects.filter(photo_id__in=ids).delete()
    ShopSuggestion.objects.filter(photo_id__in=ids).delete()
    Photo.objects.filter(pk__in=ids).update(tagging_status="ready", tagging_model_version=OLD, alt_text="")
    PhotoSuggestion.objects.bulk_create(
        PhotoSuggestion(
            photo=photo,
            concept=concept,
            hashtag=concept.name,
            score=0.5,
            photo_score=0.5,
            rank=rank,
            photo_rank=rank,
            model_version=OLD,
        )
        for photo in photos
        for rank, concept in enumerate(concepts)
    )
