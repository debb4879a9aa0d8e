from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import bell_get


def badges(request: HttpRequest) -> dict[str, object]:
    """The bell's and the Messages link's unread counts, counted only when a page shows them."""
    user = request.user
    if not user.is_authenticated:
        return {}
    bell = SimpleLazyObject(lambda: bell_get(user_id=user.pk))
    return {
        "bell": bell,
        "notifications_unread": SimpleLazyObject(lambda: bell.count),
        "messages_unread": SimpleLazyObject(lambda: bell.messages),
    }
