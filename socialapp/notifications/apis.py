"""Notifications over the API: the list (newest first), the badges' counts and mark-as-read."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from socialapp.api.pagination import Pagination

from . import selectors, services


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    photo = serializers.IntegerField(source="photo_id", allow_null=True)
    text = serializers.CharField()
    read = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_read(self, notification) -> bool:  # type: ignore[no-untyped-def]
        return notification.read_at is not None


class NotificationListApi(APIView):
    @extend_schema(responses={200: NotificationOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.notifications_list(user=request.user), request, view=self
        )
        return paginator.get_paginated_response(NotificationOutputSerializer(page, many=True).data)


class NotificationCountsApi(APIView):
    """What the bell and the Messages badge show now (a page refreshes them with this after
    its /ws/notifications/ socket reconnects)."""

    class OutputSerializer(serializers.Serializer):
        notifications = serializers.IntegerField(help_text="unread notifications")
        conversations = serializers.IntegerField(help_text="conversations with unread messages, for the bell")
        messages_on = serializers.BooleanField(help_text="whether those conversations join the bell")
        bell = serializers.IntegerField(help_text="the bell's count")
        messages = serializers.IntegerField(help_text="unread messages (the Messages badge)")

    @extend_schema(responses={200: OutputSerializer})
    def get(self, request: Request) -> Response:
        bell = selectors.bell_get(user_id=request.user.pk)
        counts = {
            "notifications": bell.notifications,
            "conversations": bell.conversations,
            "messages_on": bell.messages_on,
            "bell": bell.count,
            "messages": bell.messages,
        }
        return Response(self.OutputSerializer(counts).data)


class NotificationReadApi(APIView):
    class InputSerializer(serializers.Serializer):
        ids = serializers.ListField(
            child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
            required=False,
            max_length=500,
            help_text="the notifications to mark read; all of them when left out",
        )

    class OutputSerializer(serializers.Serializer):
        marked = serializers.IntegerField()
        unread = serializers.IntegerField()

    @extend_schema(request=InputSerializer, responses={200: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(user=request.user, ids=data.validated_data.get("ids"))
        unread = selectors.unread_count(user_id=request.user.pk)
        return Response(self.OutputSerializer({"marked": marked, "unread": unread}).data)
