"""Heads turn pooled embeddings into concept scores and shop-category scores.

Every head exposes the same few members, so inference does not care whether
suggestions come from the cold-start ImageNet map or a head trained on our hashtags."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import torch

SHOP_CATEGORIES = (
    "clothing",
    "shoes",
    "accessories",
    "electronics",
    "home",
    "food_drink",
    "beauty",
    "toys",
    "sports",
    "art",
    "vehicles",
)


@dataclass(frozen=True)
class ConceptLabel:
    """A hashtag concept with the hashtag shown in each language."""

    name: str
    display_en: str
    display_es: str

    def display(self, language: str) -> str:
        return self.display_es if language == "es" else self.display_en


class Head(Protocol):
    version: str
    concepts: list[ConceptLabel]

    def concept_scores(
        self, embeddings: torch.Tensor, photo_ids: Sequence[int | None] | None = None
    ) -> torch.Tensor:
        """(n, len(concepts)) scores in [0, 1]. `photo_ids`: which photo each row is, where
        known: a head that looks photos up (a neighbour index) leaves each one out of its
        own scores."""
        ...

    def category_scores(self, embeddings: torch.Tensor) -> torch.Tensor:
        """(n, len(SHOP_CATEGORIES)) scores in [0, 1]."""
        ...
