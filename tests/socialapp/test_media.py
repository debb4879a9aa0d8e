"""Uploaded files: public posts on plain URLs, everything else only through signed ones."""

import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from socialapp.accounts.models import Follow
from socialapp.accounts.services import block_create, user_update_profile
from socialapp.moderation.services import photo_hide, report_create
from socialapp.photos.services import photo_delete, photo_display_add
from socialapp.shop.models import Listing
from socialapp.shop.services import listing_create
from tests.factories import UserFactory, client_for, make_photo
from tests.images import jpeg_bytes

pytestmark = pytest.mark.django_db

SIGNED = re.compile(
    r"^http://testserver/media/(?P<name>[^?]+)\?expires=(?P<expires>\d+)&signature=[0-9a-f]{64}$"
)


def _get(url: str):
    """GET `url` as someone signed in nowhere, the way a browser fetches an <img>."""
    return Client().get(url.removeprefix("http://testserver"))


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _stored(field) -> bytes:
    with field.open("rb") as file:
        return file.read()


def _private_photo_and_follower():
    owner = UserFactory(username="mara", is_private=True)
    photo = make_photo(owner)
    photo_display_add(photo_id=photo.pk)  # the 1080 px display image, made by a task
    photo.refresh_from_db()
    follower = UserFactory(username="tomas")
    Follow.objects.create(follower=follower, followee=owner, status=Follow.Status.ACCEPTED)
    return photo, follower


def _listing(seller, photo) -> Listing:
    return listing_create(
        seller=seller,
        photo=photo,
        title="Lamp",
        description="",
        price=Decimal("12"),
        currency="EUR",
        category="home",
    )


def _past_expiry(url: str, monkeypatch) -> None:
    expires = int(parse_qs(urlsplit(url).query)["expires"][0])
    monkeypatch.setattr("socialapp.media.time.time", lambda: expires + 1)


def test_public_post_is_served_on_its_plain_url_with_the_exact_bytes():
    photo = make_photo(UserFactory())

    body = _get(f"/api/photos/{photo.pk}/").json()
    response = _get(body["image_url"])

    assert body["image_url"] == f"http://testserver/media/{photo.image.name}"
    assert body["thumbnail_url"] == f"http://testserver/media/{photo.thumbnail_320.name}"
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=60"
    assert _body(response) == _stored(photo.image)


def test_private_accounts_files_are_404_on_plain_urls_and_served_to_a_follower_signed(monkeypatch):
    photo, follower = _private_photo_and_follower()
    monkeypatch.setattr("socialapp.media.time.time", lambda: 1_000_030.0)

    plain = [_get(f.url).status_code for f in (photo.image, photo.thumbnail_320, photo.thumbnail_1080)]
    body = client_for(follower).get(f"/api/photos/{photo.pk}/").json()
    again = client_for(follower).get(f"/api/photos/{photo.pk}/").json()
    response = _get(body["image_url"])

    assert plain == [404, 404, 404]
    assert SIGNED.match(body["image_url"])["name"] == photo.image.name
    assert SIGNED.match(body["thumbnail_url"])["name"] == photo.thumbnail_320.name
    assert SIGNED.match(body["display_url"])["name"] == photo.thumbnail_1080.name
    # Expiry: 300 s at most, on a 60 s grid, so pages rendered within a minute share URLs.
    assert SIGNED.match(body["image_url"])["expires"] == "1000320"
    assert again["image_url"] == body["image_url"]
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=290"
    assert _body(response) == _stored(photo.image)


def test_a_follower_s_page_shows_signed_urls_that_serve_the_photo():
    photo, follower = _private_photo_and_follower()
    client = Client()
    client.force_login(follower)

    page = client.get(f"/p/{photo.pk}/").content.decode()
    src = re.search(r'class="post-image" src="([^"]+)"', page)[1].replace("&amp;", "&")
    response = _get(src)

    assert SIGNED.match(f"http://testserver{src}")["name"] == photo.thumbnail_1080.name
    assert response.status_code == 200
    assert _body(response) == _stored(photo.thumbnail_1080)


def test_a_signed_url_is_404_once_it_has_expired(monkeypatch):
    photo, follower = _private_photo_and_follower()
    url = client_for(follower).get(f"/api/photos/{photo.pk}/").json()["image_url"]
    before = _get(url).status_code

    _past_expiry(url, monkeypatch)
    after = _get(url)

    assert before == 200
    assert after.status_code == 404
    assert after.content == b"Not found."
    assert _get("/media/photo/never-stored.jpg").content == b"Not found."


def test_a_tampered_signature_or_expiry_is_404():
    photo, follower = _private_photo_and_follower()
    url = client_for(follower).get(f"/api/photos/{photo.pk}/").json()["image_url"]
    expires = int(parse_qs(urlsplit(url).query)["expires"][0])
    flipped = url[:-1] + ("0" if url[-1] != "0" else "1")
    extended = url.replace(f"expires={expires}", f"expires={expires + 3600}")
    other_file = url.replace(photo.image.name, photo.thumbnail_320.name)

    statuses = [_get(u).status_code for u in (url, flipped, extended, other_file)]

    assert statuses == [200, 404, 404, 404]


def test_a_public_post_s_plain_url_is_404_once_its_owner_goes_private():
    owner = UserFactory()
    photo = make_photo(owner)
    before = _get(photo.thumbnail_320.url).status_code

    user_update_profile(user=owner, is_private=True)

    assert before == 200
    assert _get(photo.thumbnail_320.url).status_code == 404
    assert _get(photo.image.url).status_code == 404


def test_a_hidden_post_is_404_on_its_plain_url_and_its_owner_gets_signed_urls():
    owner = UserFactory()
    photo = make_photo(owner)
    before = _get(photo.image.url).status_code

    photo_hide(moderator=UserFactory(is_staff=True), photo=photo, reason="Spam")
    body = client_for(owner).get(f"/api/photos/{photo.pk}/").json()

    assert before == 200
    assert _get(photo.image.url).status_code == 404
    assert SIGNED.match(body["image_url"])["name"] == photo.image.name
    assert _get(body["image_url"]).status_code == 200


def test_a_moderator_s_queue_hands_out_signed_thumbnails_of_private_posts():
    photo, follower = _private_photo_and_follower()
    report_create(reporter=follower, reason="spam", photo=photo)

    body = client_for(UserFactory(is_staff=True)).get("/api/moderation/queue/").json()
    url = body["results"][0]["thumbnail_url"]

    assert SIGNED.match(url)["name"] == photo.thumbnail_320.name
    assert _get(url).status_code == 200


def test_a_blocked_follower_loses_the_post_and_their_signed_url_expires(monkeypatch):
    photo, follower = _private_photo_and_follower()
    url = client_for(follower).get(f"/api/photos/{photo.pk}/").json()["image_url"]
    before = _get(url).status_code

    block_create(blocker=photo.owner, blocked=follower)
    detail = client_for(follower).get(f"/api/photos/{photo.pk}/")
    _past_expiry(url, monkeypatch)

    assert before == 200
    assert detail.status_code == 404
    assert _get(url).status_code == 404
    assert _get(photo.image.url).status_code == 404


def test_a_deleted_post_s_urls_are_404(django_capture_on_commit_callbacks):
    photo = make_photo(UserFactory())
    private, follower = _private_photo_and_follower()
    signed = client_for(follower).get(f"/api/photos/{private.pk}/").json()["image_url"]
    plain = f"http://testserver{photo.image.url}"
    before = [_get(plain).status_code, _get(signed).status_code]

    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=photo)
        photo_delete(photo=private)

    assert before == [200, 200]
    assert [_get(plain).status_code, _get(signed).status_code] == [404, 404]


def test_listings_and_avatars_of_active_accounts_are_public():
    seller = UserFactory()
    photo = make_photo(seller)
    listing = _listing(seller, photo)
    seller.avatar.save("a.jpg", ContentFile(jpeg_bytes()))

    listing_body = _get(f"/api/listings/{listing.pk}/").json()
    statuses = [_get(listing_body["image_url"]).status_code, _get(seller.avatar.url).status_code]

    assert listing_body["image_url"] == f"http://testserver/media/{listing.image.name}"
    assert statuses == [200, 200]


def test_a_listing_of_a_hidden_post_is_signed_only():
    seller = UserFactory()
    photo = make_photo(seller)
    listing = _listing(seller, photo)
    photo_hide(moderator=UserFactory(is_staff=True), photo=photo, reason="Spam")

    body = client_for(seller).get(f"/api/listings/{listing.pk}/").json()

    assert Listing.objects.get().source_photo_id == photo.pk
    assert _get(listing.thumbnail_320.url).status_code == 404
    assert SIGNED.match(body["thumbnail_url"])["name"] == listing.thumbnail_320.name
    assert _get(body["thumbnail_url"]).status_code == 200


def test_an_inactive_account_s_avatar_is_404():
    user = UserFactory()
    user.avatar.save("a.jpg", ContentFile(jpeg_bytes()))
    before = _get(user.avatar.url).status_code

    user.is_active = False
    user.save()

    assert before == 200
    assert _get(user.avatar.url).status_code == 404


def test_with_accel_redirect_the_web_server_sends_the_bytes(settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media"  # with or without the final slash
    photo = make_photo(UserFactory())

    response = _get(photo.image.url)

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{photo.image.name}"
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=60"
    assert response.content == b""


def test_names_outside_the_media_folder_are_404_even_when_signed(settings):
    from socialapp import media

    name = default_storage.save("photo/inside.jpg", ContentFile(b"inside"))
    outside = Path(settings.MEDIA_ROOT).parent / f"outside-{Path(settings.MEDIA_ROOT).name}.jpg"
    outside.write_bytes(b"outside")
    inside = _get(media.signed_url(name))
    traversal = f"photo/../../{outside.name}"

    try:
        responses = [
            _get(f"/media/photo/../../{outside.name}?" + urlsplit(media.signed_url(traversal)).query),
            _get(media.signed_url(str(outside))),
            _get(f"/media/photo/../../{outside.name}"),
            _get(f"/media/%2e%2e/{outside.name}"),
        ]
    finally:
        outside.unlink()

    assert (inside.status_code, _body(inside)) == (200, b"inside")
    assert [(r.status_code, r.content) for r in responses] == [(404, b"Not found.")] * 4
