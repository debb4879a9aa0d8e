"""A block ends a conversation for both people, on every interface: the socket, the
history API, the page, and sockets that were already open."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from socialapp.accounts import services as account_services
from socialapp.asgi import application
from socialapp.chat import services
from tests.factories import client_for, conversation_pair

BLOCKED = {
    "en": "This conversation is not available: one of you has blocked the other.",
    "es": "Esta conversación no está disponible: uno de los dos ha bloqueado al otro.",
}


def _socket(user, conversation_id: int) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/chat/{conversation_id}/")
    communicator.scope["user"] = user
    return communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("blocker", ["seller", "buyer"])
async def test_after_a_block_neither_person_can_open_the_socket(blocker):
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    people = {"buyer": buyer, "seller": seller}
    blocked = seller if blocker == "buyer" else buyer
    await sync_to_async(account_services.block_create)(blocker=people[blocker], blocked=blocked)

    refused = [await _socket(user, conversation.pk).connect() for user in (buyer, seller)]

    assert refused == [(False, 4403), (False, 4403)]


@pytest.mark.django_db
@pytest.mark.parametrize("blocker", ["seller", "buyer"])
def test_after_a_block_the_history_is_404_for_both_with_the_reason(blocker):
    buyer, seller, conversation = conversation_pair()
    services.message_send(conversation=conversation, sender=buyer, text="hi")
    people = {"buyer": buyer, "seller": seller}
    account_services.block_create(blocker=people[blocker], blocked=seller if blocker == "buyer" else buyer)

    responses = []
    for user in (buyer, seller):  # token clients, as apps sign in
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        responses.append(client.get(f"/api/conversations/{conversation.pk}/messages/"))

    assert [(r.status_code, r.json()) for r in responses] == [
        (404, {"detail": BLOCKED["en"]}),
        (404, {"detail": BLOCKED["es"]}),  # each in their account's language
    ]


@pytest.mark.django_db
def test_after_a_block_the_page_is_404_and_says_why(client):
    buyer, seller, conversation = conversation_pair()
    services.message_send(conversation=conversation, sender=buyer, text="a secret")
    account_services.block_create(blocker=seller, blocked=buyer)

    pages = []
    for user in (buyer, seller):
        client.force_login(user)
        pages.append(client.get(f"/messages/{conversation.pk}/"))

    assert [page.status_code for page in pages] == [404, 404]
    for user, page in zip((buyer, seller), pages, strict=True):
        html = page.content.decode()
        assert BLOCKED[user.language] in html  # each in their own language
        assert "a secret" not in html


@pytest.mark.django_db
def test_unblocking_opens_the_conversation_again():
    buyer, seller, conversation = conversation_pair()
    account_services.block_create(blocker=seller, blocked=buyer)
    account_services.block_delete(blocker=seller, blocked=buyer)

    response = client_for(buyer).get(f"/api/conversations/{conversation.pk}/messages/")

    assert (response.status_code, response.json()) == (200, {"results": [], "next_before_seq": None})


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize("frame", [{"type": "typing"}, {"type": "read", "seq": 1}, {"type": "resync"}])
async def test_a_frame_on_a_socket_opened_before_the_block_is_refused_and_not_delivered(frame):
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    await sync_to_async(services.message_send)(conversation=conversation, sender=seller, text="hi")
    buyer_socket, seller_socket = _socket(buyer, conversation.pk), _socket(seller, conversation.pk)
    assert (await buyer_socket.connect())[0] and (await seller_socket.connect())[0]
    await sync_to_async(account_services.block_create)(blocker=seller, blocked=buyer)

    await buyer_socket.send_json_to(frame)

    assert await buyer_socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    assert await seller_socket.receive_nothing(timeout=0.3)
    await seller_socket.send_json_to({"type": "typing"})
    assert await seller_socket.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}
    await seller_socket.disconnect()
