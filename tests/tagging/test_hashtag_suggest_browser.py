"""Caption-aware suggestions as people meet them: typing a caption on the upload form, at
desktop and phone size, against a real server and a caption model trained by the app."""

import re
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from socialapp.hashtags.models import Concept, ConceptAlias
from socialapp.photos.models import Photo
from tagging.models import DraftAnalysis, ModelVersion
from tagging.services.caption_model import caption_model_build
from tests.browser import SIZES, Browsing
from tests.factories import UserFactory, make_photo, suggestion_stored

pytestmark = pytest.mark.services
PHOTO = Path(__file__).resolve().parents[2] / "socialapp" / "demo" / "data" / "photos" / "dev_022.jpg"


def _walks_learned(*, lunches: bool = False) -> None:
    """Walks in three French towns (and lunches) by a consenting author, and an active
    version whose caption model learned them, in a folder of its own (the server loads a
    folder once)."""
    author = UserFactory(training_consent=True)
    for town in ("Avignon", "Reims", "Lyon"):
        make_photo(author, caption=f"A long walk in {town} today #{town.lower()} #france")
        if lunches:
            make_photo(author, caption="Lunch with friends #food")
    folder = f"versions/captions-{uuid.uuid4().hex[:8]}"
    caption_model_build(directory=settings.MODELS_DIR / folder)
    ModelVersion.objects.create(name="v-captions", backbone="b", folder=folder, is_active=True)


def test_the_upload_form_completes_a_name_the_caption_writes(app_server, browsing: Browsing):
    _walks_learned(lunches=True)

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


def test_the_upload_form_offers_what_the_chosen_photo_shows_from_the_first_hashtag(
    app_server, browsing: Browsing
):
    # The form had no post to name as photo=: on a bee, "#" offered the caption's habits
    # and never #bee, which the tagger is sure of.
    page = browsing.open(app_server.url("/p/new/"), user=UserFactory())
    page.get_by_label("Photo").set_input_files(PHOTO)
    caption = page.get_by_role("combobox", name="Caption")
    expect(caption).to_have_attribute("data-analysis", re.compile(r"^[0-9]+$"))
    caption.press_sequentially("This little worker didn't care about my camera at all #")

    expect(page.get_by_role("option").first).to_have_text("#bee")
    browsing.check(page, "caption-autocomplete-photo")
    caption.press("ArrowDown")
    caption.press("Enter")
    expect(caption).to_have_value("This little worker didn't care about my camera at all #bee ")
    assert Photo.objects.count() == 0  # nothing is posted before Share


def test_an_analysis_answering_a_photo_no_longer_chosen_is_not_used(app_server, browsing: Browsing):
    # Choosing a photo and then none (the picker cancelled) left the first one's analysis
    # to land afterwards, and "#" offered what a photo no longer there showed.
    page = browsing.open(app_server.url("/p/new/"), user=UserFactory())
    held, asked = [], []
    page.route("**/api/hashtags/analyses/", lambda route: held.append(route))  # held until undone
    page.route(
        re.compile(r"/api/hashtags/suggest/"),
        lambda route: (asked.append(route.request.url), route.continue_()),
    )
    photo = page.get_by_label("Photo")
    caption = page.get_by_role("combobox", name="Caption")

    photo.set_input_files(PHOTO)
    _until(page, lambda: held)
    photo.set_input_files([])
    answer = held[0].fetch()  # the server analyses it...
    held[0].fulfill(response=answer)  # ...and the page gets the answer after the choice is undone
    page.wait_for_timeout(500)
    caption.press_sequentially("This little worker didn't care about my camera at all #")
    _until(page, lambda: asked)

    assert answer.status == 201
    expect(caption).not_to_have_attribute("data-analysis", re.compile(".*"))
    assert "analysis=" not in asked[-1]


def test_an_analysis_gone_by_the_time_the_caption_asks_leaves_the_caption_to_answer(
    app_server, browsing: Browsing
):
    # The sweep deletes an analysis an hour old (DRAFT_ANALYSIS_KEPT): the form still names
    # it, the API answers 404 for it, and "#" must still offer what the caption says,
    # asking without it from then on.
    _walks_learned(lunches=True)
    page = browsing.open(app_server.url("/p/new/"), user=UserFactory())
    asked = []
    page.route(
        re.compile(r"/api/hashtags/suggest/"),
        lambda route: (asked.append(route.request.url), route.continue_()),
    )
    page.get_by_label("Photo").set_input_files(PHOTO)
    caption = page.get_by_role("combobox", name="Caption")
    expect(caption).to_have_attribute("data-analysis", re.compile(r"^[0-9]+$"))
    DraftAnalysis.objects.all().delete()

    caption.press_sequentially("Evening light over Kolkata #")

    expect(page.get_by_role("option").first).to_have_text("#kolkata")
    expect(caption).not_to_have_attribute("data-analysis", re.compile(".*"))
    assert "analysis=" in asked[0] and "analysis=" not in asked[-1]
    # Chromium logs the one 404 it was answered, as it logs any; nothing else went wrong.
    gone = (
        f"{page.url}: console: Failed to load resource: the server responded with a status of 404 (Not Found)"
    )
    assert browsing.errors.count(gone) == 1
    browsing.errors.remove(gone)


def _until(page, done) -> None:  # type: ignore[no-untyped-def]
    """Let the page run until `done()` (what its routes recorded) is true, for 5 s at most."""
    for _ in range(100):
        if done():
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never asked")


def test_a_caption_as_long_as_a_post_allows_still_gets_suggestions(app_server, browsing: Browsing):
    # 2,190 suns are 2,190 characters (a post allows 2,200) but 19,710 once in a query
    # string (%E2%98%80 each): more than daphne (16 KB) or nginx (8 KB) take in a URL.
    _walks_learned()

    page = browsing.open(app_server.url("/p/new/"), user=UserFactory())
    caption = page.get_by_role("combobox", name="Caption")
    caption.fill("Lyon #france " + "☀" * 2180 + " ")
    caption.press_sequentially("#")

    expect(page.get_by_role("option").first).to_have_text("#lyon 1 post")  # the caption's words still count
    browsing.check(page, "caption-autocomplete-long")
    caption.press_sequentially("fr")
    expect(page.get_by_role("option")).to_have_count(0)  # #france is in the caption already


def test_share_works_at_the_first_tap_while_suggestions_are_open(app_server, browsing: Browsing):
    # The open list pushes Share down; a tap or a click on Share takes the focus off the
    # caption, which closes the list. Were it closed at once, Share would move up before
    # the click and the tap would land on nothing. (A screen tall
    # enough that nothing scrolls: scrolling back up would hide the jump.)
    _walks_learned()
    tall = {"width": SIZES[browsing.size]["width"], "height": 1600}
    user = UserFactory()

    page = browsing.open(
        app_server.url("/p/new/"), context=browsing.context(user, app_server.url(), viewport=tall)
    )
    page.get_by_label("Photo").set_input_files(PHOTO)
    page.get_by_role("combobox", name="Caption").press_sequentially("Evening light over Kolkata #")
    expect(page.get_by_role("option").first).to_have_text("#kolkata")

    share = page.get_by_role("button", name="Share")
    share.tap() if browsing.size == "phone" else share.click()  # a finger, a mouse

    expect(page).not_to_have_url(re.compile(r"/p/new/$"))
    expect(page.get_by_role("option")).to_have_count(0)
    assert Photo.objects.filter(owner=user, caption="Evening light over Kolkata #").exists()


def test_each_suggestion_says_how_many_posts_carry_it_in_the_persons_language(app_server, browsing: Browsing):
    author = UserFactory()
    for caption in ("#beach", "Low tide #beaches", "#beagle"):
        make_photo(author, caption=caption)
    bear, _ = Concept.objects.get_or_create(name="bear", defaults={"display_en": "bear", "display_es": "oso"})
    ConceptAlias.objects.get_or_create(key="bear", defaults={"concept": bear})  # known, never written

    for language, first, second in [
        ("en", "#beach 2 posts", "#beagle 1 post"),
        ("es", "#beach 2 publicaciones", "#beagle 1 publicación"),
    ]:
        page = browsing.open(app_server.url("/p/new/"), user=UserFactory(language=language))
        page.get_by_role("combobox").press_sequentially("#bea")

        options = page.get_by_role("option")
        expect(options.nth(0)).to_have_text(first)
        expect(options.nth(1)).to_have_text(second)
        expect(options.nth(2)).to_have_text("#bear")  # no post carries it: no count
        browsing.check(page, f"caption-autocomplete-posts-{language}")


def test_editing_a_caption_suggests_what_the_photo_shows(app_server, browsing: Browsing):
    # The caption says nothing of a bee; the tagger saw one. The owner editing the caption
    # gets the blend of both (the API's photo=), not the caption's words alone.
    owner = UserFactory()
    photo = make_photo(owner, caption="Garden visitor")
    Photo.objects.filter(pk=photo.pk).update(tagging_model_version="v1")
    bee, _ = Concept.objects.get_or_create(name="bee", defaults={"display_en": "bee", "display_es": "abeja"})
    suggestion_stored(photo, bee)

    page = browsing.open(app_server.url(photo.get_absolute_url()), user=owner)
    page.get_by_text("Edit or delete this post").click()
    caption = page.get_by_role("combobox", name="Caption")
    caption.press("End")
    caption.press_sequentially(" #")

    first = page.get_by_role("option").first
    expect(first).to_have_text("#bee")
    # The box is at the foot of the page: the list that opens below it comes into view, clear
    # of the phone's tab bar, where a finger can reach it.
    box = first.bounding_box()
    assert box is not None
    on_top = "([x, y]) => document.elementFromPoint(x, y)?.closest('[role=option]')?.id"
    assert page.evaluate(
        on_top, [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
    ) == first.get_attribute("id")
    browsing.check(page, "edit-caption-autocomplete")
    caption.press("ArrowDown")
    caption.press("Enter")
    expect(caption).to_have_value("Garden visitor #bee ")
