"""Translation events as the chat socket carries them."""

from typing import Any

from .models import MessageTranslation


def translation_item(translation: MessageTranslation) -> dict[str, Any]:
    """A translation as listed in a message frame. `engine` "apertium" is a basic
    translation; status "unavailable" means no engine could translate it."""
    return {
        "language": translation.language,
        "status": translation.status,
        "text": translation.text,
        "engine": translation.engine,
    }


def translation_frame(translation: MessageTranslation, *, seq: int) -> dict[str, Any]:
    return {"type": "translation", "message_id": translation.message_id, "seq": seq} | translation_item(
        translation
    )
