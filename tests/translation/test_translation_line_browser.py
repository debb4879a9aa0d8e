"""The line under a translated chat bubble ("Traducido · Ver original") lines up with the
bubble's text: same left edge, and its two parts on one baseline, at desktop and phone size."""

import pytest
from playwright.sync_api import expect

from socialapp.chat import services as chat_services
from tests.factories import conversation_pair
from translation.models import MessageTranslation

pytestmark = pytest.mark.services

THEIRS = "[data-role=thread] li.bubble:not(.mine)"


def test_the_translation_line_lines_up_with_the_bubble_text(app_server, browsing):
    buyer, seller, conversation = conversation_pair()
    message, _ = chat_services.message_send(
        conversation=conversation, sender=buyer, text="Is the red lamp still for sale?"
    )
    MessageTranslation.objects.create(
        message=message,
        language="es",
        status="ready",
        engine="marian",
        text="¿La lámpara roja sigue a la venta?",
    )

    page = browsing.open(app_server.url(f"/messages/{conversation.pk}/"), user=seller)
    bubble = page.locator(THEIRS).last
    expect(bubble.locator(".translation span")).to_have_text("Traducido")
    expect(bubble.locator(".translation").get_by_role("button")).to_have_text("Ver original")
    browsing.check(page, "translated")
    geometry = bubble.evaluate(
        """(li) => {
          const box = (el) => el.getBoundingClientRect();
          const firstLine = (el) => {
            const range = document.createRange();
            range.selectNodeContents(el);
            return range.getClientRects()[0];
          };
          const text = li.querySelector('.text'), note = li.querySelector('.translation span'),
                toggle = li.querySelector('.translation button');
          return {
            text_left: firstLine(text).left, note_left: firstLine(note).left,
            note_bottom: firstLine(note).bottom, toggle_bottom: firstLine(toggle).bottom,
            toggle_right: box(toggle).right, bubble_right: box(li).right,
          };
        }"""
    )

    assert abs(geometry["note_left"] - geometry["text_left"]) <= 1, geometry
    assert abs(geometry["note_bottom"] - geometry["toggle_bottom"]) <= 1, geometry  # one baseline
    assert geometry["toggle_right"] <= geometry["bubble_right"], geometry
