"""Reads for the shop. Listings are public (anyone, signed in or not, may browse), but
never those of inactive sellers, nor across a block in either direction."""

import re
from contextlib import suppress
from decimal import Decimal

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from socialapp.accounts.models import Block, User
from socialapp.accounts.selectors import Viewer, is_moderator
from socialapp.photos.models import Photo
from socialapp.photos.selectors import photo_get_owned, profile_photos

from .models import Listing

SELLABLE_PHOTOS_SHOWN = 30
TITLE_MAX = 120
DESCRIPTION_MAX = 2000
# Hashtags closing a line ("Brass lamp #lamp #vintage"): not part of a title.
_TRAILING_TAGS = re.compile(r"(?:\s*#\w+)+\s*$")


def visible_listings(*, viewer: Viewer | None = None) -> QuerySet[Listing]:
    """Listings `viewer` may see, with their sellers loaded.

    Unlike posts, a private account's listings are public: the account hides its photos,
    not what it sells. Blocks still hide both ways, and a listing made from a post that a
    moderator hid is gone for everyone but its seller and moderators (until restored)."""
    # The source post too: whether it is hidden decides the image URL (socialapp.media).
    listings = Listing.objects.filter(seller__is_active=True).select_related("seller", "source_photo")
    if viewer is None or not is_moderator(viewer):
        hidden = Q(source_photo__is_hidden=True)
        if viewer is not None and viewer.is_authenticated:
            hidden &= ~Q(seller=viewer)
        listings = listings.exclude(hidden)
    if viewer is not None and viewer.is_authenticated:
        seller = OuterRef("seller_id")
        blocked = Block.objects.filter(Q(blocker=viewer, blocked=seller) | Q(blocker=seller, blocked=viewer))
        listings = listings.filter(~Exists(blocked))
    return listings


def _available_first(listings: QuerySet[Listing]) -> QuerySet[Listing]:
    sold_last = Case(
        When(status=Listing.Status.SOLD, then=Value(1)), default=Value(0), output_field=IntegerField()
    )
    return listings.order_by(sold_last, "-created_at", "-pk")


def listing_list(
    *,
    viewer: Viewer | None = None,
    category: str | None = None,
    min_price: Decimal | None = None,
    max_price: Decimal | None = None,
    status: str | None = Listing.Status.AVAILABLE,
    seller: str | None = None,
    query: str | None = None,
) -> QuerySet[Listing]:
    """Listings matching the filters that are given (None: any), available ones first,
    then newest. `seller` is a username; `query` matches title or description."""
    listings = visible_listings(viewer=viewer)
    if category:
        listings = listings.filter(category=category)
    if min_price is not None:
        listings = listings.filter(price__gte=min_price)
    if max_price is not None:
        listings = listings.filter(price__lte=max_price)
    if status:
        listings = listings.filter(status=status)
    if seller:
        listings = listings.filter(seller__username=seller)
    if query and query.strip():
        words = query.strip()
        listings = listings.filter(Q(title__icontains=words) | Q(description__icontains=words))
    return _available_first(listings)


def listing_search(*, viewer: Viewer, query: str) -> QuerySet[Listing]:
    """Listings whose title or description contains `query`, sold ones included but
    available ones first. A blank query finds nothing."""
    if not query.strip():
        return Listing.objects.none()
    return listing_list(viewer=viewer, query=query, status=None)


def listing_get(*, viewer: Viewer, listing_id: int) -> Listing:
    """One listing `viewer` may see, sold or not. Raises Http404."""
    listing = visible_listings(viewer=viewer).filter(pk=listing_id).first()
    if listing is None:
        raise Http404(_("No such listing."))
    return listing


def listing_get_owned(*, seller: User, listing_id: int) -> Listing:
    """One of `seller`'s own listings. Raises Http404 for anyone else's (never 403)."""
    listing = (
        Listing.objects.filter(pk=listing_id, seller=seller).select_related("seller", "source_photo").first()
    )
    if listing is None:
        raise Http404(_("No such listing."))
    return listing


def sellable_photos(*, seller: User, preselect_id: int | None = None) -> list[Photo]:
    """The seller's recent posts to pick a listing photo from, plus `preselect_id` if it
    is an older post of theirs (a "Sell this" link may point at any of them). Posts a
    moderator hid are left out: they cannot be sold."""
    posts = profile_photos(viewer=seller, owner=seller).filter(is_hidden=False)  # see listing_create
    photos = list(posts[:SELLABLE_PHOTOS_SHOWN])
    if preselect_id is not None and all(photo.pk != preselect_id for photo in photos):
        with suppress(Http404):
            photo = photo_get_owned(owner=seller, photo_id=preselect_id)
            if not photo.is_hidden:
                photos.insert(0, photo)
    return photos


def listing_of_post(*, seller: User, photo_id: int) -> Listing | None:
    """The seller's listing made from their post `photo_id` (the newest), if any."""
    return (
        Listing.objects.filter(seller=seller, source_photo_id=photo_id).order_by("-created_at", "-pk").first()
    )


def listing_draft(*, photo: Photo) -> dict[str, str]:
    """A listing's title and description as a post's caption starts them: the title is
    its first line (hashtag signs dropped when it is only hashtags), the description the
    whole caption."""
    caption = photo.caption.strip()
    first_line = next((line.strip() for line in caption.splitlines() if line.strip()), "")
    title = _TRAILING_TAGS.sub("", first_line).strip() or first_line.replace("#", " ")
    return {"title": " ".join(title.split())[:TITLE_MAX], "description": caption[:DESCRIPTION_MAX]}
