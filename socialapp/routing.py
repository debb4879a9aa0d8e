"""WebSocket routes. Each domain app adds its consumers here."""

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import URLPattern, path, re_path

from socialapp.chat.consumers import ChatConsumer
from socialapp.notifications.consumers import NotificationsConsumer


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Any other socket path: refused with 4404 (channels' router would raise, a 500)."""

    async def connect(self) -> None:
        await self.close(code=4404)


websocket_urlpatterns: list[URLPattern] = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    path("ws/chat/<int:conversation_id>/", ChatConsumer.as_asgi()),
    re_path(r"", UnknownPathConsumer.as_asgi()),  # last: what no route above matched
]
