from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from socialapp.accounts import services
from socialapp.asgi import application
from tests.factories import conversation_pair


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@override_settings(API_TOKEN_TTL_DAYS=30)
async def test_an_expired_token_opens_no_socket_and_is_deleted():
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    token = await sync_to_async(Token.objects.create)(user=buyer)
    await sync_to_async(Token.objects.filter(pk=token.pk).update)(created=timezone.now() - timedelta(days=31))
    socket = WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation.pk}/",
        headers=[(b"authorization", f"Token {token.key}".encode())],
    )

    assert await socket.connect() == (False, 4403)
    assert await sync_to_async(Token.objects.filter(user=buyer).count)() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_browser_signed_out_everywhere_opens_no_socket():
    buyer, _seller, conversation = await sync_to_async(conversation_pair)()
    browser = Client()
    await sync_to_async(browser.force_login)(buyer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}".encode()
    await sync_to_async(services.user_sign_out_everywhere)(user=buyer)
    socket = WebsocketCommunicator(
        application,
        f"/ws/chat/{conversation.pk}/",
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost"), (b"cookie", cookie)],
    )

    assert await socket.connect() == (False, 4403)
