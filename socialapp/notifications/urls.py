from django.urls import path

from . import apis, views

urlpatterns = [
    path("notifications/", views.notifications_page, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("settings/notifications/", views.notification_settings, name="notification_settings"),
]

api_urlpatterns = [
    path("notifications/", apis.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/unread/", apis.NotificationCountsApi.as_view(), name="api-notifications-unread"),
    path("notifications/read/", apis.NotificationReadApi.as_view(), name="api-notifications-read"),
]
