"""Account APIs: one view per operation, thin over services and selectors."""

from django.contrib.auth import authenticate, update_session_auth_hash, user_logged_in
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from socialapp.api.pagination import Pagination
from socialapp.media import MediaUrlField

from . import selectors, services
from .export import export_response
from .forms import PasswordResetForm
from .models import Language, User
from .throttling import SignupRateThrottle, SignupThrottled


class MeOutputSerializer(serializers.ModelSerializer):
    avatar = MediaUrlField()

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "display_name",
            "bio",
            "avatar",
            "language",
            "is_private",
            "training_consent",
        ]


class AuthThrottleMixin:
    """Login, sign-up and reset share a tight per-client rate (setting API_THROTTLE_AUTH)."""

    throttle_scope = "auth"
    throttle_classes = [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle]


class RegisterApi(AuthThrottleMixin, APIView):
    permission_classes = [AllowAny]
    throttle_classes = [*AuthThrottleMixin.throttle_classes, SignupRateThrottle]

    class InputSerializer(serializers.Serializer):
        username = serializers.RegexField(r"^[\w.@+-]{1,150}$", max_length=150)
        password = serializers.CharField(write_only=True)
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        language = serializers.ChoiceField(choices=Language.choices, default=Language.ENGLISH)
        display_name = serializers.CharField(required=False, allow_blank=True, max_length=80, default="")
        training_consent = serializers.BooleanField(required=False, default=False)

    def throttled(self, request: Request, wait: float | None) -> None:
        raise SignupThrottled(wait)

    @extend_schema(request=InputSerializer, responses={201: MeOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_create(**data.validated_data)
        return Response(
            MeOutputSerializer(user, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class TokenCreateApi(AuthThrottleMixin, APIView):
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(write_only=True)

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # With the request, django-axes counts failures per account and address; once
        # locked, its middleware answers 429 instead of this view.
        user = authenticate(request._request, **data.validated_data)
        if user is None:
            return Response(
                {"detail": _("Unable to log in with the username and password given.")},
                status=status.HTTP_400_BAD_REQUEST,
            )
        # A sign-in like the login page's: records last_login and clears the failures.
        user_logged_in.send(sender=type(user), request=request._request, user=user)
        token = services.token_issue(user=user)
        return Response({"token": token.key})


class TokenDeleteApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(AuthThrottleMixin, APIView):
    """Mails a reset link if the address belongs to an account; the answer never says which."""

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField()

    @extend_schema(request=InputSerializer, responses={202: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        form = PasswordResetForm(data=data.validated_data)
        form.is_valid()
        form.save(request=request._request, use_https=request.is_secure())
        return Response(status=status.HTTP_202_ACCEPTED)


class MeApi(APIView):
    class UpdateSerializer(serializers.Serializer):
        display_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
        bio = serializers.CharField(required=False, allow_blank=True, max_length=500)
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        is_private = serializers.BooleanField(required=False)
        training_consent = serializers.BooleanField(required=False)
        avatar = serializers.FileField(required=False, help_text="JPEG, PNG, WebP or HEIC")

    class DeleteSerializer(serializers.Serializer):
        password = serializers.CharField(write_only=True)

    @extend_schema(responses={200: MeOutputSerializer})
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(request.user, context={"request": request}).data)

    @extend_schema(request=UpdateSerializer, responses={200: MeOutputSerializer})
    def patch(self, request: Request) -> Response:
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        consent = fields.pop("training_consent", None)
        user = services.user_update_profile(user=request.user, **fields)
        if consent is not None:
            user = services.user_set_training_consent(user=user, consent=consent)
        return Response(MeOutputSerializer(user, context={"request": request}).data)

    @extend_schema(
        request=DeleteSerializer,
        responses={204: None},
        # OpenAPI 3.0 cannot show a DELETE body, so the description names it.
        description='Deletes your account and everything in it. Send {"password": "..."} as the JSON body.',
    )
    def delete(self, request: Request) -> Response:
        data = self.DeleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_delete(user=request.user, password=data.validated_data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeApi(APIView):
    class InputSerializer(serializers.Serializer):
        old_password = serializers.CharField(write_only=True)
        new_password = serializers.CharField(write_only=True)

    @extend_schema(request=InputSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_change_password(user=request.user, **data.validated_data)
        _keep_this_session(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _keep_this_session(request: Request) -> None:
    # A browser calling the API with its session cookie stays signed in; token clients
    # have no session to keep (their token is revoked: they sign in again).
    if isinstance(request.successful_authenticator, SessionAuthentication):
        update_session_auth_hash(request._request, request.user)


class SignOutEverywhereApi(APIView):
    """Revoke every token and end every session of the account; the caller gets a new token."""

    class OutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        services.user_sign_out_everywhere(user=request.user)
        _keep_this_session(request)
        token = services.token_issue(user=request.user)
        return Response(self.OutputSerializer({"token": token.key}).data)


class ProfileOutputSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")
    bio = serializers.CharField(source="user.bio")
    avatar = MediaUrlField(source="user.avatar")
    is_private = serializers.BooleanField(source="user.is_private")
    followers_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    follow_status = serializers.CharField(allow_null=True)


class ProfileDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ProfileOutputSerializer})
    def get(self, request: Request, username: str) -> Response:
        user = selectors.user_get_visible(viewer=request.user, username=username)
        profile = selectors.profile_summary(viewer=request.user, user=user)
        return Response(ProfileOutputSerializer(profile, context={"request": request}).data)


class FollowOutputSerializer(serializers.Serializer):
    username = serializers.CharField(source="followee.username")
    status = serializers.CharField()


class FollowCreateApi(APIView):
    @extend_schema(request=None, responses={201: FollowOutputSerializer})
    def post(self, request: Request, username: str) -> Response:
        followee = selectors.user_get_visible(viewer=request.user, username=username)
        follow = services.follow_create(follower=request.user, followee=followee)
        return Response(FollowOutputSerializer(follow).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, username: str) -> Response:
        followee = selectors.user_get_visible(viewer=request.user, username=username)
        if not services.follow_delete(follower=request.user, followee=followee):
            return Response(
                {"detail": _("You do not follow this account.")}, status=status.HTTP_404_NOT_FOUND
            )
        return Response(status=status.HTTP_204_NO_CONTENT)


class FollowRequestOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(source="follower.username")
    created_at = serializers.DateTimeField()


class FollowRequestListApi(APIView):
    @extend_schema(responses={200: FollowRequestOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.follow_requests_pending(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(FollowRequestOutputSerializer(page, many=True).data)


class FollowRequestApproveApi(APIView):
    @extend_schema(request=None, responses={200: FollowRequestOutputSerializer})
    def post(self, request: Request, request_id: int) -> Response:
        follow = selectors.follow_request_get(user=request.user, request_id=request_id)
        follow = services.follow_request_approve(request=follow)
        return Response(FollowRequestOutputSerializer(follow).data)


class FollowRequestDeclineApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, request_id: int) -> Response:
        follow = selectors.follow_request_get(user=request.user, request_id=request_id)
        services.follow_request_decline(request=follow)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockApi(APIView):
    @extend_schema(request=None, responses={201: None})
    def post(self, request: Request, username: str) -> Response:
        blocked = selectors.user_get_active(username=username)
        services.block_create(blocker=request.user, blocked=blocked)
        return Response({"username": blocked.username, "blocked": True}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, username: str) -> Response:
        blocked = selectors.blocked_user_get(blocker=request.user, username=username)
        services.block_delete(blocker=request.user, blocked=blocked)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DataExportApi(APIView):
    """Everything socialapp keeps about you, as a zip."""

    @extend_schema(responses={(200, "application/zip"): bytes})
    def get(self, request: Request) -> FileResponse:
        return export_response(request.user)
