from django import template

from socialapp.photos.models import Photo
from tagging import selectors

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
        "shop": selectors.shop_suggestion(photo=photo),
        "csrf_token": context.get("csrf_token"),
    }
