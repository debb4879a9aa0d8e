from django.urls import path, re_path

from . import apis

urlpatterns: list = []

api_urlpatterns = [
    path("reports/", apis.ReportCreateApi.as_view(), name="api-report"),
    path("moderation/queue/", apis.QueueApi.as_view(), name="api-moderation-queue"),
    re_path(
        r"^moderation/photos/(?P<photo_id>[0-9]+)/(?P<action>hide|restore|delete)/$",
        apis.PhotoActionApi.as_view(),
        name="api-moderation-photo",
    ),
    path("moderation/photos/bulk/", apis.BulkActionApi.as_view(), name="api-moderation-bulk"),
    path(
        "moderation/appeals/<int:appeal_id>/decide/", apis.AppealDecideApi.as_view(), name="api-appeal-decide"
    ),
    path("photos/<int:photo_id>/appeal/", apis.AppealCreateApi.as_view(), name="api-appeal"),
]
