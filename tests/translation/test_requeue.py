"""A translation whose message was lost (broker outage) or whose worker died is queued
again by the sweep."""

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from socialapp.chat import services as chat_services
from tests.factories import conversation_pair
from translation import services, tasks
from translation.models import MessageTranslation

pytestmark = pytest.mark.django_db


def test_a_message_sent_during_a_broker_outage_keeps_its_pending_translation(
    marian, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks.message_translate, "apply_async", _refuse)
    buyer, _seller, conversation = conversation_pair()

    with django_capture_on_commit_callbacks(execute=True):
        message, _ = chat_services.message_send(
            conversation=conversation, sender=buyer, text=marian.train[0].en
        )

    assert MessageTranslation.objects.get(message=message).status == "pending"


def test_the_sweep_queues_stuck_translations_again(marian, django_capture_on_commit_callbacks):
    buyer, _seller, conversation = conversation_pair()
    with django_capture_on_commit_callbacks():  # stored, never queued: as if the broker were down
        lost, died, fresh = (
            chat_services.message_send(conversation=conversation, sender=buyer, text=pair.en)[0]
            for pair in marian.train[:3]
        )
    long_ago = timezone.now() - timedelta(minutes=3)
    MessageTranslation.objects.filter(message=lost).update(updated_at=long_ago)
    MessageTranslation.objects.filter(message=died).update(status="working", claimed_at=long_ago)
    MessageTranslation.objects.filter(message=fresh).update(status="working", claimed_at=timezone.now())

    queued = services.translations_requeue_stuck()

    statuses = dict(MessageTranslation.objects.values_list("message_id", "status"))
    assert (queued, statuses) == (2, {lost.pk: "ready", died.pk: "ready", fresh.pk: "working"})
    assert services.translations_requeue_stuck() == 0


def _refuse(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
