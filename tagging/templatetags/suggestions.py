from typing import Protocol, TypeVar

from django import template
from django.utils import translation

from socialapp.photos.models import Photo
from socialapp.shop.models import Listing
from tagging import selectors
from tagging.models import ShopSuggestion

register = template.Library()
# Chips a post page shows at first, best first; the rest wait behind "More suggestions".
# On the dev photos, scored by versions trained without their owner, ranks 1 to 5 were
# one of the caption's hashtags 122 times in 454, ranks 6 to 10 7 times in 215.
SHOWN = 5
# Of those, one scoring under this waits behind "More suggestions" too: on the dev photos
# a suggestion under 20% was right 13 times in 354, one at 20% or more 116 times in 315
# (ranks 1 to 5 shown at first: 122 right in 454 before, 113 in 301 after). By score
# alone, whatever its state, so a chip decided behind "More suggestions" stays there.
SHOWN_MIN_SCORE = 0.2


class Scored(Protocol):
    score: float


Chip = TypeVar("Chip", bound=Scored)


def chips_split(suggestions: list[Chip]) -> tuple[list[Chip], list[Chip]]:
    """(the chips shown at first, those behind "More suggestions"), each in rank order, of
    suggestions in rank order (PhotoSuggestion rows; the benches pass their own)."""
    first = [s for s in suggestions[:SHOWN] if s.score >= SHOWN_MIN_SCORE]
    return first, [s for s in suggestions if s not in first]


@register.inclusion_tag("tagging/suggestions.html", takes_context=True)
def suggestion_chips(context: template.Context, photo: Photo) -> dict[str, object]:
    """The owner's suggestion chips for a post (empty for anyone else)."""
    request = context["request"]
    if request.user != photo.owner:
        return {"show": False}
    shown, more = chips_split(selectors.photo_suggestions(photo=photo))
    return {
        "show": True,
        "photo": photo,
        "shown": shown,
        "more": more,
        "shown_count": SHOWN,
        "shown_min_score": SHOWN_MIN_SCORE,
        "shop": _category_name(selectors.shop_suggestion(photo=photo)),
        "listing": photo.listings.order_by("-created_at").first(),
        "csrf_token": context.get("csrf_token"),
    }


def _category_name(suggestion: ShopSuggestion | None) -> str | None:
    """The suggested shop category by its name in the active language (never its key)."""
    if suggestion is None or suggestion.category not in Listing.Category.values:
        return None
    return str(Listing.Category(suggestion.category).label)


@register.simple_tag
def photo_alt_text(photo: Photo) -> str:
    """The post's alt text in the viewer's language (the owner's own text as written)."""
    return selectors.photo_alt_text(photo=photo, language=(translation.get_language() or "en")[:2])
