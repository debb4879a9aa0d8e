"""/ws/chat/: every malformed frame gets one error frame and the socket stays open; the
limits count per person across sockets and cover every frame type."""

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import override_settings

from socialapp.asgi import application
from socialapp.chat import consumers, services, throttle
from socialapp.chat.models import Message
from tests.factories import conversation_pair

ORIGIN = (b"origin", b"http://localhost")
MESSAGE = 'A message frame needs "text" (a string) and may have "client_id" (a string).'
READ = 'A read frame needs "seq", a message number.'
RESYNC = 'A resync frame needs "after_seq", the last message number you have.'
UNKNOWN = "Unknown frame type; use message, typing, read or resync."
OBJECT = 'A frame is a JSON object, e.g. {"type": "typing"}.'
NOT_JSON = 'Send JSON frames, e.g. {"type": "message", "text": "hi", "client_id": "…"}.'


async def _connected(user, conversation_id: int) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, f"/ws/chat/{conversation_id}/", headers=[ORIGIN])
    socket.scope["user"] = user
    assert (await socket.connect())[0]
    return socket


MALFORMED = [
    ("not json", NOT_JSON),
    ('{"type": "message", "text": "hi"', NOT_JSON),
    ("[1, 2]", OBJECT),
    ('"message"', OBJECT),
    ("null", OBJECT),
    ("5", OBJECT),
    ("{}", UNKNOWN),
    ('{"type": ["message"]}', UNKNOWN),
    ('{"type": {"a": 1}}', UNKNOWN),
    ('{"type": 5}', UNKNOWN),
    ('{"type": "dance"}', UNKNOWN),
    ('{"type": "message"}', MESSAGE),
    ('{"type": "message", "text": 5}', MESSAGE),
    ('{"type": "message", "text": null}', MESSAGE),
    ('{"type": "message", "text": ["hi"]}', MESSAGE),
    ('{"type": "message", "text": {"hi": 1}}', MESSAGE),
    ('{"type": "message", "text": "hi", "client_id": 7}', MESSAGE),
    ('{"type": "message", "text": "hi", "client_id": ["c1"]}', MESSAGE),
    (
        json.dumps({"type": "message", "text": "hi", "client_id": "c" * 65}),
        '"client_id" can have at most 64 characters.',
    ),
    ('{"type": "message", "text": "a\\u0000b"}', '"text" cannot contain the NUL character (\\u0000).'),
    (
        '{"type": "message", "text": "a\\ud800b"}',
        '"text" cannot contain an unpaired surrogate (\\ud800-\\udfff); send valid Unicode.',
    ),
    (
        '{"type": "message", "text": "a\\udc00"}',
        '"text" cannot contain an unpaired surrogate (\\ud800-\\udfff); send valid Unicode.',
    ),
    ('{"type": "read"}', READ),
    ('{"type": "read", "seq": "1"}', READ),
    ('{"type": "read", "seq": 1.5}', READ),
    ('{"type": "read", "seq": true}', READ),
    ('{"type": "read", "seq": -1}', READ),
    ('{"type": "read", "seq": NaN}', READ),
    ('{"type": "read", "seq": 100000000000000000000000000}', READ),
    ('{"type": "resync", "after_seq": "0"}', RESYNC),
    ('{"type": "resync", "after_seq": false}', RESYNC),
    ('{"type": "resync", "after_seq": [0]}', RESYNC),
    ('{"type": "resync", "after_seq": 1e400}', RESYNC),
    ("[" * 100_000, "A frame can have at most 25024 characters; this one has 100000."),
    ("[" * 20_000, "A frame can nest at most 8 levels of [ ] and { }."),
    (
        '{"type": "typing", "x": ' + "[" * 9 + "]" * 9 + "}",
        "A frame can nest at most 8 levels of [ ] and { }.",
    ),
    (
        json.dumps({"type": "message", "text": "x" * 30_000}),
        "A frame can have at most 25024 characters; this one has 30031.",
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(("raw", "detail"), MALFORMED)
async def test_a_malformed_frame_gets_one_error_frame_and_the_socket_stays_open(raw, detail):
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    socket = await _connected(buyer, conversation.pk)

    await socket.send_to(text_data=raw)

    assert await socket.receive_json_from(timeout=5) == {"type": "error", "detail": detail}
    assert await socket.receive_nothing(timeout=0.1)
    await socket.send_json_to({"type": "message", "text": "still here", "client_id": "ok"})
    assert (await socket.receive_json_from(timeout=5))["text"] == "still here"
    assert await sync_to_async(lambda: list(Message.objects.values_list("text", flat=True)))() == [
        "still here"
    ]
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_binary_frame_and_a_refused_message_name_what_to_fix_and_which_message():
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    socket = await _connected(buyer, conversation.pk)

    await socket.send_to(bytes_data=b"\x00\x01")
    binary = await socket.receive_json_from(timeout=5)
    await socket.send_json_to({"type": "message", "text": "nul\u0000", "client_id": "c1"})
    nul = await socket.receive_json_from(timeout=5)

    assert binary == {"type": "error", "detail": "Send text frames holding JSON, not binary ones."}
    assert nul == {
        "type": "error",
        "detail": '"text" cannot contain the NUL character (\\u0000).',
        "client_id": "c1",
    }
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_an_unexpected_error_in_a_handler_is_an_error_frame_not_a_close(monkeypatch):
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    socket = await _connected(buyer, conversation.pk)
    real = services.message_send

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "message_send", broken)
    await socket.send_json_to({"type": "message", "text": "hi", "client_id": "c1"})
    failed = await socket.receive_json_from(timeout=5)
    monkeypatch.setattr(services, "message_send", real)
    await socket.send_json_to({"type": "message", "text": "hi", "client_id": "c1"})
    stored = await socket.receive_json_from(timeout=5)

    assert failed == {
        "type": "error",
        "detail": "The server could not handle this frame; try again.",
        "client_id": "c1",
    }
    assert (stored["type"], stored["seq"], stored["client_id"]) == ("message", 1, "c1")
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_brackets_and_escaped_quotes_inside_a_text_are_no_nesting():
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    socket = await _connected(buyer, conversation.pk)

    await socket.send_to(
        text_data='{"type": "message", "text": "[[[[[[[[[[\\"{{{{{{{{{\\\\", "client_id": "c1"}'
    )

    assert (await socket.receive_json_from(timeout=5))["text"] == '[[[[[[[[[["{{{{{{{{{\\'
    await socket.disconnect()


# -- limits -----------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock stands still, so `retry_after` is exact."""
    monkeypatch.setattr(throttle, "_now", lambda: 1_000_000.0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@override_settings(CHAT_RATE_MESSAGES=3, CHAT_RATE_SECONDS=10)
async def test_two_sockets_of_one_person_share_the_message_limit(clock):
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    first, second = await _connected(buyer, conversation.pk), await _connected(buyer, conversation.pk)
    other = await _connected(seller, conversation.pk)

    for n, socket in enumerate((first, second, first)):
        await socket.send_json_to({"type": "message", "text": f"m{n}", "client_id": f"c{n}"})
        for each in (first, second, other):
            assert (await each.receive_json_from(timeout=5))["client_id"] == f"c{n}"
    await second.send_json_to({"type": "message", "text": "too many", "client_id": "c3"})
    refused = await second.receive_json_from(timeout=5)
    await other.send_json_to({"type": "message", "text": "the other person", "client_id": "s1"})
    for each in (first, second, other):
        assert (await each.receive_json_from(timeout=5))["client_id"] == "s1"

    assert refused == {
        "type": "error",
        "code": "rate_limited",
        "detail": "Slow down: at most 3 messages every 10 s; try again in 10 s.",
        "retry_after": 10,
        "client_id": "c3",
    }
    texts = await sync_to_async(
        lambda: list(Message.objects.order_by("seq").values_list("text", flat=True))
    )()
    assert texts == ["m0", "m1", "m2", "the other person"]
    for socket in (first, second, other):
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@override_settings(CHAT_RATE_FRAMES=3, CHAT_RATE_SECONDS=10)
async def test_read_and_resync_floods_are_limited_per_person(clock, monkeypatch):
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    await sync_to_async(services.message_send)(conversation=conversation, sender=seller, text="hi")
    marks = []
    real = services.read_mark
    monkeypatch.setattr(services, "read_mark", lambda **kw: marks.append(kw["seq"]) or real(**kw))
    first, second = await _connected(buyer, conversation.pk), await _connected(buyer, conversation.pk)

    for socket in (first, second, first):
        await socket.send_json_to({"type": "read", "seq": 1})
        received = [await first.receive_json_from(timeout=5), await second.receive_json_from(timeout=5)]
        assert [(f["type"], f["sender"], f["seq"]) for f in received] == [("read", "buyer", 1)] * 2
    await second.send_json_to({"type": "read", "seq": 1})
    refused_read = await second.receive_json_from(timeout=5)
    await first.send_json_to({"type": "resync", "after_seq": 0})
    refused_resync = await first.receive_json_from(timeout=5)

    limited = {
        "type": "error",
        "code": "rate_limited",
        "detail": "Slow down: at most 3 frames every 10 s; try again in 10 s.",
        "retry_after": 10,
    }
    assert (refused_read, refused_resync) == (limited, limited)
    assert marks == [1, 1, 1]
    assert await first.receive_nothing(timeout=0.1) and await second.receive_nothing(timeout=0.1)
    for socket in (first, second):
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@override_settings(CHAT_RATE_FRAMES=2, CHAT_RATE_SECONDS=10)
async def test_typing_from_many_sockets_of_one_person_is_forwarded_within_the_limit(clock):
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    sockets = [await _connected(buyer, conversation.pk) for _ in range(4)]
    reader = await _connected(seller, conversation.pk)

    for n, socket in enumerate(sockets):
        for _ in range(50):
            await socket.send_json_to({"type": "typing"})
        await socket.send_json_to({"type": "message", "text": "done", "client_id": f"c{n}"})
    received = [await reader.receive_json_from(timeout=5)]
    while sum(f["type"] == "message" for f in received) < 4:  # each after its socket's typing
        received.append(await reader.receive_json_from(timeout=5))
    received = [f for f in received if f["type"] != "message"]

    assert received == [{"type": "typing", "sender": "buyer"}] * 2
    for socket in sockets:  # no error frame for a dropped typing frame
        types = [(await socket.receive_json_from(timeout=5))["type"]]
        while types.count("message") < 4:
            types.append((await socket.receive_json_from(timeout=5))["type"])
        assert set(types) <= {"message", "typing"}
    for socket in [*sockets, reader]:
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_resync_returns_one_page_and_says_whether_more_follow():
    buyer, seller, conversation = await sync_to_async(conversation_pair)()
    for n in range(60):
        await sync_to_async(services.message_send)(conversation=conversation, sender=seller, text=f"m{n}")
    socket = await _connected(buyer, conversation.pk)

    await socket.send_json_to({"type": "resync", "after_seq": 0})
    first = [await socket.receive_json_from(timeout=5) for _ in range(51)]
    await socket.send_json_to({"type": "resync", "after_seq": first[-1]["after_seq"]})
    second = [await socket.receive_json_from(timeout=5) for _ in range(11)]

    assert [f["seq"] for f in first[:-1]] == list(range(1, 51))
    assert first[-1] == {"type": "resync", "after_seq": 50, "more": True}
    assert [f["seq"] for f in second[:-1]] == list(range(51, 61))
    assert second[-1] == {"type": "resync", "after_seq": 60, "more": False}
    assert await socket.receive_nothing(timeout=0.1)
    await socket.disconnect()


def test_the_frame_size_limit_follows_the_message_limit():
    with override_settings(CHAT_MESSAGE_MAX=2000):
        assert consumers.frame_chars_max() == 25024


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@override_settings(CHAT_RATE_MESSAGES=2, CHAT_RATE_SECONDS=10)
async def test_a_message_sent_after_a_refused_one_waits_for_it_though_the_window_ended(monkeypatch):
    # m2 is refused 0.5 s before the window ends; m3, already on its way, lands in the
    # next window. Stored then, it would come before m2, which chat.js sends again after
    # retry_after: the messages would be stored out of the order they were typed.
    now = [1_000_000.0]
    monkeypatch.setattr(throttle, "_now", lambda: now[0])
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    socket = await _connected(buyer, conversation.pk)

    async def send(n: int) -> dict:
        await socket.send_json_to({"type": "message", "text": f"m{n}", "client_id": f"c{n}"})
        return await socket.receive_json_from(timeout=5)

    assert [(await send(n))["client_id"] for n in (0, 1)] == ["c0", "c1"]
    now[0] += 9.5
    refused_m2 = await send(2)
    now[0] += 0.7  # the window is over: the cache lets its count go
    await sync_to_async(cache.delete)(f"chat:rate:messages:{buyer.pk}")
    refused_m3 = await send(3)
    now[0] += 0.5  # retry_after (1 s) after m2 was refused
    resent = [(await send(n))["client_id"] for n in (2, 3)]

    assert [(r["code"], r["retry_after"], r["client_id"]) for r in (refused_m2, refused_m3)] == [
        ("rate_limited", 1, "c2"),
        ("rate_limited", 1, "c3"),
    ]
    assert resent == ["c2", "c3"]
    texts = await sync_to_async(
        lambda: list(Message.objects.order_by("seq").values_list("text", flat=True))
    )()
    assert texts == ["m0", "m1", "m2", "m3"]
    await socket.disconnect()
