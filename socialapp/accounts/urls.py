from django.contrib.auth import views as auth_views
from django.urls import path, re_path, reverse_lazy

from . import apis, views
from .forms import PasswordResetForm

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("password_reset_complete")),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("settings/", views.settings_view, name="settings"),
    path("settings/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("settings/delete/", views.account_delete, name="account_delete"),
    path("settings/export/", views.data_export, name="data_export"),
    path("settings/blocked/", views.blocked_list, name="blocked"),
    path("requests/", views.follow_requests, name="follow_requests"),
    re_path(
        r"^requests/(?P<request_id>[0-9]+)/(?P<decision>approve|decline)/$",
        views.follow_request_decide,
        name="follow_request_decide",
    ),
    path("u/<str:username>/follow/", views.follow, name="follow"),
    path("u/<str:username>/unfollow/", views.unfollow, name="unfollow"),
    path("u/<str:username>/block/", views.block, name="block"),
    path("u/<str:username>/unblock/", views.unblock, name="unblock"),
]

api_urlpatterns = [
    path("auth/register/", apis.RegisterApi.as_view(), name="api-register"),
    path("auth/token/", apis.TokenCreateApi.as_view(), name="api-token"),
    path("auth/logout/", apis.TokenDeleteApi.as_view(), name="api-logout"),
    path("auth/password-reset/", apis.PasswordResetApi.as_view(), name="api-password-reset"),
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("me/password/", apis.PasswordChangeApi.as_view(), name="api-password-change"),
    path("me/sign-out-everywhere/", apis.SignOutEverywhereApi.as_view(), name="api-sign-out-everywhere"),
    path("me/export/", apis.DataExportApi.as_view(), name="api-data-export"),
    path("me/follow-requests/", apis.FollowRequestListApi.as_view(), name="api-follow-requests"),
    path(
        "me/follow-requests/<int:request_id>/approve/",
        apis.FollowRequestApproveApi.as_view(),
        name="api-follow-request-approve",
    ),
    path(
        "me/follow-requests/<int:request_id>/decline/",
        apis.FollowRequestDeclineApi.as_view(),
        name="api-follow-request-decline",
    ),
    path("users/<str:username>/", apis.ProfileDetailApi.as_view(), name="api-profile"),
    path("users/<str:username>/follow/", apis.FollowCreateApi.as_view(), name="api-follow"),
    path("users/<str:username>/block/", apis.BlockApi.as_view(), name="api-block"),
]
