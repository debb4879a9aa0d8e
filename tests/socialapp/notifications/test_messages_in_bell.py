"""Messages in the bell: one entry per conversation with unread messages ("bob sent you 2
messages"), derived from chat's read marks, so a message costs chat no extra write; the
"messages" setting turns them off; the recipient's sockets learn the new count live."""

import re

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from socialapp.asgi import application
from socialapp.chat import services as chat
from socialapp.notifications.models import Notification
from socialapp.notifications.selectors import bell_get
from socialapp.notifications.services import notification_preferences_set
from tests.factories import UserFactory, client_for

ORIGIN = (b"origin", b"http://localhost")


def _badges(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, count in re.findall(r'data-badge="(\w+)"(?: hidden)?><span data-count>(\d+)', html):
        found.setdefault(name, []).append(count)
    return found


def _talk(sender, recipient, *texts):
    conversation, _ = chat.conversation_start(user=sender, other=recipient)
    for text in texts:
        chat.message_send(conversation=conversation, sender=sender, text=text)
    return conversation


@pytest.mark.django_db
def test_the_bell_counts_each_conversation_with_unread_messages_once(client):
    alice, bob, carol = (UserFactory(username=name) for name in ("alice", "bob", "carol"))
    with_bob = _talk(bob, alice, "hola", "¿sigue disponible?")
    _talk(carol, alice, "hi")
    client.force_login(alice)

    before = _badges(client.get("/").content.decode())
    chat.read_mark(conversation=with_bob, user=alice, seq=2)
    after = _badges(client.get("/").content.decode())

    assert before == {"messages": ["3", "3"], "notifications": ["2"]}
    assert after == {"messages": ["1", "1"], "notifications": ["1"]}
    assert Notification.objects.count() == 0  # derived, never stored


@pytest.mark.django_db
def test_the_notifications_page_has_one_row_per_conversation_linking_to_it(client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    conversation = _talk(bob, alice, "hola", "¿sigue disponible?")
    client.force_login(alice)

    page = client.get("/notifications/").content.decode()

    rows = re.findall(r'<li class="notification unread" data-kind="messages">(.*?)</li>', page, re.S)
    assert len(rows) == 1
    assert "<strong>bob</strong> sent you 2 messages." in rows[0]
    assert f'href="/messages/{conversation.pk}/"' in rows[0]
    assert "Mark as read" not in rows[0]  # reading the conversation is what reads it


@pytest.mark.django_db
def test_turning_messages_off_keeps_them_off_the_bell_and_the_page(client):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    _talk(bob, alice, "hola")
    client.force_login(alice)

    settings_page = client.get("/settings/notifications/").content.decode()
    client.post("/settings/notifications/", {"on": ["like", "comment", "follow"]})
    page = client.get("/notifications/").content.decode()

    assert '<input type="checkbox" name="on" value="messages" checked> Messages' in settings_page
    assert bell_get(user_id=alice.pk).count == 0
    assert 'data-kind="messages"' not in page
    assert _badges(client.get("/").content.decode())["messages"] == ["1", "1"]  # the Messages badge stays


@pytest.mark.django_db
def test_sending_a_message_writes_nothing_for_the_bell():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    conversation, _ = chat.conversation_start(user=bob, other=alice)

    with CaptureQueriesContext(connection) as queries:
        chat.message_send(conversation=conversation, sender=bob, text="hola")

    writes = [
        q["sql"].split()[0].upper()
        for q in queries
        if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert writes == ["UPDATE", "INSERT", "UPDATE"]  # the message store's three statements


@pytest.mark.django_db
def test_the_api_gives_the_counts_a_page_shows():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    _talk(bob, alice, "hola", "¿sigue?")
    notification_preferences_set(user=alice, muted=[])

    response = client_for(alice).get("/api/notifications/unread/")

    assert (response.status_code, response.json()) == (
        200,
        {"notifications": 0, "conversations": 1, "messages_on": True, "bell": 1, "messages": 2},
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_message_tells_the_recipients_sockets_how_many_conversations_are_unread():
    alice, bob = (
        await sync_to_async(UserFactory)(username="alice"),
        await sync_to_async(UserFactory)(username="bob"),
    )
    conversation, _ = await sync_to_async(chat.conversation_start)(user=bob, other=alice)
    bobs = WebsocketCommunicator(application, f"/ws/chat/{conversation.pk}/", headers=[ORIGIN])
    bobs.scope["user"] = bob
    bell = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN])
    bell.scope["user"] = alice
    for socket in (bobs, bell):
        assert (await socket.connect())[0]

    await bobs.send_json_to({"type": "message", "text": "hola", "client_id": "c1"})
    event = await bell.receive_json_from(timeout=5)

    assert event == {
        "type": "chat.unread",
        "conversation_id": conversation.pk,
        "unread": 1,
        "total": 1,
        "conversations": 1,
    }
    for socket in (bobs, bell):
        await socket.disconnect()
