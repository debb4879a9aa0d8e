from django.urls import path

from . import apis, views

urlpatterns = [
    path("settings/privacy/", views.privacy, name="privacy"),
    path(
        "p/<int:photo_id>/suggestions/<int:suggestion_id>/<str:decision>/",
        views.suggestion_decide,
        name="suggestion_decide",
    ),
    path("p/<int:photo_id>/suggestions/retry/", views.suggestions_retry, name="suggestions_retry"),
]

api_urlpatterns = [
    path("hashtags/suggest/", apis.HashtagSuggestApi.as_view(), name="api-hashtag-suggest"),
    path("hashtags/analyses/", apis.DraftAnalysisCreateApi.as_view(), name="api-draft-analysis-create"),
    path("photos/<int:photo_id>/suggestions/", apis.PhotoSuggestionsApi.as_view(), name="api-suggestions"),
    path(
        "photos/<int:photo_id>/suggestions/<int:suggestion_id>/accept/",
        apis.SuggestionAcceptApi.as_view(),
        name="api-suggestion-accept",
    ),
    path(
        "photos/<int:photo_id>/suggestions/<int:suggestion_id>/reject/",
        apis.SuggestionRejectApi.as_view(),
        name="api-suggestion-reject",
    ),
    path(
        "photos/<int:photo_id>/suggestions/retry/",
        apis.SuggestionsRetryApi.as_view(),
        name="api-suggestions-retry",
    ),
]
