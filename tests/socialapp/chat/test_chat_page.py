"""chat.js in a real browser, against a real server on channels_redis and PostgreSQL.

The channel layer delivers at most once: a message is stored before it is broadcast, and
a broadcast can be lost. The page must notice the gap in `seq` and fetch what it missed."""

import json
import os

import pytest
from django.conf import settings
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token
from websockets.sync.client import connect

from socialapp.chat import services
from tests.browser import Browsing, wait_until
from tests.factories import UserFactory
from tests.servers import daphne_servers, free_port
from tests.workers import worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# Message bubbles (not day separators); a bubble's text without its time.
THREAD = "[...document.querySelectorAll('[data-role=thread] li.bubble')]"
SHOWN = f"() => {THREAD}.map(li => [Number(li.dataset.seq), li.querySelector('.text').textContent])"


def _store_without_broadcast(conversation, sender, text: str) -> None:
    # This process's channel layer is in memory: the server's sockets never hear of it.
    services.message_send(conversation=conversation, sender=sender, text=text)


def _open_chat(desktop: Browsing, port: int, conversation, user):
    page = desktop.open(f"http://127.0.0.1:{port}/messages/{conversation.pk}/", user=user)
    # Open: the server joins a socket to the conversation's group before accepting it.
    expect(page.locator("#chat")).to_have_attribute("data-connection", "open", timeout=15_000)
    return page


def test_a_lost_broadcast_is_fetched_when_the_next_message_shows_the_gap(
    redis_url, postgres_url, tmp_path, desktop
):
    buyer, seller = UserFactory(username="buyer"), UserFactory(username="seller")
    conversation, _ = services.conversation_start(user=buyer, other=seller)
    port = free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "VAR_DIR": str(tmp_path),
        "CHAT_TRANSLATION": "false",  # the thread shows the texts as sent
        "SECRET_KEY": settings.SECRET_KEY,  # so the server reads this test's session
    }

    with daphne_servers([port], env):
        page = _open_chat(desktop, port, conversation, buyer)
        token = {"Authorization": f"Token {Token.objects.create(user=seller).key}"}
        with connect(f"ws://127.0.0.1:{port}/ws/chat/{conversation.pk}/", additional_headers=token) as sent:
            sent.send(json.dumps({"type": "message", "text": "uno", "client_id": "c1"}))
            wait_until(page, f"() => {THREAD}.length === 1")
            _store_without_broadcast(conversation, seller, "dos")  # lost delivery
            sent.send(json.dumps({"type": "message", "text": "tres", "client_id": "c3"}))
            wait_until(page, f"() => {THREAD}.length === 3")
            shown = page.evaluate(SHOWN)

    assert shown == [[1, "uno"], [2, "dos"], [3, "tres"]]


def test_a_rate_limited_message_is_sent_again_after_retry_after_and_stored_once(
    redis_url, postgres_url, tmp_path, desktop
):
    """Three messages typed at once, against a limit of two every 2 s: the third is refused
    with retry_after and sent again after it."""
    buyer, seller = UserFactory(username="buyer"), UserFactory(username="seller")
    conversation, _ = services.conversation_start(user=buyer, other=seller)
    port = free_port()
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "VAR_DIR": str(tmp_path),
        "CHAT_TRANSLATION": "false",
        "CHAT_RATE_MESSAGES": "2",
        "CHAT_RATE_SECONDS": "2",
        "SECRET_KEY": settings.SECRET_KEY,
    }

    with daphne_servers([port], env):
        page = _open_chat(desktop, port, conversation, buyer)
        # One script: no answer from the server can be drawn before it returns.
        sending = page.evaluate(
            """() => {
                 for (const text of ["one", "two", "three"]) {
                   const form = document.querySelector('[data-role=composer]');
                   form.elements.text.value = text;
                   form.requestSubmit();
                 }
                 return """
            + f"{THREAD}.map(li => li.textContent);"
            + "}"
        )
        wait_until(page, f"() => {THREAD}.length === 3 && {THREAD}.every(li => li.dataset.seq)", 15)
        shown = page.evaluate(SHOWN)

    assert sending == ["oneSending…", "twoSending…", "threeSending…"]  # drawn at once, as sending
    assert shown == [[1, "one"], [2, "two"], [3, "three"]]
    stored = list(conversation.messages.order_by("seq").values_list("seq", "text"))
    assert stored == [(1, "one"), (2, "two"), (3, "three")]
