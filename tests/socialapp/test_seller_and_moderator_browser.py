"""Two journeys of issue #18 in a real browser, at desktop and phone size: a Spanish
seller sells a post (the form starts from its caption; `12,50` is twelve and a half),
and a moderator blocks a hashtag only the tagger suggested and hides a post, whose owner
then sees why on the post itself and appeals."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from socialapp.hashtags.models import Concept
from socialapp.moderation.models import Appeal
from socialapp.moderation.services import report_create
from socialapp.shop.models import Listing
from tagging.models import ConceptStat
from tests.browser import Browsing
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.services


def _inside(page: Page, inner: str, outer: str) -> bool:
    box, card = page.locator(inner).bounding_box(), page.locator(outer).bounding_box()
    assert box is not None and card is not None
    return card["x"] <= box["x"] and box["x"] + box["width"] <= card["x"] + card["width"]


def test_a_spanish_seller_sells_a_post_with_a_spanish_price(app_server, browsing: Browsing):
    seller = UserFactory(username="lucia", language="es")
    post = make_photo(seller, "Lámpara de latón, funciona perfecto\nRecogida en Sevilla #lamp")

    page = browsing.open(app_server.url(post.get_absolute_url()), user=seller)
    page.get_by_text("Editar o eliminar esta publicación").click()  # the owner's menu
    page.locator("details.card").get_by_role("link", name="Vender esto").click()
    expect(page.get_by_label("Título")).to_have_value("Lámpara de latón, funciona perfecto")
    expect(page.get_by_label("Descripción")).to_have_value(
        "Lámpara de latón, funciona perfecto\nRecogida en Sevilla #lamp"
    )
    page.get_by_label("Precio").fill("12,50")
    page.get_by_label("Categoría").select_option("home")
    browsing.check(page, "form")
    page.get_by_role("button", name="Poner a la venta").click()

    expect(page.locator(".shop-price")).to_have_text("12,50\xa0€")
    browsing.check(page, "listing")
    listing = Listing.objects.get()
    assert (listing.price, listing.source_photo_id, listing.category) == (Decimal("12.50"), post.pk, "home")
    page.goto(app_server.url(post.get_absolute_url()))
    expect(page.get_by_role("link", name="Vender esto")).to_have_count(0)
    expect(page.get_by_role("link", name="Ver tu anuncio")).to_have_attribute(
        "href", listing.get_absolute_url()
    )


def test_a_moderator_blocks_a_suggested_hashtag_and_hides_a_post_its_owner_sees_why(
    app_server, browsing: Browsing
):
    Concept.objects.create(name="canopener", display_en="canopener", display_es="abrelatas")
    owner = UserFactory(username="pablo")
    post = make_photo(owner, "Cheap watches, DM me #deal")
    report_create(reporter=UserFactory(), reason="spam", photo=post)
    moderator = UserFactory(username="mod")
    moderator.groups.add(Group.objects.get_or_create(name="moderators")[0])

    page = browsing.open(app_server.url("/moderation/"), user=moderator)
    page.get_by_label("Hashtag", exact=True).last.fill("abrelatas")
    page.locator("#block-reason").fill("Sold as a weapon")
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.get_by_role("status").first).to_have_text(
        "#abrelatas is blocked: 0 posts were sent to the queue."
    )
    assert ConceptStat.objects.get(concept__name="canopener").override == "blocked"
    assert _inside(page, "button[name=block][value=no]", "section.card:has(#block-hashtag)")
    page.get_by_role("checkbox").first.check()
    page.get_by_label("Reason (the owner sees it)").fill("Advertising")
    page.get_by_role("button", name="Apply to selected").click()
    expect(page.get_by_role("status").first).to_have_text("1 post hidden. Its owner was told why.")
    expect(page.locator("text=hid a post").first).to_be_visible()
    browsing.check(page, "moderation")

    mine = browsing.open(app_server.url(post.get_absolute_url()), user=owner)
    banner = mine.locator(".hidden-banner")
    expect(banner).to_contain_text("Moderators hid this post: Advertising")
    browsing.check(mine, "hidden-post")
    banner.get_by_role("link", name="Appeal").click()
    mine.get_by_label("Why should it come back?").fill("It is my own watch, not an ad")
    mine.get_by_role("button", name="Appeal").click()
    expect(mine.locator(".message").first).to_have_text("Appeal sent.")
    assert Appeal.objects.get().photo_id == post.pk


def test_search_completes_a_hashtag_and_finds_it_by_its_plural(app_server, browsing: Browsing):
    make_photo(UserFactory(), "My grandfather's #tools")

    page = browsing.open(app_server.url("/search/"), user=UserFactory())
    box = page.get_by_role("combobox", name="Search")
    box.press_sequentially("#too")
    # #tool as posts carry it, or #tools, the concept's English name: search takes either;
    # either way it says how many posts carry it.
    option = page.get_by_role("option", name=re.compile(r"^#tools? 1 post$")).first
    expect(option).to_be_visible()
    browsing.check(page, "autocomplete")
    # The list opens under the box, as a search's does, not squeezed between it and its button.
    below, under = box.bounding_box(), option.bounding_box()
    assert below is not None and under is not None
    assert under["y"] >= below["y"] + below["height"]
    chosen = option.locator("span").first.inner_text()
    option.click()
    expect(box).to_have_value(chosen)
    box.press("Enter")

    expect(page.locator("a.chip", has_text="#tool")).to_contain_text("1 post")
