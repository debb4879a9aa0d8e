"""The admin site: signed-in people who are not staff get 403 (not a login page), and the
moderation queue has a place inside it."""

from collections.abc import Callable
from functools import update_wrapper
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig as BaseAdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext as _


class SocialappAdminSite(admin.AdminSite):
    site_header = "socialapp admin"
    site_title = "socialapp admin"
    index_title = "Administration — the moderation queue is at /admin/queue/"

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        inner = super().admin_view(view, cacheable)

        def forbid_signed_in_non_staff(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied(_("Only staff can use the admin."))
            return inner(request, *args, **kwargs)

        return update_wrapper(forbid_signed_in_non_staff, view)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # /admin/queue/ (not /admin/moderation/, which is the moderation app's admin index)
        queue = path(
            "queue/", self.admin_view(lambda request: redirect("moderation")), name="moderation-queue"
        )
        return [queue, *super().get_urls()]


class AdminConfig(BaseAdminConfig):
    default_site = "socialapp.admin_site.SocialappAdminSite"
