"""Model artefacts shared through one storage: MODELS_DIR alone, or a real SeaweedFS
bucket from which every host loads a version into its own cache, checked by hash."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from socialapp.photos.services import photo_delete
from tagging import artifacts, selectors, services
from tagging.models import ModelVersion
from tagging.selectors import tagger_active, training_photos
from tests.tagging.test_training_services import _platform

pytestmark = pytest.mark.django_db

FOLDER = "versions/v9-0123abcd"


def _trained(directory: Path) -> dict[str, bytes]:
    files = {"head.pt": b"weights" * 100, "vocabulary.json": b'["red"]', "plots/pr.png": b"\x89PNG..."}
    for name, data in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(data)
    (directory / "training.pt").write_bytes(b"the export, never published")
    return files


def test_without_a_bucket_a_version_stays_in_models_dir_with_a_manifest():
    directory = artifacts.version_workdir(folder=FOLDER)
    files = _trained(directory)

    manifest = artifacts.version_files_save(folder=FOLDER, directory=directory)

    assert directory == Path(settings.MODELS_DIR) / FOLDER
    assert sorted(manifest) == sorted(files)
    assert json.loads((directory / "manifest.json").read_text()) == manifest
    assert artifacts.version_directory(folder=FOLDER) == directory
    with artifacts.artifact_open(f"{FOLDER}/plots/pr.png") as plot:
        assert plot.read() == files["plots/pr.png"]


def test_a_missing_version_folder_is_a_clear_error():
    with pytest.raises(FileNotFoundError, match="versions/v1-missing"):
        artifacts.version_directory(folder="versions/v1-missing")


@pytest.mark.services
def test_a_version_published_to_the_bucket_loads_on_a_host_with_an_empty_models_dir(s3_bucket, tmp_path):
    trainer = artifacts.version_workdir(folder=FOLDER)
    files = _trained(trainer)
    artifacts.version_files_save(folder=FOLDER, directory=trainer)
    settings.MODELS_DIR = tmp_path / "other-host"

    local = artifacts.version_directory(folder=FOLDER)

    assert s3_bucket.names() == sorted(f"models/{FOLDER}/{n}" for n in [*files, "manifest.json"])
    assert local == tmp_path / "other-host" / "cache" / FOLDER
    assert {n: (local / n).read_bytes() for n in files} == files
    with artifacts.artifact_open(f"{FOLDER}/plots/pr.png") as plot:
        assert plot.read() == files["plots/pr.png"]


@pytest.mark.services
def test_a_cached_file_that_does_not_match_its_hash_is_downloaded_again(s3_bucket, tmp_path):
    trainer = artifacts.version_workdir(folder=FOLDER)
    files = _trained(trainer)
    artifacts.version_files_save(folder=FOLDER, directory=trainer)
    settings.MODELS_DIR = tmp_path
    local = artifacts.version_directory(folder=FOLDER)
    (local / "head.pt").write_bytes(b"torn download")

    again = artifacts.version_directory(folder=FOLDER)

    assert (again / "head.pt").read_bytes() == files["head.pt"]


@pytest.mark.services
def test_an_unpublished_version_in_the_bucket_is_a_clear_error(s3_bucket):
    with pytest.raises(FileNotFoundError, match=r"has no manifest\.json in the artefact storage"):
        artifacts.version_directory(folder="versions/v1-neverpublished")


@pytest.mark.services
def test_training_publishes_to_the_bucket_and_another_host_serves_it(s3_bucket, tmp_path):
    _platform()
    services.vocabulary_build()
    version, _activated = services.model_version_train()
    trainer_embeddings = s3_bucket.names("models/embeddings/")
    settings.MODELS_DIR = tmp_path / "serving-host"  # a host that never saw the training
    selectors._tagger_for_version.cache_clear()

    tagger = tagger_active()

    assert tagger.version == version.name == ModelVersion.objects.get(is_active=True).name
    published = s3_bucket.names(f"models/{version.folder}/")
    assert f"models/{version.folder}/head.pt" in published
    assert f"models/{version.folder}/training.pt" not in published
    assert all(f"models/{plot}" in published for plot in version.plots)
    assert len(trainer_embeddings) == training_photos().count()
    assert (tmp_path / "serving-host" / "cache" / version.folder / "head.pt").is_file()


@pytest.mark.services
def test_cached_embeddings_in_the_bucket_go_with_their_photo(s3_bucket, django_capture_on_commit_callbacks):
    _platform()
    services.vocabulary_build()
    photo = training_photos().first()

    def owned() -> list[str]:
        return [
            k for k in s3_bucket.names("models/embeddings/") if k.rsplit("/", 1)[1].startswith(f"{photo.pk}-")
        ]

    assert len(owned()) == 1

    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=photo)

    assert owned() == []
