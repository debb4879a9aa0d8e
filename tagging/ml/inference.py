"""Run the tagger: photos in, ranked hashtags, a shop category, alt text and the
embedding out, in one batched forward pass under torch.inference_mode()."""

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch

from .alt_text import alt_text
from .backbones import Backbone, load_backbone
from .coldstart import ColdStartHead
from .heads import SHOP_CATEGORIES, Head
from .preprocessing import ImageSource, batch

ALT_TEXT_CONCEPTS = 3


@dataclass(frozen=True)
class Suggestion:
    concept: str
    hashtag: str  # as shown in the requested language, without '#'
    score: float  # in [0, 1]; see the head's docs for what it means
    display_en: str = ""
    display_es: str = ""


@dataclass(frozen=True)
class ShopGuess:
    name: str
    score: float


@dataclass(frozen=True)
class Prediction:
    embedding: list[float]
    hashtags: list[Suggestion]
    shop_category: ShopGuess | None
    alt_text: str
    model_version: str


@dataclass(frozen=True)
class Thresholds:
    max_suggestions: int = 10
    min_score: float = 0.1  # a hashtag needs at least 10% of the head's belief
    shop_min_score: float = 0.3


class Tagger:
    def __init__(self, backbone: Backbone, head: Head, thresholds: Thresholds = Thresholds()) -> None:
        self.backbone, self.head, self.thresholds = backbone, head, thresholds

    @property
    def version(self) -> str:
        return self.head.version

    def embed(self, sources: list[ImageSource]) -> torch.Tensor:
        """Pooled embeddings for a batch of photos, (n, embedding_dim)."""
        with torch.inference_mode():
            return self.backbone.features(batch(sources, self.backbone.preprocessing))

    def predict(
        self, sources: list[ImageSource], *, language: str = "en", exclude: Iterable[str] = ()
    ) -> list[Prediction]:
        """Suggestions for each photo, strongest first. Concepts named in `exclude`
        (blocked or non-visual) are never suggested. Raises OSError for unreadable files."""
        if not sources:
            return []
        embeddings = self.embed(sources)
        with torch.inference_mode():
            concept_scores = self.head.concept_scores(embeddings)
            category_scores = self.head.category_scores(embeddings)
        excluded = set(exclude)
        return [
            self._prediction(e, c, s, language, excluded)
            for e, c, s in zip(embeddings, concept_scores, category_scores, strict=True)
        ]

    def _prediction(
        self,
        embedding: torch.Tensor,
        scores: torch.Tensor,
        categories: torch.Tensor,
        language: str,
        excluded: set[str],
    ) -> Prediction:
        limits = self.thresholds
        suggestions: list[Suggestion] = []
        for index in scores.argsort(descending=True).tolist():
            score = float(scores[index])
            if score < limits.min_score or len(suggestions) == limits.max_suggestions:
                break
            concept = self.head.concepts[index]
            if concept.name not in excluded:
                suggestions.append(
                    Suggestion(
                        concept.name,
                        concept.display(language),
                        round(score, 4),
                        concept.display_en,
                        concept.display_es,
                    )
                )
        best = int(categories.argmax())
        shop = (
            ShopGuess(SHOP_CATEGORIES[best], round(float(categories[best]), 4))
            if float(categories[best]) >= limits.shop_min_score
            else None
        )
        # Most specific first: a general concept always scores at least as high as the
        # specific ones under it (#animal >= #insect >= #bee), so reverse the top few.
        words = [s.hashtag for s in reversed(suggestions[:ALT_TEXT_CONCEPTS])]
        return Prediction(embedding.tolist(), suggestions, shop, alt_text(words, language), self.version)


@lru_cache(maxsize=2)
def cold_start_tagger(
    backbone: str = "efficientnet_lite0",
    checkpoint: Path | None = None,
    thresholds: Thresholds = Thresholds(),
) -> Tagger:
    """The cold-start tagger, built once per process and argument set."""
    loaded = load_backbone(backbone, checkpoint)
    return Tagger(loaded, ColdStartHead(loaded), thresholds)
