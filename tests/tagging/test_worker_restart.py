"""A whole Celery worker (main process and pool) SIGKILLed mid-analysis and started
again under the same name: the analysis is queued again on start-up and completes once,
without waiting for the broker's visibility timeout (300 s) or the stuck sweep (180 s)."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from socialapp.photos import tasks as photo_tasks
from socialapp.photos.models import Photo
from socialapp.photos.services import photo_create
from tagging import services, tasks
from tagging.models import PhotoSuggestion
from tests.factories import UserFactory
from tests.tagging.conftest import CUPS
from tests.workers import ROOT, worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _wait(condition, seconds: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"Timed out after {seconds} s waiting for {what}")


def _worker(*, name: str, env: dict[str, str]) -> "subprocess.Popen[bytes]":
    """The worker of tests/tagging/worker_bootstrap.py, in a process group of its own."""
    return subprocess.Popen(
        [
            *(
                sys.executable,
                "-m",
                "tests.tagging.worker_bootstrap",
                "worker",
                "-Q",
                env["TEST_CELERY_QUEUE"],
                "-n",
                name,
            ),
            *("--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=INFO"),
        ],
        cwd=ROOT,
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "socialapp.settings.base"} | env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


@pytest.fixture
def routed(redis_url, postgres_url, monkeypatch, tmp_path):
    """Analyses go to a queue of the test's own on Redis, and its workers get this
    environment. Returns the sender, the sent tasks
    and the environment."""
    queue = f"tagging-restart-{uuid.uuid4().hex}"
    sender = Celery(broker=redis_url, backend=redis_url, set_as_current=False)  # shared tasks stay ours
    sent = []
    monkeypatch.setattr(
        tasks.photo_suggest,
        "delay",
        lambda photo_id: sent.append(
            sender.send_task("tagging.tasks.photo_suggest", args=[photo_id], queue=queue)
        ),
    )
    monkeypatch.setattr(photo_tasks.photo_display_make, "delay", lambda photo_id: None)
    env = {
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MODELS_DIR": str(settings.MODELS_DIR),
        "VAR_DIR": str(tmp_path),
        "TEST_CELERY_QUEUE": queue,
    }
    return sender, sent, env


def _slow(tmp_path: Path) -> dict[str, str]:
    return {"TEST_ANALYSIS_SLEEP": "600", "TEST_ANALYSIS_MARK": str(tmp_path / "analysing")}


def _stop(*workers: "subprocess.Popen[bytes] | None") -> str:
    """Stop the workers still running; returns the last one's stderr."""
    for worker in workers:
        if worker is not None and worker.poll() is None:
            worker.terminate()
    last = workers[-1]
    return last.communicate(timeout=60)[1].decode() if last is not None else ""


def _ready(photo_id: int) -> bool:
    return Photo.objects.get(pk=photo_id).tagging_status == "ready"


def test_an_analysis_whose_whole_worker_died_completes_once_after_a_restart(routed, tmp_path):
    sender, sent, env = routed
    name = f"restart-{uuid.uuid4().hex[:8]}@%h"
    first = _worker(name=name, env=env | _slow(tmp_path))
    second = None
    try:
        photo = photo_create(owner=UserFactory(), image=SimpleUploadedFile("cups.jpg", CUPS.read_bytes()))
        [result] = sent
        _wait((tmp_path / "analysing").exists, 60, "the analysis to start")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        killed_while = Photo.objects.values_list("tagging_status", "tagging_worker").get(pk=photo.pk)

        second = _worker(name=name, env=env)
        _wait(lambda: _ready(photo.pk), 60, "the analysis after a restart")
    finally:
        stderr = _stop(first, second)

    assert killed_while == ("pending", name.replace("%h", socket.gethostname()))
    assert sender.AsyncResult(result.id).state == "STARTED"  # the killed run never finished
    suggestions = PhotoSuggestion.objects.filter(photo=photo)
    assert suggestions.count() == suggestions.values("concept").distinct().count() > 0, stderr[-2000:]
    assert stderr.count("Task tagging.tasks.photo_suggest[") == 2  # received and succeeded, once


def test_the_sweep_requeues_an_analysis_whose_worker_died_while_another_is_alive(routed, tmp_path):
    sender, sent, env = routed

    def alive() -> set[str]:  # as queueing.workers_alive, on the test's Redis
        return {name for reply in sender.control.ping(timeout=1.0) for name in reply}

    first = _worker(name=f"first-{uuid.uuid4().hex[:8]}@%h", env=env | _slow(tmp_path))
    second = None
    try:
        photo = photo_create(owner=UserFactory(), image=SimpleUploadedFile("cups.jpg", CUPS.read_bytes()))
        _wait((tmp_path / "analysing").exists, 60, "the analysis to start")
        busy = services.analyses_requeue_stuck(lost_after=timedelta(0), workers_alive=alive)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        second = _worker(name=f"second-{uuid.uuid4().hex[:8]}@%h", env=env)

        lost = services.analyses_requeue_stuck(lost_after=timedelta(0), workers_alive=alive)
        _wait(lambda: _ready(photo.pk), 60, "the analysis the sweep queued again")
    finally:
        stderr = _stop(first, second)

    assert (busy, lost, len(sent)) == (0, 1, 2)
    suggestions = PhotoSuggestion.objects.filter(photo=photo)
    assert suggestions.count() == suggestions.values("concept").distinct().count() > 0, stderr[-2000:]
