from django.urls import path, re_path

from . import apis, views

urlpatterns = [
    path("moderation/", views.dashboard, name="moderation"),
    path("moderation/photos/", views.photos_action, name="moderation_photos"),
    path("moderation/appeals/<int:appeal_id>/", views.appeal_decide, name="moderation_appeal"),
    path("moderation/hashtags/", views.hashtag_block, name="moderation_hashtag"),
    path("moderation/models/<str:name>/activate/", views.model_activate, name="moderation_model"),
    path("moderation/models/<str:name>/plots/<str:plot>", views.model_plot, name="moderation_plot"),
    path("notices/", views.notices, name="notices"),
    path("notices/appeal/<int:photo_id>/", views.appeal_create, name="appeal_create"),
    path("p/<int:photo_id>/report/", views.report_photo, name="report_photo"),
    path("u/<str:username>/report/", views.report_user, name="report_user"),
    path("tags/<str:name>/report/", views.report_hashtag, name="report_hashtag"),
]

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
