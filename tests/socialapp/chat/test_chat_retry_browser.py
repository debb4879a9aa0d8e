"""A message the server refuses shows as not sent, with why and a Retry button, and Retry
sends it again: in a real browser, at desktop and phone size."""

import pytest
from playwright.sync_api import expect

from socialapp.accounts.services import block_create, block_delete
from socialapp.chat.models import Message
from socialapp.chat.services import conversation_start
from tests.factories import UserFactory

pytestmark = pytest.mark.services

BUBBLES = "[data-role=thread] li.bubble"


def test_a_refused_message_shows_failed_with_retry_and_retry_delivers_it(app_server, browsing):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    conversation, _ = conversation_start(user=alice, other=bob)
    page = browsing.open(app_server.url(f"/messages/{conversation.pk}/"), user=alice)
    expect(page.locator("#chat")).to_have_attribute("data-connection", "open")
    composer = page.locator("[data-role=composer] input[name=text]")
    # Set without an input event: a "typing" frame reaching the server after the block
    # below would close the socket first (flaky: then the message waits as pending).
    composer.evaluate("(input, text) => { input.value = text; }", "Are you there?")

    # The server refuses it (bob blocked her meanwhile): shown as not sent, with Retry.
    block_create(blocker=bob, blocked=alice)
    composer.press("Enter")
    failed = page.locator(f"{BUBBLES}.failed")
    expect(failed.locator(".text")).to_have_text("Are you there?")
    # Announced to a screen reader as it happens, with the Retry button in it.
    expect(failed.get_by_role("alert")).to_have_text("Not sent: You cannot message this account. Retry")
    retry = failed.get_by_role("alert").get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    if browsing.size == "phone":
        box = retry.bounding_box()
        assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
    assert Message.objects.count() == 0
    browsing.check(page, "failed")

    # Once they may talk again, Retry delivers it: stored, drawn as sent, nothing pending.
    block_delete(blocker=bob, blocked=alice)
    retry.click()
    sent = page.locator(f"{BUBBLES}.mine[data-seq='1']")
    expect(sent.locator(".text")).to_have_text("Are you there?")
    expect(page.locator(f"{BUBBLES}.pending")).to_have_count(0)
    assert list(Message.objects.values_list("seq", "sender__username", "text")) == [
        (1, "alice", "Are you there?")
    ]


def test_after_a_block_closes_the_socket_what_is_typed_shows_not_sent_and_retry_reconnects(
    app_server, browsing
):
    """A block closes an open thread's socket (4403) at its next frame, here a "typing"
    hint. What is typed afterwards must not wait as "Sending…" forever: it shows why it
    was not sent, and Retry opens the socket again and delivers it once they may talk."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    conversation, _ = conversation_start(user=alice, other=bob)
    page = browsing.open(app_server.url(f"/messages/{conversation.pk}/"), user=alice)
    chat = page.locator("#chat")
    expect(chat).to_have_attribute("data-connection", "open")

    block_create(blocker=bob, blocked=alice)
    composer = page.locator("[data-role=composer] input[name=text]")
    composer.press_sequentially("Hi")  # the typing frame: the server closes the socket
    expect(chat).to_have_attribute("data-connection", "refused")
    expect(chat.locator("[data-role=status]")).to_have_text("You cannot message this account.")
    composer.press("Enter")
    alert = page.locator(f"{BUBBLES}.failed").get_by_role("alert")
    expect(alert).to_have_text("Not sent: You cannot message this account. Retry")
    assert Message.objects.count() == 0
    browsing.check(page, "closed")

    block_delete(blocker=bob, blocked=alice)
    alert.get_by_role("button", name="Retry").click()
    expect(chat).to_have_attribute("data-connection", "open")
    expect(page.locator(f"{BUBBLES}.mine[data-seq='1'] .text")).to_have_text("Hi")
    expect(page.locator(f"{BUBBLES}.pending")).to_have_count(0)
    assert list(Message.objects.values_list("text", flat=True)) == ["Hi"]
