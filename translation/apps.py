from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationConfig(AppConfig):
    name = "translation"
    verbose_name = _("Translation")

    def ready(self) -> None:
        from socialapp.chat import extensions as chat
        from socialapp.queueing import stuck_sweeps

        from .frames import message_translations
        from .ml.detect import language_detect
        from .selectors import conversation_translation, translations_read
        from .services import message_translation_request, translations_requeue_stuck

        chat.language_detectors.append(lambda text, fallback: language_detect(text, fallback=fallback))
        chat.message_sent_hooks.append(lambda message: message_translation_request(message=message))
        chat.message_frame_fields.append(message_translations)
        chat.conversation_page_context.append(
            lambda conversation: {"translation": conversation_translation(conversation=conversation)}
        )
        stuck_sweeps["translations"] = lambda: translations_requeue_stuck()
        chat.message_export_fields.append(
            lambda user, messages: {
                pk: {"translation": translation}
                for pk, translation in translations_read(user=user, messages=messages).items()
            }
        )
