"""How a message frame marks its translations: a basic (Apertium) one is offered on
demand, a MarianMT one (PyTorch or CTranslate2) is shown by default."""

import pytest

from socialapp.chat import services as chat_services
from socialapp.chat.frames import message_frame
from tests.factories import conversation_pair
from translation.frames import translation_frame
from translation.models import MessageTranslation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("engine", "basic"), [("apertium", True), ("marian", False), ("ct2", False)])
def test_a_translation_says_whether_it_is_basic(engine, basic):
    _buyer, seller, conversation = conversation_pair()
    message, _ = chat_services.message_send(conversation=conversation, sender=seller, text="¿Lo envías?")
    row, _ = MessageTranslation.objects.update_or_create(
        message=message,
        language="en",
        defaults={"status": MessageTranslation.Status.READY, "text": "Do you send it?", "engine": engine},
    )

    assert message_frame(message)["translations"] == [
        {"language": "en", "status": "ready", "text": "Do you send it?", "engine": engine, "basic": basic}
    ]
    assert translation_frame(row, seq=message.seq) == {
        "type": "translation",
        "message_id": message.pk,
        "seq": 1,
        "language": "en",
        "status": "ready",
        "text": "Do you send it?",
        "engine": engine,
        "basic": basic,
    }
