"""Embeddings cached on disk per (photo, backbone version), so training and vocabulary
building never run the backbone twice on the same photo.

Layout: ROOT/embeddings/<backbone version>/<photo id % 1000>/<photo id>-<token>.npy,
float32. The token names the photo's stored file, so a new file (or a reused id) never
picks up an old embedding."""

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

Key = tuple[int, str]  # (photo id, token of its stored file)


class EmbeddingCache:
    def __init__(self, root: Path, backbone_version: str) -> None:
        self.root = root / "embeddings"
        self.folder = self.root / backbone_version

    def path(self, key: Key) -> Path:
        photo_id, token = key
        return self.folder / f"{photo_id % 1000:03d}" / f"{photo_id}-{token}.npy"

    def put(self, key: Key, embedding: torch.Tensor) -> None:
        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, embedding.detach().to(torch.float32).numpy())

    def fill(
        self,
        keys: Sequence[Key],
        paths: Sequence[str],
        embed: Callable[[list[str]], torch.Tensor],
        *,
        batch_size: int = 16,
        progress: Callable[[int], object] = lambda done: None,
    ) -> torch.Tensor:
        """Embeddings for every photo, computing (in batches) only those not cached yet."""
        missing = [i for i, key in enumerate(keys) if not self.path(key).exists()]
        for start in range(0, len(missing), batch_size):
            chunk = missing[start : start + batch_size]
            for i, embedding in zip(chunk, embed([paths[i] for i in chunk]), strict=True):
                self.put(keys[i], embedding)
            progress(len(chunk))
        if not keys:
            return torch.empty(0)
        return torch.stack([torch.from_numpy(np.load(self.path(key))) for key in keys])


def embeddings_delete(root: Path, photo_ids: Sequence[int]) -> int:
    """Remove these photos' cached embeddings under every backbone version. Returns how many."""
    removed = 0
    for photo_id in photo_ids:
        for path in (root / "embeddings").glob(f"*/{photo_id % 1000:03d}/{photo_id}-*.npy"):
            path.unlink()
            removed += 1
    return removed
