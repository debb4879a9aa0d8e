from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .selectors import is_moderator


def moderation(request: HttpRequest) -> dict[str, object]:
    """`is_moderator` for templates, looked up only when a template asks."""
    return {"is_moderator": SimpleLazyObject(lambda: is_moderator(request.user))}
