"""Head training speed: 100,000 cached (synthetic) embeddings, the default recipe."""

import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tagging.ml.dataset import TrainingSet
from tagging.ml.heads import ConceptLabel
from tagging.ml.train import TrainConfig, World, train_hashtags

PHOTOS, DIM, CONCEPTS = 100_000, 1280, 1000


def synthetic_set(seed: int = 0) -> TrainingSet:
    """Zipfian hashtags (1-3 per photo) over clustered embeddings, like a real export."""
    generator = torch.Generator().manual_seed(seed)
    zipf = 1.0 / torch.arange(1, CONCEPTS + 1, dtype=torch.float64)
    tags = torch.multinomial(zipf, PHOTOS * 3, replacement=True, generator=generator).view(PHOTOS, 3)
    counts = torch.randint(1, 4, (PHOTOS,), generator=generator)
    centres = torch.randn(CONCEPTS, DIM, generator=generator)
    embeddings = centres[tags[:, 0]] + torch.randn(PHOTOS, DIM, generator=generator)
    targets = [sorted(set(row[:k])) for row, k in zip(tags.tolist(), counts.tolist(), strict=True)]
    split = ["val" if i % 10 == 0 else "train" for i in range(PHOTOS)]
    return TrainingSet(
        concepts=[ConceptLabel(f"c{i}", f"c{i}", f"c{i}") for i in range(CONCEPTS)],
        photo_ids=list(range(PHOTOS)),
        owners=list(range(PHOTOS)),
        targets=targets,
        negatives=[[] for _ in range(PHOTOS)],
        split=split,
        backbone="synthetic",
        backbone_version="synthetic",
        embeddings=embeddings,
    )


def head_seconds_100k() -> dict[str, float]:
    data = synthetic_set()
    start = time.perf_counter()
    _head, result = train_hashtags(data, TrainConfig(), World())
    seconds = time.perf_counter() - start
    return {
        "seconds": round(seconds, 2),
        "hit@5": round(result["hashtags"]["hit@5"], 3),
        "target_seconds": 60,
    }


if __name__ == "__main__":
    print(head_seconds_100k())
