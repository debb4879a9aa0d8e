"""Writes for the shop: listings and their photos."""

import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from socialapp.accounts.models import User
from socialapp.photos.models import Photo
from socialapp.uploads import ProcessedImage, UploadError, files_delete, image_process, stored_image_save

from .models import Listing

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
PRICE_MAX = Decimal("99999999.99")  # max_digits=10, decimal_places=2


class ListingExists(Exception):
    """The post is already for sale: `listing` is the listing made from it."""

    def __init__(self, listing: Listing) -> None:
        super().__init__(
            _("This post is already for sale: “%(title)s” (listing %(id)d).")
            % {"title": listing.title, "id": listing.pk}
        )
        self.listing = listing


def _refuse_a_second_listing(*, seller: User, photo: Photo, exclude: int | None = None) -> None:
    existing = Listing.objects.filter(seller=seller, source_photo=photo)
    if exclude is not None:
        existing = existing.exclude(pk=exclude)
    listing = existing.order_by("created_at", "pk").first()
    if listing is not None:
        raise ListingExists(listing)


def _clean_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError(_("Give the listing a title."), code="title")
    if len(title) > TITLE_MAX:
        raise ValidationError(
            _("A title can have at most %(max)d characters; this one has %(n)d.")
            % {"max": TITLE_MAX, "n": len(title)},
            code="title",
        )
    return title


def _clean_description(description: str) -> str:
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            _("A description can have at most %(max)d characters; this one has %(n)d.")
            % {"max": DESCRIPTION_MAX, "n": len(description)},
            code="description",
        )
    return description


def _clean_price(price: Decimal) -> Decimal:
    if not price.is_finite() or price <= 0:
        raise ValidationError(_("The price must be greater than 0."), code="price")
    if price > PRICE_MAX:
        raise ValidationError(_("The price can be at most %(max)s.") % {"max": PRICE_MAX}, code="price")
    if price != price.quantize(Decimal("0.01")):
        raise ValidationError(_("The price can have at most 2 decimal places."), code="price")
    return price.quantize(Decimal("0.01"))


def _clean_currency(currency: str) -> str:
    if currency not in Listing.Currency.values:
        raise ValidationError(
            _("The currency must be one of %(choices)s.") % {"choices": ", ".join(Listing.Currency.values)},
            code="currency",
        )
    return currency


def _clean_category(category: str) -> str:
    if category not in Listing.Category.values:
        raise ValidationError(
            _("The category must be one of %(choices)s.") % {"choices": ", ".join(Listing.Category.values)},
            code="category",
        )
    return category


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "title": _clean_title,
    "description": _clean_description,
    "price": _clean_price,
    "currency": _clean_currency,
    "category": _clean_category,
}


def _cleaned(**fields: Any) -> dict[str, Any]:
    """The given fields (None means "not given"), each checked and normalised."""
    return {name: _CLEANERS[name](value) for name, value in fields.items() if value is not None}


def _process_photo(*, seller: User, image: IO[bytes] | None, photo: Photo | None) -> ProcessedImage:
    if image is not None and photo is not None:
        raise ValidationError(
            _("Use one photo: upload an image or choose one of your posts, not both."), code="photo"
        )
    if image is not None:
        return image_process(file=image)
    if photo is None:
        raise ValidationError(_("Add a photo: upload an image or choose one of your posts."), code="photo")
    if photo.owner_id != seller.pk:
        raise ValidationError(_("You can only sell with a photo from your own posts."), code="photo")
    if photo.is_hidden:
        raise ValidationError(_("This post was hidden by a moderator, so it cannot be sold."), code="photo")
    # A copy run through the pipeline again, so the listing keeps its photo if the post goes.
    try:
        with photo.image.open("rb") as stored:
            return image_process(file=stored)
    except OSError as error:
        raise UploadError(_("That post's photo is no longer available; upload an image instead.")) from error


def listing_create(
    *,
    seller: User,
    title: str,
    description: str,
    price: Decimal,
    currency: str,
    category: str,
    image: IO[bytes] | None = None,
    photo: Photo | None = None,
) -> Listing:
    """Put something up for sale with an uploaded image or a copy of one of the seller's
    posts (not one a moderator hid). Raises ValidationError (fields, photo choice) or
    UploadError (image), or ListingExists when `photo` already has a listing; in every
    case nothing is stored."""
    fields = _cleaned(title=title, description=description, price=price, currency=currency, category=category)
    if photo is not None:
        _refuse_a_second_listing(seller=seller, photo=photo)  # before the image work
    processed = _process_photo(seller=seller, image=image, photo=photo)
    listing = Listing(seller=seller, source_photo=photo, **fields)

    def one_per_post() -> None:
        # Checked again in the transaction that stores the row, under a lock on the post,
        # so two requests at once cannot both make a listing of it. NO KEY: the listing's
        # foreign key already holds a KEY SHARE lock on the post, which FOR UPDATE would
        # wait on (a deadlock between two such requests).
        if photo is not None:
            list(Photo.objects.select_for_update(no_key=True).filter(pk=photo.pk).values_list("pk"))
            _refuse_a_second_listing(seller=seller, photo=photo, exclude=listing.pk)

    stored_image_save(listing, processed, then=one_per_post)
    return listing


def listing_update(
    *,
    listing: Listing,
    title: str | None = None,
    description: str | None = None,
    price: Decimal | None = None,
    currency: str | None = None,
    category: str | None = None,
    image: IO[bytes] | None = None,
) -> Listing:
    """Change the fields that are given (None leaves one as it is) and, with `image`,
    replace the photo (the old files go once that is committed). Raises ValidationError
    or UploadError, changing nothing."""
    fields = _cleaned(title=title, description=description, price=price, currency=currency, category=category)
    processed = image_process(file=image) if image is not None else None
    for name, value in fields.items():
        setattr(listing, name, value)
    if processed is None:
        listing.save()
        return listing
    old_files = listing.image_files()
    stored_image_save(listing, processed)
    transaction.on_commit(lambda: files_delete(old_files))
    return listing


def _listing_set_status(listing: Listing, status: str) -> Listing:
    if listing.status != status:
        listing.status = status
        listing.save(update_fields=["status", "updated_at"])
    return listing


def listing_mark_sold(*, listing: Listing) -> Listing:
    """Mark a listing sold; marking it twice is harmless."""
    return _listing_set_status(listing, Listing.Status.SOLD)


def listing_mark_available(*, listing: Listing) -> Listing:
    """Put a sold listing back on sale; harmless if it already is."""
    return _listing_set_status(listing, Listing.Status.AVAILABLE)


def listing_delete(*, listing: Listing) -> None:
    """Delete a listing; its files go once the deletion is committed."""
    files = listing.image_files()
    with transaction.atomic():
        listing.delete()
        transaction.on_commit(lambda: files_delete(files))


def listings_cleanup_for_user(user: User) -> Callable[[], None]:
    """What deleting `user` must remove besides rows: their listings' files."""
    files = [f for listing in Listing.objects.filter(seller=user) for f in listing.image_files()]
    return lambda: files_delete(files)


def listings_export(user: User, archive: zipfile.ZipFile) -> None:
    """The export's shop part: the user's listings and their images."""
    from socialapp.accounts.export import write_json

    listings = []
    for listing in Listing.objects.filter(seller=user).order_by("pk"):
        image = f"listings/{listing.pk}.jpg"
        with listing.image.open("rb") as stored:
            archive.writestr(image, stored.read())
        listings.append(
            {
                "id": listing.pk,
                "title": listing.title,
                "description": listing.description,
                "price": str(listing.price),
                "currency": listing.currency,
                "category": listing.category,
                "status": listing.status,
                "created_at": listing.created_at,
                "image": image,
            }
        )
    write_json(archive, "listings.json", listings)
