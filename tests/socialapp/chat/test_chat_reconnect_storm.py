"""A reconnect storm on two real servers (channels_redis, PostgreSQL), with bench/reconnect.py's
clients: 40 sockets in pairs lose their servers, miss messages stored meanwhile, reconnect
at once and resync page by page, and nothing is lost. (The timings are `make bench`'s.)"""

import asyncio
import os
import subprocess

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from bench.reconnect import Storm, storm_clients, storm_run
from socialapp.chat import services
from socialapp.chat.models import Conversation
from tests.factories import UserFactory
from tests.servers import DAPHNE, ROOT, free_port, wait_for_port
from tests.workers import worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PAIRS = 20
LIVE = 2  # messages each client sends before the servers go
MISSED = 60  # stored in each conversation while they are down: more than a resync page (50)


def test_forty_sockets_reconnect_at_once_and_resync_every_missed_message(redis_url, postgres_url, tmp_path):
    # given 20 conversations on two servers, and a limit of one resync or read frame per
    # 4 s a person, so paging after the reconnect runs into it and waits retry_after
    people = [(UserFactory(), UserFactory()) for _ in range(PAIRS)]
    conversations = [services.conversation_start(user=a, other=b)[0] for a, b in people]
    pairs = [
        {"conversation": c.pk, "a": Token.objects.create(user=a).key, "b": Token.objects.create(user=b).key}
        for c, (a, b) in zip(conversations, people, strict=True)
    ]
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "VAR_DIR": str(tmp_path),
        "CHAT_RATE_FRAMES": "1",
        "CHAT_RATE_SECONDS": "4",
    }
    ports = [free_port(), free_port()]
    running: list[subprocess.Popen[bytes]] = []

    def start() -> None:
        for port in ports:
            command = [DAPHNE, "-b", "127.0.0.1", "-p", str(port), "socialapp.asgi:application"]
            running.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            )
        for port in ports:
            wait_for_port(port)

    def kill() -> None:
        for server in running:
            server.kill()
        for server in running:
            server.wait(timeout=10)
        running.clear()

    def store_missed() -> None:
        try:
            for conversation, (a, b) in zip(conversations, people, strict=True):
                for n in range(MISSED):
                    services.message_send(
                        conversation=conversation, sender=(a, b)[n % 2], text=f"missed {n}", client_id=f"m{n}"
                    )
        finally:
            connection.close()  # this thread's own connection

    start()
    try:
        # when the servers are killed and started again while messages are stored
        storm = Storm(storm_clients(pairs, ports, LIVE, MISSED), kill, store_missed, start, LIVE, wait_s=90)
        result = asyncio.run(storm_run(storm))
    finally:
        kill()

    # then every client is back, has every message once, and nothing failed
    figures = {
        key: result[key]
        for key in (
            "reconnected",
            "resynced",
            "complete",
            "messages_lost",
            "messages_unexpected",
            "error_frames",
            "sockets_dropped_before_kill",
        )
    }
    assert figures == {
        "reconnected": 40,
        "resynced": 40,
        "complete": 40,
        "messages_lost": 0,
        "messages_unexpected": 0,
        "error_frames": 0,
        "sockets_dropped_before_kill": 0,
    }
    assert result["rate_limited"] >= 40  # each client's read after its resync, at least
    # and each queued message was stored once: live, missed and the two queued ones
    assert set(Conversation.objects.values_list("last_seq", flat=True)) == {2 * LIVE + MISSED + 2}
