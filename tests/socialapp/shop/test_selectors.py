from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from socialapp.accounts.services import block_create
from socialapp.shop import selectors
from tests.factories import UserFactory
from tests.socialapp.shop.factories import ListingFactory, post_of

pytestmark = pytest.mark.django_db


def _titles(listings) -> list[str]:
    return [listing.title for listing in listings]


def test_listing_list_shows_available_listings_newest_first_to_anyone():
    ListingFactory(title="Lamp")
    ListingFactory(title="Sofa", status="sold")
    ListingFactory(title="Bike")

    assert _titles(selectors.listing_list()) == ["Bike", "Lamp"]
    assert _titles(selectors.listing_list(viewer=AnonymousUser())) == ["Bike", "Lamp"]


def test_listing_list_filters_by_category_price_range_seller_and_query():
    ana = UserFactory(username="ana")
    ListingFactory(title="Red shoes", category="shoes", price=Decimal("20.00"), seller=ana)
    ListingFactory(title="Blue shoes", category="shoes", price=Decimal("45.00"))
    ListingFactory(title="Lamp", category="home", price=Decimal("30.00"), description="Red shade", seller=ana)

    assert _titles(selectors.listing_list(category="shoes")) == ["Blue shoes", "Red shoes"]
    assert _titles(selectors.listing_list(min_price=Decimal("25"), max_price=Decimal("45"))) == [
        "Lamp",
        "Blue shoes",
    ]
    assert _titles(selectors.listing_list(seller="ana")) == ["Lamp", "Red shoes"]
    assert _titles(selectors.listing_list(query="RED")) == ["Lamp", "Red shoes"]
    assert _titles(selectors.listing_list(query="red", category="shoes", max_price=Decimal("20"))) == [
        "Red shoes"
    ]


def test_listing_list_by_status_and_with_none_shows_available_first():
    ListingFactory(title="Old sold", status="sold")
    ListingFactory(title="Available")
    ListingFactory(title="New sold", status="sold")

    assert _titles(selectors.listing_list(status="sold")) == ["New sold", "Old sold"]
    assert _titles(selectors.listing_list(status=None)) == ["Available", "New sold", "Old sold"]


def test_listings_of_inactive_sellers_are_hidden():
    gone = UserFactory(is_active=False)
    ListingFactory(title="Hidden", seller=gone)
    ListingFactory(title="Shown")

    assert _titles(selectors.listing_list()) == ["Shown"]
    with pytest.raises(Http404):
        selectors.listing_get(viewer=AnonymousUser(), listing_id=gone.listings.get().pk)


def test_listings_of_private_accounts_are_public():
    ListingFactory(title="Private seller's", seller=UserFactory(is_private=True))

    assert _titles(selectors.listing_list(viewer=AnonymousUser())) == ["Private seller's"]


def test_a_block_hides_listings_in_both_directions():
    viewer, blocker, blocked, other = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    from_blocker = ListingFactory(title="From blocker", seller=blocker)
    ListingFactory(title="From blocked", seller=blocked)
    ListingFactory(title="From other", seller=other)
    block_create(blocker=blocker, blocked=viewer)
    block_create(blocker=viewer, blocked=blocked)

    assert _titles(selectors.listing_list(viewer=viewer)) == ["From other"]
    assert _titles(selectors.listing_list(viewer=AnonymousUser())) == [
        "From other",
        "From blocked",
        "From blocker",
    ]
    with pytest.raises(Http404) as error:
        selectors.listing_get(viewer=viewer, listing_id=from_blocker.pk)
    assert str(error.value) == "No such listing."


def test_listing_search_matches_title_or_description_available_first_and_ignores_blank():
    viewer = UserFactory()
    ListingFactory(title="Vintage camera", status="sold")
    ListingFactory(title="Tripod", description="Fits any camera")
    ListingFactory(title="Lamp")

    assert _titles(selectors.listing_search(viewer=viewer, query=" camera ")) == ["Tripod", "Vintage camera"]
    assert _titles(selectors.listing_search(viewer=AnonymousUser(), query="camera")) == [
        "Tripod",
        "Vintage camera",
    ]
    assert list(selectors.listing_search(viewer=viewer, query="  ")) == []


def test_listing_get_shows_sold_listings_and_listing_get_owned_only_the_sellers():
    listing = ListingFactory(status="sold")

    assert selectors.listing_get(viewer=AnonymousUser(), listing_id=listing.pk) == listing
    assert selectors.listing_get_owned(seller=listing.seller, listing_id=listing.pk) == listing
    with pytest.raises(Http404) as error:
        selectors.listing_get_owned(seller=UserFactory(), listing_id=listing.pk)
    assert str(error.value) == "No such listing."


def test_sellable_photos_are_the_sellers_recent_posts_plus_an_older_preselected_one(monkeypatch):
    seller = UserFactory()
    old, recent = post_of(seller), post_of(seller)
    other = post_of(UserFactory())
    monkeypatch.setattr(selectors, "SELLABLE_PHOTOS_SHOWN", 1)

    assert selectors.sellable_photos(seller=seller) == [recent]
    assert selectors.sellable_photos(seller=seller, preselect_id=old.pk) == [old, recent]
    assert selectors.sellable_photos(seller=seller, preselect_id=other.pk) == [recent]
