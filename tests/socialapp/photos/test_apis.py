from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from socialapp.accounts import services as account_services
from socialapp.photos.models import Comment, Like, Photo
from socialapp.photos.services import photo_display_add
from tests.factories import UserFactory, make_photo
from tests.images import heic_bytes, jpeg_bytes, png_bomb

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _media_files() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def _upload(client: APIClient, data: bytes, caption: str = "", name: str = "photo.jpg"):
    return client.post(
        "/api/photos/", {"image": SimpleUploadedFile(name, data), "caption": caption}, format="multipart"
    )


def test_create_photo_returns_201_with_canonical_hashtags():
    user = UserFactory(username="lucia")

    response = _upload(_client(user), jpeg_bytes((120, 80)), "Paseo con mis #Perros por #París #dogs")

    assert response.status_code == 201
    body = response.json()
    photo = Photo.objects.get()
    assert body["id"] == photo.pk
    assert body["owner"] == "lucia"
    assert body["caption"] == "Paseo con mis #Perros por #París #dogs"
    assert body["hashtags"] == ["perro", "parís", "dog"]
    assert body["image_url"] == f"http://testserver{photo.image.url}"
    assert body["thumbnail_url"] == f"http://testserver{photo.thumbnail_320.url}"
    assert (body["width"], body["height"], body["like_count"], body["comment_count"]) == (120, 80, 0, 0)
    assert body["tagging_status"] == "pending"
    assert list(photo.hashtag_links.values_list("typed", flat=True)) == ["Perros", "París", "dogs"]


def test_heic_upload_is_stored_as_jpeg():
    response = _upload(_client(UserFactory()), heic_bytes(), name="IMG_0001.HEIC")

    assert response.status_code == 201
    photo = Photo.objects.get()
    assert photo.image.name.endswith(".jpg")
    with photo.image.open("rb") as stored:
        assert stored.read(3) == b"\xff\xd8\xff"


@pytest.mark.parametrize(
    ("data", "name", "status", "detail"),
    [
        (b"", "empty.jpg", 400, "image: The submitted file is empty."),
        (
            b"just some text\n",
            "notes.jpg",
            400,
            "The file is not an image we can read; upload a JPEG, PNG, WebP or HEIC photo.",
        ),
        (
            jpeg_bytes((300, 200))[:500],
            "cut.jpg",
            400,
            "The image is damaged or incomplete; export it again and upload the new file.",
        ),
        (png_bomb(), "bomb.png", 400, "The image is too large to open safely; upload a smaller photo."),
        (b"\xff" * 20_000_001, "huge.jpg", 413, "The file is 20.0 MB; upload a photo of at most 20 MB."),
    ],
    ids=["zero-bytes", "text", "truncated", "bomb", "oversize"],
)
def test_refused_uploads_leave_no_row_and_no_file(data, name, status, detail):
    before = _media_files()

    response = _upload(_client(UserFactory()), data, "#never #stored", name=name)

    assert (response.status_code, response.json()["detail"]) == (status, detail)
    assert Photo.objects.count() == 0
    assert _media_files() == before


def test_more_than_30_hashtags_is_400_and_nothing_is_stored():
    before = _media_files()
    caption = " ".join(f"#tag{n}x" for n in range(31))

    response = _upload(_client(UserFactory()), jpeg_bytes(), caption)

    assert response.status_code == 400
    assert response.json() == {"detail": "A post can have at most 30 hashtags; this caption has 31."}
    assert Photo.objects.count() == 0
    assert _media_files() == before


def test_missing_image_is_400():
    response = _client(UserFactory()).post("/api/photos/", {"caption": "hola"}, format="multipart")

    assert response.status_code == 400
    assert response.json()["detail"] == "image: No file was submitted."


def test_owner_edits_caption_and_hashtags_follow():
    owner = UserFactory()
    photo = make_photo(owner, "#sea #boat")

    response = _client(owner).patch(f"/api/photos/{photo.pk}/", {"caption": "Only #boats now"}, format="json")

    assert response.status_code == 200
    assert (response.json()["caption"], response.json()["hashtags"]) == ("Only #boats now", ["boat"])


def test_others_cannot_edit_or_delete_and_get_404():
    photo = make_photo(UserFactory(), "#sea")
    stranger = _client(UserFactory())

    edited = stranger.patch(f"/api/photos/{photo.pk}/", {"caption": "mine"}, format="json")
    deleted = stranger.delete(f"/api/photos/{photo.pk}/")

    assert (edited.status_code, deleted.status_code) == (404, 404)
    photo.refresh_from_db()
    assert photo.caption == "#sea"


def test_delete_photo_removes_row_and_files(django_capture_on_commit_callbacks):
    owner = UserFactory()
    photo = make_photo(owner, "#sea")
    photo_display_add(photo_id=photo.pk)  # what the task queued on commit does
    photo.refresh_from_db()
    files = [Path(settings.MEDIA_ROOT) / name for _, name in photo.image_files()]
    assert all(f.exists() for f in files) and len(files) == 3

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(owner).delete(f"/api/photos/{photo.pk}/")

    assert response.status_code == 204
    assert Photo.objects.count() == 0
    assert not any(f.exists() for f in files)


def test_private_posts_are_hidden_from_strangers_through_every_endpoint():
    owner = UserFactory(username="carla", is_private=True)
    photo = make_photo(owner, "Secret #garden")
    stranger = _client(UserFactory())
    anonymous = _client()

    for client in (stranger, anonymous):
        assert client.get(f"/api/photos/{photo.pk}/").status_code == 404
        assert client.get(f"/api/photos/{photo.pk}/comments/").status_code == 404
        assert client.get(f"/api/photos/{photo.pk}/likes/").status_code == 404
        assert client.get("/api/tags/garden/").json()["results"] == []
        assert client.get("/api/users/carla/photos/").status_code == 403
    assert stranger.get("/api/feed/").json()["results"] == []
    assert stranger.post(f"/api/photos/{photo.pk}/like/").status_code == 404
    assert stranger.post(f"/api/photos/{photo.pk}/comments/", {"text": "hi"}).status_code == 404
    assert (Like.objects.count(), Comment.objects.count()) == (0, 0)


def test_approved_followers_see_private_posts_everywhere():
    owner = UserFactory(username="carla", is_private=True)
    photo = make_photo(owner, "Secret #garden")
    follower = UserFactory()
    account_services.follow_request_approve(
        request=account_services.follow_create(follower=follower, followee=owner)
    )
    client = _client(follower)

    assert client.get(f"/api/photos/{photo.pk}/").status_code == 200
    assert [p["id"] for p in client.get("/api/feed/").json()["results"]] == [photo.pk]
    assert [p["id"] for p in client.get("/api/tags/garden/").json()["results"]] == [photo.pk]
    assert [p["id"] for p in client.get("/api/users/carla/photos/").json()["results"]] == [photo.pk]


def test_blocked_users_do_not_see_each_others_posts():
    alice, bob = UserFactory(username="alice"), UserFactory()
    photo = make_photo(alice, "#sea")
    account_services.block_create(blocker=alice, blocked=bob)
    client = _client(bob)

    assert client.get(f"/api/photos/{photo.pk}/").status_code == 404
    assert client.get("/api/tags/sea/").json()["results"] == []
    assert client.get("/api/users/alice/photos/").status_code == 404


def test_feed_is_me_and_people_i_follow_newest_first():
    me, friend, stranger = UserFactory(), UserFactory(), UserFactory()
    account_services.follow_create(follower=me, followee=friend)
    first = make_photo(me, "one")
    make_photo(stranger, "not followed")
    second = make_photo(friend, "two")

    response = _client(me).get("/api/feed/")

    assert [p["id"] for p in response.json()["results"]] == [second.pk, first.pk]


def test_hashtag_page_finds_every_alias_of_the_concept():
    owner = UserFactory()
    dog = make_photo(owner, "#dogs")
    perro = make_photo(owner, "#perros")
    cachorro = make_photo(owner, "#cachorro")
    make_photo(owner, "#cat")

    response = _client().get("/api/tags/perro/")

    assert [p["id"] for p in response.json()["results"]] == [cachorro.pk, perro.pk, dog.pk]


def test_unknown_hashtag_is_404():
    response = _client().get("/api/tags/nothingtaggedyet/")

    assert (response.status_code, response.json()) == (404, {"detail": "No posts carry this hashtag yet."})


def test_like_and_unlike():
    photo = make_photo(UserFactory(), "#sea")
    client = _client(UserFactory())

    liked = client.post(f"/api/photos/{photo.pk}/like/")
    twice = client.post(f"/api/photos/{photo.pk}/like/")
    unliked = client.delete(f"/api/photos/{photo.pk}/like/")

    assert liked.json() == {"liked": True, "like_count": 1}
    assert twice.json() == {"liked": True, "like_count": 1}
    assert unliked.json() == {"liked": False, "like_count": 0}


def test_comments_create_list_and_delete_permissions():
    owner, author, other = UserFactory(), UserFactory(username="author"), UserFactory()
    photo = make_photo(owner, "#sea")
    created = _client(author).post(f"/api/photos/{photo.pk}/comments/", {"text": "  Qué bonito  "})
    comment_id = created.json()["id"]

    listed = _client().get(f"/api/photos/{photo.pk}/comments/")
    by_other = _client(other).delete(f"/api/photos/{photo.pk}/comments/{comment_id}/")
    by_owner = _client(owner).delete(f"/api/photos/{photo.pk}/comments/{comment_id}/")

    assert created.status_code == 201
    assert [(c["author"], c["text"]) for c in listed.json()["results"]] == [("author", "Qué bonito")]
    assert (by_other.status_code, by_other.json()) == (
        403,
        {"detail": "Only the comment's author or the post's owner can delete it."},
    )
    assert by_owner.status_code == 204
    assert Comment.objects.count() == 0


def test_blank_comment_is_400():
    photo = make_photo(UserFactory(), "#sea")

    response = _client(UserFactory()).post(f"/api/photos/{photo.pk}/comments/", {"text": "   "})

    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_anonymous_cannot_post():
    response = _upload(_client(), jpeg_bytes())

    assert response.status_code == 401
