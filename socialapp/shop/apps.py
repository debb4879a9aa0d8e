from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "socialapp.shop"
    label = "shop"
    verbose_name = _("Shop")

    def ready(self) -> None:
        from socialapp.accounts.services import user_file_collectors

        from .selectors import listing_files_of_user

        user_file_collectors.append(listing_files_of_user)
