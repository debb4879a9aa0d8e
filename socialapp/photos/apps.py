from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "socialapp.photos"
    label = "photos"
    verbose_name = _("Photos")

    def ready(self) -> None:
        from socialapp.accounts.extensions import user_delete_cleanups, user_export_sections
        from socialapp.queueing import stuck_sweeps

        from .services import photos_cleanup_for_user, photos_display_requeue_stuck, photos_export

        user_delete_cleanups.append(photos_cleanup_for_user)
        stuck_sweeps["display images"] = lambda: photos_display_requeue_stuck()
        user_export_sections.append(photos_export)
