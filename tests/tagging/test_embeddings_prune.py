"""`manage.py embeddings_prune`: cached embeddings of backbones nothing uses any more
(an earlier fine-tuned version's, or those computed before TAGGING_BACKBONE or
TAGGING_TTA changed) are deleted; the served version's and training's stay."""

from io import StringIO

import pytest
import torch
from django.core.management import CommandError, call_command

from tagging import selectors, services
from tagging.artifacts import artifact_blobs
from tagging.ml.embeddings import EmbeddingCache, embedding_versions
from tagging.services import embeddings_prune
from tests.tagging.test_training_services import _platform

pytestmark = pytest.mark.django_db

OLD_FINETUNED = "efficientnet_lite0-0badc0de"  # weights of a fine-tuned version no longer active


def _cache(version: str, photo_ids: list[int]) -> list[tuple[int, str]]:
    cache = EmbeddingCache(artifact_blobs(), version)
    keys = [(photo_id, f"photo{photo_id}_served") for photo_id in photo_ids]
    for key in keys:
        cache.put(key, torch.full((8,), float(key[0])))
    return keys


def _held(version: str, keys: list[tuple[int, str]]) -> list[bool]:
    cache = EmbeddingCache(artifact_blobs(), version)
    return [cache.get(key) is not None for key in keys]


@pytest.fixture(autouse=True)
def _own_models_dir(settings, tmp_path):
    settings.MODELS_DIR = tmp_path  # no other test's embeddings


def test_embeddings_of_backbones_no_version_or_training_uses_are_deleted(settings):
    settings.TAGGING_TTA = "flip"  # changed since the plain embeddings were computed
    served = selectors.tagger_active().embedding_version
    assert served.endswith("+flip") and served == selectors.tagger_cold_start().embedding_version
    plain = served.removesuffix("+flip")
    kept = _cache(served, [1, 2, 1003])
    stale_plain = _cache(plain, [1, 2])
    stale_finetuned = _cache(OLD_FINETUNED, [1, 2, 3])

    out = StringIO()
    call_command("embeddings_prune", "--dry-run", stdout=out)

    assert f"{plain}: 2" in out.getvalue() and f"{OLD_FINETUNED}: 3" in out.getvalue()
    assert "would be deleted" in out.getvalue()
    assert _held(plain, stale_plain) == [True, True]
    assert _held(OLD_FINETUNED, stale_finetuned) == [True, True, True]

    out = StringIO()
    call_command("embeddings_prune", stdout=out)

    assert "5 embeddings deleted" in out.getvalue()
    assert _held(plain, stale_plain) == [False, False]
    assert _held(OLD_FINETUNED, stale_finetuned) == [False, False, False]
    assert _held(served, kept) == [True, True, True]
    assert embedding_versions(artifact_blobs()) == [served]
    assert embeddings_prune().deleted == {}  # a second run finds nothing


def test_with_nothing_cached_there_is_nothing_to_prune():
    result = embeddings_prune()

    assert result.deleted == {}
    assert result.kept == sorted({selectors.tagger_active().embedding_version})


def test_with_settings_the_active_version_was_not_trained_for_nothing_is_deleted(settings):
    _platform()
    services.vocabulary_build()
    version, activated = services.model_version_train()
    assert activated
    trained_on = selectors.tagger_active().embedding_version
    photos = list(selectors.training_photos().values_list("pk", flat=True))
    settings.TAGGING_TTA = "flip"  # this process would compute other embeddings than v1 reads
    selectors._tagger_for_version.cache_clear()

    with pytest.raises(CommandError, match=f"{version.name} was trained on {trained_on}"):
        call_command("embeddings_prune")

    assert embedding_versions(artifact_blobs()) == [trained_on]
    _dirs, kept = artifact_blobs().listdir(f"embeddings/{trained_on}/{photos[0] % 1000:03d}")
    assert any(name.startswith(f"{photos[0]}-") for name in kept)


@pytest.mark.services
def test_in_the_bucket_the_unused_backbones_embeddings_are_deleted(s3_bucket):
    served = selectors.tagger_active().embedding_version
    _cache(served, [1, 2])
    _cache(OLD_FINETUNED, [1, 2, 3])
    assert len(s3_bucket.names(f"models/embeddings/{OLD_FINETUNED}/")) == 3

    result = embeddings_prune()

    assert result.deleted == {OLD_FINETUNED: 3}
    assert s3_bucket.names(f"models/embeddings/{OLD_FINETUNED}/") == []
    assert len(s3_bucket.names(f"models/embeddings/{served}/")) == 2
