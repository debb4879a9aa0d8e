"""Reads for the bell, the notifications page and the notification settings."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from socialapp.accounts.models import User

from .models import Notification, NotificationMute

PAGE_SIZE = 50


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notifications_list(*, user: User) -> QuerySet[Notification]:
    """`user`'s notifications, newest first, with who did it and the post."""
    return Notification.objects.filter(recipient=user).select_related("actor", "photo", "photo__owner")


@dataclass(frozen=True)
class Day:
    date: datetime.date
    notifications: list[Notification]


def notifications_by_day(*, user: User, limit: int = PAGE_SIZE) -> list[Day]:
    """The latest `limit` notifications of `user`, grouped by the day (in the current time
    zone) they happened, newest day first."""
    days: list[Day] = []
    for notification in notifications_list(user=user)[:limit]:
        date = timezone.localdate(notification.created_at)
        if not days or days[-1].date != date:
            days.append(Day(date=date, notifications=[]))
        days[-1].notifications.append(notification)
    return days


def muted_kinds(*, user: User) -> set[str]:
    return set(NotificationMute.objects.filter(user=user).values_list("kind", flat=True))
