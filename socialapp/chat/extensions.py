"""Where other apps extend chat. Chat never imports them: each list below is filled in
the extending app's AppConfig.ready. Today every listener is the translation app
(translation/apps.py)."""

from collections.abc import Callable
from typing import Any

from socialapp.accounts.models import User

from .models import Conversation, Message

# A new message's language, from its text and its sender's preferred language (what to
# answer when unsure). The first detector registered decides; with none, a message is
# in its sender's language.
language_detectors: list[Callable[[str, str], str]] = []

# Called with each new message inside the transaction that stores it (translation
# schedules its work on commit).
message_sent_hooks: list[Callable[[Message], None]] = []

# Extra fields of a message frame on the socket and in the history API, from the message
# and whether it was just stored. Prefetch what they read when framing many.
message_frame_fields: list[Callable[[Message, bool], dict[str, Any]]] = []

# Extra context for the conversation page's template.
conversation_page_context: list[Callable[[Conversation], dict[str, Any]]] = []

# (person exporting, their messages) -> {message id: extra fields for that message}
MessageExportFields = Callable[[User, list[Message]], dict[int, dict[str, Any]]]
message_export_fields: list[MessageExportFields] = []


def language_detect(text: str, *, fallback: str) -> str:
    """`text`'s language as the first registered detector says, else `fallback`."""
    return language_detectors[0](text, fallback) if language_detectors else fallback
