"""Where other apps extend chat. Chat never imports them: each list below is filled in
the listed listener's AppConfig.ready. Listeners: translation/apps.py, for every one."""

from collections.abc import Callable
from typing import Any

from socialapp.accounts.models import User

from .models import Conversation, Message

# A new message's language, from its text and its sender's preferred language (what to
# answer when unsure). The first detector registered decides; with none, a message is
# in its sender's language.
# Listeners: translation/apps.py (translation.ml.detect.language_detect).
language_detectors: list[Callable[[str, str], str]] = []

# Called with each new message inside the transaction that stores it.
# Listeners: translation/apps.py (message_translation_request: queues its translation on commit).
message_sent_hooks: list[Callable[[Message], None]] = []

# Extra fields of a message frame on the socket and in the history API, from the message
# and whether it was just stored. Prefetch what they read when framing many.
# Listeners: translation/apps.py (translation.frames.message_translations).
message_frame_fields: list[Callable[[Message, bool], dict[str, Any]]] = []

# Extra context for the conversation page's template.
# Listeners: translation/apps.py (the conversation's translation setting).
conversation_page_context: list[Callable[[Conversation], dict[str, Any]]] = []

# (person exporting, their messages) -> {message id: extra fields for that message}
# Listeners: translation/apps.py (each message's translation as its reader sees it).
MessageExportFields = Callable[[User, list[Message]], dict[int, dict[str, Any]]]
message_export_fields: list[MessageExportFields] = []


def language_detect(text: str, *, fallback: str) -> str:
    """`text`'s language as the first registered detector says, else `fallback`."""
    return language_detectors[0](text, fallback) if language_detectors else fallback
