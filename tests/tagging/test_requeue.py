"""A committed post is never lost: queueing after commit may fail (broker outage), the
post stays `pending` with its files, and the sweep (or its owner) queues it again."""

import socket
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
from tests.factories import UserFactory, client_for, make_photo
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

    nothing = {"analyses": 0, "alt texts": 0, "display images": 0, "draft analyses": 0, "translations": 0}
    assert stuck_requeue() == nothing  # not yet stuck
    _aged(photo.pk)
    assert stuck_requeue() == nothing  # still down

    monkeypatch.undo()  # the broker is back (inline stands in for a worker)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert stuck_requeue() == {
        "analyses": 1,
        "alt texts": 0,
        "display images": 1,
        "draft analyses": 0,
        "translations": 0,
    }

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


def _started(photo_id: int, *, worker: str, seconds_ago: int) -> None:
    """The analysis was queued and then started `seconds_ago` by `worker`."""
    at = timezone.now() - timedelta(seconds=seconds_ago)
    Photo.objects.filter(pk=photo_id).update(
        tagging_queued_at=at, tagging_worker=worker, tagging_started_at=at
    )


@pytest.fixture
def queued(monkeypatch):
    """The photo ids the tagging task is queued for (no worker takes them)."""
    sent: list[int] = []
    monkeypatch.setattr(photo_suggest, "delay", sent.append)
    return sent


def _no_ping():  # type: ignore[no-untyped-def]
    raise AssertionError("pinged the workers without a started analysis to check")


@pytest.mark.django_db
def test_the_sweep_requeues_an_analysis_started_30_s_ago_on_a_worker_that_does_not_answer(queued):
    lost, running, recent = (make_photo(UserFactory()) for _ in range(3))
    _started(lost.pk, worker="celery@dead", seconds_ago=31)
    _started(running.pk, worker="celery@alive", seconds_ago=31)
    _started(recent.pk, worker="celery@dead", seconds_ago=20)

    count = services.analyses_requeue_stuck(workers_alive=lambda: {"celery@alive"})
    again = services.analyses_requeue_stuck(workers_alive=lambda: {"celery@alive"})

    assert (count, again, queued) == (1, 0, [lost.pk])
    lost.refresh_from_db()
    assert (lost.tagging_status, lost.tagging_worker, lost.tagging_started_at) == ("pending", "", None)
    assert Photo.objects.get(pk=running.pk).tagging_worker == "celery@alive"


@pytest.mark.django_db
def test_the_sweep_leaves_an_analysis_waiting_in_the_queue_under_its_time_limit(queued):
    photo = make_photo(UserFactory())
    waiting_since = timezone.now() - services.ANALYSIS_TIME_LIMIT + timedelta(seconds=5)
    Photo.objects.filter(pk=photo.pk).update(tagging_queued_at=waiting_since)

    count = services.analyses_requeue_stuck(workers_alive=_no_ping)

    assert (count, queued) == (0, [])


@pytest.mark.django_db
def test_the_sweep_keeps_a_started_analysis_when_the_broker_cannot_ping(queued):
    photo = make_photo(UserFactory())
    _started(photo.pk, worker="celery@dead", seconds_ago=31)

    count = services.analyses_requeue_stuck(workers_alive=lambda: None)

    assert (count, queued) == (0, [])
    assert Photo.objects.get(pk=photo.pk).tagging_worker == "celery@dead"


@pytest.mark.django_db
def test_a_worker_starting_requeues_once_what_a_dead_worker_of_its_name_started(queued):
    mine, theirs, waiting = (make_photo(UserFactory()) for _ in range(3))
    _started(mine.pk, worker="celery@web1", seconds_ago=1)
    _started(theirs.pk, worker="celery@web2", seconds_ago=1)

    count = services.analyses_requeue_orphaned(worker="celery@web1")
    again = services.analyses_requeue_orphaned(worker="celery@web1")

    assert (count, again, queued) == (1, 0, [mine.pk])
    assert Photo.objects.get(pk=theirs.pk).tagging_worker == "celery@web2"
    assert Photo.objects.get(pk=waiting.pk).tagging_worker == ""


@pytest.mark.django_db
def test_an_orphaned_analysis_the_broker_refuses_is_left_for_the_next_sweep(broker_down):
    photo = make_photo(UserFactory())
    _started(photo.pk, worker="celery@web1", seconds_ago=1)

    count = services.analyses_requeue_orphaned(worker="celery@web1")

    photo.refresh_from_db()
    assert (count, photo.tagging_worker, photo.tagging_queued_at) == (0, "", None)
    assert services.photo_tagging_stuck(photo=photo) is True


@pytest.mark.django_db
def test_the_task_records_which_worker_started_the_analysis(monkeypatch):
    photo = make_photo(UserFactory())
    monkeypatch.setattr(services, "photo_suggestions_compute", lambda photo_id: None)

    photo_suggest.apply(args=[photo.pk])  # inline, as on a worker named after this host

    photo.refresh_from_db()
    assert (photo.tagging_status, photo.tagging_worker) == ("pending", socket.gethostname())
    assert photo.tagging_started_at is not None
