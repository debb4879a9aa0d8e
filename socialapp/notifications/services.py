"""Notifications: stored for the bell and the notifications page, and pushed live to a
signed-in user's /ws/notifications/ sockets (every tab and device).

The social core calls notification_create where something happens (a like, a comment, a
follow, a mention, a moderation decision); the tagger calls it when suggestions are
ready, as a plugin uses the project it extends. Chat pushes its own unread counts to the
same sockets ("chat.unread") for the Messages badge.
"""

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from socialapp.accounts.models import User
from socialapp.accounts.selectors import can_see_posts, is_blocked_between
from socialapp.fallback_cache import REDIS_UNREACHABLE

from .models import Notification, NotificationMute
from .selectors import unread_count

if TYPE_CHECKING:
    from socialapp.photos.models import Photo

logger = logging.getLogger(__name__)

TEXT_MAX = 200
# "@name" not preceded by a word character or another "@" (so not an e-mail address).
MENTION = re.compile(r"(?<![\w@])@([\w.]{1,150})")


def user_group(user_id: int) -> str:
    return f"notifications.{user_id}"


def notification_send(*, user_id: int, event: dict[str, Any]) -> None:
    """Send `event` (a dict with a "type", e.g. "suggestions.ready") to the user's sockets.
    Call it after the data it announces is committed. A channel layer that cannot be
    reached loses the event (logged): what it announces is stored and shown on reload."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(user_group(user_id), {"type": "notify", "event": event})
    except (*REDIS_UNREACHABLE, OSError) as error:
        logger.warning("Notification to user %s lost, the channel layer is unreachable: %s", user_id, error)


def notifications_send(*, events: Iterable[tuple[int, dict[str, Any]]]) -> None:
    """notification_send for many (user_id, event) pairs in one trip to the channel
    layer: each async_to_sync call starts a thread, which costs more than the sends
    themselves when a batch job tells many owners at once."""
    layer, pending = get_channel_layer(), list(events)
    if layer is None or not pending:
        return

    async def send_all() -> None:
        for user_id, event in pending:
            await layer.group_send(user_group(user_id), {"type": "notify", "event": event})

    try:
        async_to_sync(send_all)()
    except (*REDIS_UNREACHABLE, OSError) as error:
        logger.warning("%s notifications lost, the channel layer is unreachable: %s", len(pending), error)


def _push_unread(user_id: int) -> None:
    notification_send(
        user_id=user_id, event={"type": "notifications.unread", "count": unread_count(user_id=user_id)}
    )


def notification_create(
    *,
    recipient: User,
    kind: str,
    actor: User | None = None,
    photo: "Photo | None" = None,
    text: str = "",
) -> Notification | None:
    """Store a notification for `recipient` and, once committed, push their new unread
    count to their sockets. Returns None, storing nothing, for someone's own act, a kind
    the recipient turned off, or between blocked accounts."""
    if actor is not None and (actor.pk == recipient.pk or is_blocked_between(actor, recipient)):
        return None
    if NotificationMute.objects.filter(user=recipient, kind=kind).exists():
        return None
    notification = Notification.objects.create(
        recipient=recipient, actor=actor, kind=kind, photo=photo, text=text.strip()[:TEXT_MAX]
    )
    recipient_id = recipient.pk
    transaction.on_commit(lambda: _push_unread(recipient_id))
    return notification


def notification_withdraw(*, recipient: User, actor: User, kind: str, photo: "Photo | None" = None) -> int:
    """Remove the unread notifications of an act that was undone (an unlike, a withdrawn
    follow request). Returns how many went."""
    deleted, _by_model = Notification.objects.filter(
        recipient=recipient, actor=actor, kind=kind, photo=photo, read_at__isnull=True
    ).delete()
    if deleted:
        recipient_id = recipient.pk
        transaction.on_commit(lambda: _push_unread(recipient_id))
    return deleted


def mentions_notify(*, author: User, photo: "Photo", text: str) -> list[Notification]:
    """Notify each account named as @username in `text` who may see `photo`, but not
    the author nor the post's owner (told of a comment as a comment). Returns the
    notifications stored."""
    names = {name.rstrip(".") for name in MENTION.findall(text)} - {""}
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    mentioned = User.objects.filter(query, is_active=True).exclude(pk__in={author.pk, photo.owner_id})
    return [
        notification
        for person in mentioned
        if can_see_posts(viewer=person, owner=photo.owner)
        and (
            notification := notification_create(
                recipient=person, kind=Notification.Kind.MENTION, actor=author, photo=photo, text=text
            )
        )
        is not None
    ]


def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark `user`'s notifications read: those with `ids` (others' ids are ignored), or
    all. Pushes the new unread count. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    changed = unread.update(read_at=timezone.now())
    if changed:
        user_id = user.pk
        transaction.on_commit(lambda: _push_unread(user_id))
    return changed


@transaction.atomic
def notification_preferences_set(*, user: User, muted: Iterable[str]) -> set[str]:
    """Turn off exactly the kinds in `muted` for `user` (the rest are on). Raises
    ValueError for an unknown kind. Returns the muted kinds."""
    wanted = set(muted)
    unknown = wanted - set(Notification.Kind.values)
    if unknown:
        raise ValueError(f"Unknown notification kinds: {', '.join(sorted(unknown))}")
    NotificationMute.objects.filter(user=user).exclude(kind__in=wanted).delete()
    NotificationMute.objects.bulk_create(
        [NotificationMute(user=user, kind=kind) for kind in wanted], ignore_conflicts=True
    )
    return wanted
