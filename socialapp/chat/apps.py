from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "socialapp.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from socialapp.accounts.extensions import user_export_sections

        from .export import conversations_export

        user_export_sections.append(conversations_export)
