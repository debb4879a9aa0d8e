"""Chat over HTTP: start a conversation, list them with unread counts, read history."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from socialapp.accounts.selectors import user_get_visible
from socialapp.api.exceptions import DetailSerializer
from socialapp.api.pagination import Pagination
from socialapp.request_input import id_parse
from socialapp.shop.selectors import listing_get

from . import selectors, services
from .frames import message_frame


class ConversationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    participant = serializers.CharField(source="other_username")
    listing = serializers.IntegerField(source="listing_id", allow_null=True)
    last_seq = serializers.IntegerField()
    unread = serializers.IntegerField()
    updated_at = serializers.DateTimeField()


class ConversationsApi(APIView):
    class InputSerializer(serializers.Serializer):
        participant = serializers.CharField(help_text="username of the other person")
        listing = serializers.IntegerField(required=False, help_text="a listing the conversation is about")

    @extend_schema(responses={200: ConversationOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.conversations(user=request.user), request, view=self)
        return paginator.get_paginated_response(ConversationOutputSerializer(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: ConversationOutputSerializer,
            200: ConversationOutputSerializer,
            404: OpenApiResponse(DetailSerializer, "No such participant or listing, or not visible to you."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        other = user_get_visible(viewer=request.user, username=data.validated_data["participant"])
        listing_id = data.validated_data.get("listing")
        listing = listing_get(viewer=request.user, listing_id=listing_id) if listing_id is not None else None
        conversation, created = services.conversation_start(user=request.user, other=other, listing=listing)
        summary = selectors.conversations(user=request.user).get(pk=conversation.pk)
        return Response(
            ConversationOutputSerializer(summary).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class MessageOutputSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    seq = serializers.IntegerField()
    sender = serializers.CharField()
    text = serializers.CharField()
    language = serializers.CharField()
    created_at = serializers.CharField()
    client_id = serializers.CharField()


class MessagesApi(APIView):
    class OutputSerializer(serializers.Serializer):
        results = MessageOutputSerializer(many=True)
        next_before_seq = serializers.IntegerField(
            allow_null=True, help_text="before_seq of the next (older) page; null on the first message"
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "before_seq",
                {"type": "integer", "minimum": 0, "maximum": selectors.SEQ_MAX},
                description="page back from this message number",
            )
        ],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
        raw = request.query_params.get("before_seq")
        before = id_parse(raw, maximum=selectors.SEQ_MAX) if raw is not None else None
        if raw is not None and before is None:
            return Response(
                {"detail": _("before_seq must be a message number.")}, status=status.HTTP_400_BAD_REQUEST
            )
        messages = selectors.messages_before(conversation=conversation, before_seq=before)
        oldest = messages[-1].seq if messages else None
        return Response(
            {
                "results": [message_frame(m) for m in messages],
                "next_before_seq": oldest if oldest is not None and oldest > 1 else None,
            }
        )
