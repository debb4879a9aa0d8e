"""What the tagger says of a photo, as plain dataclasses: readable without torch (the web
process merges a caption's evidence into stored suggestions, tagging.caption_suggestions)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Suggestion:
    concept: str
    hashtag: str  # as shown in the requested language, without '#'
    score: float  # in [0, 1]; see the head's docs for what it means
    display_en: str = ""
    display_es: str = ""
    # Where other evidence (the post's caption) was blended into `score`: what the photo
    # alone gave (0 when it did not suggest the concept). None: `score` is the photo's.
    photo_score: float | None = None
    # With photo_score: its rank among what the photo alone suggested (None: it suggested
    # none of it).
    photo_rank: int | None = None

    @property
    def seen(self) -> float:
        """What the photo alone says of the concept."""
        return self.score if self.photo_score is None else self.photo_score


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
