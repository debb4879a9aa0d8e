"""The Messages badge follows unread messages live: up when someone writes, down when
you read (in every tab, through /ws/notifications/)."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from socialapp.asgi import application
from socialapp.chat import services
from tests.factories import conversation_pair

ORIGIN = (b"origin", b"http://localhost")


def _communicator(path: str, user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN])
    communicator.scope["user"] = user
    return communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_reading_a_conversation_lowers_the_readers_messages_badge_in_every_tab():
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    for text in ("hola", "¿sigue disponible?"):
        await sync_to_async(services.message_send)(conversation=conversation, sender=buyer, text=text)
    chat = _communicator(f"/ws/chat/{conversation.pk}/", seller)
    other_tab = _communicator("/ws/notifications/", seller)
    for socket in (chat, other_tab):
        assert (await socket.connect())[0]

    await chat.send_json_to({"type": "read", "seq": 1})
    after_one = await other_tab.receive_json_from(timeout=5)
    await chat.send_json_to({"type": "read", "seq": 2})
    after_two = await other_tab.receive_json_from(timeout=5)

    assert [after_one, after_two] == [
        {
            "type": "chat.unread",
            "conversation_id": conversation.pk,
            "unread": 1,
            "total": 1,
            "conversations": 1,
        },
        {
            "type": "chat.unread",
            "conversation_id": conversation.pk,
            "unread": 0,
            "total": 0,
            "conversations": 0,
        },
    ]
    for socket in (chat, other_tab):
        await socket.disconnect()
