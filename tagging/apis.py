"""Suggestions API: read them, accept or reject each, retry a failed analysis. Owner only."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from socialapp.api.exceptions import DetailSerializer
from socialapp.photos.models import Photo
from socialapp.photos.selectors import photo_get_owned

from . import selectors, services


class SuggestionsOutputSerializer(serializers.Serializer):
    class HashtagSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField(source="hashtag")
        score = serializers.FloatField()
        state = serializers.CharField()

    class ShopSerializer(serializers.Serializer):
        name = serializers.CharField(source="category")
        score = serializers.FloatField()

    status = serializers.CharField(source="photo.tagging_status")
    reason = serializers.CharField(source="photo.tagging_reason")
    hashtags = HashtagSerializer(many=True)
    shop_category = ShopSerializer(allow_null=True)
    alt_text = serializers.CharField(source="photo.alt_text")
    model_version = serializers.CharField(source="photo.tagging_model_version")


def suggestions_response(photo: Photo, status_code: int = 200) -> Response:
    data = {
        "photo": photo,
        "hashtags": selectors.photo_suggestions(photo=photo),
        "shop_category": selectors.shop_suggestion(photo=photo),
    }
    return Response(SuggestionsOutputSerializer(data).data, status=status_code)


class PhotoSuggestionsApi(APIView):
    @extend_schema(responses={200: SuggestionsOutputSerializer})
    def get(self, request: Request, photo_id: int) -> Response:
        return suggestions_response(photo_get_owned(owner=request.user, photo_id=photo_id))


class SuggestionAcceptApi(APIView):
    @extend_schema(request=None, responses={200: SuggestionsOutputSerializer})
    def post(self, request: Request, photo_id: int, suggestion_id: int) -> Response:
        photo = photo_get_owned(owner=request.user, photo_id=photo_id)
        services.suggestion_accept(
            suggestion=selectors.suggestion_get(photo=photo, suggestion_id=suggestion_id)
        )
        return suggestions_response(photo)


class SuggestionRejectApi(APIView):
    @extend_schema(request=None, responses={200: SuggestionsOutputSerializer})
    def post(self, request: Request, photo_id: int, suggestion_id: int) -> Response:
        photo = photo_get_owned(owner=request.user, photo_id=photo_id)
        services.suggestion_reject(
            suggestion=selectors.suggestion_get(photo=photo, suggestion_id=suggestion_id)
        )
        return suggestions_response(photo)


class SuggestionsRetryApi(APIView):
    @extend_schema(
        request=None,
        responses={
            202: SuggestionsOutputSerializer,
            409: OpenApiResponse(
                DetailSerializer,
                "The analysis is ready or pending within its time limit: only a failed or stuck one"
                " can be retried.",
            ),
        },
    )
    def post(self, request: Request, photo_id: int) -> Response:
        photo = photo_get_owned(owner=request.user, photo_id=photo_id)
        try:
            services.photo_tagging_retry(photo=photo)
        except services.NotRetryable as error:
            return Response({"detail": error.detail}, status=status.HTTP_409_CONFLICT)
        photo.refresh_from_db()
        return suggestions_response(photo, status.HTTP_202_ACCEPTED)
