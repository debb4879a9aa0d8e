"""The post page's suggestion chips in a real browser, at desktop and phone size: the
five best first, the rest behind "More suggestions", and a decision on one of those
redrawn in place without a reload."""

import pytest
from playwright.sync_api import expect

from socialapp.photos.models import Photo
from tagging.models import PhotoSuggestion
from tests.browser import Browsing
from tests.factories import UserFactory, make_photo
from tests.tagging.conftest import suggestions_become

pytestmark = pytest.mark.services
NAMES = ["bee", "flower", "wing", "insect", "honeybee", "aster", "daisy", "pollen"]


def _post_with_eight_suggestions():
    owner = UserFactory()
    photo = Photo.objects.get(pk=make_photo(owner, caption="Garden visitor").pk)
    suggestions_become(photo, NAMES)
    return owner, photo


def test_the_rest_wait_behind_more_and_a_decision_there_is_drawn_in_place(app_server, browsing: Browsing):
    owner, photo = _post_with_eight_suggestions()
    page = browsing.open(app_server.url(photo.get_absolute_url()), user=owner)
    page.evaluate("window.notReloaded = true")
    box = page.locator("#suggestions")
    first = box.locator("[data-role=chips] .chip")
    more = box.locator("details[data-role=more]")

    expect(first).to_have_count(5)
    expect(first.first).to_contain_text("#bee")
    expect(more.locator("summary")).to_have_text("More suggestions (3)")
    expect(more.get_by_role("button", name="Add #daisy to the post")).to_be_hidden()  # closed
    browsing.check(page, "chips-closed")

    more.locator("summary").click()
    more.get_by_role("button", name="Add #daisy to the post").click()

    daisy = more.locator(".chip", has_text="#daisy")
    expect(daisy).to_have_class("chip suggestion accepted")
    expect(more).to_have_attribute("open", "")  # still open, as the person left it
    expect(page.locator("[data-role=post-hashtags]")).to_contain_text("#daisy")
    expect(first).to_have_count(5)
    browsing.check(page, "chips-more-open")
    assert page.evaluate("() => window.notReloaded") is True
    assert PhotoSuggestion.objects.get(photo=photo, concept__name="daisy").state == "accepted"


def test_guesses_under_a_fifth_wait_behind_more_and_stay_there_once_decided(app_server, browsing: Browsing):
    # #sunset 18% #cloud 18% #mountain 17% were chips beside #insect 99% on a bee.
    owner = UserFactory()
    photo = Photo.objects.get(pk=make_photo(owner, caption="Garden visitor").pk)
    names = ["insect", "camera", "sunset", "cloud", "mountain"]
    suggestions_become(photo, names)
    for name, score in zip(names, [0.99, 0.53, 0.18, 0.18, 0.17], strict=True):
        PhotoSuggestion.objects.filter(photo=photo, concept__name=name).update(score=score, photo_score=score)
    page = browsing.open(app_server.url(photo.get_absolute_url()), user=owner)
    box = page.locator("#suggestions")
    first = box.locator("[data-role=chips] .chip")
    more = box.locator("details[data-role=more]")

    expect(first).to_have_count(2)
    expect(more.locator("summary")).to_have_text("More suggestions (3)")
    browsing.check(page, "chips-guesses-behind-more")

    more.locator("summary").click()
    more.get_by_role("button", name="Not #sunset").click()

    expect(more.locator(".chip", has_text="#sunset")).to_have_class("chip suggestion rejected")
    expect(first).to_have_count(2)
    expect(more.locator("summary")).to_have_text("More suggestions (3)")
