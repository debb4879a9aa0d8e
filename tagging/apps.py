from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TaggingConfig(AppConfig):
    name = "tagging"
    verbose_name = _("Tagging")

    def ready(self) -> None:
        from socialapp.photos.services import photo_created_hooks, photo_delete_hooks

        from .services import embeddings_delete
        from .services.suggestions import photo_tagging_start

        photo_created_hooks.append(lambda photo: photo_tagging_start(photo=photo))
        photo_delete_hooks.append(lambda photo_ids: embeddings_delete(photo_ids=photo_ids))
