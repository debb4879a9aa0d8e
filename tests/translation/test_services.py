import pytest
from channels.layers import get_channel_layer
from django.core.exceptions import ValidationError

from socialapp.chat import services as chat_services
from socialapp.chat.frames import conversation_group
from tests.factories import UserFactory, conversation_pair
from translation import selectors, services, tasks
from translation.ml.translator import Translator
from translation.models import ConversationTranslation, MessageTranslation


def _send(conversation, sender, text):
    message, _ = chat_services.message_send(conversation=conversation, sender=sender, text=text)
    return message


def _expected(source, target, texts, keep=()):
    """The engine's own translations, through a translator of its own (a cache of its own)."""
    engine = selectors.translator_get(source=source, target=target).engine
    return [t.text for t in Translator(engine).translate(list(texts), keep=keep)]


@pytest.mark.django_db
def test_a_message_for_a_reader_of_the_other_language_is_queued_on_commit(
    marian, django_capture_on_commit_callbacks
):
    buyer, _seller, conversation = conversation_pair()

    with django_capture_on_commit_callbacks() as callbacks:
        message = _send(conversation, buyer, marian.train[0].en)

    row = MessageTranslation.objects.get()
    assert (message.language, row.message_id, row.language, row.status) == ("en", message.pk, "es", "pending")
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_no_translation_between_readers_of_one_language_or_when_switched_off(marian):
    buyer, seller, conversation = conversation_pair()
    _send(conversation, seller, marian.train[0].es)  # Spanish to... the buyer reads English: queued
    ConversationTranslation.objects.create(conversation=conversation, enabled=False)
    _send(conversation, seller, marian.train[1].es)
    other = UserFactory(language="en")
    conversation2, _ = chat_services.conversation_start(user=buyer, other=other)
    _send(conversation2, buyer, marian.train[0].en)

    assert MessageTranslation.objects.count() == 1


@pytest.mark.django_db
def test_pending_translations_of_a_direction_are_translated_in_one_batch(marian, monkeypatch):
    buyer, _seller, conversation = conversation_pair()
    texts = [pair.en for pair in marian.train[30:33]]  # not in the translator cache yet
    messages = [_send(conversation, buyer, text) for text in texts]
    expected = _expected("en", "es", texts)
    engine = selectors.translator_get(source="en", target="es").engine
    batches = []
    original = engine.translate
    monkeypatch.setattr(engine, "translate", lambda batch: batches.append(list(batch)) or original(batch))
    first = MessageTranslation.objects.get(message=messages[1])

    done = services.translations_run(translation_id=first.pk)

    assert [row.message_id for row in done] == [messages[1].pk, messages[0].pk, messages[2].pk]
    stored = MessageTranslation.objects.filter(message__in=messages).order_by("message__seq")
    assert [(r.status, r.text, r.engine) for r in stored] == [("ready", text, "marian") for text in expected]
    assert {r.model_id for r in stored} == {marian.en_es.name}
    assert len(batches) == 1 and len(batches[0]) == 3
    assert expected != texts


@pytest.mark.django_db
def test_running_a_finished_translation_again_changes_nothing(marian):
    buyer, _seller, conversation = conversation_pair()
    row = MessageTranslation.objects.get(message=_send(conversation, buyer, marian.train[0].en))
    services.translations_run(translation_id=row.pk)
    before = MessageTranslation.objects.get()

    assert services.translations_run(translation_id=row.pk) == []
    assert MessageTranslation.objects.get().updated_at == before.updated_at


@pytest.mark.django_db
def test_a_finished_translation_is_pushed_to_the_conversation(marian, django_capture_on_commit_callbacks):
    import asyncio

    from asgiref.sync import async_to_sync

    buyer, _seller, conversation = conversation_pair()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(conversation_group(conversation.pk), channel)
    message = _send(conversation, buyer, marian.train[0].en)
    row = MessageTranslation.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        tasks.message_translate(row.pk)

    event = async_to_sync(asyncio.wait_for)(layer.receive(channel), 5)
    assert event == {
        "type": "chat.event",
        "frame": {
            "type": "translation",
            "message_id": message.pk,
            "seq": 1,
            "language": "es",
            "status": "ready",
            "text": _expected("en", "es", [marian.train[0].en])[0],
            "engine": "marian",
            "basic": False,
        },
    }


@pytest.mark.django_db
def test_words_to_keep_are_kept_as_written(marian):
    buyer, _seller, conversation = conversation_pair()
    services.conversation_translation_set(conversation=conversation, user=buyer, keep=["Zephyr X200"])
    text = "I can pay $250 for the Zephyr X200 today"
    row = MessageTranslation.objects.get(message=_send(conversation, buyer, text))

    services.translations_run(translation_id=row.pk)

    translated = MessageTranslation.objects.get().text
    assert "Zephyr X200" in translated and "$250" in translated
    assert translated == _expected("en", "es", [text], keep=("Zephyr X200",))[0]


@pytest.mark.django_db
def test_without_any_engine_the_message_is_marked_unavailable(marian, monkeypatch):
    buyer, _seller, conversation = conversation_pair()
    row = MessageTranslation.objects.get(message=_send(conversation, buyer, marian.train[0].en))
    monkeypatch.setattr(selectors, "translator_for", lambda *args, **kwargs: None)

    services.translations_run(translation_id=row.pk)

    assert MessageTranslation.objects.values_list("status", "text", "engine").get() == ("unavailable", "", "")


@pytest.mark.django_db
def test_a_translation_that_fails_its_last_retry_ends_unavailable(marian, monkeypatch):
    buyer, _seller, conversation = conversation_pair()
    row = MessageTranslation.objects.get(message=_send(conversation, buyer, marian.train[0].en))
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("engine crashed")

    monkeypatch.setattr(services, "translations_run", broken)

    assert tasks.message_translate.apply(args=(row.pk,), retries=3).get() == 0
    assert MessageTranslation.objects.get().status == "unavailable"
    assert calls == [1]


@pytest.mark.django_db
def test_keep_words_are_cleaned_and_checked():
    buyer, _seller, conversation = conversation_pair()

    found = services.conversation_translation_set(
        conversation=conversation, user=buyer, keep=["  Zephyr   X200 ", "", "Zephyr X200", "Acme"]
    )

    assert found.keep == ["Zephyr X200", "Acme"]
    with pytest.raises(ValidationError):
        services.conversation_translation_set(conversation=conversation, user=buyer, keep=["x" * 61])
    assert ConversationTranslation.objects.get().keep == ["Zephyr X200", "Acme"]
