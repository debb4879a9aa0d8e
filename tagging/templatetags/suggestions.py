from django import template
from django.utils import translation

from socialapp.photos.models import Photo
from socialapp.shop.models import Listing
from tagging import selectors
from tagging.models import ShopSuggestion

register = template.Library()


@register.inclusion_tag("tagging/suggestions.html", takes_context=True)
def suggestion_chips(context: template.Context, photo: Photo) -> dict[str, object]:
    """The owner's suggestion chips for a post (empty for anyone else)."""
    request = context["request"]
    if request.user != photo.owner:
        return {"show": False}
    return {
        "show": True,
        "photo": photo,
        "suggestions": selectors.photo_suggestions(photo=photo),
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
