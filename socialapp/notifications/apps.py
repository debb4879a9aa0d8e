from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "socialapp.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from socialapp.accounts.extensions import user_export_sections

        from .export import notifications_export

        user_export_sections.append(notifications_export)
