from django.urls import path

from . import apis, views

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/start/", views.conversation_start, name="conversation_start"),
    path("messages/<int:conversation_id>/", views.conversation, name="conversation"),
]

api_urlpatterns = [
    path("conversations/", apis.ConversationsApi.as_view(), name="api-conversations"),
    path("conversations/<int:conversation_id>/messages/", apis.MessagesApi.as_view(), name="api-messages"),
]
