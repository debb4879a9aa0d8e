"""Run the tagger: photos in, ranked hashtags, a shop category, alt text and the
embedding out, in one batched forward pass under torch.inference_mode()."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
from PIL import Image

from socialapp.hashtags.starter import StarterConcept

from .alt_text import alt_text, alt_text_concepts, concept_name, confident, table_concepts
from .backbones import Backbone, embedding_kind, load_backbone, tta_checked
from .coldstart import ColdStartHead
from .devices import inference_device
from .heads import SHOP_CATEGORIES, Head
from .predictions import Prediction, ShopGuess, Suggestion
from .preprocessing import ImageSource, batch, crops, decode, monochrome, to_batch
from .ranking import Calibration, rank


@dataclass(frozen=True)
class Looked:
    """What the tagger saw of photos: their embeddings (n, dim), and whether each is black
    and white (preprocessing.monochrome of its input pixels)."""

    embeddings: torch.Tensor
    monochrome: list[bool]


# The concept a black-and-white photo is suggested first, and a colour one never: a fact
# of its pixels, not a head's guess.
MONOCHROME_CONCEPT = "blackandwhite"


@dataclass(frozen=True)
class Thresholds:
    max_suggestions: int = 10
    min_score: float = 0.1  # calibrated: 10% of the way from its base rate to certainty
    shop_min_score: float = 0.3


class Tagger:
    def __init__(
        self,
        backbone: Backbone,
        head: Head,
        thresholds: Thresholds = Thresholds(),
        calibration: Calibration | None = None,
        tta: str = "none",
    ) -> None:
        """`calibration` defaults to the head's own (ColdStartHead and BlendedHead carry one).
        `tta`: "none", or "flip" to embed each photo as the mean of it and its mirror image.
        The backbone runs on its own device; the heads are small and stay on the CPU.
        Raises ValueError for an unknown `tta`."""
        self.backbone, self.head, self.thresholds = backbone, head, thresholds
        self.tta = tta
        self.embedding_version = embedding_kind(backbone.version, tta)
        self.calibration: Calibration = calibration or head.calibration  # type: ignore[attr-defined]
        self._index = {c.name: i for i, c in enumerate(head.concepts)}
        flags = self.calibration.general.tolist()
        self._general = frozenset(c.name for c, general in zip(head.concepts, flags, strict=True) if general)

    @property
    def version(self) -> str:
        """The head's version, marked "+flip" when embeddings are flip-averaged: what every
        stored prediction records."""
        return self.head.version if self.tta == "none" else f"{self.head.version}+{self.tta}"

    def embed(self, sources: list[ImageSource]) -> torch.Tensor:
        """Pooled embeddings for a batch of photos, (n, embedding_dim), on the CPU; with
        flip TTA the mean over each photo and its mirror image (one batch of 2n)."""
        return self.embed_pixels(batch(sources, self.backbone.preprocessing))

    def look(self, images: list[Image.Image]) -> Looked:
        """`embed` for photos already decoded (upright RGB, at a scale that covers the
        backbone's `resize`, as preprocessing.decode or preprocessing.covering leaves them),
        and whether each is black and white."""
        pixels = crops(images, self.backbone.preprocessing)
        return Looked(
            self.embed_pixels(to_batch(pixels, self.backbone.preprocessing)), [monochrome(p) for p in pixels]
        )

    def embed_pixels(self, pixels: torch.Tensor) -> torch.Tensor:
        """`embed` for photos already decoded and preprocessed into (n, 3, crop, crop)."""
        with torch.inference_mode():
            return self.backbone.embed(pixels, self.tta)

    def predict(
        self, sources: list[ImageSource], *, language: str = "en", exclude: Iterable[str] = ()
    ) -> list[Prediction]:
        """Suggestions for each photo, strongest first. Concepts named in `exclude`
        (blocked or non-visual) are never suggested. Raises OSError for unreadable files."""
        if not sources:
            return []
        excluded = frozenset(exclude)
        looked = self.look([decode(source, self.backbone.preprocessing) for source in sources])
        return self.predictions(
            looked.embeddings,
            languages=[language] * len(sources),
            excludes=[excluded] * len(sources),
            monochrome=looked.monochrome,
        )

    def predictions(
        self,
        embeddings: torch.Tensor,
        *,
        languages: Sequence[str],
        excludes: Sequence[frozenset[str]],
        monochrome: Sequence[bool | None] | None = None,
        photo_ids: Sequence[int | None] | None = None,
    ) -> list[Prediction]:
        """`predict` for embeddings from `embed` / `embed_pixels`, each photo in its own
        language and never suggesting one of its own `excludes`. `monochrome`: whether each
        photo is black and white (Looked.monochrome): #blackandwhite comes first on one that
        is and never on one that is not; None, for all or one, leaves it to the head.
        `photo_ids`: which stored photo each one is, where known: one that trained the
        version is not its own neighbour (Head.concept_scores)."""
        with torch.inference_mode():
            concept_scores = self.scores(embeddings, photo_ids)
            category_scores = self.head.category_scores(embeddings)
        masks: dict[frozenset[str], torch.Tensor] = {}
        for excluded in excludes:
            if excluded not in masks:  # each photo's own hashtags make most sets distinct
                mask = torch.zeros(len(self.head.concepts), dtype=torch.bool)
                mask[[self._index[name] for name in excluded if name in self._index]] = True
                masks[excluded] = mask
        seen = [None] * len(embeddings) if monochrome is None else monochrome
        return [
            self._prediction(e, c, s, language, masks[excluded], MONOCHROME_CONCEPT not in excluded and m)
            for e, c, s, language, excluded, m in zip(
                embeddings, concept_scores, category_scores, languages, excludes, seen, strict=True
            )
        ]

    def scores(self, embeddings: torch.Tensor, photo_ids: Sequence[int | None] | None = None) -> torch.Tensor:
        """Calibrated (n, len(head.concepts)) scores: what suggestions rank by (`photo_ids`
        as in predictions)."""
        with torch.inference_mode():
            return self.calibration.calibrate(self.head.concept_scores(embeddings, photo_ids=photo_ids))

    def ranked(self, scores: torch.Tensor, excluded: torch.Tensor | None = None) -> list[int]:
        """Indices of the concepts suggested for one photo's calibrated scores, in order."""
        limits = self.thresholds
        return rank(
            scores,
            self.calibration,
            min_score=limits.min_score,
            limit=limits.max_suggestions,
            excluded=excluded,
        )

    def _prediction(
        self,
        embedding: torch.Tensor,
        scores: torch.Tensor,
        categories: torch.Tensor,
        language: str,
        excluded: torch.Tensor,
        monochrome: bool | None,
    ) -> Prediction:
        """`monochrome`: True for a black-and-white photo whose #blackandwhite is not
        excluded, False for a colour one (or an excluded #blackandwhite), None: unknown."""
        limits = self.thresholds
        suggestions = []
        if monochrome:
            suggestions.append(self._monochrome_suggestion(language))
        for index in self.ranked(scores, excluded):
            concept = self.head.concepts[index]
            if concept.name == MONOCHROME_CONCEPT and monochrome is not None:
                continue  # the pixels said, above
            suggestions.append(
                Suggestion(
                    concept.name,
                    concept.display(language),
                    round(float(scores[index]), 4),
                    concept.display_en,
                    concept.display_es,
                )
            )
        del suggestions[limits.max_suggestions :]
        best = int(categories.argmax())
        shop = (
            ShopGuess(SHOP_CATEGORIES[best], round(float(categories[best]), 4))
            if float(categories[best]) >= limits.shop_min_score
            else None
        )
        return Prediction(
            embedding.tolist(), suggestions, shop, self._alt_text(suggestions, language), self.version
        )

    def _monochrome_suggestion(self, language: str) -> Suggestion:
        """#blackandwhite for a black-and-white photo, certain: named as the head names it,
        else as the concept table does (the cold-start head has no class for it)."""
        index = self._index.get(MONOCHROME_CONCEPT)
        named = self.head.concepts[index] if index is not None else table_concepts()[MONOCHROME_CONCEPT]
        english, spanish = named.display_en, named.display_es
        return Suggestion(MONOCHROME_CONCEPT, spanish if language == "es" else english, 1.0, english, spanish)

    def _alt_text(self, suggestions: list[Suggestion], language: str) -> str:
        """Names the most confident specific concepts (a general one only when no specific
        one was suggested), as the app's alt text does (tagging.selectors)."""
        table = table_concepts()
        # The table's row where it has one, else the suggestion's displays alone.
        concepts = {
            s.concept: table.get(s.concept) or StarterConcept(s.concept, s.display_en, s.display_es, {})
            for s in suggestions
        }
        guesses = confident([(s.concept, s.score) for s in suggestions])
        chosen = alt_text_concepts([], [], guesses, self._general)
        return alt_text([concept_name(concepts[name], language) for name in chosen], language)


@lru_cache(maxsize=2)
def cold_start_tagger(
    backbone: str = "efficientnet_lite0",
    checkpoint: Path | None = None,
    thresholds: Thresholds = Thresholds(),
    tta: str = "none",
    device: str = "auto",
) -> Tagger:
    """The cold-start tagger, built once per process and argument set, its backbone on
    `device` (auto, cpu or cuda: see devices.inference_device).
    Raises ValueError for an unknown tta or device, or cuda without a GPU."""
    tta = tta_checked(tta)  # before the weights load
    loaded = load_backbone(backbone, checkpoint, inference_device(device), inference=True)
    return Tagger(loaded, ColdStartHead(loaded), thresholds, tta=tta)
