from decimal import Decimal
from pathlib import Path

import pytest

from socialapp.accounts.services import block_create
from socialapp.shop.models import Listing
from tests.factories import UserFactory, client_for
from tests.socialapp.shop.conftest import stored_files
from tests.socialapp.shop.factories import ListingFactory, post_of, upload, upload_bytes

pytestmark = pytest.mark.django_db

FORM = {"title": "Denim jacket", "description": "Worn twice.", "price": "25.50", "currency": "USD"}


def _when(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _body(listing: Listing) -> dict:
    media = "http://testserver/media/"
    return {
        "id": listing.pk,
        "seller": listing.seller.username,
        "title": listing.title,
        "description": listing.description,
        "price": f"{listing.price:.2f}",
        "currency": listing.currency,
        "category": listing.category,
        "status": listing.status,
        "image_url": media + listing.image.name,
        "thumbnail_url": media + listing.thumbnail_320.name,
        "source_photo_id": listing.source_photo_id,
        "created_at": _when(listing.created_at),
        "updated_at": _when(listing.updated_at),
    }


def test_create_from_an_upload_is_201_with_the_listing(media_root):
    seller = UserFactory(username="lucia")

    response = client_for(seller).post(
        "/api/listings/", {**FORM, "category": "clothing", "image": upload()}, format="multipart"
    )

    assert response.status_code == 201
    listing = Listing.objects.get()
    assert response.json() == {
        "id": listing.pk,
        "seller": "lucia",
        "title": "Denim jacket",
        "description": "Worn twice.",
        "price": "25.50",
        "currency": "USD",
        "category": "clothing",
        "status": "available",
        "image_url": f"http://testserver/media/{listing.image.name}",
        "thumbnail_url": f"http://testserver/media/{listing.thumbnail_320.name}",
        "source_photo_id": None,
        "created_at": _when(listing.created_at),
        "updated_at": _when(listing.updated_at),
    }
    assert len(stored_files(media_root)) == 3


def test_create_from_an_own_post_with_json_copies_the_photo(media_root):
    seller = UserFactory()
    post = post_of(seller)

    response = client_for(seller).post(
        "/api/listings/", {**FORM, "category": "clothing", "photo_id": post.pk}, format="json"
    )

    assert response.status_code == 201
    listing = Listing.objects.get()
    assert response.json() == _body(listing)
    assert response.json()["source_photo_id"] == post.pk
    assert listing.image.name != post.image.name
    # The listing's own three files; the post keeps its two (its display image comes from
    # a task queued on commit, which this test does not run).
    assert len(stored_files(media_root)) == 3 + 2
    assert all(Path(f.path).is_file() for f in (listing.image, listing.thumbnail_320, listing.thumbnail_1080))


@pytest.mark.parametrize("whose", ["someone else's", "unknown"])
def test_create_from_a_post_that_is_not_yours_is_404_and_stores_nothing(media_root, whose):
    seller = UserFactory()
    post_id = post_of(UserFactory()).pk if whose == "someone else's" else 999
    before = stored_files(media_root)

    response = client_for(seller).post(
        "/api/listings/", {**FORM, "category": "home", "photo_id": post_id}, format="json"
    )

    assert (response.status_code, response.json()) == (404, {"detail": "No such post."})
    assert (Listing.objects.count(), stored_files(media_root)) == (0, before)


def test_create_without_a_photo_is_400(media_root):
    response = client_for(UserFactory()).post("/api/listings/", {**FORM, "category": "home"}, format="json")

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Add a photo: upload an image or choose one of your posts."},
    )
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_create_with_both_an_upload_and_a_post_is_400(media_root):
    seller = UserFactory()
    post = post_of(seller)
    before = stored_files(media_root)

    response = client_for(seller).post(
        "/api/listings/",
        {**FORM, "category": "home", "photo_id": post.pk, "image": upload()},
        format="multipart",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "Use one photo: upload an image or choose one of your posts, not both."},
    )
    assert (Listing.objects.count(), stored_files(media_root)) == (0, before)


def test_create_with_a_zero_price_is_400_and_stores_nothing(media_root):
    response = client_for(UserFactory()).post(
        "/api/listings/", {**FORM, "price": "0", "category": "home", "image": upload()}, format="multipart"
    )

    assert (response.status_code, response.json()) == (400, {"detail": "The price must be greater than 0."})
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_create_with_a_file_that_is_not_an_image_is_400_and_stores_nothing(media_root):
    response = client_for(UserFactory()).post(
        "/api/listings/",
        {**FORM, "category": "home", "image": upload_bytes(b"not an image")},
        format="multipart",
    )

    assert (response.status_code, response.json()) == (
        400,
        {"detail": "The file is not an image we can read; upload a JPEG, PNG, WebP or HEIC photo."},
    )
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_create_with_a_too_large_file_is_413_and_stores_nothing(media_root, settings):
    settings.UPLOAD_MAX_BYTES = 100

    response = client_for(UserFactory()).post(
        "/api/listings/", {**FORM, "category": "home", "image": upload()}, format="multipart"
    )

    assert (response.status_code, response.json()) == (
        413,
        {"detail": "The file is 0.0 MB; upload a photo of at most 0 MB."},
    )
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_create_with_an_unknown_category_names_the_field():
    response = client_for(UserFactory()).post(
        "/api/listings/", {**FORM, "category": "pets", "image": upload()}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json() == {
        "detail": 'category: "pets" is not a valid choice.',
        "fields": {"category": ['"pets" is not a valid choice.']},
    }


def test_create_anonymously_is_401(api_client):
    response = api_client.post("/api/listings/", {**FORM, "category": "home"}, format="json")

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Authentication credentials were not provided."},
    )


def test_list_is_open_to_anonymous_visitors_and_paginated(api_client):
    lamp = ListingFactory(title="Lamp")
    ListingFactory(title="Sold sofa", status="sold")

    response = api_client.get("/api/listings/")

    assert response.status_code == 200
    assert response.json() == {"count": 1, "next": None, "previous": None, "results": [_body(lamp)]}


def test_list_filters(api_client):
    ana = UserFactory(username="ana")
    ListingFactory(title="Red shoes", category="shoes", price=Decimal("20.00"), seller=ana)
    ListingFactory(title="Blue shoes", category="shoes", price=Decimal("45.00"))
    ListingFactory(title="Lamp", category="home", price=Decimal("30.00"), description="red shade")
    ListingFactory(title="Sold shoes", category="shoes", status="sold", seller=ana)

    def titles(query: str) -> list[str]:
        response = api_client.get(f"/api/listings/?{query}")
        assert response.status_code == 200
        return [item["title"] for item in response.json()["results"]]

    assert titles("category=shoes") == ["Blue shoes", "Red shoes"]
    assert titles("min_price=25&max_price=45") == ["Lamp", "Blue shoes"]
    assert titles("status=sold") == ["Sold shoes"]
    assert titles("seller=ana") == ["Red shoes"]
    assert titles("seller=ana&status=sold") == ["Sold shoes"]
    assert titles("q=RED") == ["Lamp", "Red shoes"]
    assert titles("category=&q=") == ["Lamp", "Blue shoes", "Red shoes"]


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("min_price=cheap", "min_price must be a number."),
        ("max_price=1e400", "max_price must be at most 99999999.99."),
        ("min_price=-1", "min_price must be 0 or more."),
        ("min_price=1.999", "min_price can have at most 2 decimal places."),
        ("min_price=50&max_price=10", "min_price must not be greater than max_price."),
        ("status=gone", "status must be available or sold."),
        (
            "category=pets",
            "category must be one of: clothing, shoes, accessories, electronics, home, food_drink, "
            "beauty, toys, sports, art, vehicles.",
        ),
    ],
)
def test_list_with_a_bad_filter_is_400(api_client, query, detail):
    response = api_client.get(f"/api/listings/?{query}")

    assert (response.status_code, response.json()) == (400, {"detail": detail})


def test_list_hides_sellers_blocked_either_way():
    viewer = UserFactory()
    blocker, blocked = UserFactory(), UserFactory()
    ListingFactory(title="From blocker", seller=blocker)
    hidden = ListingFactory(title="From blocked", seller=blocked)
    ListingFactory(title="Open")
    block_create(blocker=blocker, blocked=viewer)
    block_create(blocker=viewer, blocked=blocked)
    client = client_for(viewer)

    response = client.get("/api/listings/")

    assert [item["title"] for item in response.json()["results"]] == ["Open"]
    detail = client.get(f"/api/listings/{hidden.pk}/")
    assert (detail.status_code, detail.json()) == (404, {"detail": "No such listing."})


def test_detail_is_open_to_anyone_sold_or_not(api_client):
    listing = ListingFactory(status="sold")

    response = api_client.get(f"/api/listings/{listing.pk}/")

    assert (response.status_code, response.json()) == (200, _body(listing))


def test_detail_of_an_unknown_listing_is_404(api_client):
    response = api_client.get("/api/listings/999/")

    assert (response.status_code, response.json()) == (404, {"detail": "No such listing."})


def test_patch_by_the_seller_changes_the_given_fields():
    listing = ListingFactory(title="Lamp", price=Decimal("5.00"))

    response = client_for(listing.seller).patch(
        f"/api/listings/{listing.pk}/", {"price": "4.50", "category": "home"}, format="json"
    )

    listing.refresh_from_db()
    assert (response.status_code, response.json()) == (200, _body(listing))
    assert (listing.title, listing.price, listing.category) == ("Lamp", Decimal("4.50"), "home")


def test_patch_with_a_new_image_replaces_the_files(media_root, django_capture_on_commit_callbacks):
    listing = ListingFactory()
    old_name = listing.image.name

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(listing.seller).patch(
            f"/api/listings/{listing.pk}/", {"image": upload(size=(30, 20))}, format="multipart"
        )

    listing.refresh_from_db()
    assert (response.status_code, response.json()) == (200, _body(listing))
    assert listing.image.name != old_name
    assert stored_files(media_root) == sorted(media_root / name for _s, name in listing.image_files())


def test_patch_with_a_bad_price_is_400_and_changes_nothing():
    listing = ListingFactory(price=Decimal("5.00"))

    response = client_for(listing.seller).patch(
        f"/api/listings/{listing.pk}/", {"price": "-1"}, format="json"
    )

    assert (response.status_code, response.json()) == (400, {"detail": "The price must be greater than 0."})
    listing.refresh_from_db()
    assert listing.price == Decimal("5.00")


def test_writes_by_someone_else_are_404_and_change_nothing(media_root):
    listing = ListingFactory(title="Lamp")
    files = stored_files(media_root)
    other = client_for(UserFactory())
    url = f"/api/listings/{listing.pk}/"

    responses = [
        other.patch(url, {"title": "Mine now"}, format="json"),
        other.delete(url),
        other.post(f"{url}sold/"),
        other.post(f"{url}available/"),
    ]

    assert [(r.status_code, r.json()) for r in responses] == [(404, {"detail": "No such listing."})] * 4
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("Lamp", "available")
    assert stored_files(media_root) == files


def test_sold_and_available_by_the_seller():
    listing = ListingFactory()
    client = client_for(listing.seller)

    sold = client.post(f"/api/listings/{listing.pk}/sold/")
    again = client.post(f"/api/listings/{listing.pk}/sold/")
    assert (sold.status_code, sold.json()["status"]) == (200, "sold")
    assert (again.status_code, again.json()["status"]) == (200, "sold")

    available = client.post(f"/api/listings/{listing.pk}/available/")
    assert (available.status_code, available.json()["status"]) == (200, "available")
    assert Listing.objects.get().status == "available"


def test_delete_by_the_seller_removes_the_row_and_files(media_root, django_capture_on_commit_callbacks):
    listing = ListingFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(listing.seller).delete(f"/api/listings/{listing.pk}/")

    assert response.status_code == 204
    assert (Listing.objects.count(), stored_files(media_root)) == (0, [])


def test_writes_anonymously_are_401(api_client):
    listing = ListingFactory()

    response = api_client.delete(f"/api/listings/{listing.pk}/")

    assert (response.status_code, response.json()) == (
        401,
        {"detail": "Authentication credentials were not provided."},
    )
    assert Listing.objects.count() == 1


def test_the_schema_documents_the_listing_endpoints(api_client):
    response = api_client.get("/api/schema/?format=json")

    paths = response.json()["paths"]
    assert {"get", "post"} <= set(paths["/api/listings/"])
    assert {"get", "patch", "delete"} <= set(paths["/api/listings/{listing_id}/"])
    names = [p["name"] for p in paths["/api/listings/"]["get"]["parameters"]]
    assert {"category", "min_price", "max_price", "status", "seller", "q", "page"} <= set(names)
