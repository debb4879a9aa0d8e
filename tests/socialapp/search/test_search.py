from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
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


def _hidden(photo):
    photo.is_hidden = True
    photo.save(update_fields=["is_hidden"])
    return photo


def test_search_finds_a_hashtag_by_its_plural_with_or_without_hash():
    make_photo(UserFactory(), "#tool")

    plain = APIClient().get("/api/search/", {"q": "tools"}).json()["hashtags"]
    hashed = APIClient().get("/api/search/", {"q": "#tools"}).json()["hashtags"]

    # spelled as the concept table spells it
    assert plain == hashed == [{"name": "tools", "uses": 1}]


def test_search_finds_electronics_through_the_singular():
    make_photo(UserFactory(), "#electronic")

    response = APIClient().get("/api/search/", {"q": "electronics"})

    assert response.json()["hashtags"] == [{"name": "electronics", "uses": 1}]


def test_search_finds_a_hashtag_through_its_spanish_alias():
    make_photo(UserFactory(), "#tool")

    response = APIClient().get("/api/search/", {"q": "#herramientas"})

    assert response.json()["hashtags"] == [{"name": "tools", "uses": 1}]


def test_search_lists_one_entry_per_concept_counting_every_alias_post():
    owner = UserFactory()
    make_photo(owner, "#perros")
    make_photo(owner, "#dog")
    make_photo(owner, "#perro #dogs")

    response = APIClient().get("/api/search/", {"q": "perro"})

    assert response.json()["hashtags"] == [{"name": "perro", "uses": 3}]


def test_search_count_matches_the_hashtag_page_for_each_viewer(client):
    me, friend = UserFactory(), UserFactory(is_private=True)
    account_services.follow_create(follower=me, followee=friend)
    account_services.follow_request_approve(request=friend.follower_set.get())
    make_photo(UserFactory(), "#castle")
    make_photo(UserFactory(), "#castillos")
    make_photo(friend, "#castle")
    make_photo(UserFactory(is_private=True), "#castle")
    _hidden(make_photo(me, "#castle"))
    _hidden(make_photo(UserFactory(), "#castle"))
    client.force_login(me)

    searched = client.get("/api/search/", {"q": "castles"}).json()["hashtags"]
    page = client.get("/tags/castle/").content.decode()
    anonymous = APIClient().get("/api/search/", {"q": "castles"}).json()["hashtags"]

    assert searched == [{"name": "castle", "uses": 4}]  # two public, the friend's, my hidden one
    assert "4 posts" in page
    assert anonymous == [{"name": "castle", "uses": 2}]


def test_search_leaves_out_a_hashtag_only_private_posts_carry():
    make_photo(UserFactory(is_private=True), "#zorblax")

    response = APIClient().get("/api/search/", {"q": "zorblax"})

    assert response.json()["hashtags"] == []


def test_unknown_hashtag_page_is_an_empty_state_not_a_404(client):
    response = client.get("/tags/perroverde/")

    assert response.status_code == 200
    assert "No posts carry #perroverde yet." in response.content.decode()


def test_hashtag_page_of_an_alias_nobody_typed_shows_the_concept(client):
    post = make_photo(UserFactory(), "#tool")

    response = client.get("/tags/herramientas/")

    assert response.status_code == 200
    assert f"/p/{post.pk}/" in response.content.decode()


def test_search_box_offers_hashtag_autocomplete(client):
    page = client.get("/search/").content.decode()

    assert 'data-hashtag-autocomplete="query"' in page
    assert "js/hashtag_autocomplete.js" in page
    assert finders.find("js/hashtag_autocomplete.js") is not None
