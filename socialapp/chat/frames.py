"""What the server sends over /ws/chat/<id>/ (and the API returns for history)."""

from typing import Any

from .extensions import message_frame_fields
from .models import Message


def conversation_group(conversation_id: int) -> str:
    """The channel-layer group of a conversation's open sockets."""
    return f"chat.{conversation_id}"


def message_frame(message: Message, *, new: bool = False) -> dict[str, Any]:
    """A message, with the fields extensions add (translation: the translations it has so
    far, none yet when `new`)."""
    frame = {
        "type": "message",
        "id": message.pk,
        "seq": message.seq,
        "sender": message.sender.username,
        "text": message.text,
        "language": message.language,
        "created_at": message.created_at.isoformat(),
        "client_id": message.client_id,
    }
    for fields in message_frame_fields:
        frame |= fields(message, new)
    return frame
