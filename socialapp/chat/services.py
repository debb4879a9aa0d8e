"""Writes for chat: start a conversation, send a message, mark as read."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from socialapp.accounts.models import User
from socialapp.accounts.selectors import is_blocked_between
from socialapp.shop.models import Listing

from . import statements
from .extensions import language_detect, message_sent_hooks
from .models import Conversation, Message, Participant
from .selectors import ReadMark, read_mark_get


def conversation_start(
    *, user: User, other: User, listing: Listing | None = None
) -> tuple[Conversation, bool]:
    """The conversation between two people (about `listing`, if given), new or existing.
    Returns (conversation, created). Raises ValidationError for yourself, PermissionDenied
    across a block."""
    if user.pk == other.pk:
        raise ValidationError(_("You cannot message yourself."))
    if is_blocked_between(user, other):
        raise PermissionDenied(_("You cannot message this account."))
    low, high = sorted((user.pk, other.pk))
    key = f"{low}-{high}:{listing.pk if listing else 0}"
    with transaction.atomic():
        conversation, created = Conversation.objects.get_or_create(
            pair_key=key, defaults={"listing": listing}
        )
        if created:
            Participant.objects.bulk_create(
                [Participant(conversation=conversation, user_id=pk) for pk in (low, high)]
            )
    return conversation, created


def message_send(
    *, conversation: Conversation, sender: User, text: str, client_id: str = ""
) -> tuple[Message, bool]:
    """Store a message with the next sequence number, assigned under a row lock so
    concurrent senders never share or skip one. A resend with the same client_id returns
    the stored message. Returns (message, created). Raises ValidationError,
    PermissionDenied (a block between the two)."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Write something before sending."))
    if len(text) > settings.CHAT_MESSAGE_MAX:
        raise ValidationError(
            _("A message can have at most %(max)d characters; this one has %(n)d.")
            % {"max": settings.CHAT_MESSAGE_MAX, "n": len(text)}
        )
    client_id = client_id[:64]
    language = language_detect(text, fallback=sender.language)
    try:
        stored = _message_store(
            conversation=conversation, sender=sender, text=text, client_id=client_id, language=language
        )
        return stored, True
    except IntegrityError:
        # A resend: the unique client_id refused the row and the rollback took back its
        # number, so looking for the stored one only costs a query when it happens.
        existing = Message.objects.filter(conversation=conversation, sender=sender, client_id=client_id)
        if client_id and (message := existing.first()) is not None:
            return message, False
        raise


def _message_store(
    *, conversation: Conversation, sender: User, text: str, client_id: str, language: str
) -> Message:
    # The hot path: three plain statements (see statements.py), not the ORM.
    now = timezone.now()
    stamp = Message._meta.get_field("created_at").get_db_prep_value(now, connection)
    with transaction.atomic(), connection.cursor() as cursor:
        # The UPDATE locks the row until commit, so concurrent senders take numbers one at
        # a time, and the block check (with anyone else in the conversation) is read under
        # that lock. A rollback (a block, a resend's unique client_id) takes the number back.
        cursor.execute(statements.next_seq(), [stamp, conversation.pk, sender.pk, sender.pk])
        row = cursor.fetchone()
        if row is None:
            raise Conversation.DoesNotExist(f"Conversation {conversation.pk} is gone.")
        seq, blocked = row
        if blocked:
            raise PermissionDenied(_("You cannot message this account."))
        # In the order of statements.MESSAGE_FIELDS.
        cursor.execute(
            statements.message_insert(), [conversation.pk, sender.pk, seq, text, language, client_id, stamp]
        )
        (message_id,) = cursor.fetchone()
        cursor.execute(statements.read_own(), [seq, conversation.pk, sender.pk])
        loaded = {
            "id": message_id,
            "conversation_id": conversation.pk,
            "sender_id": sender.pk,
            "seq": seq,
            "text": text,
            "language": language,
            "client_id": client_id,
            "created_at": now,
        }
        # from_db marks it as loaded from the database, as a query would have.
        names = [field.attname for field in Message._meta.concrete_fields]
        message = Message.from_db(connection.alias, names, [loaded[name] for name in names])
        message.conversation, message.sender = conversation, sender
        for hook in message_sent_hooks:
            hook(message)
    conversation.last_seq, conversation.updated_at = seq, now
    return message


def read_mark(*, conversation: Conversation, user: User, seq: int) -> ReadMark:
    """Mark everything up to `seq` read for `user` (never backwards), noting when. Returns
    the mark as stored: reading again what was read keeps the time it was first seen."""
    seq = min(seq, conversation.last_seq)
    now = timezone.now()
    moved = Participant.objects.filter(conversation=conversation, user=user, last_read_seq__lt=seq).update(
        last_read_seq=seq, last_read_at=now
    )
    return ReadMark(seq=seq, at=now) if moved else read_mark_get(conversation=conversation, user=user)
