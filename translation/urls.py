from django.urls import path

from . import apis, views

urlpatterns = [
    path(
        "messages/<int:conversation_id>/translation/",
        views.conversation_translation,
        name="conversation_translation",
    ),
]

api_urlpatterns = [
    path(
        "conversations/<int:conversation_id>/translation/",
        apis.ConversationTranslationApi.as_view(),
        name="api-conversation-translation",
    ),
]
