"""What the server sends over /ws/chat/<id>/ (and the API returns for history)."""

from typing import Any

from .extensions import message_frame_fields
from .models import Message
from .selectors import ReadMark


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


def read_frame(mark: ReadMark, *, reader: str) -> dict[str, Any]:
    """A read receipt: `reader` has read up to `seq`, last at `read_at` (ISO 8601, or None
    when they never read, only wrote)."""
    return {"type": "read", "sender": reader, "seq": mark.seq, "read_at": read_at_iso(mark)}


def read_at_iso(mark: ReadMark) -> str | None:
    return mark.at.isoformat() if mark.at else None
