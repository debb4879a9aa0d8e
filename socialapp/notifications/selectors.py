"""Reads for the bell, the notifications page and the notification settings.

Messages join the bell without a row of their own: a conversation with unread messages
counts once, read from chat's read marks, so storing a message (chat's hot path) writes
nothing for the bell."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from socialapp.accounts.models import User
from socialapp.chat.selectors import unread_conversations, unread_conversations_count, unread_total

from .models import Notification, NotificationMute

PAGE_SIZE = 50


def unread_count(*, user_id: int) -> int:
    """Unread notifications (rows), without the conversations the bell adds."""
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def messages_on(*, user_id: int) -> bool:
    """Whether conversations with unread messages join `user_id`'s bell."""
    return not NotificationMute.objects.filter(user_id=user_id, kind=Notification.Kind.MESSAGES).exists()


@dataclass(frozen=True)
class Bell:
    """The bell's count: unread notifications, plus each conversation with unread
    messages unless the person turned messages off; and the Messages badge's count."""

    notifications: int
    conversations: int
    messages_on: bool
    messages: int  # unread messages, over all conversations

    @property
    def count(self) -> int:
        return self.notifications + (self.conversations if self.messages_on else 0)


def bell_get(*, user_id: int) -> Bell:
    on = messages_on(user_id=user_id)
    return Bell(
        notifications=unread_count(user_id=user_id),
        conversations=unread_conversations_count(user_id=user_id) if on else 0,
        messages_on=on,
        messages=unread_total(user_id=user_id),
    )


def notifications_list(*, user: User) -> QuerySet[Notification]:
    """`user`'s notifications, newest first, with who did it and the post."""
    return Notification.objects.filter(recipient=user).select_related("actor", "photo", "photo__owner")


@dataclass(frozen=True)
class MessagesItem:
    """A conversation with unread messages, as the notifications page lists it: shaped
    like a Notification where the template reads one."""

    actor: User | None
    count: int
    url: str
    created_at: datetime.datetime
    kind: str = Notification.Kind.MESSAGES
    photo: None = None
    read_at: None = None


@dataclass(frozen=True)
class Day:
    date: datetime.date
    notifications: list[Notification | MessagesItem]


def _messages_items(user: User) -> list[MessagesItem]:
    if not messages_on(user_id=user.pk):
        return []
    return [
        MessagesItem(actor=c.other, count=c.unread, url=c.conversation.get_absolute_url(), created_at=c.at)
        for c in unread_conversations(user=user)
    ]


def notifications_by_day(*, user: User, limit: int = PAGE_SIZE) -> list[Day]:
    """The latest `limit` notifications of `user` and every conversation with unread
    messages, newest first, grouped by the day (in the current time zone) they happened,
    newest day first."""
    items: list[Notification | MessagesItem] = [
        *notifications_list(user=user)[:limit],
        *_messages_items(user),
    ]
    items.sort(key=lambda item: item.created_at, reverse=True)
    days: list[Day] = []
    for item in items:
        date = timezone.localdate(item.created_at)
        if not days or days[-1].date != date:
            days.append(Day(date=date, notifications=[]))
        days[-1].notifications.append(item)
    return days


def muted_kinds(*, user: User) -> set[str]:
    return set(NotificationMute.objects.filter(user=user).values_list("kind", flat=True))
