from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError

from socialapp.accounts.services import user_delete
from socialapp.photos.services import photo_delete
from socialapp.shop import services
from socialapp.shop.models import Listing
from socialapp.uploads import UploadError
from tests.factories import PASSWORD, UserFactory
from tests.socialapp.shop.conftest import stored_files
from tests.socialapp.shop.factories import ListingFactory, post_of, upload, upload_bytes

pytestmark = pytest.mark.django_db

FIELDS = {
    "title": "Denim jacket",
    "description": "Worn twice.",
    "price": Decimal("25.50"),
    "currency": "USD",
    "category": "clothing",
}


def _paths(media_root, listing: Listing) -> list:
    return sorted(media_root / name for _storage, name in listing.image_files())


def test_listing_create_from_an_upload_stores_the_row_and_its_three_files(media_root):
    seller = UserFactory()

    listing = services.listing_create(seller=seller, image=upload(size=(1600, 1200)), **FIELDS)

    stored = Listing.objects.get()
    assert stored.pk == listing.pk
    assert (stored.seller, stored.title, stored.description) == (seller, "Denim jacket", "Worn twice.")
    assert (stored.price, stored.currency, stored.category, stored.status) == (
        Decimal("25.50"),
        "USD",
        "clothing",
        "available",
    )
    assert (stored.width, stored.height, stored.source_photo) == (1600, 1200, None)
    assert stored_files(media_root) == _paths(media_root, stored)
    assert len(stored_files(media_root)) == 3


def test_listing_create_strips_the_title_and_description():
    listing = services.listing_create(
        seller=UserFactory(), image=upload(), **FIELDS | {"title": "  Lamp  ", "description": " old \n"}
    )

    assert (listing.title, listing.description) == ("Lamp", "old")


def test_listing_create_from_an_own_post_keeps_its_own_copy_of_the_files(media_root):
    seller = UserFactory()
    post = post_of(seller)
    post_files = _paths(media_root, post)

    listing = services.listing_create(seller=seller, photo=post, **FIELDS)

    assert listing.source_photo == post
    assert (listing.width, listing.height) == (post.width, post.height)
    listing_files = _paths(media_root, listing)
    assert set(listing_files).isdisjoint(post_files)
    assert stored_files(media_root) == sorted(listing_files + post_files)


def test_deleting_the_source_post_leaves_the_listing_and_its_files(
    media_root, django_capture_on_commit_callbacks
):
    seller = UserFactory()
    post = post_of(seller)
    listing = services.listing_create(seller=seller, photo=post, **FIELDS)

    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=post)

    listing.refresh_from_db()
    assert listing.source_photo is None
    assert stored_files(media_root) == _paths(media_root, listing)


def test_listing_create_from_someone_elses_post_is_refused_and_stores_nothing(media_root):
    owner, seller = UserFactory(), UserFactory()
    post = post_of(owner)
    before = stored_files(media_root)

    with pytest.raises(ValidationError) as error:
        services.listing_create(seller=seller, photo=post, **FIELDS)

    assert error.value.messages == ["You can only sell with a photo from your own posts."]
    assert Listing.objects.count() == 0
    assert stored_files(media_root) == before


def test_listing_create_without_a_photo_is_refused(media_root):
    with pytest.raises(ValidationError) as error:
        services.listing_create(seller=UserFactory(), **FIELDS)

    assert error.value.messages == ["Add a photo: upload an image or choose one of your posts."]
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_listing_create_with_both_an_upload_and_a_post_is_refused(media_root):
    seller = UserFactory()
    post = post_of(seller)
    before = stored_files(media_root)

    with pytest.raises(ValidationError) as error:
        services.listing_create(seller=seller, image=upload(), photo=post, **FIELDS)

    assert error.value.messages == ["Use one photo: upload an image or choose one of your posts, not both."]
    assert (Listing.objects.count(), stored_files(media_root)) == (0, before)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", Decimal("0"), "The price must be greater than 0."),
        ("price", Decimal("-3.00"), "The price must be greater than 0."),
        ("price", Decimal("1.005"), "The price can have at most 2 decimal places."),
        ("price", Decimal("100000000"), "The price can be at most 99999999.99."),
        ("title", "   ", "Give the listing a title."),
        ("title", "x" * 121, "A title can have at most 120 characters; this one has 121."),
        ("description", "x" * 2001, "A description can have at most 2000 characters; this one has 2001."),
        ("currency", "JPY", "The currency must be one of EUR, USD, GBP, MXN."),
        (
            "category",
            "pets",
            "The category must be one of clothing, shoes, accessories, electronics, home, food_drink, "
            "beauty, toys, sports, art, vehicles.",
        ),
    ],
)
def test_listing_create_with_a_bad_field_says_what_to_fix_and_stores_nothing(
    media_root, field, value, message
):
    with pytest.raises(ValidationError) as error:
        services.listing_create(seller=UserFactory(), image=upload(), **FIELDS | {field: value})

    assert error.value.messages == [message]
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_listing_create_with_a_file_that_is_not_an_image_stores_nothing(media_root):
    with pytest.raises(UploadError) as error:
        services.listing_create(seller=UserFactory(), image=upload_bytes(b"not an image"), **FIELDS)

    assert (
        error.value.detail == "The file is not an image we can read; upload a JPEG, PNG, WebP or HEIC photo."
    )
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_listing_create_deletes_the_written_files_when_the_row_fails(media_root, monkeypatch):
    def failing_save(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Listing, "save", failing_save)

    with pytest.raises(DatabaseError):
        services.listing_create(seller=UserFactory(), image=upload(), **FIELDS)

    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_listing_update_changes_only_the_given_fields():
    listing = ListingFactory(title="Lamp", price=Decimal("5.00"), category="home")

    services.listing_update(listing=listing, price=Decimal("4.50"), description="Works.")

    listing.refresh_from_db()
    assert (listing.title, listing.price, listing.description, listing.category) == (
        "Lamp",
        Decimal("4.50"),
        "Works.",
        "home",
    )


def test_listing_update_with_a_bad_price_changes_nothing():
    listing = ListingFactory(title="Lamp", price=Decimal("5.00"))

    with pytest.raises(ValidationError) as error:
        services.listing_update(listing=listing, title="Big lamp", price=Decimal("0"))

    assert error.value.messages == ["The price must be greater than 0."]
    assert (listing.title, listing.price) == ("Lamp", Decimal("5.00"))
    listing.refresh_from_db()
    assert (listing.title, listing.price) == ("Lamp", Decimal("5.00"))


def test_listing_update_with_a_new_image_replaces_the_files(media_root, django_capture_on_commit_callbacks):
    listing = ListingFactory()
    old = _paths(media_root, listing)

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(listing=listing, image=upload(size=(30, 20)))

    listing.refresh_from_db()
    assert (listing.width, listing.height) == (30, 20)
    assert set(old).isdisjoint(_paths(media_root, listing))
    assert stored_files(media_root) == _paths(media_root, listing)


def test_listing_update_with_a_bad_image_keeps_the_old_files(media_root):
    listing = ListingFactory()
    old = _paths(media_root, listing)

    with pytest.raises(UploadError):
        services.listing_update(listing=listing, title="New", image=upload_bytes(b""))

    listing.refresh_from_db()
    assert listing.title != "New"
    assert stored_files(media_root) == old


def test_listing_mark_sold_twice_is_harmless_and_available_reverts():
    listing = ListingFactory()

    services.listing_mark_sold(listing=listing)
    services.listing_mark_sold(listing=listing)
    assert Listing.objects.get().status == "sold"

    services.listing_mark_available(listing=listing)
    services.listing_mark_available(listing=listing)
    assert Listing.objects.get().status == "available"


def test_listing_delete_removes_the_row_and_its_files_on_commit(
    media_root, django_capture_on_commit_callbacks
):
    listing = ListingFactory()
    kept = ListingFactory()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.listing_delete(listing=listing)

    assert len(callbacks) == 1
    assert list(Listing.objects.values_list("pk", flat=True)) == [kept.pk]
    assert stored_files(media_root) == _paths(media_root, kept)


def test_account_deletion_removes_the_files_of_the_users_listings(
    media_root, django_capture_on_commit_callbacks
):
    seller, other = UserFactory(), UserFactory()
    ListingFactory(seller=seller)
    ListingFactory(seller=seller, status="sold")
    kept = ListingFactory(seller=other)

    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=seller, password=PASSWORD)

    assert list(Listing.objects.values_list("pk", flat=True)) == [kept.pk]
    assert stored_files(media_root) == _paths(media_root, kept)
