"""Photo APIs: posts, likes, comments, feed, profile grids and hashtag pages."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from socialapp import media
from socialapp.accounts.selectors import can_see_posts, user_get_visible
from socialapp.api.exceptions import DetailSerializer
from socialapp.api.pagination import Pagination
from socialapp.hashtags.selectors import hashtag_get

from . import selectors, services
from .models import Photo


class PhotoOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    owner = serializers.CharField(source="owner.username")
    caption = serializers.CharField()
    hashtags = serializers.SerializerMethodField()
    alt_text = serializers.CharField()
    image_url = serializers.SerializerMethodField()
    display_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    like_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    liked = serializers.BooleanField(default=False)
    tagging_status = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_hashtags(self, photo: Photo) -> list[str]:
        return [link.hashtag.name for link in photo.hashtag_links.all()]

    def _url(self, field) -> str:  # type: ignore[no-untyped-def]
        return self.context["request"].build_absolute_uri(media.file_url(field))

    def get_image_url(self, photo: Photo) -> str:
        return self._url(photo.image)

    def get_display_url(self, photo: Photo) -> str:
        return self._url(photo.display)

    def get_thumbnail_url(self, photo: Photo) -> str:
        return self._url(photo.thumbnail_320)


def _photos_page(view: APIView, request: Request, photos) -> Response:  # type: ignore[no-untyped-def]
    paginator = Pagination()
    page = paginator.paginate_queryset(photos, request, view=view)
    data = PhotoOutputSerializer(page, many=True, context={"request": request}).data
    return paginator.get_paginated_response(data)


def _photo_response(request: Request, photo_id: int, status_code: int = 200) -> Response:
    photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id, for_review=True)
    return Response(PhotoOutputSerializer(photo, context={"request": request}).data, status=status_code)


class PhotoCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        image = serializers.FileField(help_text="JPEG, PNG, WebP or HEIC; stored as JPEG")
        caption = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)

    @extend_schema(request=InputSerializer, responses={201: PhotoOutputSerializer})
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = services.photo_create(owner=request.user, **data.validated_data)
        return _photo_response(request, photo.pk, status.HTTP_201_CREATED)


class PhotoDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class UpdateSerializer(serializers.Serializer):
        caption = serializers.CharField(allow_blank=True, trim_whitespace=False, required=False)
        alt_text = serializers.CharField(allow_blank=True, max_length=300, required=False)

    @extend_schema(responses={200: PhotoOutputSerializer})
    def get(self, request: Request, photo_id: int) -> Response:
        return _photo_response(request, photo_id)

    @extend_schema(request=UpdateSerializer, responses={200: PhotoOutputSerializer})
    def patch(self, request: Request, photo_id: int) -> Response:
        photo = selectors.photo_get_owned(owner=request.user, photo_id=photo_id)
        data = self.UpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.photo_update(photo=photo, **data.validated_data)
        return _photo_response(request, photo_id)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, photo_id: int) -> Response:
        photo = selectors.photo_get_owned(owner=request.user, photo_id=photo_id)
        services.photo_delete(photo=photo)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PhotoLikeApi(APIView):
    class OutputSerializer(serializers.Serializer):
        liked = serializers.BooleanField()
        like_count = serializers.IntegerField()

    def _state(self, request: Request, photo_id: int) -> Response:
        photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id)
        return Response({"liked": photo.liked, "like_count": photo.like_count})  # type: ignore[attr-defined]

    @extend_schema(request=None, responses={200: OutputSerializer})
    def post(self, request: Request, photo_id: int) -> Response:
        photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id)
        services.like_create(user=request.user, photo=photo)
        return self._state(request, photo_id)

    @extend_schema(request=None, responses={200: OutputSerializer})
    def delete(self, request: Request, photo_id: int) -> Response:
        photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id)
        services.like_delete(user=request.user, photo=photo)
        return self._state(request, photo_id)


class UserOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()


class PhotoLikersApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: UserOutputSerializer(many=True)})
    def get(self, request: Request, photo_id: int) -> Response:
        photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id, for_review=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(
            selectors.photo_likers(viewer=request.user, photo=photo), request, view=self
        )
        return paginator.get_paginated_response(UserOutputSerializer(page, many=True).data)


class CommentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommentListCreateApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(max_length=2200)

    @extend_schema(responses={200: CommentOutputSerializer(many=True)})
    def get(self, request: Request, photo_id: int) -> Response:
        photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id, for_review=True)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.photo_comments(photo=photo), request, view=self)
        return paginator.get_paginated_response(CommentOutputSerializer(page, many=True).data)

    @extend_schema(request=InputSerializer, responses={201: CommentOutputSerializer})
    def post(self, request: Request, photo_id: int) -> Response:
        photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_create(author=request.user, photo=photo, text=data.validated_data["text"])
        return Response(CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDeleteApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, photo_id: int, comment_id: int) -> Response:
        photo = selectors.photo_get_visible(viewer=request.user, photo_id=photo_id)
        comment = selectors.comment_get(photo=photo, comment_id=comment_id)
        services.comment_delete(comment=comment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeedApi(APIView):
    @extend_schema(responses={200: PhotoOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return _photos_page(self, request, selectors.photo_feed(viewer=request.user))


class UserPhotosApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: PhotoOutputSerializer(many=True),
            403: OpenApiResponse(DetailSerializer, "A private account you do not follow."),
        }
    )
    def get(self, request: Request, username: str) -> Response:
        owner = user_get_visible(viewer=request.user, username=username)
        if not can_see_posts(viewer=request.user, owner=owner):
            return Response(
                {"detail": _("This account is private. Follow it to see its photos.")},
                status=status.HTTP_403_FORBIDDEN,
            )
        return _photos_page(self, request, selectors.profile_photos(viewer=request.user, owner=owner))


class HashtagPhotosApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: PhotoOutputSerializer(many=True)})
    def get(self, request: Request, name: str) -> Response:
        hashtag = hashtag_get(name=name)
        return _photos_page(self, request, selectors.hashtag_photos(viewer=request.user, hashtag=hashtag))
