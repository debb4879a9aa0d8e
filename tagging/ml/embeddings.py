"""Embeddings cached per (photo, backbone version), so training and vocabulary building
never run the backbone twice on the same photo.

Layout, in a BlobStore (a folder, or a bucket every host shares):
embeddings/<backbone version>/<photo id % 1000>/<photo id>-<token>.npy, float32. The token
names the photo's stored file, so a new file (or a reused id) never picks up an old
embedding. A served photo's blob also says whether the photo is black and white (what
the tagger saw besides the embedding), so that re-scoring it from the blob never reads
the photo: then it is an .npz archive of `embedding` and `monochrome` under the same
name (np.load tells the two apart by their first bytes). Blobs kept before that, and
those training keeps, hold the embedding alone."""

from __future__ import annotations

import io
import logging
import zipfile
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar

import numpy as np

if TYPE_CHECKING:  # imported where a tensor is made: deleting files needs no torch
    import torch

Key = tuple[int, str]  # (photo id, token of its stored file)
Source = TypeVar("Source")
ROOT = "embeddings"
logger = logging.getLogger(__name__)


class Kept(NamedTuple):
    embedding: torch.Tensor
    monochrome: bool | None  # whether its photo is black and white (None: not kept with it)


class BlobStore(Protocol):
    """Named byte strings: tagging.artifacts adapts a Django storage to this."""

    def read(self, name: str) -> bytes | None:
        """The blob's bytes, or None if there is none of that name."""

    def write(self, name: str, data: bytes) -> None:
        """Store (or replace) a blob."""

    def listdir(self, folder: str) -> tuple[list[str], list[str]]:
        """(subfolders, blob names) directly in `folder`; empty when it does not exist."""

    def delete(self, name: str) -> None:
        """Remove a blob; one already gone is fine."""


class EmbeddingCache:
    def __init__(self, store: BlobStore, backbone_version: str) -> None:
        self.store = store
        self.folder = f"{ROOT}/{backbone_version}"

    def name(self, key: Key) -> str:
        photo_id, token = key
        return f"{self.folder}/{photo_id % 1000:03d}/{photo_id}-{token}.npy"

    def get(self, key: Key) -> torch.Tensor | None:
        """The kept embedding, or None when there is none, or only one that cannot be read
        (a write cut short: logged, and computed again by whoever asked)."""
        kept = self.get_kept(key)
        return None if kept is None else kept.embedding

    def get_kept(self, key: Key) -> Kept | None:
        """The kept embedding and whether its photo is black and white (None where it was
        kept without), or None as `get` gives it."""
        import torch

        data = self.store.read(self.name(key))
        if data is None:
            return None
        try:
            loaded = np.load(io.BytesIO(data))
            if isinstance(loaded, np.ndarray):
                return Kept(torch.from_numpy(loaded), None)
            with loaded:
                return Kept(torch.from_numpy(loaded["embedding"]), bool(loaded["monochrome"]))
        except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
            logger.warning("Could not read the kept embedding of photo %s: %s", key[0], error)
            return None

    def put(self, key: Key, embedding: torch.Tensor, *, monochrome: bool | None = None) -> None:
        """Keep `embedding`, with whether its photo is black and white where given."""
        import torch

        buffer = io.BytesIO()
        array = embedding.detach().to(torch.float32).numpy()
        if monochrome is None:
            np.save(buffer, array)
        else:
            np.savez(buffer, embedding=array, monochrome=np.bool_(monochrome))
        self.store.write(self.name(key), buffer.getvalue())

    def keep(self, key: Key, embedding: torch.Tensor, *, monochrome: bool | None = None) -> bool:
        """`put` where keeping it only saves work later: a storage error is logged, not
        raised. Returns whether it was kept."""
        try:
            self.put(key, embedding, monochrome=monochrome)
        except OSError as error:
            logger.warning("Could not keep the embedding of photo %s: %s", key[0], error)
            return False
        return True

    def fill(
        self,
        keys: Sequence[Key],
        sources: Sequence[Source],
        embed: Callable[[list[Source]], torch.Tensor],
        *,
        batch_size: int = 16,
        progress: Callable[[int], object] = lambda done: None,
    ) -> torch.Tensor:
        """Embeddings for every photo, computing (in batches, from `sources`) only those
        not cached yet."""
        import torch

        found: dict[int, torch.Tensor] = {}
        for i, key in enumerate(keys):
            cached = self.get(key)
            if cached is not None:
                found[i] = cached
        missing = [i for i in range(len(keys)) if i not in found]
        for start in range(0, len(missing), batch_size):
            chunk = missing[start : start + batch_size]
            for i, embedding in zip(chunk, embed([sources[i] for i in chunk]), strict=True):
                self.put(keys[i], embedding)
                found[i] = embedding.detach().to(torch.float32)
            progress(len(chunk))
        if not keys:
            return torch.empty(0)
        return torch.stack([found[i] for i in range(len(keys))])


def embeddings_delete(store: BlobStore, photo_ids: Sequence[int]) -> int:
    """Remove these photos' cached embeddings under every backbone version. Returns how many."""
    by_folder: dict[str, set[int]] = defaultdict(set)
    for photo_id in photo_ids:
        by_folder[f"{photo_id % 1000:03d}"].add(photo_id)
    removed = 0
    backbones, _files = store.listdir(ROOT)
    for backbone in backbones:
        for folder, ids in by_folder.items():
            _dirs, names = store.listdir(f"{ROOT}/{backbone}/{folder}")
            for name in names:
                owner = name.split("-", 1)[0]
                if owner.isdigit() and int(owner) in ids:
                    store.delete(f"{ROOT}/{backbone}/{folder}/{name}")
                    removed += 1
    return removed


def embedding_versions(store: BlobStore) -> list[str]:
    """The backbone versions (embedding kinds) that have a folder of cached embeddings."""
    versions, _files = store.listdir(ROOT)
    return sorted(versions)


def embeddings_version_delete(store: BlobStore, version: str, *, dry_run: bool = False) -> int:
    """Remove every cached embedding under one backbone version, then its folders where
    the store has folders (with `dry_run`, only count them). Returns how many embeddings."""
    removed = 0
    folders = [f"{ROOT}/{version}"]
    walked: list[str] = []
    while folders:
        folder = folders.pop()
        walked.append(folder)
        subfolders, names = store.listdir(folder)
        folders.extend(f"{folder}/{sub}" for sub in subfolders)
        for name in names:
            if not dry_run:
                store.delete(f"{folder}/{name}")
            removed += 1
    for folder in [] if dry_run else reversed(walked):  # each after the folders inside it
        try:
            store.delete(folder)
        except OSError as error:  # refilled meanwhile by a process still computing them
            logger.warning("Could not remove %s: %s", folder, error)
    return removed
