"""Model artefacts in one storage every host shares: model versions (head.pt, vocabulary,
metrics, plots) and the embedding cache.

Without a bucket that storage is the folder MODELS_DIR, as on one machine. With one
(STORAGES["artifacts"], under the TAGGING_ARTIFACTS prefix), a version trained on one host
is published there, and every other host loads it into a local cache checked file by file
against the version's manifest of SHA-256 hashes, so a torn or stale download is never
loaded. A version's folder is never reused, so its files never change once published; its
manifest is written last, and a version is complete once it exists.
"""

import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages

from socialapp.storage_transfer import Transfer

MANIFEST = "manifest.json"
# Not published: the export is large, rebuilt from the database, and names local files.
UNPUBLISHED = ("training.pt", "images/")


def artifacts_storage() -> Storage:
    """The bucket's artefact prefix when STORAGES has "artifacts", else MODELS_DIR."""
    if "artifacts" in settings.STORAGES:
        return storages["artifacts"]
    return FileSystemStorage(location=settings.MODELS_DIR, allow_overwrite=True)


def _models_dir_itself(storage: Storage) -> bool:
    return (
        isinstance(storage, FileSystemStorage)
        and Path(storage.location) == Path(settings.MODELS_DIR).resolve()
    )


class StorageBlobs:
    """tagging.ml.embeddings.BlobStore over a Django storage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def read(self, name: str) -> bytes | None:
        try:
            with self.storage.open(name, "rb") as file:
                return file.read()
        except FileNotFoundError:
            return None

    def write(self, name: str, data: bytes) -> None:
        self.storage.save(name, ContentFile(data))

    def listdir(self, folder: str) -> tuple[list[str], list[str]]:
        try:
            return self.storage.listdir(folder)
        except FileNotFoundError:
            return [], []

    def delete(self, name: str) -> None:
        self.storage.delete(name)


def artifact_blobs() -> StorageBlobs:
    """The artefact storage as a BlobStore (the embedding cache lives there)."""
    return StorageBlobs(artifacts_storage())


def version_workdir(*, folder: str) -> Path:
    """The local folder to train a version into (MODELS_DIR/<folder>, created)."""
    directory = Path(settings.MODELS_DIR) / folder
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _publishable(directory: Path) -> list[tuple[str, Path]]:
    """(relative name, file) of what a version publishes: all but the training export and
    downloaded images."""
    files = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        if relative != MANIFEST and not relative.startswith(UNPUBLISHED) and not relative.endswith(".part"):
            files.append((relative, path))
    return files


def _manifest_save(storage: Storage, folder: str, files: list[tuple[str, Path]]) -> dict[str, str]:
    manifest = {relative: _sha256(path) for relative, path in files}
    storage.save(f"{folder}/{MANIFEST}", ContentFile(json.dumps(manifest, indent=1, sort_keys=True).encode()))
    return manifest


def version_files_save(*, folder: str, directory: Path) -> dict[str, str]:
    """Publish every file under `directory` as <folder>/<its relative name> (the training
    export and downloaded images excepted), then <folder>/manifest.json, name -> SHA-256.
    In MODELS_DIR itself the files are already in place and only the manifest is written.
    Returns the manifest."""
    storage = artifacts_storage()
    files = _publishable(directory)
    if not (_models_dir_itself(storage) and directory.resolve() == Path(storage.location) / folder):
        for relative, path in files:
            with path.open("rb") as file:
                storage.save(f"{folder}/{relative}", File(file))
    return _manifest_save(storage, folder, files)


def artifacts_transfer() -> Transfer | None:
    """For `manage.py media_to_storage`: model versions and cached embeddings from
    MODELS_DIR into the bucket; each version's manifest is written once its files are all
    there. None while the artefacts stay in MODELS_DIR."""
    storage, root = artifacts_storage(), Path(settings.MODELS_DIR)
    if _models_dir_itself(storage):
        return None

    def skip(name: str) -> bool:
        top, _slash, rest = name.partition("/")
        if top == "embeddings":
            return False
        inside = rest.partition("/")[2]  # the name within versions/<folder>/
        return top != "versions" or inside == MANIFEST or inside.startswith(UNPUBLISHED)

    def manifests() -> None:
        for directory in sorted(p for p in (root / "versions").glob("*") if p.is_dir()):
            folder = directory.relative_to(root).as_posix()
            if not storage.exists(f"{folder}/{MANIFEST}"):
                _manifest_save(storage, folder, _publishable(directory))

    return Transfer("model artefacts", root, storage, skip=skip, finish=manifests)


def version_directory(*, folder: str) -> Path:
    """A local folder with the version's files: MODELS_DIR/<folder> itself without a
    bucket, else MODELS_DIR/cache/<folder>, where each file is downloaded once and kept
    while its hash matches the manifest. Raises FileNotFoundError for an unpublished
    version, OSError for a download that does not match its manifest."""
    storage = artifacts_storage()
    if _models_dir_itself(storage):
        directory = Path(storage.location) / folder
        if not directory.is_dir():
            raise FileNotFoundError(f"The model version's folder {directory} is missing.")
        return directory
    try:
        with storage.open(f"{folder}/{MANIFEST}", "rb") as file:
            manifest: dict[str, str] = json.load(file)
    except FileNotFoundError as error:
        raise FileNotFoundError(
            f"The model version {folder} has no {MANIFEST} in the artefact storage: it was never "
            "published (train it again, or copy it with `manage.py media_to_storage`)."
        ) from error
    cache = Path(settings.MODELS_DIR) / "cache" / folder
    for relative, digest in manifest.items():
        target = cache / relative
        if target.is_file() and _sha256(target) == digest:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{uuid.uuid4().hex}.part")
        with storage.open(f"{folder}/{relative}", "rb") as source, partial.open("wb") as out:
            shutil.copyfileobj(source, out)
        if _sha256(partial) != digest:
            partial.unlink()
            raise OSError(f"{folder}/{relative} does not match the version's manifest.")
        os.replace(partial, target)  # atomic: another process never loads half a file
    return cache


def artifact_open(name: str) -> IO[bytes]:
    """One stored artefact by its name under the root (a plot in ModelVersion.plots).
    Raises FileNotFoundError."""
    return artifacts_storage().open(name, "rb")
