"""Suggestions API: read them, accept or reject each, retry a failed analysis (owner
only); hashtag autocomplete for what someone is typing."""

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from socialapp.api.exceptions import DetailSerializer
from socialapp.photos.models import Photo, PhotoHashtag
from socialapp.photos.selectors import photo_get_owned, photo_hashtags
from socialapp.request_input import ID_MAX

from . import caption_suggestions, selectors, services


class SuggestionsOutputSerializer(serializers.Serializer):
    class HashtagSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        name = serializers.CharField(source="hashtag")
        score = serializers.FloatField()
        state = serializers.CharField()

    class ShopSerializer(serializers.Serializer):
        name = serializers.CharField(source="category")
        score = serializers.FloatField()

    class PostHashtagSerializer(serializers.Serializer):
        name = serializers.CharField(source="hashtag.name", help_text="The canonical hashtag, for matching")
        typed = serializers.CharField(help_text="The hashtag as the post shows it, as its owner wrote it")
        url = serializers.SerializerMethodField()
        source = serializers.CharField(help_text="caption, or suggestion (an accepted one)")

        def get_url(self, link: PhotoHashtag) -> str:
            return str(link.hashtag.get_absolute_url())

    status = serializers.CharField(source="photo.tagging_status")
    reason = serializers.CharField(source="photo.tagging_reason")
    hashtags = HashtagSerializer(many=True)
    post_hashtags = PostHashtagSerializer(many=True, help_text="The hashtags the post carries now")
    shop_category = ShopSerializer(allow_null=True)
    alt_text = serializers.CharField(source="photo.alt_text")
    model_version = serializers.CharField(source="photo.tagging_model_version")


def suggestions_response(photo: Photo, status_code: int = 200) -> Response:
    data = {
        "photo": photo,
        "hashtags": selectors.photo_suggestions(photo=photo),
        "post_hashtags": photo_hashtags(photo=photo),
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


def _language(request: Request) -> str:
    """The person's language; a visitor's from the browser (a token client's user is
    known only here, after the middleware that activates languages has run)."""
    if request.user.is_authenticated:
        return str(request.user.language)
    return (translation.get_language() or "en").split("-")[0]


class DraftAnalysisCreateApi(APIView):
    """POST /api/hashtags/analyses/: what the tagger sees in a photo you are about to post,
    for the autocomplete's analysis= while you write its caption."""

    parser_classes = [MultiPartParser, FormParser]
    # Each runs the tagger: a person chooses a few photos a minute, not 600.
    throttle_scope = "analyses"
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]

    class InputSerializer(serializers.Serializer):
        image = serializers.FileField(
            help_text="The photo, or a copy of it 320 px on its shorter side (all the tagger reads)"
        )

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField(help_text="Pass as analysis= to /api/hashtags/suggest/")
        status = serializers.CharField(help_text="pending (a worker analyses it), ready or failed")

    @extend_schema(request=InputSerializer, responses={201: OutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        analysis = services.draft_analysis_create(owner=request.user, image=data.validated_data["image"])
        return Response(self.OutputSerializer(analysis).data, status=status.HTTP_201_CREATED)


class HashtagSuggestApi(APIView):
    """GET /api/hashtags/suggest/?q=&caption=&photo=|analysis=: hashtags to add while typing."""

    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(
            required=False, allow_blank=True, max_length=100, help_text="What is typed of the hashtag so far"
        )
        caption = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=Photo._meta.get_field("caption").max_length,
            trim_whitespace=False,
            help_text="The caption around it (without the hashtag being typed)",
        )
        photo = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=ID_MAX,
            help_text="A post of yours, for its tagger scores",
        )
        analysis = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=ID_MAX,
            help_text="A photo you are about to post (POST /api/hashtags/analyses/), for its tagger scores",
        )
        limit = serializers.IntegerField(
            required=False, min_value=1, max_value=caption_suggestions.MAX_SUGGESTIONS, default=10
        )

        def validate(self, attrs: dict[str, object]) -> dict[str, object]:
            if "photo" in attrs and "analysis" in attrs:
                raise serializers.ValidationError(_("Give photo or analysis, not both."))
            return attrs

    class OutputSerializer(serializers.Serializer):
        class HashtagSerializer(serializers.Serializer):
            name = serializers.CharField(help_text="The hashtag to insert, without #, in your language")
            concept = serializers.CharField()
            score = serializers.FloatField()
            posts = serializers.IntegerField(
                help_text="How many posts you may see carry it (its hashtag page's count); 0 for none yet"
            )

        hashtags = HashtagSerializer(many=True)
        model_version = serializers.CharField(help_text="The caption model's version, empty for none")

    @extend_schema(
        parameters=[InputSerializer],
        responses={
            200: OutputSerializer,
            404: OpenApiResponse(DetailSerializer, "photo is not a post of yours, or analysis not yours."),
        },
    )
    def get(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        hashtags, version = caption_suggestions.hashtag_suggestions(
            viewer=request.user,
            language=_language(request),
            prefix=params.get("q", ""),
            caption=params.get("caption", ""),
            photo_id=params.get("photo"),
            analysis_id=params.get("analysis"),
            limit=params["limit"],
        )
        return Response(self.OutputSerializer({"hashtags": hashtags, "model_version": version}).data)
