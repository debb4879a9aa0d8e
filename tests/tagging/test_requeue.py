"""A committed post is never lost: queueing after commit may fail (broker outage), the
post stays `pending` with its files, and the sweep (or its owner) queues it again."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from socialapp.photos.models import Photo
from socialapp.photos.tasks import photo_display_make
from socialapp.queueing import stuck_requeue
from tagging import services
from tagging.tasks import photo_suggest
from tests.factories import UserFactory, client_for
from tests.tagging.conftest import BEE


def _media() -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


@pytest.fixture
def broker_down(settings, monkeypatch):
    """Tasks go to a broker (not inline), and every publish fails as Redis does when down."""
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (photo_suggest, photo_display_make):
        monkeypatch.setattr(task, "apply_async", refuse)


def _aged(photo_id: int) -> None:
    before = timezone.now() - services.ANALYSIS_TIME_LIMIT - timedelta(seconds=1)
    Photo.objects.filter(pk=photo_id).update(tagging_queued_at=before, updated_at=before)


@pytest.mark.django_db(transaction=True)
def test_an_api_upload_during_a_broker_outage_is_kept_and_the_sweep_analyses_it(
    broker_down, settings, monkeypatch
):
    owner = UserFactory()
    before = _media()

    with open(BEE, "rb") as image:
        response = client_for(owner).post(
            "/api/photos/", {"image": SimpleUploadedFile("bee.jpg", image.read())}, format="multipart"
        )

    assert response.status_code == 201
    photo = Photo.objects.get(pk=response.json()["id"])
    assert photo.tagging_status == "pending" and photo.tagging_queued_at is not None
    assert {Path(photo.image.path), Path(photo.thumbnail_320.path)} == _media() - before
    assert response.json()["display_url"] == response.json()["image_url"]

    assert stuck_requeue() == {"analyses": 0, "display images": 0, "translations": 0}  # not yet stuck
    _aged(photo.pk)
    assert stuck_requeue() == {"analyses": 0, "display images": 0, "translations": 0}  # still down

    monkeypatch.undo()  # the broker is back (inline stands in for a worker)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert stuck_requeue() == {"analyses": 1, "display images": 1, "translations": 0}

    photo.refresh_from_db()
    assert photo.tagging_status == "ready" and photo.suggestions.exists() and photo.thumbnail_1080


@pytest.mark.django_db(transaction=True)
def test_a_web_upload_during_a_broker_outage_redirects_to_the_analysing_post(broker_down, client):
    owner = UserFactory()
    client.force_login(owner)

    with open(BEE, "rb") as image:
        response = client.post("/p/new/", {"image": SimpleUploadedFile("bee.jpg", image.read())})

    photo = Photo.objects.get(owner=owner)
    assert (response.status_code, response["Location"]) == (302, f"/p/{photo.pk}/")
    assert photo.tagging_status == "pending" and Path(photo.image.path).is_file()
    assert "Analysing" in client.get(f"/p/{photo.pk}/").content.decode()


@pytest.mark.django_db
def test_the_owner_may_retry_a_stuck_analysis_but_not_a_fresh_one(django_capture_on_commit_callbacks):
    owner = UserFactory()
    with open(BEE, "rb") as image:
        photo_id = (
            client_for(owner)
            .post("/api/photos/", {"image": SimpleUploadedFile("bee.jpg", image.read())}, format="multipart")
            .json()["id"]
        )  # on-commit work does not run here: queued, as if no worker had taken it yet
    url = f"/api/photos/{photo_id}/suggestions/retry/"

    fresh = client_for(owner).post(url)
    _aged(photo_id)
    with django_capture_on_commit_callbacks(execute=True):
        stuck = client_for(owner).post(url)

    assert (fresh.status_code, fresh.json()) == (
        409,
        {"detail": "The analysis is pending; only a failed or stuck one can be retried."},
    )
    assert stuck.status_code == 202
    assert Photo.objects.get(pk=photo_id).tagging_status == "ready"


@pytest.mark.django_db
def test_the_html_retry_queues_a_stuck_analysis(client, django_capture_on_commit_callbacks):
    owner = UserFactory()
    with open(BEE, "rb") as image:
        photo_id = (
            client_for(owner)
            .post("/api/photos/", {"image": SimpleUploadedFile("bee.jpg", image.read())}, format="multipart")
            .json()["id"]
        )
    _aged(photo_id)
    client.force_login(owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/p/{photo_id}/suggestions/retry/")

    assert (response.status_code, response["Location"]) == (302, f"/p/{photo_id}/")
    assert Photo.objects.get(pk=photo_id).tagging_status == "ready"
