"""Translation in a live conversation: the message first, its translation as a second
frame from the translation worker (here run beside the server, as without a broker), and
both in a resync."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from socialapp.asgi import application
from socialapp.chat import services as chat_services
from tests.factories import conversation_pair
from translation import selectors, tasks

ORIGIN = (b"origin", b"http://localhost")


def _inline_drain(timeout: float = 30) -> None:
    """Wait until the translations handed to the server's loop have run."""
    with tasks._inline_idle:
        tasks._inline_idle.wait_for(lambda: tasks._inline_count[0] == 0, timeout=timeout)


async def _connected(user, conversation_id):
    socket = WebsocketCommunicator(application, f"/ws/chat/{conversation_id}/", headers=[ORIGIN])
    socket.scope["user"] = user
    assert (await socket.connect())[0]
    return socket


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_the_reader_gets_the_message_then_its_translation_and_resync_has_both(marian):
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    spanish_text = marian.train[0].es
    expected = (await sync_to_async(selectors.translator_get)(source="es", target="en")).translate(
        [spanish_text]
    )[0]
    buyer_socket, seller_socket = (
        await _connected(buyer, conversation.pk),
        await _connected(seller, conversation.pk),
    )

    await seller_socket.send_json_to({"type": "message", "text": spanish_text, "client_id": "c1"})

    # The translation comes from another worker: usually after the message, never instead.
    frames = {f["type"]: f for f in [await buyer_socket.receive_json_from(timeout=20) for _ in range(2)]}
    message, translation = frames["message"], frames["translation"]
    assert (message["type"], message["language"], message["translations"]) == ("message", "es", [])
    assert translation == {
        "type": "translation",
        "message_id": message["id"],
        "seq": 1,
        "language": "en",
        "status": "ready",
        "text": expected.text,
        "engine": "marian",
        "basic": False,
    }
    assert sorted([(await seller_socket.receive_json_from(timeout=5))["type"] for _ in range(2)]) == [
        "message",
        "translation",
    ]
    await buyer_socket.send_json_to({"type": "resync", "after_seq": 0})
    replay = await buyer_socket.receive_json_from(timeout=5)
    assert replay["translations"] == [
        {"language": "en", "status": "ready", "text": expected.text, "engine": "marian", "basic": False}
    ]
    for socket in (buyer_socket, seller_socket):
        await socket.disconnect()
    await sync_to_async(_inline_drain)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_messages_that_arrive_while_the_worker_is_busy_are_translated_as_one_batch(marian, monkeypatch):
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    seller_socket = await _connected(seller, conversation.pk)
    texts = [pair.en for pair in marian.train[20:24]]  # not in the translator cache yet
    engine = (await sync_to_async(selectors.translator_get)(source="en", target="es")).engine
    batches = []
    original = engine.translate
    monkeypatch.setattr(engine, "translate", lambda batch: batches.append(len(batch)) or original(batch))
    tasks._inline_lock.acquire()  # the worker is busy with something else

    for text in texts:  # stored without the socket: only their translations are pushed
        await sync_to_async(chat_services.message_send)(conversation=conversation, sender=buyer, text=text)
    tasks._inline_lock.release()
    frames = [await seller_socket.receive_json_from(timeout=20) for _ in range(4)]

    assert sorted((f["type"], f["seq"], f["status"]) for f in frames) == [
        ("translation", seq, "ready") for seq in (1, 2, 3, 4)
    ]
    assert await seller_socket.receive_nothing(timeout=0.2)
    assert batches == [4]
    await sync_to_async(_inline_drain)()  # the other three runs find nothing to do
    await seller_socket.disconnect()
