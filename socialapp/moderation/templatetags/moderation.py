from django import template

from socialapp.photos.models import Photo

from .. import selectors

register = template.Library()


@register.inclusion_tag("moderation/hidden_banner.html", takes_context=True)
def hidden_post_banner(context: template.Context, photo: Photo) -> dict[str, object]:
    """Tells a hidden post's owner why moderators hid it and how to appeal (nothing for
    anyone else, nor for a post that is not hidden)."""
    if context["request"].user != photo.owner:
        return {"notice": None}
    return {"photo": photo, "notice": selectors.hidden_notice(photo=photo)}
