"""The real path: an upload queued on Redis, a Celery worker process with a prefork pool
tagging it and then making its display image, and that pool's child killed with SIGKILL
mid-task; and a photo being posted, analysed by a worker."""

import os
import signal
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from socialapp.photos import tasks as photo_tasks
from socialapp.photos.models import Photo
from socialapp.photos.services import photo_create
from tagging import tasks
from tagging.models import PhotoSuggestion, ShopSuggestion
from tagging.services.drafts import draft_analysis_create
from tests.factories import UserFactory
from tests.tagging.conftest import BEE, CUPS
from tests.workers import worker_database_url, worker_start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait(condition, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"Timed out waiting for {what}")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _sent_to_a_queue_of_its_own(monkeypatch, redis_url: str, *task_list) -> tuple[Celery, str, list]:
    """`task_list`'s delay() sends to a fresh queue (that only the test's worker reads),
    through a Celery app of the test's own (shared tasks stay ours): that app, the queue,
    and the list each sent message's result is appended to."""
    queue = f"tagging-test-{uuid.uuid4().hex}"
    sender = Celery(broker=redis_url, backend=redis_url, set_as_current=False)
    sent: list = []
    for task in task_list:
        monkeypatch.setattr(
            task,
            "delay",
            lambda *args, name=task.name: sent.append(sender.send_task(name, args=args, queue=queue)),
        )
    return sender, queue, sent


def _worker_env(redis_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MODELS_DIR": str(settings.MODELS_DIR),
        "VAR_DIR": str(tmp_path),
    }


def test_worker_survives_a_killed_pool_child_and_tags_once(redis_url, postgres_url, monkeypatch, tmp_path):
    sender, queue, sent = _sent_to_a_queue_of_its_own(
        monkeypatch, redis_url, tasks.photo_suggest, photo_tasks.photo_display_make
    )
    env = _worker_env(redis_url, tmp_path)
    worker = worker_start(queue=queue, env=env, pool="prefork", loglevel="INFO")
    try:
        photo = photo_create(owner=UserFactory(), image=SimpleUploadedFile("cups.jpg", CUPS.read_bytes()))
        [result, display] = sent  # tagging first, then the display image
        _wait(lambda: sender.AsyncResult(result.id).state == "STARTED", 120, "the task to start")
        [child] = _children(worker.pid)
        os.kill(child, signal.SIGKILL)
        killed_while = Photo.objects.get(pk=photo.pk).tagging_status

        _wait(lambda: Photo.objects.get(pk=photo.pk).tagging_status == "ready", 180, "the retried task")
        state = sender.AsyncResult(result.id).get(timeout=60)
        display_state = sender.AsyncResult(display.id).get(timeout=60)
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=60)

    assert killed_while == "pending", stderr.decode()[-2000:]
    assert (state, display_state) == ("ready", "made")
    photo.refresh_from_db()
    assert Path(photo.thumbnail_1080.path).is_file()
    suggestions = PhotoSuggestion.objects.filter(photo=photo)
    assert suggestions.count() == suggestions.values("concept").distinct().count() > 0
    assert list(ShopSuggestion.objects.filter(photo=photo).values_list("category", flat=True)) == ["home"]
    assert b"WorkerLostError" in stderr or b"SIGKILL" in stderr


def test_a_worker_analyses_a_photo_being_posted(redis_url, postgres_url, monkeypatch, tmp_path):
    # The request stores the copy and queues it; the worker, not the web process, runs the model.
    sender, queue, sent = _sent_to_a_queue_of_its_own(monkeypatch, redis_url, tasks.draft_analyse)
    env = _worker_env(redis_url, tmp_path)
    owner = UserFactory()
    with BEE.open("rb") as file:
        analysis = draft_analysis_create(owner=owner, image=file)
    worker = worker_start(queue=queue, env=env, pool="solo", loglevel="INFO")
    try:
        [result] = sent
        state = sender.AsyncResult(result.id).get(timeout=180)
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=60)

    assert (analysis.status, state) == ("pending", "ready"), stderr.decode()[-2000:]
    analysis.refresh_from_db()
    assert set(analysis.scores) == {"bee"} and analysis.scores["bee"] > 0.9
    assert bytes(analysis.image) == b""
