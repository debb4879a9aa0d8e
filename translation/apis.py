"""A conversation's translation settings over HTTP."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from socialapp.chat.selectors import conversation_get

from . import selectors, services


class ConversationTranslationOutputSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()
    keep = serializers.ListField(child=serializers.CharField())


class ConversationTranslationApi(APIView):
    """Translation on or off for a conversation (either participant), and the words its
    translations keep as written (product names)."""

    class InputSerializer(serializers.Serializer):
        enabled = serializers.BooleanField(required=False)
        keep = serializers.ListField(
            child=serializers.CharField(allow_blank=True, trim_whitespace=True),
            required=False,
            help_text="words and names kept as written, e.g. the product's name",
        )

    @extend_schema(responses={200: ConversationTranslationOutputSerializer})
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = conversation_get(user=request.user, conversation_id=conversation_id)
        found = selectors.conversation_translation(conversation=conversation)
        return Response(ConversationTranslationOutputSerializer(found).data)

    @extend_schema(request=InputSerializer, responses={200: ConversationTranslationOutputSerializer})
    def patch(self, request: Request, conversation_id: int) -> Response:
        conversation = conversation_get(user=request.user, conversation_id=conversation_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = services.conversation_translation_set(
            conversation=conversation,
            user=request.user,
            enabled=data.validated_data.get("enabled"),
            keep=data.validated_data.get("keep"),
        )
        return Response(ConversationTranslationOutputSerializer(found).data)
