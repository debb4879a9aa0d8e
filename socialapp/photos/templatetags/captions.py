from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from socialapp.hashtags import canonical

register = template.Library()


@register.filter
def linked_hashtags(caption: str) -> SafeString:
    """The caption, escaped, with each #hashtag linking to its hashtag page."""

    def link(match) -> str:  # type: ignore[no-untyped-def]
        typed = match.group(1)
        url = reverse("hashtag", kwargs={"name": canonical.canonical_name(typed)})
        return format_html('<a href="{}">#{}</a>', url, typed)

    # Escaping first is safe: escape() never produces or breaks a "#word".
    return mark_safe(canonical.HASHTAG_PATTERN.sub(link, escape(caption)))  # noqa: S308
