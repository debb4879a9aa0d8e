"""The bell in a real browser: a message raises it live (one per conversation), and after
the socket was down the counts are fetched again instead of staying stale."""

import json

import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token
from websockets.sync.client import connect

from socialapp.chat.services import conversation_start
from socialapp.notifications.services import notifications_mark_read
from socialapp.photos.services import like_create
from tests.browser import wait_until
from tests.factories import UserFactory, make_photo

pytestmark = pytest.mark.services

LIVE = "() => document.documentElement.dataset.notifications === 'live'"
OFF = "() => document.documentElement.dataset.notifications === 'off'"
BELL = "header.topbar [data-badge=notifications]"
MESSAGES = "header.topbar [data-badge=messages], .tabbar [data-badge=messages]"


def test_a_message_raises_the_bell_once_per_conversation_live(app_server, browsing):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    conversation, _ = conversation_start(user=bob, other=alice)
    alices = browsing.open(app_server.url("/"), user=alice)
    wait_until(alices, LIVE)
    bell = alices.locator(BELL)
    expect(bell).to_be_hidden()

    token = {"Authorization": f"Token {Token.objects.create(user=bob).key}"}
    socket_url = app_server.url(f"/ws/chat/{conversation.pk}/").replace("http", "ws", 1)
    with connect(socket_url, additional_headers=token) as bobs:
        for n, text in enumerate(["hola", "¿sigue disponible?"]):
            bobs.send(json.dumps({"type": "message", "text": text, "client_id": f"c{n}"}))
            json.loads(bobs.recv(timeout=10))

    expect(alices.locator(MESSAGES).locator("visible=true")).to_have_text("2 unread")
    expect(bell).to_have_text("1 unread")  # one conversation
    alices.locator("header.topbar [data-nav=notifications]").click()
    row = alices.locator(".notification[data-kind=messages] p")
    expect(row).to_contain_text("bob sent you 2 messages.")
    browsing.check(alices, "messages")
    row.get_by_role("link", name="Open the conversation").click()
    expect(alices).to_have_url(app_server.url(f"/messages/{conversation.pk}/"))
    expect(bell).to_be_hidden()  # reading the conversation read it


def test_after_the_socket_was_down_the_counts_are_fetched_again(app_server, browsing):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    photo = make_photo(alice)
    notifications_mark_read(user=alice)  # "suggestions ready", where the tagger had any
    page = browsing.context(alice, app_server.url())
    alices = browsing.open(app_server.url("/"), context=page)
    wait_until(alices, LIVE)
    bell = alices.locator(BELL)
    expect(bell).to_be_hidden()

    page.set_offline(True)
    wait_until(alices, OFF)
    like_create(user=bob, photo=photo)  # its live event finds no socket
    alices.wait_for_timeout(500)
    page.set_offline(False)

    wait_until(alices, LIVE, seconds=15)
    expect(bell).to_have_text("1 unread")
