"""Translation events as the chat socket carries them."""

from typing import Any

from socialapp.chat.models import Message

from .models import MessageTranslation

# Engines whose output is only a rough idea of the message (rule-based): the page shows
# the original and offers these on demand, while a MarianMT one is shown by default.
BASIC_ENGINES = frozenset({"apertium"})


def translation_item(translation: MessageTranslation) -> dict[str, Any]:
    """A translation as listed in a message frame. `basic` marks a rule-based (Apertium)
    one; status "unavailable" means no engine could translate it."""
    return {
        "language": translation.language,
        "status": translation.status,
        "text": translation.text,
        "engine": translation.engine,
        "basic": translation.engine in BASIC_ENGINES,
    }


def message_translations(message: Message, new: bool) -> dict[str, Any]:
    """A message frame's "translations": those it has so far, none yet when `new` (they
    follow as "translation" frames). Prefetch `translations` when framing many."""
    if new:
        return {"translations": []}
    done = [t for t in message.translations.all() if t.status in ("ready", "unavailable")]
    return {"translations": [translation_item(t) for t in done]}


def translation_frame(translation: MessageTranslation, *, seq: int) -> dict[str, Any]:
    return {"type": "translation", "message_id": translation.message_id, "seq": seq} | translation_item(
        translation
    )
