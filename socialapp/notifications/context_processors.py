from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from socialapp.chat.selectors import unread_total

from .selectors import unread_count


def badges(request: HttpRequest) -> dict[str, object]:
    """The bell's and the Messages link's unread counts, counted only when a page shows them."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "notifications_unread": SimpleLazyObject(lambda: unread_count(user_id=user.pk)),
        "messages_unread": SimpleLazyObject(lambda: unread_total(user_id=user.pk)),
    }
