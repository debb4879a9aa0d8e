from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "socialapp.shop"
    label = "shop"
    verbose_name = _("Shop")

    def ready(self) -> None:
        from socialapp.accounts.services import user_delete_cleanups

        from .services import listings_cleanup_for_user

        user_delete_cleanups.append(listings_cleanup_for_user)
