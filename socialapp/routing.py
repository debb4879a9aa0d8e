"""WebSocket routes. Each domain app adds its consumers here."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
