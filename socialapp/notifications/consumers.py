from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from socialapp.websocket_database import NoDatabaseHopConsumer

from .services import user_group

CLOSE_FORBIDDEN = 4403


class NotificationsConsumer(NoDatabaseHopConsumer, AsyncJsonWebsocketConsumer):
    """/ws/notifications/: one socket per signed-in user and tab; server -> client only."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json({"type": "error", "detail": "This socket only sends notifications."})

    async def notify(self, message: dict[str, Any]) -> None:
        await self.send_json(message["event"])
