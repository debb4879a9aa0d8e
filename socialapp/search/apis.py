from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import search


class SearchApi(APIView):
    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        class UserSerializer(serializers.Serializer):
            username = serializers.CharField()
            display_name = serializers.CharField()

        class HashtagSerializer(serializers.Serializer):
            name = serializers.CharField()
            uses = serializers.IntegerField()

        class ListingSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            title = serializers.CharField()
            price = serializers.DecimalField(max_digits=10, decimal_places=2)
            currency = serializers.CharField()
            status = serializers.CharField()

        query = serializers.CharField()
        users = UserSerializer(many=True)
        hashtags = HashtagSerializer(many=True)
        listings = ListingSerializer(many=True)

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="Text, @person or #hashtag")],
        responses={200: OutputSerializer},
    )
    def get(self, request: Request) -> Response:
        query = request.query_params.get("q", "")
        if not query.strip():
            return Response({"detail": _("Add ?q= with something to search for.")}, status=400)
        return Response(self.OutputSerializer(search(viewer=request.user, query=query)).data)
