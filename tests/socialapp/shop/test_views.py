from decimal import Decimal

import pytest

from socialapp.accounts.services import block_create
from socialapp.shop.models import Listing
from tests.factories import UserFactory
from tests.socialapp.shop.conftest import stored_files
from tests.socialapp.shop.factories import ListingFactory, post_of, upload, upload_bytes

pytestmark = pytest.mark.django_db

FORM = {"title": "Denim jacket", "description": "Worn twice.", "price": "25.50", "currency": "EUR"}


def _titles(response) -> list[str]:
    return [listing.title for listing in response.context["page"]]


def test_browse_works_for_anonymous_visitors(client):
    lamp = ListingFactory(title="Lamp", price=Decimal("12.50"))
    ListingFactory(title="Sold sofa", status="sold")

    response = client.get("/shop/")

    assert response.status_code == 200
    assert _titles(response) == ["Lamp"]
    html = response.content.decode()
    assert f'href="/shop/{lamp.pk}/"' in html
    assert f'src="/media/{lamp.thumbnail_320.name}" alt="Lamp"' in html
    assert "€12.50" in html


def test_browse_filters_with_a_get_form(client):
    ListingFactory(title="Red shoes", category="shoes", price=Decimal("20.00"))
    ListingFactory(title="Blue shoes", category="shoes", price=Decimal("45.00"))
    ListingFactory(title="Lamp", category="home", price=Decimal("30.00"))
    ListingFactory(title="Sold shoes", category="shoes", price=Decimal("25.00"), status="sold")

    assert _titles(client.get("/shop/", {"category": "shoes"})) == ["Blue shoes", "Red shoes"]
    assert _titles(client.get("/shop/", {"min_price": "21", "max_price": "40"})) == ["Lamp"]
    assert _titles(client.get("/shop/", {"q": "shoes", "show_sold": "on"})) == [
        "Blue shoes",
        "Red shoes",
        "Sold shoes",
    ]


def test_browse_with_a_bad_filter_shows_the_error_and_ignores_that_filter(client):
    ListingFactory(title="Lamp")

    response = client.get("/shop/", {"min_price": "cheap"})

    assert response.status_code == 200
    assert _titles(response) == ["Lamp"]
    assert "Enter a number." in response.content.decode()


def test_browse_is_paginated_by_24_and_keeps_the_filters(client):
    seller = UserFactory()
    for n in range(25):
        ListingFactory(seller=seller, title=f"Shoe {n}", category="shoes")

    first = client.get("/shop/", {"category": "shoes"})
    second = client.get("/shop/", {"category": "shoes", "page": "2"})

    assert (len(first.context["page"]), _titles(second)) == (24, ["Shoe 0"])
    assert 'href="?category=shoes&amp;page=2"' in first.content.decode()


def test_browse_hides_blocked_sellers(client):
    viewer, blocker = UserFactory(), UserFactory()
    ListingFactory(title="From blocker", seller=blocker)
    ListingFactory(title="Open")
    block_create(blocker=blocker, blocked=viewer)
    client.force_login(viewer)

    assert _titles(client.get("/shop/")) == ["Open"]


def test_detail_for_anonymous_visitors_shows_the_listing_and_a_login_link(client):
    seller = UserFactory(username="ana")
    listing = ListingFactory(seller=seller, title="Lamp", price=Decimal("12.50"), category="home")

    response = client.get(f"/shop/{listing.pk}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'src="/media/{listing.thumbnail_1080.name}" alt="Lamp"' in html
    assert "€12.50" in html
    assert "Home" in html
    assert 'href="/u/ana/"' in html
    assert "Log in to contact the seller." in html
    assert "Message seller" not in html
    assert "Mark as sold" not in html


def test_detail_for_another_signed_in_user_has_a_message_seller_button(client):
    listing = ListingFactory()
    client.force_login(UserFactory())

    html = client.get(f"/shop/{listing.pk}/").content.decode()

    assert f'<input type="hidden" name="listing" value="{listing.pk}">' in html
    assert '<button type="submit">Message seller</button>' in html
    assert "Mark as sold" not in html


def test_detail_for_the_seller_has_edit_sold_and_delete(client):
    listing = ListingFactory()
    client.force_login(listing.seller)

    html = client.get(f"/shop/{listing.pk}/").content.decode()

    assert f'href="/shop/{listing.pk}/edit/"' in html
    assert f'action="/shop/{listing.pk}/sold/"' in html
    assert f'action="/shop/{listing.pk}/delete/"' in html
    assert "csrfmiddlewaretoken" in html
    assert "Message seller" not in html


def test_create_page_needs_a_login(client):
    response = client.get("/shop/new/")

    assert (response.status_code, response["Location"]) == (302, "/login/?next=/shop/new/")


def test_create_from_an_upload(client, media_root):
    seller = UserFactory()
    client.force_login(seller)

    response = client.post("/shop/new/", {**FORM, "category": "clothing", "image": upload()})

    listing = Listing.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/shop/{listing.pk}/")
    assert (listing.seller, listing.title, listing.price) == (seller, "Denim jacket", Decimal("25.50"))
    assert len(stored_files(media_root)) == 3


def test_create_page_preselects_a_post_from_the_query_string_and_sells_it(client):
    seller = UserFactory()
    post = post_of(seller)
    client.force_login(seller)

    page = client.get(f"/shop/new/?photo={post.pk}")
    response = client.post(f"/shop/new/?photo={post.pk}", {**FORM, "category": "clothing", "photo": post.pk})

    assert page.status_code == 200
    assert f'<input type="radio" name="photo" value="{post.pk}" checked>' in page.content.decode()
    listing = Listing.objects.get()
    assert response.status_code == 302
    assert listing.source_photo == post


def test_create_with_someone_elses_post_is_refused(client, media_root):
    post = post_of(UserFactory())
    client.force_login(UserFactory())
    before = stored_files(media_root)

    response = client.post(f"/shop/new/?photo={post.pk}", {**FORM, "category": "clothing", "photo": post.pk})

    assert response.status_code == 400
    assert "Choose one of your own posts." in response.content.decode()
    assert (Listing.objects.count(), stored_files(media_root)) == (0, before)


def test_create_without_a_photo_shows_the_error_and_stores_nothing(client, media_root):
    client.force_login(UserFactory())

    response = client.post("/shop/new/", {**FORM, "category": "clothing"})

    assert response.status_code == 400
    assert "Add a photo: upload an image or choose one of your posts." in response.content.decode()
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_create_with_a_bad_image_shows_the_error_and_stores_nothing(client, media_root):
    client.force_login(UserFactory())

    response = client.post("/shop/new/", {**FORM, "category": "clothing", "image": upload_bytes(b"nope")})

    assert response.status_code == 400
    assert "The file is not an image we can read" in response.content.decode()
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_edit_by_the_seller(client):
    listing = ListingFactory(title="Lamp", category="home")
    client.force_login(listing.seller)

    page = client.get(f"/shop/{listing.pk}/edit/")
    response = client.post(
        f"/shop/{listing.pk}/edit/",
        {"title": "Desk lamp", "description": "", "price": "9.99", "currency": "GBP", "category": "home"},
    )

    assert page.status_code == 200
    assert 'value="Lamp"' in page.content.decode()
    assert (response.status_code, response["Location"]) == (302, f"/shop/{listing.pk}/")
    listing.refresh_from_db()
    assert (listing.title, listing.price, listing.currency) == ("Desk lamp", Decimal("9.99"), "GBP")


def test_seller_pages_and_actions_are_404_for_others(client):
    listing = ListingFactory(title="Lamp")
    client.force_login(UserFactory())

    responses = [
        client.get(f"/shop/{listing.pk}/edit/"),
        client.post(f"/shop/{listing.pk}/edit/", {**FORM, "category": "home"}),
        client.post(f"/shop/{listing.pk}/sold/"),
        client.post(f"/shop/{listing.pk}/available/"),
        client.post(f"/shop/{listing.pk}/delete/"),
    ]

    assert [r.status_code for r in responses] == [404] * 5
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("Lamp", "available")


def test_mark_sold_then_available(client):
    listing = ListingFactory()
    client.force_login(listing.seller)

    sold = client.post(f"/shop/{listing.pk}/sold/")
    assert (sold.status_code, sold["Location"]) == (302, f"/shop/{listing.pk}/")
    assert Listing.objects.get().status == "sold"
    assert f'action="/shop/{listing.pk}/available/"' in client.get(f"/shop/{listing.pk}/").content.decode()

    client.post(f"/shop/{listing.pk}/available/")
    assert Listing.objects.get().status == "available"


def test_actions_need_post(client):
    listing = ListingFactory()
    client.force_login(listing.seller)

    assert client.get(f"/shop/{listing.pk}/delete/").status_code == 405
    assert Listing.objects.count() == 1


def test_delete_by_the_seller_removes_files(client, media_root, django_capture_on_commit_callbacks):
    listing = ListingFactory()
    client.force_login(listing.seller)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/shop/{listing.pk}/delete/")

    assert (response.status_code, response["Location"]) == (302, "/shop/")
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])
