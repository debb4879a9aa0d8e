"""The real path: messages queued on Redis and translated by a Celery worker process with a
prefork pool, which takes the messages waiting in one direction as one batch."""

import uuid

import pytest
from celery import Celery

from socialapp.chat import services as chat_services
from tests.factories import UserFactory
from tests.workers import worker_database_url, worker_start
from translation import tasks
from translation.ml.translator import Translator, engine_load
from translation.models import MessageTranslation

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_prefork_worker_translates_waiting_messages_as_one_batch(
    redis_url, postgres_url, settings, tiny_marian, monkeypatch, tmp_path
):
    queue = f"translation-test-{uuid.uuid4().hex}"
    sender = Celery(broker=redis_url, backend=redis_url, set_as_current=False)  # shared tasks stay ours
    sent = []
    monkeypatch.setattr(
        tasks.message_translate,
        "delay",
        lambda translation_id: sent.append(
            sender.send_task("translation.tasks.message_translate", args=[translation_id], queue=queue)
        ),
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False  # hand the work to the broker
    settings.CHAT_TRANSLATION = True
    buyer, seller = UserFactory(language="en"), UserFactory(language="es")
    conversation, _ = chat_services.conversation_start(user=buyer, other=seller)
    texts = [pair.en for pair in tiny_marian.train[40:45]]
    for text in texts:  # all five wait in the queue before the worker starts
        chat_services.message_send(conversation=conversation, sender=buyer, text=text)
    env = {
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "VAR_DIR": str(tmp_path),
        "TRANSLATION_ENGINE": "marian",
        "TRANSLATION_MODEL_EN_ES": str(tiny_marian.en_es),
        "TRANSLATION_MODEL_ES_EN": str(tiny_marian.es_en),
    }
    worker = worker_start(queue=queue, env=env, pool="prefork", loglevel="WARNING")
    try:
        counts = [result.get(timeout=120) for result in sent]
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=60)

    assert counts == [5, 0, 0, 0, 0], stderr.decode()[-2000:]
    expected = [
        t.text for t in Translator(engine_load("en", "es", model_dir=tiny_marian.en_es)).translate(texts)
    ]
    rows = MessageTranslation.objects.order_by("message__seq")
    assert [(r.status, r.engine, r.model_id, r.text) for r in rows] == [
        ("ready", "marian", "opus-mt-en-es", text) for text in expected
    ]
