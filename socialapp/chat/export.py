"""The data export's chat part: every conversation the person takes part in, with every
message of both sides.

Plugins add fields to each exported message through `extensions.message_export_fields`:
translation adds the translation the person read, so chat never imports translation."""

import zipfile
from typing import Any

from django.db.models import Prefetch

from socialapp.accounts.export import write_json
from socialapp.accounts.models import User

from .extensions import message_export_fields
from .models import Conversation, Message, Participant


def conversations_export(user: User, archive: zipfile.ZipFile) -> None:
    """Write chat.json: the user's conversations, oldest first, each with all its messages."""
    conversations = list(
        Conversation.objects.filter(participants__user=user)
        .order_by("created_at", "pk")
        .prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("user").order_by("pk")),
            Prefetch("messages", queryset=Message.objects.select_related("sender").order_by("seq")),
        )
    )
    messages = [message for conversation in conversations for message in conversation.messages.all()]
    extra: dict[int, dict[str, Any]] = {}
    for fields in message_export_fields:
        for message_id, values in fields(user, messages).items():
            extra.setdefault(message_id, {}).update(values)
    write_json(
        archive,
        "chat.json",
        [
            {
                "conversation_id": conversation.pk,
                "listing_id": conversation.listing_id,
                "with": [p.user.username for p in conversation.participants.all() if p.user_id != user.pk],
                "started_at": conversation.created_at,
                "messages": [
                    {
                        "seq": message.seq,
                        "sender": message.sender.username,
                        "text": message.text,
                        "language": message.language,
                        "created_at": message.created_at,
                        **extra.get(message.pk, {}),
                    }
                    for message in conversation.messages.all()
                ],
            }
            for conversation in conversations
        ],
    )
