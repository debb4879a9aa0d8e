"""A newcomer shares a photo in a real browser, at desktop and phone size: a preview of
the file, Share disabled and a progress bar while it is sent, the post with the hashtags
as they were typed, the suggestion chips appearing without a reload once the tagger's
worker has run, and an accepted chip joining the post's hashtags at once."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from socialapp.hashtags.models import Hashtag
from socialapp.photos.models import Photo
from tests.browser import app_server_running, wait_until
from tests.factories import UserFactory
from tests.workers import worker_database_url, worker_start

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BEE = settings.BASE_DIR / "socialapp" / "demo" / "data" / "photos" / "dev_022.jpg"  # a bee on an aster


def test_a_newcomer_uploads_sees_chips_appear_and_accepts_one(redis_url, postgres_url, tmp_path, browsing):
    newcomer = UserFactory(username="newcomer", language="en")
    env = {"REDIS_URL": redis_url}  # tasks go to the broker: nothing tags the photo until a worker runs
    with app_server_running(env=env) as server:
        page = browsing.open(server.url("/p/new/"), user=newcomer)
        page.get_by_label("Photo").set_input_files(BEE)
        preview = page.locator("[data-role=preview]")
        expect(preview).to_be_visible()
        assert wait_until(page, "() => document.querySelector('[data-role=preview]').naturalWidth > 0")
        page.get_by_label("Caption").fill("New gear for the garden #electronics")
        browsing.check(page, "preview")
        # The form while the upload is under way, noted right after upload.js handled the
        # submit (sessionStorage outlives the navigation to the post).
        page.evaluate(
            """() => document.querySelector("form[data-upload]").addEventListener("submit", () => {
                 const form = document.querySelector("form[data-upload]");
                 sessionStorage.setItem("whileSending", JSON.stringify({
                   shareDisabled: form.querySelector("button[type=submit]").disabled,
                   progressShown: !form.querySelector("[data-role=progress]").hidden,
                 }));
               })"""
        )
        page.get_by_role("button", name="Share").click()
        page.wait_for_url(re.compile(r"/p/\d+/$"))
        photo = Photo.objects.get(owner=newcomer)
        assert page.url == server.url(f"/p/{photo.pk}/")
        while_sending = page.evaluate("() => JSON.parse(sessionStorage.getItem('whileSending'))")
        assert while_sending == {"shareDisabled": True, "progressShown": True}
        expect(page.locator("[data-role=pending]")).to_be_visible()  # "Analysing your photo…"
        tags = page.locator("[data-role=post-hashtags] a")
        expect(tags).to_have_text(["#electronics"])  # as typed
        # to its canonical hashtag's page: #electronics where the migrations' concept table
        # is there (it keeps the table's plural), #electronic after a flush emptied it
        hashtag = Hashtag.objects.get(photo_links__photo=photo)
        assert hashtag.key == "electronic"
        assert tags.first.get_attribute("href") == f"/tags/{hashtag.name}/"

        worker = worker_start(
            queue="celery",
            env=env
            | {
                "DATABASE_URL": worker_database_url(),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "MODELS_DIR": str(settings.MODELS_DIR),
                "VAR_DIR": str(tmp_path),
            },
        )
        try:
            accept = page.get_by_role("button", name="Add #bee to the post")
            expect(accept).to_be_visible(timeout=120_000)  # drawn without a reload
            expect(page.locator("[data-role=pending]")).to_have_count(0)
            browsing.check(page, "chips")
            accept.click()
            expect(tags).to_have_text(["#electronics", "#bee"])  # at once, no reload
            # The redrawn chip keeps its reject button, with its name.
            expect(page.get_by_role("button", name="Not #bee")).to_be_visible()
            expect(page.get_by_role("button", name="Add #bee to the post")).to_have_count(0)
            page.context.close()  # the server stops at once only with no socket open
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    assert list(photo.hashtag_links.order_by("pk").values_list("typed", "source")) == [
        ("electronics", "caption"),
        ("bee", "suggestion"),
    ]


def test_an_analysis_that_fails_says_so_without_a_reload(redis_url, postgres_url, tmp_path, browsing):
    newcomer = UserFactory(username="newcomer", language="en")
    env = {"REDIS_URL": redis_url}
    with app_server_running(env=env) as server:
        page = browsing.open(server.url("/p/new/"), user=newcomer)
        page.get_by_label("Photo").set_input_files(BEE)
        page.get_by_role("button", name="Share").click()
        page.wait_for_url(re.compile(r"/p/\d+/$"))
        expect(page.locator("[data-role=pending]")).to_be_visible()
        photo = Photo.objects.get(owner=newcomer)
        for stored in (photo.image, photo.thumbnail_320, photo.thumbnail_1080):  # lost meanwhile
            if stored:
                Path(stored.path).write_bytes(b"no longer a photo")

        worker = worker_start(
            queue="celery",
            env=env
            | {
                "DATABASE_URL": worker_database_url(),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "MODELS_DIR": str(settings.MODELS_DIR),
                "VAR_DIR": str(tmp_path),
            },
        )
        try:
            expect(page.get_by_text("We could not analyse this photo.")).to_be_visible(timeout=120_000)
            expect(page.get_by_role("button", name="Try again")).to_be_visible()
            expect(page.locator("[data-role=pending]")).to_have_count(0)
            page.context.close()
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    assert Photo.objects.get(pk=photo.pk).tagging_status == Photo.TaggingStatus.FAILED
