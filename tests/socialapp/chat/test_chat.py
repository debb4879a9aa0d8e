import asyncio
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError
from rest_framework.authtoken.models import Token

from socialapp.accounts import services as account_services
from socialapp.asgi import application
from socialapp.chat import selectors, services
from socialapp.chat.models import Message, Participant
from socialapp.shop.services import listing_create
from tests.factories import UserFactory, client_for, conversation_pair
from tests.images import jpeg_bytes

ORIGIN = (b"origin", b"http://localhost")


async def _socket(user, conversation_id: int, headers=None) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, f"/ws/chat/{conversation_id}/", headers=headers or [ORIGIN]
    )
    if user is not None:
        communicator.scope["user"] = user
    return communicator


# -- HTTP ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_start_a_conversation_from_a_listing_once():
    seller = UserFactory(username="seller")
    listing = listing_create(
        seller=seller,
        title="Lamp",
        description="",
        price=Decimal("10.00"),
        currency="EUR",
        category="home",
        image=SimpleUploadedFile("l.jpg", jpeg_bytes()),
    )
    client = client_for(UserFactory())

    first = client.post("/api/conversations/", {"participant": "seller", "listing": listing.pk})
    again = client.post("/api/conversations/", {"participant": "seller", "listing": listing.pk})

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert (first.json()["participant"], first.json()["listing"], first.json()["unread"]) == (
        "seller",
        listing.pk,
        0,
    )


@pytest.mark.django_db
def test_blocked_users_cannot_message_and_strangers_get_404():
    buyer, seller, conversation = conversation_pair()
    account_services.block_create(blocker=seller, blocked=buyer)

    assert client_for(buyer).post("/api/conversations/", {"participant": "seller"}).status_code == 404
    assert client_for(UserFactory()).get(f"/api/conversations/{conversation.pk}/messages/").status_code == 404


@pytest.mark.django_db
def test_a_sent_message_is_stored_as_returned_and_moves_the_conversation_up():
    buyer, seller, conversation = conversation_pair()
    earlier = conversation.updated_at

    message, created = services.message_send(
        conversation=conversation, sender=buyer, text=" Hi! ", client_id="c1"
    )

    stored = Message.objects.get(pk=message.pk)
    conversation.refresh_from_db()
    fields = ("conversation_id", "sender_id", "seq", "text", "language", "client_id", "created_at")
    assert created and [getattr(stored, f) for f in fields] == [getattr(message, f) for f in fields]
    assert (stored.seq, stored.text, conversation.last_seq) == (1, "Hi!", 1)
    assert conversation.updated_at > earlier and conversation.updated_at == stored.created_at
    assert selectors.unread_counts(user_id=seller.pk, conversation_id=conversation.pk) == (1, 1, 1)
    assert selectors.unread_counts(user_id=buyer.pk, conversation_id=conversation.pk) == (0, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("blocker", ["sender", "reader"])
def test_a_block_either_way_refuses_a_message_and_keeps_its_number(blocker):
    buyer, seller, conversation = conversation_pair()
    services.message_send(conversation=conversation, sender=buyer, text="one")
    pair = (
        {"blocker": buyer, "blocked": seller}
        if blocker == "sender"
        else {"blocker": seller, "blocked": buyer}
    )
    account_services.block_create(**pair)

    with pytest.raises(PermissionDenied, match="You cannot message this account"):
        services.message_send(conversation=conversation, sender=buyer, text="two")

    conversation.refresh_from_db()
    assert conversation.last_seq == 1 and Message.objects.count() == 1


@pytest.mark.django_db
def test_history_pages_back_newest_first_and_unread_counts():
    buyer, seller, conversation = conversation_pair()
    for n in range(60):
        services.message_send(conversation=conversation, sender=buyer, text=f"m{n}")

    first = client_for(seller).get(f"/api/conversations/{conversation.pk}/messages/").json()
    second = (
        client_for(seller)
        .get(f"/api/conversations/{conversation.pk}/messages/", {"before_seq": first["next_before_seq"]})
        .json()
    )
    listed = client_for(seller).get("/api/conversations/").json()["results"]

    assert [m["seq"] for m in first["results"]] == list(range(60, 10, -1))
    assert [m["seq"] for m in second["results"]] == list(range(10, 0, -1))
    assert second["next_before_seq"] is None
    assert (listed[0]["participant"], listed[0]["unread"]) == ("buyer", 60)
    bad = client_for(seller).get(f"/api/conversations/{conversation.pk}/messages/", {"before_seq": "x"})
    assert (bad.status_code, bad.json()) == (400, {"detail": "before_seq must be a message number."})


@pytest.mark.django_db
def test_message_seller_button_starts_the_conversation(client):
    seller = UserFactory(username="seller")
    listing = listing_create(
        seller=seller,
        title="Lamp",
        description="",
        price=Decimal("10.00"),
        currency="EUR",
        category="home",
        image=SimpleUploadedFile("l.jpg", jpeg_bytes()),
    )
    client.force_login(UserFactory())

    assert "Message seller" in client.get(f"/shop/{listing.pk}/").content.decode()
    response = client.post("/messages/start/", {"participant": "seller", "listing": listing.pk})

    assert response.status_code == 302 and response["Location"].startswith("/messages/")
    assert client.get(response["Location"]).status_code == 200
    assert "seller" in client.get("/messages/").content.decode()


# -- WebSocket -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_messages_fan_out_in_order_with_seq_and_unread_counts():
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    buyer_socket, seller_socket = (
        await _socket(buyer, conversation.pk),
        await _socket(seller, conversation.pk),
    )
    notifications = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN])
    notifications.scope["user"] = seller
    for socket in (buyer_socket, seller_socket, notifications):
        assert (await socket.connect())[0]

    await buyer_socket.send_json_to(
        {"type": "message", "text": "Hola, ¿sigue disponible?", "client_id": "c1"}
    )

    for socket in (buyer_socket, seller_socket):
        frame = await socket.receive_json_from(timeout=5)
        assert {k: frame[k] for k in ("type", "seq", "sender", "text", "language", "client_id")} == {
            "type": "message",
            "seq": 1,
            "sender": "buyer",
            "text": "Hola, ¿sigue disponible?",
            "language": "es",  # detected, though the buyer's own language is English
            "client_id": "c1",
        }
        assert frame["created_at"].endswith("+00:00")
    assert await notifications.receive_json_from(timeout=5) == {
        "type": "chat.unread",
        "conversation_id": conversation.pk,
        "unread": 1,
        "total": 1,
        "conversations": 1,
    }
    for socket in (buyer_socket, seller_socket, notifications):
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_resending_the_same_client_id_stores_one_message():
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    socket = await _socket(buyer, conversation.pk)
    await socket.connect()

    for _ in range(2):
        await socket.send_json_to({"type": "message", "text": "once", "client_id": "same"})
    first, second = await socket.receive_json_from(timeout=5), await socket.receive_json_from(timeout=5)

    assert first["id"] == second["id"] and first["seq"] == 1
    assert await sync_to_async(Message.objects.count)() == 1
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_message_stored_while_the_broadcast_fails_is_echoed_to_its_sender(monkeypatch):
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    socket = await _socket(buyer, conversation.pk)
    await socket.connect()

    async def redis_down(group, message):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(get_channel_layer(), "group_send", redis_down)
    await socket.send_json_to({"type": "message", "text": "stored anyway", "client_id": "c1"})

    frame = await socket.receive_json_from(timeout=5)
    assert {k: frame[k] for k in ("type", "seq", "sender", "text", "client_id")} == {
        "type": "message",
        "seq": 1,
        "sender": "buyer",
        "text": "stored anyway",
        "client_id": "c1",
    }
    assert await socket.receive_nothing(timeout=0.2)
    stored = await sync_to_async(lambda: list(Message.objects.values_list("seq", "client_id")))()
    assert stored == [(1, "c1")]
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_concurrent_senders_get_gapless_ordered_seq():
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    sockets = [await _socket(buyer, conversation.pk), await _socket(seller, conversation.pk)]
    for socket in sockets:
        await socket.connect()

    await asyncio.gather(
        *(
            s.send_json_to({"type": "message", "text": f"{i}", "client_id": f"{n}-{i}"})
            for i in range(10)
            for n, s in enumerate(sockets)
        )
    )
    received = [(await sockets[0].receive_json_from(timeout=10))["seq"] for _ in range(20)]

    assert received == list(range(1, 21))
    seqs = await sync_to_async(lambda: list(Message.objects.order_by("seq").values_list("seq", flat=True)))()
    assert seqs == list(range(1, 21))
    for socket in sockets:
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_resync_after_a_dropped_connection_replays_what_was_missed():
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    for n in range(3):
        await sync_to_async(services.message_send)(
            conversation=conversation, sender=seller, text=f"while away {n}"
        )
    socket = await _socket(buyer, conversation.pk)
    await socket.connect()

    await socket.send_json_to({"type": "resync", "after_seq": 1})

    frames = [await socket.receive_json_from(timeout=5) for _ in range(2)]
    assert [(f["seq"], f["text"]) for f in frames] == [(2, "while away 1"), (3, "while away 2")]
    assert await socket.receive_json_from(timeout=5) == {"type": "resync", "after_seq": 3, "more": False}
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_typing_goes_to_the_others_and_read_receipts_to_everyone():
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    await sync_to_async(services.message_send)(conversation=conversation, sender=seller, text="hi")
    buyer_socket, seller_socket = (
        await _socket(buyer, conversation.pk),
        await _socket(seller, conversation.pk),
    )
    await buyer_socket.connect()
    await seller_socket.connect()

    await buyer_socket.send_json_to({"type": "typing"})
    assert await seller_socket.receive_json_from(timeout=5) == {"type": "typing", "sender": "buyer"}
    assert await buyer_socket.receive_nothing(timeout=0.2)
    await buyer_socket.send_json_to({"type": "read", "seq": 99})

    frames = [await socket.receive_json_from(timeout=5) for socket in (buyer_socket, seller_socket)]
    read_at = (await sync_to_async(_read_at)(conversation, buyer)).isoformat()
    assert frames == [{"type": "read", "sender": "buyer", "seq": 1, "read_at": read_at}] * 2
    for socket in (buyer_socket, seller_socket):
        await socket.disconnect()


def _read_at(conversation, user):
    return Participant.objects.get(conversation=conversation, user=user).last_read_at


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_read_receipt_says_when_it_was_read_and_reading_again_keeps_that_time():
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    await sync_to_async(services.message_send)(
        conversation=conversation, sender=buyer, text="still for sale?"
    )
    seller_socket = await _socket(seller, conversation.pk)
    await seller_socket.connect()
    before = timezone.now()

    await seller_socket.send_json_to({"type": "read", "seq": 1})
    first = await seller_socket.receive_json_from(timeout=5)
    await seller_socket.send_json_to({"type": "read", "seq": 1})
    again = await seller_socket.receive_json_from(timeout=5)

    read_at = await sync_to_async(_read_at)(conversation, seller)
    assert before <= read_at <= timezone.now()
    assert first == again == {"type": "read", "sender": "seller", "seq": 1, "read_at": read_at.isoformat()}
    await seller_socket.disconnect()


@pytest.mark.django_db
def test_the_conversation_page_carries_the_other_persons_read_receipt(client):
    buyer, seller, conversation = conversation_pair()
    services.message_send(conversation=conversation, sender=buyer, text="one")
    services.message_send(conversation=conversation, sender=buyer, text="two")
    client.force_login(buyer)
    unread = client.get(f"/messages/{conversation.pk}/").context["read"]

    services.read_mark(conversation=conversation, user=seller, seq=2)
    read = client.get(f"/messages/{conversation.pk}/").context["read"]

    assert unread == {"seq": 0, "read_at": None}
    assert read == {"seq": 2, "read_at": _read_at(conversation, seller).isoformat()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_read_marks_reach_messages_sent_after_the_socket_opened():
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    buyer_socket = await _socket(buyer, conversation.pk)
    await buyer_socket.connect()
    for n in range(3):
        await sync_to_async(services.message_send)(conversation=conversation, sender=seller, text=f"m{n}")

    await buyer_socket.send_json_to({"type": "read", "seq": 3})

    read = await buyer_socket.receive_json_from(timeout=5)
    assert (read["type"], read["sender"], read["seq"]) == ("read", "buyer", 3)
    await buyer_socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_block_made_while_the_socket_is_open_refuses_the_next_message():
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    socket = await _socket(buyer, conversation.pk)
    await socket.connect()
    await sync_to_async(account_services.block_create)(blocker=seller, blocked=buyer)

    await socket.send_json_to({"type": "message", "text": "still there?", "client_id": "b1"})

    assert await socket.receive_json_from(timeout=5) == {
        "type": "error",
        "detail": "You cannot message this account.",
        "client_id": "b1",
    }
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@override_settings(CHAT_RATE_MESSAGES=3, CHAT_MESSAGE_MAX=10)
async def test_limits_and_malformed_frames_get_error_frames_not_a_closed_socket():
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    socket = await _socket(buyer, conversation.pk)
    await socket.connect()

    await socket.send_to(text_data="not json")
    assert (await socket.receive_json_from())["detail"].startswith("Send JSON frames")
    await socket.send_json_to({"type": "dance"})
    assert await socket.receive_json_from() == {
        "type": "error",
        "detail": "Unknown frame type; use message, typing, read or resync.",
    }
    await socket.send_json_to({"type": "message", "text": "x" * 11})
    assert await socket.receive_json_from() == {
        "type": "error",
        "detail": "A message can have at most 10 characters; this one has 11.",
    }
    await socket.send_json_to({"type": "message", "text": 5})
    assert (await socket.receive_json_from())["type"] == "error"
    for n in range(2):
        await socket.send_json_to({"type": "message", "text": f"ok {n}"})
        assert (await socket.receive_json_from())["type"] == "message"
    await socket.send_json_to({"type": "message", "text": "too fast"})
    refused = await socket.receive_json_from()
    assert (refused["code"], refused["detail"]) == (
        "rate_limited",
        f"Slow down: at most 3 messages every 10 s; try again in {refused['retry_after']} s.",
    )
    assert await sync_to_async(Message.objects.count)() == 2
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_non_participants_anonymous_and_foreign_origins_are_refused():
    _buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    stranger = await sync_to_async(UserFactory)()

    refused = []
    for user, headers in ((stranger, [ORIGIN]), (None, [ORIGIN])):
        socket = await _socket(user, conversation.pk, headers)
        refused.append(await socket.connect())
    assert refused == [(False, 4403), (False, 4403)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_token_header_authenticates_api_clients_without_origin_and_cookies_need_one():
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    token = await sync_to_async(Token.objects.create)(user=buyer)
    by_token = WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation.pk}/",
        headers=[(b"authorization", f"Token {token.key}".encode())],
    )
    bad_token = WebsocketCommunicator(
        application, f"/ws/chat/{conversation.pk}/", headers=[(b"authorization", b"Token nope")]
    )
    foreign = WebsocketCommunicator(
        application, f"/ws/chat/{conversation.pk}/", headers=[(b"origin", b"http://evil.example")]
    )

    assert (await by_token.connect())[0] is True
    assert await bad_token.connect() == (False, 4403)
    assert await foreign.connect() == (False, 4403)
    await by_token.send_json_to({"type": "message", "text": "from the API", "client_id": "t"})
    assert (await by_token.receive_json_from(timeout=5))["sender"] == "buyer"
    await by_token.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_session_cookie_with_an_allowed_origin_authenticates_browsers():
    from django.conf import settings
    from django.test import Client

    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    browser = Client()
    await sync_to_async(browser.force_login)(buyer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}".encode()
    socket = WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation.pk}/",
        headers=[ORIGIN, (b"host", b"localhost"), (b"cookie", cookie)],
    )

    assert (await socket.connect())[0] is True
    await socket.disconnect()


@pytest.mark.django_db
def test_participants_report_a_message_and_others_cannot_see_it():
    from socialapp.moderation.models import Report

    buyer, seller, conversation = conversation_pair()
    message, _ = services.message_send(conversation=conversation, sender=buyer, text="Pay me outside the app")

    reported = client_for(seller).post("/api/reports/", {"message": message.pk, "reason": "scam"})
    stranger = client_for(UserFactory()).post("/api/reports/", {"message": message.pk, "reason": "scam"})

    assert reported.status_code == 201
    assert (stranger.status_code, stranger.json()) == (404, {"detail": "No such message."})
    assert Report.objects.get().message == message


@pytest.mark.django_db
def test_blocking_stops_the_conversation():
    from django.core.exceptions import PermissionDenied

    buyer, seller, conversation = conversation_pair()
    account_services.block_create(blocker=seller, blocked=buyer)

    with pytest.raises(PermissionDenied):
        services.message_send(conversation=conversation, sender=buyer, text="hello?")


@pytest.mark.django_db
@pytest.mark.parametrize("before_seq", ["²", "٣", "99999999999999999999"])
def test_messages_answer_400_for_a_before_seq_that_is_no_message_number(before_seq):
    # given a conversation
    buyer, _seller, conversation = conversation_pair()

    # when its history is asked for before a superscript, Arabic-Indic or huge number
    response = client_for(buyer).get(
        f"/api/conversations/{conversation.pk}/messages/", {"before_seq": before_seq}
    )

    # then the answer says what to fix instead of failing on the server
    assert (response.status_code, response.json()) == (
        400,
        {"detail": "before_seq must be a message number."},
    )
