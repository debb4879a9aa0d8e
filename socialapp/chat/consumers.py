"""/ws/chat/<conversation_id>/: live messages, typing, read receipts and resync.

Never waits on a model or a slow call: a message is stored (in one call on the database
thread, which keeps its connection between messages), then broadcast; anything slower
(translation) follows as its own event."""

import json
import logging
import re
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections
from django.http import Http404

from socialapp.fallback_cache import REDIS_UNREACHABLE
from socialapp.notifications.consumers import CLOSE_FORBIDDEN
from socialapp.notifications.services import user_group
from socialapp.websocket_database import NoDatabaseHopConsumer, kept_connection_sync_to_async

from . import selectors, services
from .frames import conversation_group, message_frame, read_frame
from .throttle import RateLimited, throttle_check, throttle_hold

logger = logging.getLogger(__name__)

# What a group_send raises while Redis (the channel layer) is unreachable.
BROADCAST_ERRORS = (*REDIS_UNREACHABLE, OSError)

# The other side shows "typing" for 3 s after a frame, so one every 2 s is enough; each
# one forwarded costs a block check (chat.js sends one per keystroke).
TYPING_EVERY = 2.0

# Frames are flat objects: allow a little nesting in fields we ignore, never more.
FRAME_DEPTH_MAX = 8
CLIENT_ID_MAX = 64
_STRUCTURE = re.compile(r'["\\\[\]{}]')
_SURROGATE = re.compile("[\ud800-\udfff]")
UNKNOWN_TYPE = "Unknown frame type; use message, typing, read or resync."
MESSAGE_SHAPE = 'A message frame needs "text" (a string) and may have "client_id" (a string).'
READ_SHAPE = 'A read frame needs "seq", a message number.'
RESYNC_SHAPE = 'A resync frame needs "after_seq", the last message number you have.'


class FrameError(Exception):
    """A frame the socket answers with an error frame (and stays open)."""

    def __init__(self, detail: str, *, client_id: str | None = None) -> None:
        super().__init__(detail)
        self.detail, self.client_id = detail, client_id


def frame_chars_max() -> int:
    """The longest frame read: a message of CHAT_MESSAGE_MAX characters, each written as
    an escaped surrogate pair (12 characters), and room for the other fields."""
    return settings.CHAT_MESSAGE_MAX * 12 + 1024


def _nests_deeper_than(text: str, limit: int) -> bool:
    """Whether the JSON text opens more than `limit` [ or { at once, outside strings; one
    pass over the characters that matter, before json.loads can recurse on them."""
    depth, in_string, skip = 0, False, -1
    for match in _STRUCTURE.finditer(text):
        at = match.start()
        if at == skip:
            continue
        char = text[at]
        if in_string:
            if char == "\\":
                skip = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def _clean(value: str, field: str, *, client_id: str | None = None) -> str:
    """`value`, refused when PostgreSQL (NUL) or UTF-8 (a lone surrogate) cannot take it."""
    if "\x00" in value:
        raise FrameError(f'"{field}" cannot contain the NUL character (\\u0000).', client_id=client_id)
    if _SURROGATE.search(value):
        raise FrameError(
            f'"{field}" cannot contain an unpaired surrogate (\\ud800-\\udfff); send valid Unicode.',
            client_id=client_id,
        )
    return value


def _seq(content: dict[str, Any], field: str, shape: str, default: int | None = None) -> int:
    value = content.get(field, default)
    if type(value) is not int or not 0 <= value <= selectors.SEQ_MAX:  # bool is no number here
        raise FrameError(shape)
    return value


def frame_parse(text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
    """The frame as a dict with checked fields, or FrameError saying what to fix. Size
    and nesting are bounded before the JSON is parsed."""
    if text_data is None:
        raise FrameError("Send text frames holding JSON, not binary ones.")
    if len(text_data) > frame_chars_max():
        raise FrameError(
            f"A frame can have at most {frame_chars_max()} characters; this one has {len(text_data)}."
        )
    if _nests_deeper_than(text_data, FRAME_DEPTH_MAX):
        raise FrameError(f"A frame can nest at most {FRAME_DEPTH_MAX} levels of [ ] and {{ }}.")
    try:
        content = json.loads(text_data)
    except ValueError:
        raise FrameError(
            'Send JSON frames, e.g. {"type": "message", "text": "hi", "client_id": "…"}.'
        ) from None
    if not isinstance(content, dict):
        raise FrameError('A frame is a JSON object, e.g. {"type": "typing"}.')
    kind = content.get("type")
    if not isinstance(kind, str) or kind not in ChatConsumer.handlers:
        raise FrameError(UNKNOWN_TYPE)
    if kind == "message":
        text, client_id = content.get("text"), content.get("client_id", "")
        if not isinstance(text, str) or not isinstance(client_id, str):
            raise FrameError(MESSAGE_SHAPE)
        if len(client_id) > CLIENT_ID_MAX:
            raise FrameError(f'"client_id" can have at most {CLIENT_ID_MAX} characters.')
        client_id = _clean(client_id, "client_id")
        return {
            "type": kind,
            "text": _clean(text, "text", client_id=client_id or None),
            "client_id": client_id,
        }
    if kind == "read":
        return {"type": kind, "seq": _seq(content, "seq", READ_SHAPE)}
    if kind == "resync":
        return {"type": kind, "after_seq": _seq(content, "after_seq", RESYNC_SHAPE, default=0)}
    return {"type": kind}


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
        self.typing_at = -TYPING_EVERY
        # Until when this socket's messages are refused: a refused message is sent again
        # after its retry_after, and one sent behind it must not be stored before it.
        self.messages_held_until = 0.0
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
        """Every frame gets its answer: a malformed one, an error frame saying what to fix,
        and so does a failure inside a handler; the socket stays open."""
        client_id = None
        try:
            content = frame_parse(text_data, bytes_data)
            client_id = content.get("client_id") or None
            await self.handlers[content["type"]](self, content)
        except FrameError as error:
            await self.error(error.detail, client_id=error.client_id)
        except RateLimited as limited:
            await self.limited(limited, client_id=client_id)
        except Exception:  # not CancelledError, a BaseException: a closing socket stops here
            logger.exception("Chat frame failed in conversation %s", self.conversation_id)
            await self.error("The server could not handle this frame; try again.", client_id=client_id)

    async def error(self, detail: str, *, client_id: str | None = None, **fields: Any) -> None:
        frame = {"type": "error", "detail": detail, **fields}
        if client_id:  # which message it was about, so the client can show it as not sent
            frame["client_id"] = client_id
        await self.send_json(frame)

    async def limited(self, limited: RateLimited, *, client_id: str | None) -> None:
        """Over a limit: when to send again (and, for a message, which one it was)."""
        seconds, retry_after = settings.CHAT_RATE_SECONDS, limited.retry_after
        if limited.kind == "messages":
            self.messages_held_until = max(self.messages_held_until, limited.until)
        limit = f"at most {limited.limit} {limited.kind} every {seconds} s"
        await self.error(
            f"Slow down: {limit}; try again in {retry_after} s.",
            client_id=client_id,
            code="rate_limited",
            retry_after=retry_after,
        )

    def _count(self, kind: str) -> None:
        """Count a frame against this person's limit (all their sockets together).
        Raises RateLimited. Sync: called on the database thread with the frame's work."""
        if kind == "message":
            limit, kind = settings.CHAT_RATE_MESSAGES, "messages"
            # Refused, whatever the count, until the retry_after of one refused before it.
            throttle_hold(until=self.messages_held_until, kind=kind, limit=limit)
        else:
            limit, kind = settings.CHAT_RATE_FRAMES, "frames"
        throttle_check(user_id=self.user.pk, kind=kind, limit=limit, seconds=settings.CHAT_RATE_SECONDS)

    async def on_message(self, content: dict[str, Any]) -> None:
        text, client_id = content["text"], content["client_id"]
        try:
            frame, created, unread = await kept_connection_sync_to_async(self._store)(text, client_id)
        except (ValidationError, PermissionDenied) as error:
            await self.error(" ".join(getattr(error, "messages", [str(error)])), client_id=client_id)
            return
        if not created:  # a resend: tell only this client, the others have it
            await self.send_json(frame)
            return
        if not await self._broadcast(self.group, {"type": "chat.event", "frame": frame}):
            # Stored all the same: the sender is told so (not "try again"); the others
            # fetch it with a resync when they see the gap in seq or reconnect.
            await self.send_json(frame)
        if unread is not None:
            await self._broadcast(user_group(self.other_id), {"type": "notify", "event": unread})

    async def _broadcast(self, group: str, event: dict[str, Any]) -> bool:
        """Send `event` to `group`. Returns False, having logged it, when the channel
        layer (Redis) is unreachable."""
        try:
            await self.channel_layer.group_send(group, event)
        except BROADCAST_ERRORS as error:
            logger.warning("Chat broadcast to %s lost, the channel layer is unreachable: %s", group, error)
            return False
        return True

    def _store(self, text: str, client_id: str) -> tuple[dict[str, Any], bool, dict[str, Any] | None]:
        """(frame, created, the other person's new unread counts), in one trip to the
        database thread. Raises RateLimited before storing anything."""
        self._count("message")
        message, created = services.message_send(
            conversation=self.conversation, sender=self.user, text=text, client_id=client_id
        )
        unread = self._unread(self.other_id) if created and self.other_id is not None else None
        return message_frame(message, new=created), created, unread

    def _unread(self, user_id: int) -> dict[str, Any]:
        unread, total, conversations = selectors.unread_counts(
            user_id=user_id, conversation_id=self.conversation_id
        )
        return {
            "type": "chat.unread",
            "conversation_id": self.conversation_id,
            "unread": unread,
            "total": total,
            "conversations": conversations,  # for the bell (notifications.selectors.bell_get)
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
        try:
            blocked = await kept_connection_sync_to_async(self._typing_blocked)()
        except RateLimited:
            return  # "typing" is a hint: over the limit it is dropped, without an answer
        if blocked:
            await self.refuse()
            return
        frame = {"type": "typing", "sender": self.user.username}
        await self.channel_layer.group_send(
            self.group, {"type": "chat.event", "frame": frame, "skip": self.channel_name}
        )

    def _typing_blocked(self) -> bool:
        self._count("typing")
        return selectors.conversation_blocked(user=self.user, conversation_id=self.conversation_id)

    async def on_read(self, content: dict[str, Any]) -> None:
        try:
            mark, unread = await database_sync_to_async(self._read)(content["seq"])
        except Http404:
            await self.refuse()
            return
        frame = read_frame(mark, reader=self.user.username)
        await self.channel_layer.group_send(self.group, {"type": "chat.event", "frame": frame})
        # The reader's Messages badge, in every tab, drops to what is left unread.
        await self._broadcast(user_group(self.user.pk), {"type": "notify", "event": unread})

    def _read(self, seq: int) -> tuple[selectors.ReadMark, dict[str, Any]]:
        self._count("read")
        conversation = selectors.conversation_get(user=self.user, conversation_id=self.conversation_id)
        mark = services.read_mark(conversation=conversation, user=self.user, seq=seq)
        return mark, self._unread(self.user.pk)

    async def on_resync(self, content: dict[str, Any]) -> None:
        """One page of the messages after `after_seq`, then a "resync" frame with the
        `after_seq` to ask for next and whether `more` follow."""
        after = content["after_seq"]
        try:
            frames, more = await database_sync_to_async(self._after)(after)
        except Http404:
            await self.refuse()
            return
        for frame in frames:
            await self.send_json(frame)
        last = frames[-1]["seq"] if frames else after
        await self.send_json({"type": "resync", "after_seq": last, "more": more})

    def _after(self, after: int) -> tuple[list[dict[str, Any]], bool]:
        self._count("resync")
        conversation = selectors.conversation_get(user=self.user, conversation_id=self.conversation_id)
        page = selectors.messages_after(conversation=conversation, after_seq=after, limit=selectors.PAGE + 1)
        return [message_frame(m) for m in page[: selectors.PAGE]], len(page) > selectors.PAGE

    async def chat_event(self, event: dict[str, Any]) -> None:
        if event.get("skip") != self.channel_name:
            await self.send_json(event["frame"])

    handlers = {"message": on_message, "typing": on_typing, "read": on_read, "resync": on_resync}
