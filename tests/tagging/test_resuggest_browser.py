"""An owner has their post open while an operator runs `manage.py resuggest` after a new
version: the chips that version suggests replace the old ones on the open page, without a
reload, as they do when an upload's analysis finishes. A stale chip left on the page
answered its ✓ with a 404 and did nothing."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from socialapp.hashtags.models import Concept
from socialapp.photos.models import Photo
from socialapp.photos.services import photo_create
from tagging.models import PhotoSuggestion
from tests.browser import app_server_running
from tests.factories import UserFactory, suggestion_stored
from tests.workers import ROOT, worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BEE = settings.BASE_DIR / "socialapp" / "demo" / "data" / "photos" / "dev_022.jpg"  # a bee on an aster


def test_an_open_post_shows_the_chips_resuggest_stores(redis_url, postgres_url, tmp_path, browsing):
    owner = UserFactory(username="owner", language="en")
    photo = photo_create(owner=owner, image=SimpleUploadedFile("bee.jpg", BEE.read_bytes()))
    # As an earlier version left it: one open chip, nothing decided.
    castle, _ = Concept.objects.get_or_create(
        name="castle", defaults={"display_en": "castle", "display_es": "castillo"}
    )
    PhotoSuggestion.objects.filter(photo=photo).delete()
    suggestion_stored(photo, castle, score=0.5, model_version="old")
    Photo.objects.filter(pk=photo.pk).update(tagging_model_version="old")
    env = {"REDIS_URL": redis_url}  # the server and the command share the channel layer
    with app_server_running(env=env) as server:
        page = browsing.open(server.url(f"/p/{photo.pk}/"), user=owner)
        expect(page.get_by_role("button", name="Add #castle to the post")).to_be_visible()
        expect(page.locator("html[data-notifications=live]")).to_have_count(1)

        done = subprocess.run(
            [sys.executable, "manage.py", "resuggest"],
            cwd=ROOT,
            env=os.environ
            | env
            | {
                "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
                "DATABASE_URL": worker_database_url(),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "MODELS_DIR": str(settings.MODELS_DIR),
                "VAR_DIR": str(tmp_path),
            },
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        assert "1 post" in done.stdout, done.stdout

        accept = page.get_by_role("button", name="Add #bee to the post")
        expect(accept).to_be_visible(timeout=30_000)  # drawn without a reload
        expect(page.get_by_role("button", name="Add #castle to the post")).to_have_count(0)
        accept.click()
        expect(page.locator("[data-role=post-hashtags] a")).to_have_text(["#bee"])
        browsing.check(page, "resuggested")
        page.context.close()  # the server stops at once only with no socket open
