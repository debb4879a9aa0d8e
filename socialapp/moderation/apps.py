from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "socialapp.moderation"
    label = "moderation"
    verbose_name = _("Moderation")

    def ready(self) -> None:
        from socialapp.accounts.extensions import user_export_sections
        from socialapp.photos.extensions import photo_hashtags_hooks
        from tagging.extensions import activation_auditors, override_auditors

        from .services import (
            concept_override_audit,
            model_activation_audit,
            photo_check_blocked,
            reports_export,
        )

        photo_hashtags_hooks.append(photo_check_blocked)
        activation_auditors.append(model_activation_audit)
        override_auditors.append(concept_override_audit)
        user_export_sections.append(reports_export)
