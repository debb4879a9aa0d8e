"""The data export's notifications part: what the bell told the person, and which kinds
they turned off."""

import zipfile

from socialapp.accounts.export import write_json
from socialapp.accounts.models import User

from .models import Notification, NotificationMute


def notifications_export(user: User, archive: zipfile.ZipFile) -> None:
    """Write notifications.json: the user's notifications, oldest first, and their settings."""
    notifications = (
        Notification.objects.filter(recipient=user).select_related("actor").order_by("created_at", "pk")
    )
    write_json(
        archive,
        "notifications.json",
        {
            "notifications": [
                {
                    "kind": notification.kind,
                    "actor": notification.actor.username if notification.actor else None,
                    "photo_id": notification.photo_id,
                    "text": notification.text,
                    "created_at": notification.created_at,
                    "read_at": notification.read_at,
                }
                for notification in notifications
            ],
            "turned_off": sorted(NotificationMute.objects.filter(user=user).values_list("kind", flat=True)),
        },
    )
