"""A generated hashtag set where content hashtags follow the image embedding and noise
hashtags (#tbt-like) are random: what the recipe must learn from, and what it must ignore."""

import torch

from tagging.ml.dataset import TrainingSet
from tagging.ml.heads import ConceptLabel
from tagging.ml.splits import split_by_owner
from tagging.ml.vocabulary import build_vocabulary

CONTENT = [f"thing{i}" for i in range(8)]
NOISE = ["blessed", "goodvibes", "instamood"]


def synthetic_photos(
    n: int = 800, dim: int = 64, seed: int = 0
) -> tuple[torch.Tensor, list[list[str]], list[int]]:
    """Embeddings, concept names per photo and owners."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.randn(len(CONTENT), dim, generator=generator) * 3
    kinds = torch.randint(len(CONTENT), (n,), generator=generator)
    embeddings = centres[kinds] + torch.randn(n, dim, generator=generator)
    concepts = []
    for kind in kinds.tolist():
        names = [CONTENT[kind]]
        names += [noise for noise in NOISE if float(torch.rand(1, generator=generator)) < 0.3]
        concepts.append(names)
    owners = torch.randint(n // 8, (n,), generator=generator).tolist()
    return embeddings, concepts, owners


def synthetic_training_set(n: int = 800, seed: int = 0) -> TrainingSet:
    embeddings, names, owners = synthetic_photos(n, seed=seed)
    stats = build_vocabulary(names, embeddings)
    active = sorted(s.name for s in stats if s.status == "active")
    column = {name: i for i, name in enumerate(active)}
    return TrainingSet(
        concepts=[ConceptLabel(name, name, name) for name in active],
        photo_ids=list(range(n)),
        owners=owners,
        targets=[[column[c] for c in photo if c in column] for photo in names],
        negatives=[[] for _ in range(n)],
        split=split_by_owner(owners, [None] * n, held_out=0.2, seed=seed),
        backbone="synthetic",
        backbone_version="synthetic-1",
        embeddings=embeddings,
    )
