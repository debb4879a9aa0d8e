"""A post a moderator hides takes its listing out of the shop, except for its seller and
moderators, and cannot be listed; restoring the post brings the listing back."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from socialapp.moderation.services import photo_hide, photo_restore
from socialapp.shop.models import Listing
from tests.factories import UserFactory, client_for
from tests.socialapp.shop.conftest import stored_files
from tests.socialapp.shop.factories import ListingFactory, post_of

pytestmark = pytest.mark.django_db

FORM = {"title": "Denim jacket", "description": "Worn twice.", "price": "25.50", "currency": "EUR"}
HIDDEN = "This post was hidden by a moderator, so it cannot be sold."


def _moderator():
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name="moderators")[0])
    return user


def _listing_of_hidden_post():
    seller = UserFactory(username="lucia")
    post = post_of(seller)
    listing = ListingFactory(seller=seller, title="Denim jacket", image=None, photo=post)
    photo_hide(moderator=_moderator(), photo=post, reason="Counterfeit")
    return seller, post, listing


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def test_a_hidden_posts_listing_is_404_for_anonymous_visitors_on_the_api_and_the_page(client):
    _seller, _post, listing = _listing_of_hidden_post()

    api = APIClient().get(f"/api/listings/{listing.pk}/")
    page = client.get(f"/shop/{listing.pk}/")

    assert (api.status_code, api.json()) == (404, {"detail": "No such listing."})
    assert page.status_code == 404


def test_a_hidden_posts_listing_is_404_for_other_signed_in_users():
    _seller, _post, listing = _listing_of_hidden_post()

    response = client_for(UserFactory()).get(f"/api/listings/{listing.pk}/")

    assert (response.status_code, response.json()) == (404, {"detail": "No such listing."})


def test_the_seller_and_moderators_still_see_a_hidden_posts_listing(client):
    seller, _post, listing = _listing_of_hidden_post()
    staff = UserFactory(is_staff=True)

    responses = [
        client_for(user).get(f"/api/listings/{listing.pk}/") for user in (seller, _moderator(), staff)
    ]
    client.force_login(seller)
    page = client.get(f"/shop/{listing.pk}/")

    assert [(r.status_code, r.json()["id"]) for r in responses] == [(200, listing.pk)] * 3
    assert page.status_code == 200


def test_a_hidden_posts_listing_is_left_out_of_the_shop_list_browse_and_search(client):
    _seller, _post, hidden = _listing_of_hidden_post()
    shown = ListingFactory(title="Denim skirt")

    listed = APIClient().get("/api/listings/")
    browsed = client.get("/shop/", {"q": "denim"})
    found = APIClient().get("/api/search/", {"q": "denim"})

    assert (listed.status_code, _ids(listed)) == (200, [shown.pk])
    assert [listing.pk for listing in browsed.context["page"]] == [shown.pk]
    assert [row["id"] for row in found.json()["listings"]] == [shown.pk]
    assert hidden.pk not in [
        row["id"] for row in client_for(UserFactory()).get("/api/listings/").json()["results"]
    ]


def test_restoring_the_post_brings_its_listing_back(client):
    _seller, post, listing = _listing_of_hidden_post()

    photo_restore(moderator=_moderator(), photo=post, reason="Appeal accepted")

    assert APIClient().get(f"/api/listings/{listing.pk}/").status_code == 200
    assert client.get(f"/shop/{listing.pk}/").status_code == 200
    assert _ids(APIClient().get("/api/listings/")) == [listing.pk]
    assert [row["id"] for row in APIClient().get("/api/search/", {"q": "denim"}).json()["listings"]] == [
        listing.pk
    ]


def test_a_listing_made_from_an_upload_stays_public():
    uploaded = ListingFactory(title="Uploaded")

    response = APIClient().get(f"/api/listings/{uploaded.pk}/")

    assert (response.status_code, response.json()["source_photo_id"]) == (200, None)


def test_creating_a_listing_from_a_hidden_post_is_400_and_stores_nothing(media_root):
    seller = UserFactory()
    post = post_of(seller)
    photo_hide(moderator=_moderator(), photo=post, reason="Counterfeit")
    before = stored_files(media_root)

    response = client_for(seller).post(
        "/api/listings/", {**FORM, "category": "clothing", "photo_id": post.pk}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"detail": HIDDEN})
    assert (Listing.objects.count(), stored_files(media_root)) == (0, before)


def test_the_sell_page_does_not_offer_a_hidden_post_and_refuses_it(client, media_root):
    seller = UserFactory()
    post = post_of(seller)
    photo_hide(moderator=_moderator(), photo=post, reason="Counterfeit")
    client.force_login(seller)

    page = client.get(f"/shop/new/?photo={post.pk}")
    response = client.post("/shop/new/", {**FORM, "category": "clothing", "photo": post.pk})

    assert page.status_code == 200
    assert f'name="photo" value="{post.pk}"' not in page.content.decode()
    assert response.status_code == 400
    assert response.context["form"].errors == {"photo": ["Choose one of your own posts."]}
    assert Listing.objects.count() == 0
