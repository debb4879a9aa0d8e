"""What the server sends over /ws/chat/<id>/ (and the API returns for history)."""

from typing import Any

from translation.frames import translation_item

from .models import Message


def conversation_group(conversation_id: int) -> str:
    """The channel-layer group of a conversation's open sockets."""
    return f"chat.{conversation_id}"


def message_frame(message: Message, *, new: bool = False) -> dict[str, Any]:
    """A message with the translations it has so far (none yet when `new`: they follow
    as "translation" frames). Prefetch `translations` when framing many."""
    done = [] if new else [t for t in message.translations.all() if t.status in ("ready", "unavailable")]
    return {
        "type": "message",
        "id": message.pk,
        "seq": message.seq,
        "sender": message.sender.username,
        "text": message.text,
        "language": message.language,
        "created_at": message.created_at.isoformat(),
        "client_id": message.client_id,
        "translations": [translation_item(t) for t in done],
    }
