from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from socialapp.accounts import services as account_services
from socialapp.shop import services as shop_services
from tests.factories import UserFactory, make_photo
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db


def _listing(seller, title: str):
    return shop_services.listing_create(
        seller=seller,
        title=title,
        description="",
        price=Decimal("10.00"),
        currency="EUR",
        category="home",
        image=SimpleUploadedFile("l.jpg", jpeg_bytes()),
    )


def test_search_api_finds_people_hashtags_and_listings():
    seller = UserFactory(username="molinera", display_name="Ana")
    make_photo(seller, "#molino #molinos #windmill")
    lamp = _listing(seller, "Lámpara molino de latón")

    response = APIClient().get("/api/search/", {"q": "molin"})

    assert response.status_code == 200
    assert response.json() == {
        "query": "molin",
        "users": [{"username": "molinera", "display_name": "Ana"}],
        "hashtags": [{"name": "molino", "uses": 1}],
        "listings": [
            {
                "id": lamp.pk,
                "title": "Lámpara molino de latón",
                "price": "10.00",
                "currency": "EUR",
                "status": "available",
            }
        ],
    }


def test_search_by_hashtag_ignores_the_hash_and_accents():
    make_photo(UserFactory(), "#Café")

    response = APIClient().get("/api/search/", {"q": "#cafe"})

    assert [h["name"] for h in response.json()["hashtags"]] == ["café"]


def test_hashtag_counts_leave_out_private_and_hidden_posts():
    make_photo(UserFactory(), "#molino")
    make_photo(UserFactory(is_private=True), "#molino #molinosecreto")
    hidden = make_photo(UserFactory(), "#molino #molinooculto")
    hidden.is_hidden = True
    hidden.save(update_fields=["is_hidden"])

    response = APIClient().get("/api/search/", {"q": "#molino"})

    assert response.json()["hashtags"] == [{"name": "molino", "uses": 1}]


def test_search_hides_people_who_blocked_you():
    me = UserFactory()
    blocker = UserFactory(username="hidden_hank")
    account_services.block_create(blocker=blocker, blocked=me)
    client = APIClient()
    client.force_authenticate(me)

    response = client.get("/api/search/", {"q": "hidden"})

    assert response.json()["users"] == []


def test_blank_search_is_400():
    response = APIClient().get("/api/search/", {"q": "  "})

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Add ?q= with something to search for."},
    )


def test_search_page_shows_all_three_sections(client):
    seller = UserFactory(username="molinera")
    make_photo(seller, "#molino")
    _listing(seller, "Molinillo de café")

    page = client.get("/search/", {"q": "molin"}).content.decode()

    assert "molinera" in page
    assert 'href="/tags/molino/"' in page
    assert "Molinillo de café" in page
