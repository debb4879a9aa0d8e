"""Uploads in S3-compatible object storage (a real SeaweedFS bucket): every file goes to
the bucket and none to MEDIA_ROOT, the tagger and the display image read it from there,
URLs are plain for public posts (the view redirects to a presigned URL) and presigned for
the rest, and deleting a post or an account, or a failed upload, leaves no object."""

import datetime
import io
import urllib.error
import urllib.request
import zipfile
from urllib.parse import parse_qs, urlsplit

import botocore.auth
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from socialapp import media
from socialapp.accounts.export import user_data_export
from socialapp.accounts.services import user_delete, user_update_profile
from socialapp.media import file_url
from socialapp.photos import extensions as photo_extensions
from socialapp.photos.models import Photo
from socialapp.photos.services import photo_create, photo_delete
from tagging import selectors
from tagging.models import PhotoSuggestion
from tagging.services.suggestions import served_embedding_key, served_embeddings
from tests.factories import PASSWORD, UserFactory
from tests.images import jpeg_bytes
from tests.tagging.conftest import CUPS

pytestmark = [pytest.mark.services, pytest.mark.django_db]


def _local_files() -> list[str]:
    return sorted(str(p) for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def _embeddings(photo: Photo) -> list[str]:
    """The object of the embedding the photo's analysis kept, under the artefact prefix."""
    return [f"models/{served_embeddings(selectors.tagger_active()).name(served_embedding_key(photo))}"]


def _upload(owner, data: bytes = b"") -> Photo:
    return photo_create(owner=owner, image=SimpleUploadedFile("p.jpg", data or jpeg_bytes()), caption="")


def test_an_upload_goes_to_the_bucket_and_is_tagged_and_displayed_from_there(
    s3_bucket, django_capture_on_commit_callbacks
):
    before = _local_files()

    with django_capture_on_commit_callbacks(execute=True):
        photo = photo_create(owner=UserFactory(), image=SimpleUploadedFile("cups.jpg", CUPS.read_bytes()))

    photo.refresh_from_db()
    names = [photo.image.name, photo.thumbnail_320.name, photo.thumbnail_1080.name]
    assert all(names) and s3_bucket.names() == sorted([*names, *_embeddings(photo)])
    assert _local_files() == before
    assert s3_bucket.read(photo.image.name)[:2] == b"\xff\xd8"
    assert photo.tagging_status == "ready"
    assert PhotoSuggestion.objects.filter(photo=photo).count() > 0


def test_public_photos_have_plain_urls_that_redirect_to_a_presigned_one(s3_bucket):
    photo = _upload(UserFactory(is_private=False))
    url = file_url(photo.image)

    response = Client().get(url)

    assert url == f"/media/{photo.image.name}"
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{s3_bucket.server.endpoint_url}/{s3_bucket.name}/{photo.image.name}?")
    assert parse_qs(urlsplit(location).query)["X-Amz-Expires"] == [str(settings.MEDIA_SIGNED_URL_SECONDS)]
    assert _fetch(location) == (200, s3_bucket.read(photo.image.name))
    plain = f"{s3_bucket.server.endpoint_url}/{s3_bucket.name}/{photo.image.name}"
    assert _fetch(plain)[0] == 403  # the bucket itself is private


def test_private_photos_get_presigned_urls_and_no_plain_one(s3_bucket):
    photo = _upload(UserFactory(is_private=True))

    url = file_url(photo.thumbnail_320)

    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{s3_bucket.server.endpoint_url}/{s3_bucket.name}/{photo.thumbnail_320.name}?")
    assert query["X-Amz-Expires"] == [str(settings.MEDIA_SIGNED_URL_SECONDS)]
    assert _fetch(url) == (200, s3_bucket.read(photo.thumbnail_320.name))
    assert Client().get(f"/media/{photo.thumbnail_320.name}").status_code == 404


def test_a_presigned_url_stays_the_same_for_a_fifth_of_its_lifetime_so_browsers_cache_it(
    s3_bucket, monkeypatch
):
    photo = _upload(UserFactory(is_private=True))
    now = [1_800_000_000.0]  # on the grid: a fifth of MEDIA_SIGNED_URL_SECONDS
    monkeypatch.setattr(media, "_now", lambda: now[0])
    start = datetime.datetime.now(datetime.UTC).replace(tzinfo=None, microsecond=0)  # S3 checks the skew
    signed_at = [start]
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: signed_at[0])
    step = settings.MEDIA_SIGNED_URL_SECONDS // 5

    first = file_url(photo.thumbnail_320)
    now[0] += step - 1
    signed_at[0] += datetime.timedelta(seconds=step - 1)  # S3 would sign a new URL by now
    again = file_url(photo.thumbnail_320)
    now[0] += 1
    signed_at[0] += datetime.timedelta(seconds=1)
    next_step = file_url(photo.thumbnail_320)

    assert again == first  # the page rendered again: the browser's cached copy answers
    assert next_step != first
    signed = [parse_qs(urlsplit(url).query)["X-Amz-Date"][0] for url in (first, next_step)]
    assert signed == [f"{t:%Y%m%dT%H%M%SZ}" for t in (start, start + datetime.timedelta(seconds=step))]
    assert [_fetch(url) for url in (first, next_step)] == [
        (200, s3_bucket.read(photo.thumbnail_320.name))
    ] * 2


def test_a_failed_upload_leaves_no_object(s3_bucket, monkeypatch):
    def broken(photo):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(photo_extensions, "photo_created_hooks", [broken])

    with pytest.raises(RuntimeError):
        _upload(UserFactory())

    assert Photo.objects.count() == 0
    assert s3_bucket.names() == []


def test_deleting_a_post_and_an_account_deletes_their_objects(s3_bucket, django_capture_on_commit_callbacks):
    owner, other = UserFactory(), UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first, second = _upload(owner), _upload(owner)
        kept = _upload(other)
        user_update_profile(user=owner, avatar=io.BytesIO(jpeg_bytes()))
    owner.refresh_from_db()
    assert owner.avatar.name in s3_bucket.names()

    with django_capture_on_commit_callbacks(execute=True):
        photo_delete(photo=first)
    assert first.image.name not in s3_bucket.names()
    assert second.image.name in s3_bucket.names()

    with django_capture_on_commit_callbacks(execute=True):
        user_delete(user=owner, password=PASSWORD)

    kept.refresh_from_db()
    files = [kept.image.name, kept.thumbnail_320.name, kept.thumbnail_1080.name]
    assert s3_bucket.names() == sorted([*files, *_embeddings(kept)])


def test_a_new_avatar_replaces_the_old_object(s3_bucket, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        user_update_profile(user=user, avatar=io.BytesIO(jpeg_bytes(color=(10, 10, 200))))
    old = user.avatar.name

    with django_capture_on_commit_callbacks(execute=True):
        user_update_profile(user=user, avatar=io.BytesIO(jpeg_bytes(color=(10, 200, 10))))

    assert s3_bucket.names() == [user.avatar.name] != [old]


def test_the_data_export_reads_photos_from_the_bucket(s3_bucket):
    user = UserFactory()
    photo = _upload(user)
    archive = io.BytesIO()

    user_data_export(user=user, file=archive)

    with zipfile.ZipFile(archive) as opened:
        assert opened.read(f"photos/{photo.pk}.jpg") == s3_bucket.read(photo.image.name)
