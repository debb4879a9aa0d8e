"""Reads for chat. Only participants learn that a conversation exists."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import F, OuterRef, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from socialapp.accounts.models import User

from . import statements
from .models import Conversation, Message, Participant

PAGE = 50
SEQ_MAX = 2**31 - 1  # the largest message number (a PositiveIntegerField) every database stores


class ConversationBlocked(Http404):
    """One of `user`'s conversations that a block (either way) has closed to both people."""


def conversation_get(*, user: User, conversation_id: int) -> Conversation:
    """A conversation `user` takes part in and may still use. Every interface (page, API,
    socket, translation) opens conversations through here. Raises Http404 for any other,
    ConversationBlocked (an Http404 that says why) across a block in either direction."""
    conversation = Conversation.objects.filter(pk=conversation_id, participants__user=user).first()
    if conversation is None:
        raise Http404(_("No such conversation."))
    if conversation_blocked(user=user, conversation_id=conversation.pk):
        raise ConversationBlocked(_("This conversation is not available: one of you has blocked the other."))
    return conversation


def conversation_blocked(*, user: User, conversation_id: int) -> bool:
    """Whether a block stands between `user` and anyone else in the conversation (the
    rule in statements.blocked_exists, which the message store checks too)."""
    with connection.cursor() as cursor:
        cursor.execute(statements.conversation_blocked(), [conversation_id, user.pk, user.pk])
        (blocked,) = cursor.fetchone()
    return bool(blocked)


def conversations(*, user: User) -> QuerySet[Conversation]:
    """`user`'s conversations, latest activity first, with the other person and unread count."""
    mine = Participant.objects.filter(conversation=OuterRef("pk"), user=user)
    other = Participant.objects.filter(conversation=OuterRef("pk")).exclude(user=user)
    return (
        Conversation.objects.filter(participants__user=user)
        .annotate(
            read_seq=Subquery(mine.values("last_read_seq")[:1]),
            other_username=Subquery(other.values("user__username")[:1]),
        )
        .annotate(unread=F("last_seq") - F("read_seq"))  # see unread_counts
        .select_related("listing")
        .order_by("-updated_at", "-pk")
    )


def unread_counts(*, user_id: int, conversation_id: int) -> tuple[int, int, int]:
    """(unread in this conversation, unread in all, conversations with unread messages)
    for a user, in one query. A sender's read mark moves with each message they send, so
    unread = last_seq - read mark."""
    with connection.cursor() as cursor:
        cursor.execute(statements.unread_counts(), [conversation_id, user_id])  # after every message
        unread, total, conversations = cursor.fetchone()
    return int(unread or 0), int(total or 0), int(conversations or 0)


def unread_conversations_count(*, user_id: int) -> int:
    """How many of `user_id`'s conversations have messages they have not read (the bell)."""
    return Participant.objects.filter(user_id=user_id, last_read_seq__lt=F("conversation__last_seq")).count()


@dataclass(frozen=True)
class UnreadConversation:
    conversation: Conversation
    other: User | None
    unread: int
    at: datetime  # the conversation's latest message


def unread_conversations(*, user: User) -> list[UnreadConversation]:
    """`user`'s conversations with unread messages, latest first, with the other person."""
    mine = list(
        Participant.objects.filter(user=user, last_read_seq__lt=F("conversation__last_seq"))
        .select_related("conversation")
        .order_by("-conversation__updated_at", "-conversation_id")
    )
    others = {
        p.conversation_id: p.user
        for p in Participant.objects.filter(conversation_id__in=[m.conversation_id for m in mine])
        .exclude(user=user)
        .select_related("user")
    }
    return [
        UnreadConversation(
            conversation=m.conversation,
            other=others.get(m.conversation_id),
            unread=m.conversation.last_seq - m.last_read_seq,
            at=m.conversation.updated_at,
        )
        for m in mine
    ]


def unread_total(*, user_id: int) -> int:
    """Messages `user_id` has not read, over all their conversations (the Messages badge)."""
    total = Participant.objects.filter(user_id=user_id).aggregate(
        total=Sum(F("conversation__last_seq") - F("last_read_seq"))
    )["total"]
    return int(total or 0)


def messages_before(
    *, conversation: Conversation, before_seq: int | None = None, limit: int = PAGE
) -> list[Message]:
    """The page of history before `before_seq` (the newest when None), newest first."""
    messages = conversation.messages.select_related("sender").prefetch_related("translations")
    if before_seq is not None:
        messages = messages.filter(seq__lt=before_seq)
    return list(messages.order_by("-seq")[:limit])


def messages_after(*, conversation: Conversation, after_seq: int, limit: int = PAGE) -> list[Message]:
    """The first `limit` messages after `after_seq`, in order (for resync)."""
    return list(
        conversation.messages.filter(seq__gt=after_seq)
        .select_related("sender")
        .prefetch_related("translations")
        .order_by("seq")[:limit]
    )


def other_participant(*, conversation: Conversation, user: User) -> User | None:
    participant = conversation.participants.exclude(user=user).select_related("user").first()
    return participant.user if participant else None


def message_get_visible(*, user: User, message_id: int) -> Message:
    """A message in one of `user`'s conversations. Raises Http404."""
    message = Message.objects.filter(pk=message_id, conversation__participants__user=user).first()
    if message is None:
        raise Http404(_("No such message."))
    return message


@dataclass(frozen=True)
class ReadMark:
    """How far someone has read a conversation, and when they last read (None: never,
    or only by writing, which moves `seq` but is no "Seen")."""

    seq: int
    at: datetime | None


def read_mark_get(*, conversation: Conversation, user: User) -> ReadMark:
    """`user`'s read mark in `conversation` (zero for someone not in it)."""
    row = Participant.objects.filter(conversation=conversation, user=user).values_list(
        "last_read_seq", "last_read_at"
    )
    seq, at = row.first() or (0, None)
    return ReadMark(seq=seq, at=at)
