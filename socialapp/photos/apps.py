from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PhotosConfig(AppConfig):
    name = "socialapp.photos"
    label = "photos"
    verbose_name = _("Photos")

    def ready(self) -> None:
        from socialapp.accounts.services import user_file_collectors

        from .selectors import photo_files_of_user

        user_file_collectors.append(photo_files_of_user)
