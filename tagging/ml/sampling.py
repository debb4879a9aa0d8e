"""Resampling photos so that frequent hashtags do not drown out the rest.

Hashtag frequencies follow a Zipf law: #love is on millions of photos, #bee on a few.
Mahajan et al. 2018 found square-root resampling best for transfer: concept c is drawn
with frequency proportional to f_c ** 0.5 instead of f_c (natural) or 1 (uniform).
A photo carries several concepts, so its weight is the mean of f_c ** (alpha - 1) over
its concepts; for single-label photos that gives concept c exactly f_c ** alpha."""

import torch

MODES = ("natural", "sqrt", "uniform")
_ALPHA = {"natural": 1.0, "sqrt": 0.5, "uniform": 0.0}


def label_pairs(labels: list[list[int]], num_concepts: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(photo, concept) index tensors with each concept once per photo. Raises ValueError
    for a concept index out of range."""
    unique = [sorted(set(concepts)) for concepts in labels]
    photos = torch.tensor([i for i, concepts in enumerate(unique) for _ in concepts], dtype=torch.long)
    concepts = torch.tensor([c for row in unique for c in row], dtype=torch.long)
    if len(concepts) and not 0 <= int(concepts.min()) <= int(concepts.max()) < num_concepts:
        raise ValueError(f"Concept indices must lie in [0, {num_concepts}).")
    return photos, concepts


def sample_weights(labels: list[list[int]], num_concepts: int, mode: str = "sqrt") -> torch.Tensor:
    """Per-photo sampling probabilities, float64 of shape (len(labels),) summing to 1;
    0 for a photo without concepts. Raises ValueError for an unknown mode, a concept
    index out of range, or when no photo has a concept."""
    if mode not in _ALPHA:
        raise ValueError(f"Unknown sampling mode {mode!r}; use one of {', '.join(MODES)}.")
    photos, concepts = label_pairs(labels, num_concepts)
    if not len(concepts):
        raise ValueError("No photo has a concept to sample by.")
    frequencies = torch.bincount(concepts, minlength=num_concepts).double()
    per_pair = frequencies[concepts] ** (_ALPHA[mode] - 1)
    sums = torch.zeros(len(labels), dtype=torch.float64).index_add_(0, photos, per_pair)
    sizes = torch.bincount(photos, minlength=len(labels)).double()
    weights = sums / sizes.clamp(min=1)
    return weights / weights.sum()


def draw(weights: torch.Tensor, count: int, *, seed: int) -> torch.Tensor:
    """`count` photo indices drawn with replacement in proportion to `weights`; the same
    seed gives the same indices."""
    generator = torch.Generator().manual_seed(seed)
    return torch.multinomial(weights.double(), count, replacement=True, generator=generator)
