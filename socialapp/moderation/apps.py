from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "socialapp.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from socialapp.photos.services import photo_hashtags_hooks

        from .services import photo_check_blocked

        photo_hashtags_hooks.append(photo_check_blocked)
