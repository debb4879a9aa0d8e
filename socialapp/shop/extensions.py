"""Where other apps extend the shop. The shop never imports them: each list below is
filled in the listed listener's AppConfig.ready. Listeners: tagging/apps.py."""

from collections.abc import Callable

from socialapp.photos.models import Photo

# A category to pre-select when a listing is made from `photo` (a Listing.Category
# value), or None. The first that answers decides.
# Listeners: tagging/apps.py (the shop category the tagger suggested for the photo).
category_suggesters: list[Callable[[Photo], str | None]] = []


def category_suggest(*, photo: Photo) -> str | None:
    """The first category a suggester has for `photo`, or None."""
    return next((c for suggest in category_suggesters if (c := suggest(photo)) is not None), None)
