"""/ws/chat/<conversation_id>/: live messages, typing, read receipts and resync.

Never waits on a model or a slow call: a message is stored (in one call on the database
thread, which keeps its connection between messages), then broadcast; anything slower
(translation) follows as its own event."""

import json
import time
from collections import deque
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.http import Http404

from socialapp.notifications.consumers import CLOSE_FORBIDDEN
from socialapp.notifications.services import user_group
from socialapp.websocket_database import NoDatabaseHopConsumer, kept_connection_sync_to_async

from . import selectors, services
from .frames import conversation_group, message_frame

# The other side shows "typing" for 3 s after a frame, so one every 2 s is enough; each
# one forwarded costs a block check (chat.js sends one per keystroke).
TYPING_EVERY = 2.0


class ChatConsumer(NoDatabaseHopConsumer, AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.conversation_id = int(self.scope["url_route"]["kwargs"]["conversation_id"])
        allowed = self.user is not None and self.user.is_authenticated
        if allowed:
            allowed = await database_sync_to_async(self._join)()
        if not allowed:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = conversation_group(self.conversation_id)
        self.sent: deque[float] = deque()
        self.typing_at = -TYPING_EVERY
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    def _join(self) -> bool:
        """Whether the user takes part; remembers the conversation and the other person,
        who do not change while the socket is open."""
        try:
            self.conversation = selectors.conversation_get(
                user=self.user, conversation_id=self.conversation_id
            )
        except Http404:
            return False
        other = selectors.other_participant(conversation=self.conversation, user=self.user)
        self.other_id = other.pk if other else None
        return True

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)
            # Like the end of a request: drop the connection kept for this socket's messages.
            await database_sync_to_async(close_old_connections)()

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any
    ) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            await self.error('Send JSON frames, e.g. {"type": "message", "text": "hi", "client_id": "…"}.')
            return
        if not isinstance(content, dict) or content.get("type") not in self.handlers:
            await self.error("Unknown frame type; use message, typing, read or resync.")
            return
        await self.handlers[content["type"]](self, content)

    async def error(self, detail: str) -> None:
        await self.send_json({"type": "error", "detail": detail})

    def _rate_limited(self) -> bool:
        now, window = time.monotonic(), settings.CHAT_RATE_SECONDS
        while self.sent and now - self.sent[0] > window:
            self.sent.popleft()
        if len(self.sent) >= settings.CHAT_RATE_MESSAGES:
            return True
        self.sent.append(now)
        return False

    async def on_message(self, content: dict[str, Any]) -> None:
        text, client_id = content.get("text"), content.get("client_id", "")
        if not isinstance(text, str) or not isinstance(client_id, str):
            await self.error('A message frame needs "text" (a string) and may have "client_id" (a string).')
            return
        if self._rate_limited():
            limit, seconds = settings.CHAT_RATE_MESSAGES, settings.CHAT_RATE_SECONDS
            await self.error(f"Slow down: at most {limit} messages every {seconds} s.")
            return
        try:
            frame, created, unread = await kept_connection_sync_to_async(self._store)(text, client_id)
        except (ValidationError, PermissionDenied) as error:
            await self.error(" ".join(getattr(error, "messages", [str(error)])))
            return
        if not created:  # a resend: tell only this client, the others have it
            await self.send_json(frame)
            return
        await self.channel_layer.group_send(self.group, {"type": "chat.event", "frame": frame})
        if unread is not None:
            await self.channel_layer.group_send(
                user_group(self.other_id), {"type": "notify", "event": unread}
            )

    def _store(self, text: str, client_id: str) -> tuple[dict[str, Any], bool, dict[str, Any] | None]:
        """(frame, created, the other person's new unread counts), in one trip to the
        database thread."""
        message, created = services.message_send(
            conversation=self.conversation, sender=self.user, text=text, client_id=client_id
        )
        unread = self._unread(self.other_id) if created and self.other_id is not None else None
        return message_frame(message, new=created), created, unread

    def _unread(self, user_id: int) -> dict[str, Any]:
        unread, total = selectors.unread_counts(user_id=user_id, conversation_id=self.conversation_id)
        return {
            "type": "chat.unread",
            "conversation_id": self.conversation_id,
            "unread": unread,
            "total": total,
        }

    async def refuse(self) -> None:
        """A block closed the conversation while this socket was open: nothing more
        comes in or goes out."""
        await self.channel_layer.group_discard(self.group, self.channel_name)
        await self.close(code=CLOSE_FORBIDDEN)

    async def on_typing(self, content: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self.typing_at < TYPING_EVERY:
            return
        self.typing_at = now
        blocked = await kept_connection_sync_to_async(selectors.conversation_blocked)(
            user=self.user, conversation_id=self.conversation_id
        )
        if blocked:
            await self.refuse()
            return
        frame = {"type": "typing", "sender": self.user.username}
        await self.channel_layer.group_send(
            self.group, {"type": "chat.event", "frame": frame, "skip": self.channel_name}
        )

    async def on_read(self, content: dict[str, Any]) -> None:
        seq = content.get("seq")
        if not isinstance(seq, int) or seq < 0:
            await self.error('A read frame needs "seq", a message number.')
            return
        try:
            mark = await database_sync_to_async(self._read)(seq)
        except Http404:
            await self.refuse()
            return
        frame = {"type": "read", "sender": self.user.username, "seq": mark}
        await self.channel_layer.group_send(self.group, {"type": "chat.event", "frame": frame})

    def _read(self, seq: int) -> int:
        conversation = selectors.conversation_get(user=self.user, conversation_id=self.conversation_id)
        return services.read_mark(conversation=conversation, user=self.user, seq=seq)

    async def on_resync(self, content: dict[str, Any]) -> None:
        after = content.get("after_seq", 0)
        if not isinstance(after, int) or after < 0:
            await self.error('A resync frame needs "after_seq", the last message number you have.')
            return
        try:
            frames = await database_sync_to_async(self._after)(after)
        except Http404:
            await self.refuse()
            return
        for frame in frames:
            await self.send_json(frame)

    def _after(self, after: int) -> list[dict[str, Any]]:
        conversation = selectors.conversation_get(user=self.user, conversation_id=self.conversation_id)
        return [
            message_frame(m) for m in selectors.messages_after(conversation=conversation, after_seq=after)
        ]

    async def chat_event(self, event: dict[str, Any]) -> None:
        if event.get("skip") != self.channel_name:
            await self.send_json(event["frame"])

    handlers = {"message": on_message, "typing": on_typing, "read": on_read, "resync": on_resync}
