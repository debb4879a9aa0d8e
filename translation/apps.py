from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationConfig(AppConfig):
    name = "translation"
    verbose_name = _("Translation")

    def ready(self) -> None:
        from socialapp.chat.export import message_export_fields
        from socialapp.chat.services import message_sent_hooks
        from socialapp.queueing import stuck_sweeps

        from .selectors import translations_read
        from .services import message_translation_request, translations_requeue_stuck

        message_sent_hooks.append(lambda message: message_translation_request(message=message))
        stuck_sweeps["translations"] = lambda: translations_requeue_stuck()
        message_export_fields.append(
            lambda user, messages: {
                pk: {"translation": translation}
                for pk, translation in translations_read(user=user, messages=messages).items()
            }
        )
