"""What the server sends over /ws/chat/<id>/ (and the API returns for history)."""

from typing import Any

from .models import Message


def message_frame(message: Message) -> dict[str, Any]:
    return {
        "type": "message",
        "id": message.pk,
        "seq": message.seq,
        "sender": message.sender.username,
        "text": message.text,
        "language": message.language,
        "created_at": message.created_at.isoformat(),
        "client_id": message.client_id,
    }
