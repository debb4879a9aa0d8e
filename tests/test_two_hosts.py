"""Beyond one machine, for real: an ASGI server and a Celery worker that share no disk,
each with its own empty MEDIA_ROOT and MODELS_DIR, against the same PostgreSQL, Redis and
SeaweedFS bucket. An upload through the server is tagged by the worker and served from
the bucket; a version trained on a third "host" (this process) tags the next upload on
the running worker; deleting the post and the account empties the bucket of them.

Marked `services`: with CI set, a missing PostgreSQL, Redis or SeaweedFS fails it."""

import os
import time
from pathlib import Path

import pytest
import requests
from rest_framework.authtoken.models import Token

from socialapp.photos.models import Photo
from tagging import services as tagging
from tagging.selectors import tagger_active
from tests.factories import PASSWORD, UserFactory
from tests.servers import daphne_servers, free_port
from tests.tagging.conftest import CUPS, PLIERS
from tests.tagging.test_training_services import _platform
from tests.workers import worker_database_url, worker_start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _host(root: Path, name: str) -> dict[str, str]:
    folders = {key: root / name / key.lower() for key in ("MEDIA_ROOT", "MODELS_DIR", "VAR_DIR")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    return {key: str(folder) for key, folder in folders.items()}


def _files(folder: str) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def _ready(photo_id: int, seconds: float = 180) -> Photo:
    """The post once the worker has tagged it and made its display image."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        photo = Photo.objects.get(pk=photo_id)
        if photo.tagging_status == "ready" and photo.thumbnail_1080:
            return photo
        time.sleep(0.2)
    raise AssertionError(f"the worker did not tag post {photo_id} within {seconds:.0f} s")


def test_a_server_and_a_worker_with_no_shared_disk_work_through_the_bucket(
    s3_bucket, postgres_url, redis_url, tmp_path, settings
):
    # Hashed as the server checks it (the test settings' MD5 hasher is not in its list).
    # pytest-django's `settings` restores both afterwards and clears Django's hasher cache.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    public, private = UserFactory(is_private=False), UserFactory(is_private=True)
    auth = {u.pk: {"Authorization": f"Token {Token.objects.create(user=u).key}"} for u in (public, private)}
    common = s3_bucket.server.environment(s3_bucket.name) | {
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "TORCH_THREADS": "1",
    }
    server_host, worker_host = _host(tmp_path, "server"), _host(tmp_path, "worker")
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    def api(method: str, path: str, user, **kwargs) -> requests.Response:  # type: ignore[no-untyped-def]
        return requests.request(method, f"{base}/api/{path}", headers=auth[user.pk], timeout=30, **kwargs)

    def upload(user, image: Path) -> int:  # type: ignore[no-untyped-def]
        answer = api("POST", "photos/", user, files={"image": ("p.jpg", image.read_bytes())})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    worker = worker_start(queue="celery", env=common | worker_host, pool="solo", loglevel="INFO")
    try:
        # Both load torch at once: on a busy 2-core machine that takes a while.
        with daphne_servers([port], os.environ | common | server_host, seconds=180):
            # An upload through the server, tagged by the worker from the bucket.
            first = _ready(upload(public, CUPS))
            hidden = _ready(upload(private, PLIERS))
            shown = api("GET", f"photos/{first.pk}/", public).json()
            secret = api("GET", f"photos/{hidden.pk}/", private).json()
            served = {
                url: requests.get(url, timeout=10)
                for url in (shown["image_url"], shown["display_url"], secret["display_url"])
            }
            in_bucket = [
                s3_bucket.read(f.name) for f in (first.image, first.thumbnail_1080, hidden.thumbnail_1080)
            ]
            stored_locally = _files(server_host["MEDIA_ROOT"]) + _files(worker_host["MEDIA_ROOT"])

            # A version trained on a third host, served by the running worker.
            settings.MODELS_DIR = tmp_path / "trainer"
            cold = tagger_active().version
            _platform()
            tagging.vocabulary_build()
            version, _activated = tagging.model_version_train(force=True)
            second = _ready(upload(public, CUPS))

            # Deleting the post, then the account, through the server.
            deleted_post = api("DELETE", f"photos/{first.pk}/", public)
            first_gone = [n for n in (first.image.name, first.thumbnail_320.name) if n in s3_bucket.names()]
            deleted_account = api("DELETE", "me/", public, json={"password": PASSWORD})
    finally:
        worker.terminate()
        _, log = worker.communicate(timeout=60)

    assert (first.tagging_model_version, hidden.tagging_model_version) == (cold, cold), log.decode()[-3000:]
    assert shown["image_url"] == f"{base}/media/{first.image.name}"
    assert shown["display_url"] == f"{base}/media/{first.thumbnail_1080.name}"
    assert secret["display_url"].startswith(f"{s3_bucket.server.endpoint_url}/{s3_bucket.name}/")
    assert "X-Amz-Signature=" in secret["display_url"]
    assert [(r.status_code, r.content) for r in served.values()] == [(200, data) for data in in_bucket]
    assert [[h.status_code for h in r.history] for r in served.values()] == [[302], [302], []]
    assert stored_locally == []
    assert second.tagging_model_version == version.name == "v1"
    assert (deleted_post.status_code, first_gone) == (204, [])
    assert deleted_account.status_code == 204, deleted_account.text
    assert not [n for n in s3_bucket.names() if n in (second.image.name, second.thumbnail_320.name)]
    assert hidden.image.name in s3_bucket.names()
