"""Crafted requests get a 4xx that says what is wrong, never a 500: NUL characters
(PostgreSQL text cannot hold them), digits that are not ASCII, unknown socket paths."""

import pytest
from channels.testing import WebsocketCommunicator
from django.db import connection

from socialapp.asgi import application
from socialapp.chat.models import Conversation
from tests.factories import UserFactory, make_photo

NUL_DETAIL = "The request holds a NUL character (%00), which cannot be stored; remove it and try again."
NUL_URLS = [
    "/api/search/?q=a%00b",
    "/search/?q=a%00b",
    "/api/tags/a%00b/",
    "/tags/a%00b/",
    "/api/users/a%00b/",
    "/u/a%00b/",
    "/api/search/?a%00b=q",
]
API_NUL_URLS = [url for url in NUL_URLS if url.startswith("/api/")]
PAGE_NUL_URLS = [url for url in NUL_URLS if not url.startswith("/api/")]


@pytest.mark.django_db
@pytest.mark.parametrize("url", API_NUL_URLS)
def test_a_nul_character_in_an_api_address_is_400_in_json(client, url):
    response = client.get(url)

    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json() == {"detail": NUL_DETAIL}


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGE_NUL_URLS)
def test_a_nul_character_in_a_page_address_is_a_plain_400_page(client, url):
    response = client.get(url)

    assert (response.status_code, response["Content-Type"]) == (400, "text/plain; charset=utf-8")
    assert response.content.decode() == NUL_DETAIL


@pytest.mark.django_db
def test_a_nul_character_in_a_form_value_is_400_and_starts_nothing(client):
    # given a signed-in person who posts a form with a NUL in a value read without a form
    client.force_login(UserFactory())

    # when
    response = client.post("/messages/start/", {"participant": "a\x00b"})

    # then
    assert (response.status_code, response.content.decode()) == (400, NUL_DETAIL)
    assert Conversation.objects.count() == 0


@pytest.mark.django_db
def test_a_nul_character_in_a_json_value_is_refused_by_the_serializer(auth_client):
    response = auth_client.post("/api/conversations/", {"participant": "a\x00b"}, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {
            "detail": "participant: Null characters are not allowed.",
            "fields": {"participant": ["Null characters are not allowed."]},
        },
    )


@pytest.mark.services
@pytest.mark.django_db
@pytest.mark.parametrize("url", NUL_URLS)
def test_a_nul_character_is_400_on_postgresql(postgres_url, client, url):
    # given the database that cannot store NUL characters
    assert connection.vendor == "postgresql"

    # when / then
    assert client.get(url).status_code == 400


@pytest.mark.services
@pytest.mark.django_db
def test_a_nul_character_in_a_form_value_is_400_on_postgresql(postgres_url, client):
    assert connection.vendor == "postgresql"
    client.force_login(UserFactory())

    response = client.post("/messages/start/", {"participant": "a\x00b"})

    assert (response.status_code, response.content.decode()) == (400, NUL_DETAIL)


@pytest.mark.django_db
def test_a_non_ascii_digit_photo_on_the_listing_page_preselects_nothing(client):
    # given "²", which str.isdigit() takes for a digit but int() refuses
    seller = UserFactory()
    post = make_photo(seller)
    client.force_login(seller)

    # when
    response = client.get("/shop/new/?photo=²")

    # then the page is shown as for any photo that is not a number
    page = response.content.decode()
    assert response.status_code == 200
    assert '<input type="radio" name="photo" value="" checked>' in page
    assert f'<input type="radio" name="photo" value="{post.pk}">' in page


@pytest.mark.django_db
@pytest.mark.parametrize("listing", ["²", "abc", "99999999999999999999999"])
def test_starting_a_conversation_about_a_listing_that_is_no_number_is_404(client, listing):
    UserFactory(username="seller")
    client.force_login(UserFactory())

    response = client.post("/messages/start/", {"participant": "seller", "listing": listing})

    assert response.status_code == 404
    assert Conversation.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_an_unknown_socket_path_is_closed_with_4404():
    socket = WebsocketCommunicator(application, "/ws/unknown/")

    assert await socket.connect() == (False, 4404)
