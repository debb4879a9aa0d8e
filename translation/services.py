"""Writes for translation: ask for a message's translation, translate the pending ones in
batches, and change a conversation's translation settings."""

import logging
from datetime import timedelta
from functools import cache
from itertools import groupby

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from socialapp.accounts.models import User
from socialapp.chat.frames import conversation_group
from socialapp.chat.models import Conversation, Message, Participant
from socialapp.queueing import STUCK_BATCH, task_enqueue, task_enqueue_on_commit
from socialapp.raw_sql import SqlNames

from . import selectors
from .frames import translation_frame
from .models import ConversationTranslation, MessageTranslation

logger = logging.getLogger(__name__)

KEEP_MAX_TERMS = 50
KEEP_MAX_LENGTH = 60


@cache
def _reader_language() -> str:
    """Asked for every chat message, so it is plain SQL (see chat.statements): the other
    participant's language, unless translation is switched off for the conversation.
    Parameters: conversation id, sender id."""
    p, u, t = SqlNames(Participant), SqlNames(User), SqlNames(ConversationTranslation)
    return f"""
        SELECT {u}.{u.language} FROM {p} JOIN {u} ON {u}.{u.id} = {p}.{p.user}
        WHERE {p}.{p.conversation} = %s AND {p}.{p.user} <> %s
          AND NOT EXISTS (
            SELECT 1 FROM {t} WHERE {t}.{t.conversation} = {p}.{p.conversation} AND NOT {t}.{t.enabled}
          )
    """  # noqa: S608 - names from the models, values as parameters


def message_translation_request(*, message: Message) -> MessageTranslation | None:
    """Ask for `message` in its reader's language when that differs from the one it is
    written in and translation is on for the conversation. Call it inside the transaction
    that stores the message: the work is scheduled on commit. One query when nothing is
    needed, two when a translation is queued."""
    if not settings.CHAT_TRANSLATION:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_reader_language(), [message.conversation_id, message.sender_id])
        row = cursor.fetchone()
    reader_language = row[0] if row else None
    if reader_language in (None, message.language) or reader_language not in selectors.LANGUAGES:
        return None
    if message.language not in selectors.LANGUAGES:
        return None
    translation = MessageTranslation.objects.create(message=message, language=reader_language)
    task_enqueue_on_commit(TRANSLATE_TASK, translation.pk)  # a broker error leaves it pending for the sweep
    return translation


CLAIM_EXPIRY = timedelta(minutes=2)  # a worker lost mid-batch: its rows are taken again
# The task's hard time limit: a translation pending this long since it was stored (or
# last queued) lost its message to a broker outage, and the sweep queues it again.
TRANSLATION_TIME_LIMIT = timedelta(seconds=90)
# Queued by name: translation/tasks.py imports these services (socialapp.queueing.task_get).
TRANSLATE_TASK = "translation.tasks.message_translate"


def translations_requeue_stuck(*, older_than: timedelta = TRANSLATION_TIME_LIMIT) -> int:
    """Queue again the translations pending over `older_than` since they were stored (or
    last queued), and those whose claim expired (their worker died), oldest first. Stops
    at the first broker error. Returns how many it queued."""
    now = timezone.now()
    stuck = MessageTranslation.objects.filter(
        Q(status=MessageTranslation.Status.PENDING, updated_at__lt=now - older_than)
        | Q(status=MessageTranslation.Status.WORKING, claimed_at__lt=now - CLAIM_EXPIRY)
    )
    queued = 0
    for translation_id in stuck.order_by("pk").values_list("pk", flat=True)[:STUCK_BATCH]:
        if not task_enqueue(TRANSLATE_TASK, translation_id):
            break
        # Queued at most once per `older_than` (a row its task finished stays as it is).
        MessageTranslation.objects.filter(pk=translation_id, status=MessageTranslation.Status.PENDING).update(
            updated_at=now
        )
        queued += 1
    return queued


def translations_run(*, translation_id: int) -> list[MessageTranslation]:
    """Translate pending translation `translation_id`, and with it the other pending ones
    of the same direction, in one engine batch: messages that arrive while the worker is
    busy are translated together. Rows are claimed first (SKIP LOCKED, then marked
    `working`) in a short transaction, so two workers never translate the same message
    and no lock is held while the model runs; a claim older than CLAIM_EXPIRY (its worker
    died) is taken again. A row already done is left alone (safe to run twice). With no
    engine installed the rows are marked unavailable: the message was delivered in its
    own language and stays readable. Returns the rows it finished."""
    claimed = _claim(translation_id=translation_id)
    if not claimed:
        return []
    source, target = claimed[0].message.language, claimed[0].language
    try:
        translator = selectors.translator_get(source=source, target=target)
        if translator is None:
            for row in claimed:
                row.status = MessageTranslation.Status.UNAVAILABLE
        else:
            keeps = _keep_terms(conversation_ids={row.message.conversation_id for row in claimed})
            claimed.sort(key=lambda row: keeps.get(row.message.conversation_id, ()))
            for keep, rows_iter in groupby(
                claimed, key=lambda row: keeps.get(row.message.conversation_id, ())
            ):
                rows = list(rows_iter)
                results = translator.translate([row.message.text for row in rows], keep=keep)
                for row, result in zip(rows, results, strict=True):
                    row.text, row.engine, row.model_id = result.text, result.engine, result.model_id
                    row.status = MessageTranslation.Status.READY
    except BaseException:
        # Give the rows back at once, so the retry (or another worker) can take them.
        MessageTranslation.objects.filter(pk__in=[row.pk for row in claimed]).update(
            status=MessageTranslation.Status.PENDING, claimed_at=None
        )
        raise
    with transaction.atomic():
        for row in claimed:
            row.updated_at = timezone.now()
        MessageTranslation.objects.bulk_update(
            claimed, ["status", "text", "engine", "model_id", "updated_at"]
        )
        transaction.on_commit(lambda: translations_announce(translations=claimed))
    return claimed


def _claim(*, translation_id: int) -> list[MessageTranslation]:
    """Take `translation_id` (unless done or taken) and up to TRANSLATION_BATCH - 1 other
    pending translations of its direction, oldest first."""
    now = timezone.now()
    claimable = Q(status=MessageTranslation.Status.PENDING) | Q(
        status=MessageTranslation.Status.WORKING, claimed_at__lt=now - CLAIM_EXPIRY
    )
    first = MessageTranslation.objects.select_related("message").filter(claimable, pk=translation_id).first()
    if first is None:
        return []
    with transaction.atomic():
        claimed = list(
            MessageTranslation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(claimable, language=first.language, message__language=first.message.language)
            .select_related("message")
            .order_by(
                Case(When(pk=translation_id, then=Value(0)), default=Value(1), output_field=IntegerField()),
                "pk",
            )[: settings.TRANSLATION_BATCH]
        )
        MessageTranslation.objects.filter(pk__in=[row.pk for row in claimed]).update(
            status=MessageTranslation.Status.WORKING, claimed_at=now
        )
    return claimed


def translations_fail(*, translation_ids: list[int]) -> None:
    """Give up on pending translations (the engine kept failing): mark them unavailable."""
    with transaction.atomic():
        rows = list(
            MessageTranslation.objects.select_related("message").filter(
                pk__in=translation_ids,
                status__in=[MessageTranslation.Status.PENDING, MessageTranslation.Status.WORKING],
            )
        )
        for row in rows:
            row.status = MessageTranslation.Status.UNAVAILABLE
        MessageTranslation.objects.bulk_update(rows, ["status", "updated_at"])
        transaction.on_commit(lambda: translations_announce(translations=rows))


def translations_announce(*, translations: list[MessageTranslation]) -> None:
    """Push each finished translation to its conversation's sockets."""
    layer = get_channel_layer()
    if layer is None:
        return
    for row in translations:
        frame = translation_frame(row, seq=row.message.seq)
        async_to_sync(layer.group_send)(
            conversation_group(row.message.conversation_id), {"type": "chat.event", "frame": frame}
        )


def _keep_terms(*, conversation_ids: set[int]) -> dict[int, tuple[str, ...]]:
    rows = ConversationTranslation.objects.filter(conversation_id__in=conversation_ids).values_list(
        "conversation_id", "keep"
    )
    return {conversation_id: tuple(keep) for conversation_id, keep in rows if keep}


def conversation_translation_set(
    *, conversation: Conversation, user: User, enabled: bool | None = None, keep: list[str] | None = None
) -> ConversationTranslation:
    """Switch translation on or off for a conversation (either participant may), and set
    the words its translations keep as written (product names). Raises ValidationError."""
    if keep is not None:
        keep = _keep_clean(keep)
    with transaction.atomic():
        found, _created = ConversationTranslation.objects.select_for_update().get_or_create(
            conversation=conversation
        )
        if enabled is not None:
            found.enabled = enabled
        if keep is not None:
            found.keep = keep
        found.updated_by = user
        found.save()
    return found


def _keep_clean(terms: list[str]) -> list[str]:
    cleaned: list[str] = []
    for term in terms:
        term = " ".join(term.split())
        if not term or term in cleaned:
            continue
        if len(term) > KEEP_MAX_LENGTH:
            raise ValidationError(
                _("“%(term)s…” is too long: a word to keep has at most %(max)d characters.")
                % {"term": term[:20], "max": KEEP_MAX_LENGTH}
            )
        cleaned.append(term)
    if len(cleaned) > KEEP_MAX_TERMS:
        raise ValidationError(
            _("Keep at most %(max)d words as written; you gave %(n)d.")
            % {"max": KEEP_MAX_TERMS, "n": len(cleaned)}
        )
    return cleaned
