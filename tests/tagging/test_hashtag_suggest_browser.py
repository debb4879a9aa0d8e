"""Caption-aware suggestions as people meet them: typing a caption on the upload form, at
desktop and phone size, against a real server and a caption model trained by the app."""

import uuid

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tagging.models import ModelVersion
from tagging.services.caption_model import caption_model_build
from tests.browser import Browsing
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.services


def test_the_upload_form_completes_a_name_the_caption_writes(app_server, browsing: Browsing):
    author = UserFactory(training_consent=True)
    for town in ("Avignon", "Reims", "Lyon"):
        make_photo(author, caption=f"A long walk in {town} today #{town.lower()} #france")
        make_photo(author, caption="Lunch with friends #food")
    folder = f"versions/captions-{uuid.uuid4().hex[:8]}"  # the server loads a folder once
    caption_model_build(directory=settings.MODELS_DIR / folder)
    ModelVersion.objects.create(name="v-captions", backbone="b", folder=folder, is_active=True)

    page = browsing.open(app_server.url("/p/new/"), user=UserFactory())
    caption = page.get_by_role("combobox", name="Caption")
    caption.press_sequentially("Evening light over Kolkata #")

    expect(page.get_by_role("option").first).to_have_text("#kolkata")  # no one has used it yet
    browsing.check(page, "caption-autocomplete")
    caption.press("ArrowDown")
    caption.press("Enter")
    expect(caption).to_have_value("Evening light over Kolkata #kolkata ")

    caption.press_sequentially("#in")
    expect(page.get_by_role("option").first).to_have_text("#india")  # WordNet: Kolkata is in India
    caption.press("ArrowDown")
    caption.press("Tab")
    expect(caption).to_have_value("Evening light over Kolkata #kolkata #india ")


def test_a_caption_as_long_as_a_post_allows_still_gets_suggestions(app_server, browsing: Browsing):
    # 2,190 suns are 2,190 characters (a post allows 2,200) but 19,710 once in a query
    # string (%E2%98%80 each): more than daphne (16 KB) or nginx (8 KB) take in a URL.
    author = UserFactory(training_consent=True)
    for town in ("Avignon", "Reims", "Lyon"):
        make_photo(author, caption=f"A long walk in {town} today #{town.lower()} #france")
    folder = f"versions/captions-{uuid.uuid4().hex[:8]}"
    caption_model_build(directory=settings.MODELS_DIR / folder)
    ModelVersion.objects.create(name="v-captions", backbone="b", folder=folder, is_active=True)

    page = browsing.open(app_server.url("/p/new/"), user=UserFactory())
    caption = page.get_by_role("combobox", name="Caption")
    caption.fill("Lyon #france " + "☀" * 2180 + " ")
    caption.press_sequentially("#")

    expect(page.get_by_role("option").first).to_have_text("#lyon")  # the caption's words still count
    browsing.check(page, "caption-autocomplete-long")
    caption.press_sequentially("fr")
    expect(page.get_by_role("option")).to_have_count(0)  # #france is in the caption already
