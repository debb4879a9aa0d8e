"""chat.js in a real browser, against a real server on channels_redis and PostgreSQL.

The channel layer delivers at most once: a message is stored before it is broadcast, and
a broadcast can be lost. The page must notice the gap in `seq` and fetch what it missed."""

import asyncio
import json
import os

import pytest
import websockets
from django.conf import settings
from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token

from socialapp.chat import services
from tests.browser import chromium_page, require_chromium
from tests.factories import UserFactory
from tests.servers import daphne_servers, free_port
from tests.workers import worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

THREAD = "[...document.querySelectorAll('[data-role=thread] li')]"


def _store_without_broadcast(conversation, sender, text: str) -> None:
    try:
        services.message_send(conversation=conversation, sender=sender, text=text)
    finally:
        connections.close_all()  # this thread's own connection


async def _shown_after_a_lost_broadcast(port: int, conversation, seller, session: str, seller_key: str):
    """The thread as the buyer's page shows it once the seller sent three messages, the
    second of which was stored but never broadcast (a lost pub/sub delivery)."""
    page_url = f"http://127.0.0.1:{port}/messages/{conversation.pk}/"
    socket_url = f"ws://127.0.0.1:{port}/ws/chat/{conversation.pk}/"
    token = {"Authorization": f"Token {seller_key}"}
    seller_socket = websockets.connect(socket_url, additional_headers=token)
    async with chromium_page(require_chromium(), free_port()) as page:
        await page.call("Network.setCookie", name="sessionid", value=session, url=page_url)
        await page.call("Page.navigate", url=page_url)
        await page.wait_for("document.getElementById('chat') && document.readyState === 'complete'")
        async with seller_socket as sent:
            await asyncio.sleep(1)  # the page's socket has joined the conversation's group
            await sent.send(json.dumps({"type": "message", "text": "uno", "client_id": "c1"}))
            await page.wait_for(f"{THREAD}.length === 1")
            await asyncio.to_thread(_store_without_broadcast, conversation, seller, "dos")
            await sent.send(json.dumps({"type": "message", "text": "tres", "client_id": "c3"}))
            await page.wait_for(f"{THREAD}.length === 3")
            return await page.evaluate(f"{THREAD}.map(li => [Number(li.dataset.seq), li.textContent])")


def test_a_lost_broadcast_is_fetched_when_the_next_message_shows_the_gap(redis_url, postgres_url, tmp_path):
    buyer, seller = UserFactory(username="buyer"), UserFactory(username="seller")
    conversation, _ = services.conversation_start(user=buyer, other=seller)
    browser = Client()
    browser.force_login(buyer)
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
        shown = asyncio.run(
            _shown_after_a_lost_broadcast(
                port,
                conversation,
                seller,
                session=browser.cookies["sessionid"].value,
                seller_key=Token.objects.create(user=seller).key,
            )
        )

    assert shown == [[1, "uno"], [2, "dos"], [3, "tres"]]


async def _typed_past_the_limit(port: int, conversation, session: str) -> tuple[list, list]:
    """The thread once the page has sent three messages typed at once, against a limit of
    two every 2 s: the third is refused with retry_after and sent again after it."""
    page_url = f"http://127.0.0.1:{port}/messages/{conversation.pk}/"
    async with chromium_page(require_chromium(), free_port()) as page:
        await page.call("Network.setCookie", name="sessionid", value=session, url=page_url)
        await page.call("Page.navigate", url=page_url)
        await page.wait_for("document.getElementById('chat') && document.readyState === 'complete'")
        await asyncio.sleep(1)  # the page's socket is open
        # One script: no answer from the server can be drawn before it returns.
        sending = await page.evaluate(
            """for (const text of ["one", "two", "three"]) {
                 const form = document.querySelector('[data-role=composer]');
                 form.elements.text.value = text;
                 form.requestSubmit();
               }
               """
            + f"{THREAD}.map(li => li.textContent)"
        )
        await page.wait_for(f"{THREAD}.length === 3 && {THREAD}.every(li => li.dataset.seq)", seconds=15)
        return sending, await page.evaluate(f"{THREAD}.map(li => [Number(li.dataset.seq), li.textContent])")


def test_a_rate_limited_message_is_sent_again_after_retry_after_and_stored_once(
    redis_url, postgres_url, tmp_path
):
    buyer, seller = UserFactory(username="buyer"), UserFactory(username="seller")
    conversation, _ = services.conversation_start(user=buyer, other=seller)
    browser = Client()
    browser.force_login(buyer)
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
        sending, shown = asyncio.run(
            _typed_past_the_limit(port, conversation, session=browser.cookies["sessionid"].value)
        )

    assert sending == ["oneSending…", "twoSending…", "threeSending…"]  # drawn at once, as sending
    assert shown == [[1, "one"], [2, "two"], [3, "three"]]
    stored = list(conversation.messages.order_by("seq").values_list("seq", "text"))
    assert stored == [(1, "one"), (2, "two"), (3, "three")]
