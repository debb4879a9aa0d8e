from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from socialapp.photos.models import Photo
from socialapp.photos.services import photo_create
from socialapp.shop import services
from socialapp.shop.models import Listing
from tests.factories import UserFactory
from tests.images import jpeg_bytes


def upload(name: str = "item.jpg", **image) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(**image), content_type="image/jpeg")


def upload_bytes(content: bytes, name: str = "x.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


class ListingFactory(factory.Factory):
    """Listings made through listing_create, so they have real files; `status="sold"`
    marks one sold afterwards."""

    class Meta:
        model = Listing

    seller = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Item {n}")
    description = ""
    price = Decimal("10.00")
    currency = Listing.Currency.EUR
    category = Listing.Category.CLOTHING
    image = factory.LazyFunction(upload)

    @classmethod
    def _create(cls, model_class: type[Listing], status: str = Listing.Status.AVAILABLE, **kwargs) -> Listing:
        listing = services.listing_create(**kwargs)
        if status == Listing.Status.SOLD:
            services.listing_mark_sold(listing=listing)
        return listing


def post_of(owner, caption: str = "my jacket") -> Photo:
    return photo_create(owner=owner, image=upload("p.jpg", color=(20, 90, 200)), caption=caption)
