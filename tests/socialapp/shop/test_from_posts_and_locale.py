"""Selling from a post (prefilled from its caption and the tagger's category, one listing
per post) and prices read and shown in the person's language."""

from decimal import Decimal

import pytest

from socialapp.shop.models import Listing
from tagging.models import ShopSuggestion
from tests.factories import UserFactory
from tests.socialapp.shop.factories import ListingFactory, post_of, upload

pytestmark = pytest.mark.django_db


def _suggest_category(post, category: str) -> None:
    post.tagging_model_version = "v-test"
    post.save(update_fields=["tagging_model_version"])
    ShopSuggestion.objects.create(photo=post, category=category, score=0.9, model_version="v-test")


def test_sell_this_starts_from_the_caption_and_the_suggested_category(client):
    seller = UserFactory(language="es")
    post = post_of(seller, "Lámpara de latón, funciona perfecto.\nRecogida en Sevilla #lamp #vintage")
    _suggest_category(post, "home")
    client.force_login(seller)

    form = client.get(f"/shop/new/?photo={post.pk}").context["form"]

    assert form.initial["title"] == "Lámpara de latón, funciona perfecto."
    assert (
        form.initial["description"]
        == "Lámpara de latón, funciona perfecto.\nRecogida en Sevilla #lamp #vintage"
    )
    assert form.initial["category"] == "home"


def test_a_caption_of_only_hashtags_gives_a_title_of_their_words(client):
    seller = UserFactory()
    post = post_of(seller, "#vintage #lamp")
    client.force_login(seller)

    form = client.get(f"/shop/new/?photo={post.pk}").context["form"]

    assert form.initial["title"] == "vintage lamp"


def test_a_post_already_for_sale_links_to_its_listing_instead_of_sell_this(client):
    seller = UserFactory()
    post = post_of(seller)
    listing = ListingFactory(seller=seller, image=None, photo=post)
    client.force_login(seller)

    page = client.get(f"/p/{post.pk}/").content.decode()
    sell_again = client.get(f"/shop/new/?photo={post.pk}")

    assert f'href="/shop/{listing.pk}/"' in page
    assert "Sell this" not in page
    assert (sell_again.status_code, sell_again.url) == (302, f"/shop/{listing.pk}/")


def test_suggested_category_is_shown_by_its_translated_name(client):
    seller = UserFactory(language="es")
    post = post_of(seller)
    _suggest_category(post, "home")
    client.force_login(seller)

    page = client.get(f"/p/{post.pk}/").content.decode()

    assert "(home)" not in page
    assert "Parece algo que podrías vender (Hogar)." in page


@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [
        ("es", "12,50", Decimal("12.50")),
        ("es", "1.250,00", Decimal("1250.00")),
        ("es", "1 250,00", Decimal("1250.00")),
        ("en", "12.50", Decimal("12.50")),
        ("en", "1,250.00", Decimal("1250.00")),
    ],
)
def test_price_is_read_in_the_persons_language(client, language, typed, stored):
    client.force_login(UserFactory(language=language))

    response = client.post(
        "/shop/new/",
        {"title": "Lámpara", "price": typed, "currency": "EUR", "category": "home", "image": upload()},
    )

    assert response.status_code == 302
    assert Listing.objects.get().price == stored


def test_a_spanish_price_typed_in_the_english_ui_is_refused_not_misread(client):
    client.force_login(UserFactory(language="en"))

    response = client.post(
        "/shop/new/",
        {"title": "Lamp", "price": "12,50", "currency": "EUR", "category": "home", "image": upload()},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["price"] == ["Enter a number."]
    assert Listing.objects.count() == 0


def test_price_field_is_a_decimal_text_box_not_a_number_spinner(client):
    client.force_login(UserFactory(language="es"))

    page = client.get("/shop/new/").content.decode()

    assert 'inputmode="decimal"' in page
    assert 'type="number" name="price"' not in page


@pytest.mark.parametrize(("language", "shown"), [("es", "1\xa0250,50\xa0€"), ("en", "€1,250.50")])
def test_prices_are_shown_in_the_persons_language(client, language, shown):
    listing = ListingFactory(title="Bici", price=Decimal("1250.50"), currency="EUR", category="sports")
    client.force_login(UserFactory(language=language))

    detail = client.get(f"/shop/{listing.pk}/").content.decode()
    browse = client.get("/shop/").content.decode()

    assert shown in detail and shown in browse


def test_edit_form_shows_the_price_in_the_persons_language(client):
    seller = UserFactory(language="es")
    listing = ListingFactory(seller=seller, price=Decimal("12.50"))
    client.force_login(seller)

    page = client.get(f"/shop/{listing.pk}/edit/").content.decode()

    assert 'value="12,50"' in page
