"""Reads for translation: the engine for a direction, a conversation's settings."""

from pathlib import Path

from django.conf import settings

from socialapp.accounts.models import User
from socialapp.chat.models import Conversation, Message

from .ml.translator import EngineUnavailable, Translator, translator_for
from .models import ConversationTranslation, MessageTranslation

LANGUAGES = ("en", "es")


def model_dir(*, source: str, target: str) -> Path:
    """The configured MarianMT folder for a direction."""
    if (source, target) == ("en", "es"):
        return Path(settings.TRANSLATION_MODEL_EN_ES)
    if (source, target) == ("es", "en"):
        return Path(settings.TRANSLATION_MODEL_ES_EN)
    raise ValueError(f"No translation from {source!r} to {target!r}; socialapp translates en <-> es.")


def translator_get(*, source: str, target: str, engine: str | None = None) -> Translator | None:
    """The process's translator for a direction (loaded once), or None when no engine is
    installed for it."""
    return translator_for(
        source,
        target,
        model_dir=model_dir(source=source, target=target),
        engine=engine or settings.TRANSLATION_ENGINE,
        threads=settings.TRANSLATION_THREADS,
    )


def translator_require(*, source: str, target: str, engine: str | None = None) -> Translator:
    """`translator_get` for commands: raises EngineUnavailable, saying what to install,
    where that returns None."""
    translator = translator_get(source=source, target=target, engine=engine)
    if translator is None:
        raise EngineUnavailable(
            "No translation engine is installed: run `python manage.py fetch_translation_models` "
            "(or copy the MarianMT folders into place), or install Debian's apertium-eng-spa."
        )
    return translator


def conversation_translation(*, conversation: Conversation) -> ConversationTranslation:
    """A conversation's translation settings (the defaults when never changed; not saved)."""
    found = ConversationTranslation.objects.filter(conversation=conversation).first()
    return found or ConversationTranslation(conversation=conversation)


def translations_read(*, user: User, messages: list[Message]) -> dict[int, dict[str, str] | None]:
    """For each of `messages`: the finished translation into `user`'s language (what the
    chat showed them) as {"language", "text"}, or None where there is none."""
    found = dict(
        MessageTranslation.objects.filter(
            # a join, not an IN list: an export may hold more messages than SQLite allows parameters
            message__conversation__participants__user=user,
            language=user.language,
            status=MessageTranslation.Status.READY,
        ).values_list("message_id", "text")
    )
    return {
        message.pk: {"language": user.language, "text": found[message.pk]} if message.pk in found else None
        for message in messages
    }
