"""The real servers: PostgreSQL, Redis as channel layer and broker, a Celery worker process.

Marked `services`: with CI set a missing server fails these tests; elsewhere they skip.
"""

import uuid

import pytest
from celery import Celery
from channels_redis.core import RedisChannelLayer
from django.db import IntegrityError, connection, transaction

from socialapp.accounts.models import Follow
from tests.factories import UserFactory
from tests.workers import worker_start

pytestmark = pytest.mark.services


@pytest.mark.django_db
def test_postgresql_runs_the_suite_and_enforces_constraints(postgres_url):
    user = UserFactory()

    assert connection.vendor == "postgresql"
    with pytest.raises(IntegrityError), transaction.atomic():
        Follow.objects.create(follower=user, followee=user, status="accepted")
    assert Follow.objects.count() == 0


@pytest.mark.asyncio
async def test_redis_channel_layer_delivers_group_messages(redis_url):
    layer = RedisChannelLayer(hosts=[redis_url], prefix=f"test-{uuid.uuid4().hex}")
    first, second = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("room", first)
    await layer.group_add("room", second)

    await layer.group_send("room", {"type": "chat.message", "text": "hola"})

    assert await layer.receive(first) == {"type": "chat.message", "text": "hola"}
    assert await layer.receive(second) == {"type": "chat.message", "text": "hola"}
    await layer.flush()


def test_celery_worker_process_runs_tasks_from_redis(redis_url, tmp_path):
    queue = f"test-{uuid.uuid4().hex}"
    outbox = tmp_path / "mail"
    env = {
        "REDIS_URL": redis_url,
        "EMAIL_URL": f"filemail://{outbox}",
        "VAR_DIR": str(tmp_path),
    }
    worker = worker_start(queue=queue, env=env, pool="solo", loglevel="WARNING")
    sender = Celery(broker=redis_url, backend=redis_url, set_as_current=False)  # shared tasks stay ours
    try:
        result = sender.send_task(
            "socialapp.accounts.tasks.email_send",
            args=["Hola", "Un mensaje desde el worker", ["lucia@example.com"]],
            queue=queue,
        )
        result.get(timeout=60)
    finally:
        worker.terminate()
        _, stderr = worker.communicate(timeout=30)

    assert result.status == "SUCCESS", stderr.decode()
    [message_file] = outbox.iterdir()
    message = message_file.read_text()
    assert "Subject: Hola" in message
    assert "To: lucia@example.com" in message
    assert "Un mensaje desde el worker" in message
