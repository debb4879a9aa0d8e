from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "socialapp.photos"
    label = "photos"
    verbose_name = _("Photos")

    def ready(self) -> None:
        from socialapp.accounts.export import user_export_sections
        from socialapp.accounts.services import user_delete_cleanups

        from .services import photos_cleanup_for_user, photos_export

        user_delete_cleanups.append(photos_cleanup_for_user)
        user_export_sections.append(photos_export)
