from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "socialapp.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from socialapp.accounts.export import user_export_sections
        from socialapp.photos.services import photo_hashtags_hooks

        from .services import photo_check_blocked, reports_export

        photo_hashtags_hooks.append(photo_check_blocked)
        user_export_sections.append(reports_export)
