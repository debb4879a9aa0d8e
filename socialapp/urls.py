import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from socialapp import media
from socialapp.accounts import urls as accounts_urls
from socialapp.chat import urls as chat_urls
from socialapp.moderation import urls as moderation_urls
from socialapp.notifications import urls as notifications_urls
from socialapp.photos import urls as photos_urls
from socialapp.search import urls as search_urls
from socialapp.shop import urls as shop_urls
from tagging import urls as tagging_urls
from translation import urls as translation_urls

api_urlpatterns = [
    *accounts_urls.api_urlpatterns,
    *photos_urls.api_urlpatterns,
    *shop_urls.api_urlpatterns,
    *search_urls.api_urlpatterns,
    *tagging_urls.api_urlpatterns,
    *moderation_urls.api_urlpatterns,
    *chat_urls.api_urlpatterns,
    *notifications_urls.api_urlpatterns,
    *translation_urls.api_urlpatterns,
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file, so the page works under our CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(api_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    # Uploads, in every mode: plain URLs for public files, signed ones for the rest.
    re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<name>.+)$", media.media_serve, name="media"),
    path("", include(photos_urls.urlpatterns)),
    path("", include(shop_urls.urlpatterns)),
    path("", include(search_urls.urlpatterns)),
    path("", include(tagging_urls.urlpatterns)),
    path("", include(moderation_urls.urlpatterns)),
    path("", include(chat_urls.urlpatterns)),
    path("", include(notifications_urls.urlpatterns)),
    path("", include(translation_urls.urlpatterns)),
    path("", include(accounts_urls.urlpatterns)),
]

handler404 = "socialapp.api.errors.not_found"
handler500 = "socialapp.api.errors.server_error"
