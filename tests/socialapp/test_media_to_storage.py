"""`manage.py media_to_storage`: local uploads and model artefacts copied into a real
SeaweedFS bucket, idempotently and resumably, each copy's size checked; afterwards the
pages show every photo from the bucket and the tagger loads its version from there."""

import re
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from socialapp.accounts.models import User
from socialapp.photos.models import Photo
from socialapp.storage_transfer import TransferReport, media_transfers, transfer_run
from tagging import selectors
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.django_db

LOCAL = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
IMG = re.compile(r'<img[^>]* src="([^"]+)"')


def _local(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_size for p in root.rglob("*") if p.is_file()}


def _fresh_folders(root: Path) -> None:
    """A MEDIA_ROOT and MODELS_DIR of this test's own (the test settings' are shared by the run)."""
    settings.MEDIA_ROOT, settings.MODELS_DIR = root / "media", root / "models"


def _image(url: str) -> bytes:
    """What a browser gets for an <img src>: our view's redirect followed to the bucket."""
    if url.startswith("/"):
        response = Client().get(url)
        assert response.status_code == 302, url
        url = response["Location"]
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read()


@pytest.mark.services
def test_a_demo_seeded_on_local_disk_moves_to_the_bucket_and_every_page_still_shows_it(
    s3_bucket, tmp_path, capsys
):
    _fresh_folders(tmp_path)
    with override_settings(STORAGES=LOCAL):
        call_command("seed_demo")
    media, models = _local(settings.MEDIA_ROOT), _local(Path(settings.MODELS_DIR))

    call_command("media_to_storage")
    first = capsys.readouterr()
    call_command("media_to_storage")
    again = capsys.readouterr().out

    published = {n for n in models if n.startswith(("versions/", "embeddings/"))}
    published = {n for n in published if not n.endswith(("/training.pt", "/manifest.json"))}
    assert f"{len(media) + len(published)} files copied" in first.out
    assert "media" in first.err and "model artefacts" in first.err  # the progress bars
    assert f"0 files copied (0.0 MB), {len(media) + len(published)} already there" in again
    client = s3_bucket.server.client()
    for name, size in media.items():
        assert client.head_object(Bucket=s3_bucket.name, Key=name)["ContentLength"] == size
    for name in published:
        assert f"models/{name}" in s3_bucket.names("models/")
    shown = 0
    for user in User.objects.filter(photos__isnull=False).distinct():
        page = Client()
        page.force_login(user)
        urls = []
        pages = -(-Photo.objects.filter(owner=user).count() // 24)  # 24 posts a page
        for number in range(1, pages + 1):
            html = page.get(f"/u/{user.username}/?page={number}").content.decode()
            urls += IMG.findall(html.replace("&amp;", "&"))
        for photo in Photo.objects.filter(owner=user):
            [url] = [u for u in urls if photo.thumbnail_320.name in u]
            assert _image(url) == s3_bucket.read(photo.thumbnail_320.name)
            shown += 1
    assert shown == Photo.objects.count() == 96
    settings.MODELS_DIR = tmp_path / "new-host"  # a host that never saw the demo's models
    selectors._tagger_for_version.cache_clear()
    assert selectors.tagger_active().version == "v1"


@pytest.mark.services
def test_a_stopped_copy_resumes_and_replaces_a_torn_object(s3_bucket, tmp_path):
    _fresh_folders(tmp_path)
    with override_settings(STORAGES=LOCAL):
        photos = [make_photo(UserFactory()) for _ in range(3)]
    [transfer, *_artefacts] = media_transfers()
    names = sorted(_local(settings.MEDIA_ROOT))
    client = s3_bucket.server.client()
    client.put_object(Bucket=s3_bucket.name, Key=names[0], Body=b"torn")

    class Stop(Exception):
        pass

    def stop_after_two(label: str, done: int, total: int) -> None:
        if done == 2:
            raise Stop

    with pytest.raises(Stop):
        transfer_run(transfer=transfer, progress=stop_after_two, report=TransferReport())
    assert s3_bucket.names() == names[:2]

    call_command("media_to_storage")

    assert s3_bucket.names() == names
    assert s3_bucket.read(names[0]) == (Path(settings.MEDIA_ROOT) / names[0]).read_bytes()
    assert len(photos) * 2 == len(names)  # the image and its grid thumbnail each


def test_without_a_bucket_there_is_nothing_to_copy_to():
    with pytest.raises(CommandError, match="set AWS_STORAGE_BUCKET_NAME"):
        call_command("media_to_storage")
