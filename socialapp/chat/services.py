"""Writes for chat: start a conversation, send a message, mark as read."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from socialapp.accounts.models import Block, User
from socialapp.accounts.selectors import is_blocked_between
from socialapp.shop.models import Listing
from translation.ml.detect import language_detect

from .models import Conversation, Message, Participant

# Called with each new message inside the transaction that stores it; translation
# registers here and schedules its work on commit.
message_sent_hooks: list[Callable[[Message], None]] = []


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
    # One query locks the row, reads last_seq and checks for a block with anyone else in
    # the conversation, so a block made while a message waits for the lock still counts.
    blocks = Block.objects.filter(
        Q(blocker=sender, blocked__chats__conversation=OuterRef("pk"))
        | Q(blocked=sender, blocker__chats__conversation=OuterRef("pk"))
    )
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update().annotate(blocked=Exists(blocks)).get(pk=conversation.pk)
        )
        if locked.blocked:
            raise PermissionDenied(_("You cannot message this account."))
        locked.last_seq += 1
        locked.save(update_fields=["last_seq", "updated_at"])
        message = Message.objects.create(
            conversation=locked,
            sender=sender,
            seq=locked.last_seq,
            text=text,
            language=language,
            client_id=client_id,
        )
        for hook in message_sent_hooks:
            hook(message)
        # Writing means having read everything before: so the other person's unread
        # count is simply last_seq minus their read mark.
        Participant.objects.filter(conversation=locked, user=sender).update(last_read_seq=locked.last_seq)
    return message


def read_mark(*, conversation: Conversation, user: User, seq: int) -> int:
    """Mark everything up to `seq` read for `user` (never backwards). Returns the mark."""
    seq = min(seq, conversation.last_seq)
    Participant.objects.filter(conversation=conversation, user=user, last_read_seq__lt=seq).update(
        last_read_seq=seq
    )
    return seq
