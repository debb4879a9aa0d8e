from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "socialapp.shop"
    label = "shop"
    verbose_name = _("Shop")

    def ready(self) -> None:
        from socialapp.accounts.extensions import user_delete_cleanups, user_export_sections

        from .services import listings_cleanup_for_user, listings_export

        user_delete_cleanups.append(listings_cleanup_for_user)
        user_export_sections.append(listings_export)
