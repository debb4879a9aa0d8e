"""Reports for everyone; queue, actions and appeal decisions for moderators (403 else)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from socialapp.accounts.selectors import user_get_visible
from socialapp.api.exceptions import DetailSerializer
from socialapp.api.pagination import Pagination
from socialapp.chat.selectors import message_get_visible
from socialapp.hashtags.selectors import hashtag_get
from socialapp.media import MediaUrlField
from socialapp.photos.models import Photo
from socialapp.photos.selectors import photo_get_visible

from . import selectors, services
from .models import Report


class IsModerator(BasePermission):
    message = "Only moderators can do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return selectors.is_moderator(request.user)


class ReportCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        photo = serializers.IntegerField(required=False)
        hashtag = serializers.CharField(required=False)
        user = serializers.CharField(required=False)
        message = serializers.IntegerField(required=False, help_text="a chat message you can see")
        reason = serializers.ChoiceField(choices=Report.Reason.choices)
        details = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        reason = serializers.CharField()
        status = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            200: OutputSerializer,
            404: OpenApiResponse(
                DetailSerializer, "The post, hashtag, person or message is not one you can see."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        targets = {
            "photo": lambda v: photo_get_visible(viewer=request.user, photo_id=v),
            "hashtag": lambda v: hashtag_get(name=v),
            "user": lambda v: user_get_visible(viewer=request.user, username=v),
            "message": lambda v: message_get_visible(user=request.user, message_id=v),
        }
        chosen = {name: load(given[name]) for name, load in targets.items() if name in given}
        report, created = services.report_create(
            reporter=request.user, reason=given["reason"], details=given["details"], **chosen
        )
        return Response(
            self.OutputSerializer(report).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class QueueOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    owner = serializers.CharField(source="owner.username")
    caption = serializers.CharField()
    thumbnail_url = MediaUrlField(source="thumbnail_320")
    is_hidden = serializers.BooleanField()
    report_count = serializers.IntegerField()
    reasons = serializers.SerializerMethodField()
    hashtags = serializers.SerializerMethodField()

    def get_reasons(self, photo: Photo) -> list[str]:
        return sorted({r.reason for r in photo.reports.all()})

    def get_hashtags(self, photo: Photo) -> list[dict[str, str]]:
        return [{"name": link.hashtag.name, "source": link.source} for link in photo.hashtag_links.all()]


class QueueApi(APIView):
    permission_classes = [IsModerator]

    @extend_schema(responses={200: QueueOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        params = request.query_params
        photos = selectors.moderation_queue(
            status=params.get("status", "open"),
            reason=params.get("reason", ""),
            hashtag=params.get("hashtag", ""),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(photos, request, view=self)
        return paginator.get_paginated_response(
            QueueOutputSerializer(page, many=True, context={"request": request}).data
        )


class PhotoActionApi(APIView):
    """POST /api/moderation/photos/<id>/<hide|restore|delete>/ {"reason"}."""

    permission_classes = [IsModerator]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(allow_blank=True)

    @extend_schema(request=InputSerializer, responses={200: None})
    def post(self, request: Request, photo_id: int, action: str) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = selectors.photo_for_moderation(photo_id=photo_id)
        services.photos_bulk(
            moderator=request.user, photos=[photo], action=action, reason=data.validated_data["reason"]
        )
        return Response({"id": photo_id, "action": action})


class BulkActionApi(APIView):
    permission_classes = [IsModerator]

    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=200)
        action = serializers.ChoiceField(choices=["hide", "restore", "delete"])
        reason = serializers.CharField(allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: None, 404: OpenApiResponse(DetailSerializer, "Some of these posts do not exist.")},
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["ids"]
        photos = list(Photo.objects.filter(pk__in=ids))
        if len(photos) != len(set(ids)):
            return Response(
                {"detail": _("Some of these posts do not exist.")}, status=status.HTTP_404_NOT_FOUND
            )
        done = services.photos_bulk(
            moderator=request.user,
            photos=photos,
            action=data.validated_data["action"],
            reason=data.validated_data["reason"],
        )
        return Response({"count": done, "action": data.validated_data["action"]})


class AppealCreateApi(APIView):
    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=1000)

    @extend_schema(request=InputSerializer, responses={201: None})
    def post(self, request: Request, photo_id: int) -> Response:
        photo = selectors.own_hidden_photo(owner=request.user, photo_id=photo_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_create(owner=request.user, photo=photo, text=data.validated_data["text"])
        return Response({"id": appeal.pk, "status": appeal.status}, status=status.HTTP_201_CREATED)


class AppealDecideApi(APIView):
    permission_classes = [IsModerator]

    class InputSerializer(serializers.Serializer):
        grant = serializers.BooleanField()
        reason = serializers.CharField(allow_blank=True)

    @extend_schema(request=InputSerializer, responses={200: None})
    def post(self, request: Request, appeal_id: int) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = services.appeal_decide(
            moderator=request.user, appeal=selectors.appeal_get(appeal_id=appeal_id), **data.validated_data
        )
        return Response({"id": appeal.pk, "status": appeal.status})
