"""One listing per post: a second "sell this" of the same post is refused (API: 409
naming the listing; the form: a redirect to it), and nothing more is stored."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from socialapp.shop import services
from socialapp.shop.models import Listing
from tests.factories import UserFactory, client_for
from tests.socialapp.shop.conftest import stored_files
from tests.socialapp.shop.factories import ListingFactory, post_of

pytestmark = pytest.mark.django_db

FORM = {"title": "Denim jacket", "description": "Worn twice.", "price": "25.50", "currency": "EUR"}


def test_the_api_refuses_a_second_listing_of_a_post_with_409_naming_the_first(media_root):
    seller = UserFactory()
    post = post_of(seller)
    api = client_for(seller)
    body = {**FORM, "category": "clothing", "photo_id": post.pk}
    first = api.post("/api/listings/", body, format="json")
    files = stored_files(media_root)

    second = api.post("/api/listings/", body, format="json")

    listing = Listing.objects.get()
    assert first.status_code == 201
    assert (second.status_code, second.json()) == (
        409,
        {"detail": f"This post is already for sale: “Denim jacket” (listing {listing.pk})."},
    )
    assert stored_files(media_root) == files


def test_the_service_refuses_a_second_listing_of_the_same_post(media_root):
    seller = UserFactory()
    post = post_of(seller)
    first = ListingFactory(seller=seller, image=None, photo=post)

    with pytest.raises(services.ListingExists) as refused:
        ListingFactory(seller=seller, image=None, photo=post)

    assert refused.value.listing == first
    assert list(Listing.objects.values_list("pk", flat=True)) == [first.pk]


def test_posting_the_form_for_a_post_already_for_sale_redirects_to_its_listing(client, media_root):
    seller = UserFactory()
    post = post_of(seller)
    listing = ListingFactory(seller=seller, image=None, photo=post)
    client.force_login(seller)

    response = client.post(
        f"/shop/new/?photo={post.pk}", {**FORM, "price": "25.50", "category": "clothing", "photo": post.pk}
    )

    assert (response.status_code, response.url) == (302, f"/shop/{listing.pk}/")
    assert Listing.objects.count() == 1


def test_a_post_whose_listing_was_deleted_can_be_sold_again(media_root):
    seller = UserFactory()
    post = post_of(seller)
    services.listing_delete(listing=ListingFactory(seller=seller, image=None, photo=post))

    again = ListingFactory(seller=seller, image=None, photo=post)

    assert list(Listing.objects.values_list("pk", flat=True)) == [again.pk]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_make_one_listing_of_a_post_on_postgresql(postgres_url, media_root):
    seller = UserFactory()
    post = post_of(seller)
    start = threading.Barrier(2)

    def sell() -> str:
        start.wait()
        try:
            ListingFactory(seller=seller, image=None, photo=post)
        except services.ListingExists:
            return "refused"
        finally:
            connection.close()
        return "listed"

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(lambda _: sell(), range(2)))

    assert outcomes == ["listed", "refused"]
    assert Listing.objects.filter(source_photo=post).count() == 1
