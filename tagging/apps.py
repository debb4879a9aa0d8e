from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaggingConfig(AppConfig):
    name = "tagging"
    verbose_name = _("Tagging")

    def ready(self) -> None:
        from socialapp.photos.services import photo_delete_hooks

        from .services import embeddings_delete

        photo_delete_hooks.append(lambda photo_ids: embeddings_delete(photo_ids=photo_ids))
