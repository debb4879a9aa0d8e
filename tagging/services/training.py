"""Writes for the tagger: the vocabulary, training exports, model versions."""

import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import torch
from django.conf import settings
from django.db import transaction

from socialapp.hashtags.models import Concept
from socialapp.photos.models import Photo, PhotoHashtag
from socialapp.shop.models import Listing
from socialapp.uploads import stored_file_read
from tagging import selectors
from tagging.artifacts import artifact_blobs, version_files_save, version_workdir
from tagging.calibration import version_calibration_write
from tagging.ml import vocabulary
from tagging.ml.dataset import SHOP_LABELS, ShopSet, TrainingSet
from tagging.ml.embeddings import EmbeddingCache
from tagging.ml.heads import ConceptLabel
from tagging.ml.inference import Tagger
from tagging.ml.splits import dhash, split_by_owner
from tagging.ml.train import TrainConfig, run
from tagging.models import ConceptStat, ModelVersion, PhotoSuggestion
from tagging.services.caption_model import caption_model_build
from tagging.services.versions import model_version_activate, model_version_gate

Progress = Callable[[str, int, int], object]  # (stage, done, total)
MIN_LISTINGS = 20  # below this the shop head is not trained and cold start keeps guessing


def _quiet(stage: str, done: int, total: int) -> None:
    pass


def _base_tagger() -> Tagger:
    return selectors.tagger_cold_start()


def photo_embeddings(*, photos: list[Photo], progress: Progress = _quiet) -> torch.Tensor:
    """Backbone embeddings of photos, from the cache or computed once and cached."""
    tagger = _base_tagger()
    cache = EmbeddingCache(artifact_blobs(), tagger.embedding_version)  # flip-averaged ones apart
    done = 0

    def step(count: int) -> None:
        nonlocal done
        done += count
        progress("embeddings", done, len(photos))

    return cache.fill(
        [(p.pk, Path(p.image.name).stem) for p in photos],
        photos,
        lambda chunk: tagger.embed([stored_file_read(p.image) for p in chunk]),
        progress=step,
    )


def _concepts_by_photo(photos: list[Photo]) -> dict[int, list[str]]:
    concepts: dict[int, list[str]] = defaultdict(list)
    links = PhotoHashtag.objects.filter(photo__in=photos).values_list("photo_id", "hashtag__concept__name")
    for photo_id, name in links.order_by("pk"):
        if name not in concepts[photo_id]:
            concepts[photo_id].append(name)
    return concepts


@transaction.atomic
def vocabulary_build(*, progress: Progress = _quiet) -> list[ConceptStat]:
    """Count concepts over the training photos, score their visualness on the photos'
    embeddings, and store each concept's status (admin overrides kept)."""
    photos = list(selectors.training_photos())
    by_photo = _concepts_by_photo(photos)
    embeddings = photo_embeddings(photos=photos, progress=progress) if photos else None
    # A blocked concept is never a target either; the override itself stays "blocked".
    overrides = {
        name: ConceptStat.Status.NON_VISUAL if override == ConceptStat.Status.BLOCKED else override
        for name, override in ConceptStat.objects.exclude(override="").values_list(
            "concept__name", "override"
        )
    }
    stats = vocabulary.build_vocabulary(
        [by_photo.get(p.pk, []) for p in photos],
        embeddings,
        min_count=settings.TAGGING_MIN_COUNT,
        max_size=settings.TAGGING_MAX_VOCAB,
        overrides=overrides,
    )
    concepts = Concept.objects.in_bulk([s.name for s in stats], field_name="name")
    ConceptStat.objects.exclude(concept__name__in=concepts).update(count=0, visualness=None, status="rare")
    rows = []
    for stat in stats:
        row, _created = ConceptStat.objects.update_or_create(
            concept=concepts[stat.name],
            defaults={"count": stat.count, "visualness": stat.visualness, "status": stat.status},
        )
        rows.append(row)
    return rows


def rejected_concepts(photos: list[Photo]) -> dict[int, set[str]]:
    """Concepts each photo's owner rejected as suggestions: never that photo's targets."""
    rejected: dict[int, set[str]] = defaultdict(set)
    decisions = PhotoSuggestion.objects.filter(photo__in=photos, state=PhotoSuggestion.State.REJECTED)
    for photo_id, name in decisions.values_list("photo_id", "concept__name"):
        rejected[photo_id].add(name)
    return rejected


def _perceptual_hashes(photos: list[Photo]) -> list[int | None]:
    for photo in photos:
        if photo.perceptual_hash is None:
            # Stored signed: PostgreSQL's bigint has no unsigned 64-bit type.
            value = dhash(stored_file_read(photo.image))
            photo.perceptual_hash = value - (1 << 64) if value >= 1 << 63 else value
            Photo.objects.filter(pk=photo.pk).update(perceptual_hash=photo.perceptual_hash)
    return [p.perceptual_hash % (1 << 64) for p in photos]  # type: ignore[operator]


def _shop_set(photos: list[Photo], embeddings: torch.Tensor, split: list[str]) -> ShopSet | None:
    row = {p.pk: i for i, p in enumerate(photos)}
    listed = dict(Listing.objects.filter(source_photo__in=photos).values_list("source_photo_id", "category"))
    if len(listed) < MIN_LISTINGS:
        return None
    labels = [SHOP_LABELS.index(listed.get(p.pk, "none")) for p in photos]
    return ShopSet(embeddings=embeddings[[row[p.pk] for p in photos]], labels=labels, split=list(split))


def training_set_export(*, path: Path, progress: Progress = _quiet) -> tuple[TrainingSet, list[int]]:
    """Write the training set (active concepts, consenting public photos) to `path`.
    Returns it with the ids of the photos in it. Raises ValueError without enough data."""
    statuses = selectors.concept_statuses()
    vocab = list(
        Concept.objects.filter(
            name__in=[n for n, s in statuses.items() if s == ConceptStat.Status.ACTIVE]
        ).order_by("-stat__count", "name")
    )
    column = {c.name: i for i, c in enumerate(vocab)}
    candidates = list(selectors.training_photos())
    by_photo = _concepts_by_photo(candidates)
    photos = [p for p in candidates if any(n in column for n in by_photo.get(p.pk, []))]
    if len(vocab) < 2 or len(photos) < 10:
        raise ValueError(f"Not enough data to train: {len(vocab)} active concepts, {len(photos)} photos.")
    rejected = rejected_concepts(photos)
    split = split_by_owner(
        [p.owner_id for p in photos], _perceptual_hashes(photos), held_out=0.2, seed=settings.TAGGING_SEED
    )
    embeddings = photo_embeddings(photos=photos, progress=progress)
    data = TrainingSet(
        concepts=[ConceptLabel(c.name, c.display_en, c.display_es) for c in vocab],
        photo_ids=[p.pk for p in photos],
        owners=[p.owner_id for p in photos],
        targets=[
            [column[n] for n in by_photo[p.pk] if n in column and n not in rejected[p.pk]] for p in photos
        ],
        negatives=[[column[n] for n in rejected[p.pk] if n in column] for p in photos],
        split=split,
        backbone=settings.TAGGING_BACKBONE,
        backbone_version=_base_tagger().embedding_version,
        tta=settings.TAGGING_TTA,
        embeddings=embeddings,
        image_paths=_local_image_paths(photos, path.parent / "images"),
        shop=_shop_set(photos, embeddings, split),
        coldstart_scores=_coldstart_scores(embeddings, [c.name for c in vocab]),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    data.save(path)
    return data, [p.pk for p in photos]


def _local_image_paths(photos: list[Photo], folder: Path) -> list[str]:
    """A readable local file per photo for fine-tuning: the stored file itself in
    MEDIA_ROOT, else a copy from the bucket in `folder`."""
    paths = []
    for photo in photos:
        try:
            paths.append(photo.image.path)
        except NotImplementedError:  # object storage has no local path
            local = folder / f"{photo.pk}.jpg"
            if not local.is_file():
                local.parent.mkdir(parents=True, exist_ok=True)
                local.write_bytes(stored_file_read(photo.image).getvalue())
            paths.append(str(local))
    return paths


def _coldstart_scores(embeddings: torch.Tensor, names: list[str]) -> torch.Tensor:
    head = _base_tagger().head
    known = {c.name: i for i, c in enumerate(head.concepts)}
    with torch.inference_mode():
        scores = head.concept_scores(embeddings)
    mapped = torch.zeros(len(embeddings), len(names))
    for column, name in enumerate(names):
        if name in known:
            mapped[:, column] = scores[:, known[name]]
    return mapped


def _next_name() -> str:
    numbers = [int(n[1:]) for n in ModelVersion.objects.values_list("name", flat=True) if n[1:].isdigit()]
    return f"v{max(numbers, default=0) + 1}"


def model_version_train(
    *, force: bool = False, finetune: bool = False, progress: Progress = _quiet
) -> tuple[ModelVersion, bool]:
    """Export, train, register a version; activate it (audited) if it serves better than
    the active one on the same held-out photos (model_version_gate), or with `force`, or
    when none is active. Returns (version, activated). Raises ValueError without enough data."""
    name = _next_name()
    folder = Path("versions") / f"{name}-{uuid.uuid4().hex[:8]}"  # never reuse a folder
    directory = version_workdir(folder=str(folder))
    data, photo_ids = training_set_export(path=directory / "training.pt", progress=progress)
    progress("training", 0, 1)
    config = TrainConfig(
        sampling=settings.TAGGING_SAMPLING,
        seed=settings.TAGGING_SEED,
        finetune=finetune,
        device=settings.TAGGING_DEVICE,
    )
    metrics = run(directory / "training.pt", directory, config)
    version_calibration_write(directory=directory, data=data, coldstart=_base_tagger().head)  # type: ignore[arg-type]
    caption_model_build(directory=directory)  # the second model, published with the version
    progress("training", 1, 1)
    version_files_save(folder=str(folder), directory=directory)  # every host can load it now
    with transaction.atomic():
        version = ModelVersion.objects.create(
            name=name,
            backbone=data.backbone_version,
            folder=str(folder),
            vocabulary=[c.name for c in data.concepts],
            metrics=_json_safe(metrics),
            plots=sorted(
                str(p.relative_to(settings.MODELS_DIR)) for p in (directory / "plots").glob("*.png")
            ),
            trained_photo_count=len(photo_ids),
        )
        version.trained_on.set(photo_ids)
    gate = model_version_gate(candidate=selectors.tagger_for_version(version.name, version.folder), data=data)
    version.metrics = {**version.metrics, "gate": _json_safe(asdict(gate))}
    version.save(update_fields=["metrics"])
    if gate.passed or force:
        reason = gate.reason if gate.passed else f"{gate.reason}; activated with --force"
        model_version_activate(version=version, actor=None, reason=reason, source="training")
    return version, version.is_active


def _json_safe(metrics: dict[str, object]) -> dict[str, object]:
    import json

    return json.loads(json.dumps(metrics, default=float))


def model_version_evaluate(*, version: ModelVersion) -> dict[str, object]:
    """Score `version` on the held-out photos of a fresh export (its vocabulary matched by
    concept name), beside the cold-start and most-frequent baselines."""
    from tagging.ml import metrics

    directory = Path(settings.MODELS_DIR) / "evaluation"
    data, _ids = training_set_export(path=directory / "training.pt")
    val = data.indices("val")
    if not val:
        raise ValueError("No held-out photos to evaluate on.")
    assert data.embeddings is not None and data.coldstart_scores is not None
    tagger = selectors.tagger_for_version(version.name, version.folder)
    with torch.inference_mode():
        scores = tagger.head.concept_scores(data.embeddings[val])
    names = {c.name: i for i, c in enumerate(tagger.head.concepts)}
    mapped = torch.zeros(len(val), len(data.concepts))
    for column, concept in enumerate(data.concepts):
        if concept.name in names:
            mapped[:, column] = scores[:, names[concept.name]]
    truth = [data.targets[i] for i in val]
    counts = torch.zeros(len(data.concepts))
    for i in data.indices("train"):
        counts[data.targets[i]] += 1
    return {
        "hashtags": metrics.ranking_metrics(mapped, truth),
        "baselines": {
            "cold_start": metrics.ranking_metrics(data.coldstart_scores[val], truth),
            "most_frequent": metrics.ranking_metrics(counts.expand(len(val), -1), truth),
        },
        "val_photos": len(val),
    }
