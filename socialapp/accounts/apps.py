from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "socialapp.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .known_devices import device_remember_on_sign_in

        user_logged_in.connect(device_remember_on_sign_in, dispatch_uid="known_device")
