"""A buyer (English) and a seller (Spanish) chat in a real browser, each in their own
browser context, at desktop and phone size: a MarianMT translation shown with "See
original", a basic (Apertium) one only offered, times and day separators, a link that
opens (and text that stays text), "Seen" with its time, and a message written while
offline that is sent once the connection is back."""

import re

import pytest
from playwright.sync_api import Page, expect

from socialapp.chat import services as chat_services
from socialapp.chat.models import Message, Participant
from tests.browser import Browsing, app_server_running
from tests.factories import conversation_pair
from translation import selectors

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BUBBLES = "[data-role=thread] li.bubble"
THEIRS = f"{BUBBLES}:not(.mine)"


def _chat(browsing: Browsing, server, conversation, user, context=None) -> Page:
    url = server.url(f"/messages/{conversation.pk}/")
    page = browsing.open(url, user=None if context else user, context=context)
    expect(page.locator("#chat")).to_have_attribute("data-connection", "open")
    return page


def _send(page: Page, text: str) -> None:
    composer = page.locator("[data-role=composer] input[name=text]")
    composer.fill(text)
    composer.press("Enter")


def _newest_in_view(page: Page) -> bool:
    """The composer is on screen, and the newest message just above it."""
    return page.evaluate(
        """() => {
          const composer = document.querySelector("[data-role=composer]").getBoundingClientRect();
          const bubbles = document.querySelectorAll("[data-role=thread] li.bubble");
          const newest = bubbles[bubbles.length - 1].getBoundingClientRect();
          return composer.top >= 0 && composer.bottom <= innerHeight && newest.bottom <= composer.top
            && newest.top >= 0;
        }"""
    )


def test_buyer_and_seller_chat_with_translation_times_links_and_offline(marian, postgres_url, browsing):
    buyer, seller, conversation = conversation_pair()
    spanish = marian.train[0].es  # "La lámpara cuesta 250 USD."
    english = selectors.translator_get(source="es", target="en").translate([spanish])[0].text
    env = {
        "CHAT_TRANSLATION": "true",
        "TRANSLATION_ENGINE": "marian",
        "TRANSLATION_MODEL_EN_ES": str(marian.en_es),
        "TRANSLATION_MODEL_ES_EN": str(marian.es_en),
    }
    with app_server_running(env=env) as server:
        buyer_context = browsing.context(buyer, server.url())
        buyer_page = _chat(browsing, server, conversation, buyer, context=buyer_context)
        seller_page = _chat(browsing, server, conversation, seller)

        # A MarianMT translation is shown by default, the original one tap away.
        _send(seller_page, spanish)
        theirs = buyer_page.locator(THEIRS).last
        expect(theirs.locator(".text")).to_have_text(english, timeout=30_000)
        theirs.get_by_role("button", name="See original").click()
        expect(theirs.locator(".text")).to_have_text(spanish)
        expect(theirs.get_by_role("button", name="See translation")).to_be_visible()

        # A link opens; the rest of the text stays text.
        _send(buyer_page, "Still for sale? https://example.com/item?id=3. <b>javascript:alert(1)</b>")
        mine = buyer_page.locator(f"{BUBBLES}.mine").last
        expect(mine).to_have_attribute("data-seq", "2")
        link = mine.locator("a")
        expect(link).to_have_count(1)
        expect(link).to_have_attribute("href", "https://example.com/item?id=3")
        expect(link).to_have_attribute("rel", "noopener nofollow")
        expect(mine.locator(".text")).to_have_text(
            "Still for sale? https://example.com/item?id=3. <b>javascript:alert(1)</b>"
        )
        # The seller gets it with its link (and reads it: see "Seen" below).
        expect(seller_page.locator(THEIRS).last.locator("a")).to_have_attribute(
            "href", "https://example.com/item?id=3", timeout=30_000
        )

        # Times and a day separator; "Seen" with the time the seller read it.
        stored = list(Message.objects.order_by("seq"))
        stamps = buyer_page.locator(f"{BUBBLES} time.stamp")
        assert [stamps.nth(i).get_attribute("datetime") for i in range(2)] == [
            m.created_at.isoformat() for m in stored
        ]
        expect(buyer_page.locator("[data-role=thread] li.day")).to_have_text(["Today"])
        receipt = buyer_page.locator("[data-role=receipt]")
        expect(receipt).to_have_text(re.compile(r"^Seen \d{1,2}:\d{2}"), timeout=15_000)
        assert Participant.objects.get(conversation=conversation, user=seller).last_read_seq == 2
        assert _newest_in_view(buyer_page) and _newest_in_view(seller_page)
        browsing.check(buyer_page, "buyer")
        browsing.check(seller_page, "seller")

        # Offline: a banner, the message waits as "Sending…", then goes once back online.
        buyer_context.set_offline(True)
        expect(buyer_page.locator("[data-role=offline]")).to_be_visible()
        _send(buyer_page, "Are you there?")
        expect(buyer_page.locator(f"{BUBBLES}.pending")).to_have_text("Are you there?Sending…")
        expect(buyer_page.locator("[data-role=receipt]")).to_be_hidden()  # not under an unsent one
        buyer_page.wait_for_timeout(1000)
        assert Message.objects.count() == 2
        browsing.check(buyer_page, "offline")
        buyer_context.set_offline(False)
        expect(buyer_page.locator("[data-role=offline]")).to_be_hidden(timeout=15_000)
        expect(seller_page.locator(THEIRS)).to_have_count(2, timeout=15_000)
        expect(buyer_page.locator(f"{BUBBLES}.pending")).to_have_count(0)
        # Its translation has come too: no work is left in the server when it stops.
        expect(seller_page.locator(THEIRS).last.locator(".translation button")).to_be_visible(timeout=30_000)
        for context in (buyer_context, seller_page.context):
            context.close()  # the server stops at once only with no socket open

    assert list(Message.objects.order_by("seq").values_list("seq", "text")) == [
        (1, spanish),
        (2, "Still for sale? https://example.com/item?id=3. <b>javascript:alert(1)</b>"),
        (3, "Are you there?"),
    ]


def test_a_basic_translation_is_offered_on_demand_not_shown(settings, postgres_url, desktop):
    settings.CHAT_TRANSLATION, settings.TRANSLATION_ENGINE = True, "apertium"
    buyer, seller, conversation = conversation_pair()
    spanish = "Genial. ¿Lo tomarías por veinte?"
    # Stored and translated (by Apertium, here inline) before the buyer opens the thread.
    message, _ = chat_services.message_send(conversation=conversation, sender=seller, text=spanish)
    basic = message.translations.get()
    assert (basic.status, basic.engine) == ("ready", "apertium")
    with app_server_running() as server:
        page = _chat(desktop, server, conversation, buyer)
        theirs = page.locator(THEIRS).last
        offer = theirs.get_by_role("button", name="See translation · basic")
        expect(theirs.locator(".text")).to_have_text(spanish)  # the original, not the basic one
        expect(theirs.get_by_text("Basic translation", exact=True)).to_be_hidden()

        offer.click()

        expect(theirs.locator(".text")).to_have_text(basic.text)
        expect(theirs.get_by_text("Basic translation", exact=True)).to_be_visible()
        expect(theirs.get_by_role("button", name="See original")).to_be_visible()
        page.context.close()


def test_a_basic_translation_arriving_live_is_offered_not_shown(postgres_url, browsing):
    # The same message as above, sent while the buyer has the thread open: its
    # translation comes as a frame of its own, which must keep what kind it is.
    buyer, seller, conversation = conversation_pair()
    spanish = "Genial. ¿Lo tomarías por veinte?"
    with app_server_running(env={"CHAT_TRANSLATION": "true", "TRANSLATION_ENGINE": "apertium"}) as server:
        buyer_context = browsing.context(buyer, server.url())
        buyer_page = _chat(browsing, server, conversation, buyer, context=buyer_context)
        seller_page = _chat(browsing, server, conversation, seller)

        _send(seller_page, spanish)

        theirs = buyer_page.locator(THEIRS).last
        offer = theirs.get_by_role("button", name="See translation · basic")
        expect(offer).to_be_visible(timeout=30_000)
        expect(theirs.locator(".text")).to_have_text(spanish)  # the original, not the basic one
        basic = Message.objects.get().translations.get()
        assert (basic.status, basic.engine) == ("ready", "apertium")
        offer.click()
        expect(theirs.locator(".text")).to_have_text(basic.text)
        expect(theirs.get_by_text("Basic translation", exact=True)).to_be_visible()
        for context in (buyer_context, seller_page.context):
            context.close()
