"""With workers (REDIS_URL set), the processes that serve requests and Celery beat never
load torch: only a worker runs the models. Importing torch costs a process about 5 s of
start-up and, on this project's 2-core machine, about 400 MB of private memory; a
worker-mode daphne holding it used 545 MB of private memory after one page.

On a throwaway SQLite database (migrated first in a process of its own, which loads none
of them either: a deploy's `manage.py migrate` starts in seconds), a fresh interpreter
(this one has torch loaded) loads every view, the ASGI application and the Celery app
with its tasks, serves an anonymous visitor, a member's feed, profile, upload form, an
upload (its analysis queued for a worker), a photo being posted (the same), the post
page, the autocomplete, an accept
and a reject of suggestions, search, the shop, messages and the post's deletion, and the
admin's pages for model versions, suggestions and moderation, then reports what it
imported."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODEL_MODULES = ("torch", "torchvision", "timm", "transformers", "ctranslate2", "sentencepiece")

MIGRATE = """
import json, sys
import django
django.setup()
from django.core.management import call_command

call_command("migrate", verbosity=0)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(MODULES))))
"""

SCRIPT = """
import io, json, os, sys
import django
django.setup()
from django.urls import URLPattern, URLResolver, get_resolver


def walk(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            walk(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback


walk(get_resolver().url_patterns)
from socialapp.asgi import application  # noqa: F401
from socialapp.celery import app

app.loader.import_default_modules()

from PIL import Image
from django.test import Client
from socialapp.accounts.models import User

User.objects.create_superuser("root", "root@example.com", "a-long-password-1")
member = User.objects.create_user("member", password="a-long-password-1")
visitor = Client(HTTP_HOST="localhost")
statuses = {"/": visitor.get("/").status_code, "/login/": visitor.get("/login/").status_code}
client = Client(HTTP_HOST="localhost")
client.force_login(member)
image = io.BytesIO()
Image.new("RGB", (640, 480), (200, 30, 30)).save(image, "JPEG")
image.seek(0)
image.name = "red.jpg"
upload = client.post("/p/new/", {"image": image, "caption": "Red #pliers"})
photo = member.photos.get()
image.seek(0)
draft = client.post("/api/hashtags/analyses/", {"image": image})
for path in ["/", "/u/member/", "/p/new/", f"/p/{photo.pk}/",
             f"/api/hashtags/suggest/?q=pl&caption=Red&photo={photo.pk}",
             f"/api/hashtags/suggest/?q=&caption=Red&analysis={draft.json()['id']}"]:
    statuses[path] = client.get(path).status_code
statuses["upload"] = upload.status_code
# suggestions as a worker would have stored them, then the owner decides
from socialapp.hashtags.models import Concept
from tagging.models import PhotoSuggestion

for rank, name in enumerate(["tool", "red"]):
    concept = Concept.objects.get_or_create(name=name)[0]
    PhotoSuggestion.objects.create(
        photo=photo,
        concept=concept,
        hashtag=name,
        score=0.9,
        photo_score=0.9,
        rank=rank,
        photo_rank=rank,
        model_version="v1",
    )
accept, reject = PhotoSuggestion.objects.filter(photo=photo).order_by("rank")
statuses["accept"] = client.post(f"/p/{photo.pk}/suggestions/{accept.pk}/accept/").status_code
statuses["reject"] = client.post(f"/p/{photo.pk}/suggestions/{reject.pk}/reject/").status_code
for path in ["/search/?q=red", "/shop/", "/messages/", f"/p/{photo.pk}/"]:
    statuses[path] = client.get(path).status_code
decisions = [s.state for s in PhotoSuggestion.objects.filter(photo=photo).order_by("rank")]
statuses["delete"] = client.post(f"/p/{photo.pk}/delete/").status_code
admin = Client(HTTP_HOST="localhost")
admin.force_login(User.objects.get(username="root"))
for path in ["/admin/tagging/modelversion/", "/admin/tagging/photosuggestion/", "/moderation/"]:
    statuses[path] = admin.get(path).status_code
loaded = sorted({name.split(".")[0] for name in sys.modules} & set(MODULES))
report = {"statuses": statuses, "tagging_status": photo.tagging_status, "decisions": decisions}
report["draft"] = [draft.status_code, draft.json()["status"]]
report["deleted"] = not member.photos.exists()
print(json.dumps({**report, "loaded": loaded}))
"""


@pytest.fixture
def worker_mode_env(redis_url, tmp_path) -> dict[str, str]:
    """A process's environment with workers (REDIS_URL) and a throwaway SQLite database."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "socialapp.settings.base", "REDIS_URL": redis_url}
    env |= {"VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    return env


def _last_line_json(script: str, env: dict[str, str]) -> Any:
    """What `script`, run by a fresh interpreter, printed last, as JSON."""
    result = subprocess.run(
        [sys.executable, "-c", f"MODULES = {MODEL_MODULES!r}\n{script}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.services
def test_web_processes_and_beat_never_load_the_models(worker_mode_env):
    assert _last_line_json(MIGRATE, worker_mode_env) == []

    report = _last_line_json(SCRIPT, worker_mode_env)

    assert all(status in (200, 302) for status in report["statuses"].values()), report["statuses"]
    assert report["statuses"]["upload"] == 302  # stored, and its analysis queued
    assert report["tagging_status"] == "pending"
    assert report["draft"] == [201, "pending"]  # a photo being posted: analysed by a worker too
    assert report["decisions"] == ["accepted", "rejected"] and report["deleted"]
    assert report["loaded"] == []


WORKER = """
import json, sys
import django
django.setup()
from celery.signals import worker_init

before = "torch" in sys.modules
worker_init.send(sender=None)
print(json.dumps([before, "torch" in sys.modules and "timm" in sys.modules]))
"""


@pytest.mark.services
def test_a_worker_imports_the_models_code_before_it_forks(worker_mode_env):
    assert _last_line_json(WORKER, worker_mode_env) == [False, True]
