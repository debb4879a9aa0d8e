"""Push events to a signed-in user's /ws/notifications/ sockets (every tab and device)."""

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer


def user_group(user_id: int) -> str:
    return f"notifications.{user_id}"


def notification_send(*, user_id: int, event: dict[str, Any]) -> None:
    """Send `event` (a dict with a "type", e.g. "suggestions.ready") to the user's sockets.
    Call it after the data it announces is committed."""
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(user_group(user_id), {"type": "notify", "event": event})
