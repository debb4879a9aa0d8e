"""WebSocket routes. Each domain app adds its consumers here."""

from django.urls import URLPattern, path

from socialapp.chat.consumers import ChatConsumer
from socialapp.notifications.consumers import NotificationsConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/notifications/", NotificationsConsumer.as_asgi()),
    path("ws/chat/<int:conversation_id>/", ChatConsumer.as_asgi()),
]
