"""The data export's chat part: both sides of the person's own conversations."""

import io
import json
import zipfile

import pytest

from socialapp.chat.services import conversation_start, message_send
from tests.factories import UserFactory, client_for, conversation_pair
from translation.models import MessageTranslation

pytestmark = pytest.mark.django_db


def _export(user) -> zipfile.ZipFile:
    response = client_for(user).get("/api/me/export/")
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _message(message, translation=None) -> dict:
    return {
        "seq": message.seq,
        "sender": message.sender.username,
        "text": message.text,
        "language": message.language,
        "created_at": str(message.created_at),
        "translation": translation,
    }


def test_export_has_every_message_of_both_sides_with_the_translation_the_person_saw():
    buyer, seller, conversation = conversation_pair()
    asked, _ = message_send(conversation=conversation, sender=buyer, text="Is the red lamp still for sale?")
    answered, _ = message_send(conversation=conversation, sender=seller, text="Sí, todavía está a la venta.")
    MessageTranslation.objects.update_or_create(
        message=answered, language="en", defaults={"status": "ready", "text": "Yes, it is still for sale."}
    )
    MessageTranslation.objects.update_or_create(
        message=asked,
        language="es",
        defaults={"status": "ready", "text": "¿Sigue a la venta la lámpara roja?"},
    )
    conversation.refresh_from_db()

    archive = _export(buyer)

    assert json.loads(archive.read("chat.json")) == [
        {
            "conversation_id": conversation.pk,
            "listing_id": None,
            "with": ["seller"],
            "started_at": str(conversation.created_at),
            "messages": [
                _message(asked),
                _message(answered, {"language": "en", "text": "Yes, it is still for sale."}),
            ],
        }
    ]
    assert [m["translation"] for m in json.loads(_export(seller).read("chat.json"))[0]["messages"]] == [
        {"language": "es", "text": "¿Sigue a la venta la lámpara roja?"},
        None,
    ]


def test_a_translation_still_pending_is_left_out():
    buyer, seller, conversation = conversation_pair()
    answered, _ = message_send(conversation=conversation, sender=seller, text="Sí, todavía está a la venta.")
    MessageTranslation.objects.update_or_create(
        message=answered, language="en", defaults={"status": "pending"}
    )

    chats = json.loads(_export(buyer).read("chat.json"))

    assert chats[0]["messages"][0]["translation"] is None


def test_export_leaves_out_conversations_the_person_is_not_part_of():
    buyer, seller, conversation = conversation_pair()
    message_send(conversation=conversation, sender=buyer, text="Hello there, seller")
    stranger = UserFactory(username="stranger")
    private, _ = conversation_start(user=buyer, other=stranger)
    message_send(conversation=private, sender=stranger, text="A secret between buyer and me")

    seller_chats = json.loads(_export(seller).read("chat.json"))
    buyer_chats = json.loads(_export(buyer).read("chat.json"))

    assert [c["conversation_id"] for c in seller_chats] == [conversation.pk]
    assert "secret" not in _export(seller).read("chat.json").decode()
    assert sorted(c["conversation_id"] for c in buyer_chats) == sorted([conversation.pk, private.pk])


def test_someone_who_never_chatted_gets_an_empty_chat_file():
    assert json.loads(_export(UserFactory()).read("chat.json")) == []
