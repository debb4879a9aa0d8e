"""Two ASGI server processes on the real channels_redis layer and PostgreSQL: a message
sent to one server reaches a client of the other."""

import asyncio
import json
import os

import pytest
import websockets
from rest_framework.authtoken.models import Token

from socialapp.chat import services
from tests.factories import UserFactory
from tests.servers import daphne_servers, free_port
from tests.workers import worker_database_url

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


async def _exchange(url_a: str, url_b: str, key_a: str, key_b: str) -> tuple[dict, dict]:
    async with (
        websockets.connect(url_a, additional_headers={"Authorization": f"Token {key_a}"}) as a,
        websockets.connect(url_b, additional_headers={"Authorization": f"Token {key_b}"}) as b,
    ):
        await asyncio.sleep(0.3)  # both group memberships are in Redis
        await a.send(json.dumps({"type": "message", "text": "¿Sigue disponible?", "client_id": "x1"}))
        received_by_b = json.loads(await asyncio.wait_for(b.recv(), 10))
        await b.send(json.dumps({"type": "message", "text": "Sí, claro", "client_id": "y1"}))
        frames = [json.loads(await asyncio.wait_for(a.recv(), 10)) for _ in range(2)]
        return received_by_b, frames[1]


def test_two_servers_share_the_redis_channel_layer(redis_url, postgres_url, tmp_path):
    buyer, seller = UserFactory(username="buyer"), UserFactory(username="seller")
    conversation, _ = services.conversation_start(user=buyer, other=seller)
    keys = [Token.objects.create(user=u).key for u in (buyer, seller)]
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "socialapp.settings.base",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": redis_url,
        "VAR_DIR": str(tmp_path),
    }
    ports = [free_port(), free_port()]
    with daphne_servers(ports, env):
        urls = [f"ws://127.0.0.1:{port}/ws/chat/{conversation.pk}/" for port in ports]
        received_by_seller, received_by_buyer = asyncio.run(_exchange(*urls, *keys))

    assert (received_by_seller["sender"], received_by_seller["seq"], received_by_seller["text"]) == (
        "buyer",
        1,
        "¿Sigue disponible?",
    )
    assert (received_by_buyer["sender"], received_by_buyer["seq"], received_by_buyer["text"]) == (
        "seller",
        2,
        "Sí, claro",
    )
