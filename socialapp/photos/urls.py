from django.urls import path

from . import apis, views

urlpatterns = [
    path("", views.home, name="home"),
    path("p/new/", views.photo_create, name="photo_create"),
    path("p/<int:photo_id>/", views.photo_detail, name="photo"),
    path("p/<int:photo_id>/edit/", views.photo_edit, name="photo_edit"),
    path("p/<int:photo_id>/delete/", views.photo_delete, name="photo_delete"),
    path("p/<int:photo_id>/like/", views.photo_like, name="photo_like"),
    path("p/<int:photo_id>/comments/", views.comment_create, name="comment_create"),
    path("p/<int:photo_id>/comments/<int:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("tags/<str:name>/", views.hashtag, name="hashtag"),
    path("u/<str:username>/", views.profile, name="profile"),
]

api_urlpatterns = [
    path("photos/", apis.PhotoCreateApi.as_view(), name="api-photo-create"),
    path("photos/<int:photo_id>/", apis.PhotoDetailApi.as_view(), name="api-photo"),
    path("photos/<int:photo_id>/like/", apis.PhotoLikeApi.as_view(), name="api-photo-like"),
    path("photos/<int:photo_id>/likes/", apis.PhotoLikersApi.as_view(), name="api-photo-likers"),
    path("photos/<int:photo_id>/comments/", apis.CommentListCreateApi.as_view(), name="api-comments"),
    path(
        "photos/<int:photo_id>/comments/<int:comment_id>/",
        apis.CommentDeleteApi.as_view(),
        name="api-comment-delete",
    ),
    path("feed/", apis.FeedApi.as_view(), name="api-feed"),
    path("users/<str:username>/photos/", apis.UserPhotosApi.as_view(), name="api-user-photos"),
    path("tags/<str:name>/", apis.HashtagPhotosApi.as_view(), name="api-hashtag"),
]
