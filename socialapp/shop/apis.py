"""Shop APIs: browse and sell listings. Reads are open to anyone; writes are the seller's,
and someone else's listing answers 404, never 403."""

from typing import Any

from django.db.models.fields.files import FieldFile
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from socialapp import media
from socialapp.api.exceptions import DetailSerializer
from socialapp.api.pagination import Pagination
from socialapp.photos.selectors import photo_get_owned

from . import selectors, services
from .models import Listing


class ListingOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    seller = serializers.CharField(source="seller.username")
    title = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    image_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    source_photo_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def _url(self, field: FieldFile) -> str:
        return self.context["request"].build_absolute_uri(media.file_url(field))

    def get_image_url(self, listing: Listing) -> str:
        return self._url(listing.image)

    def get_thumbnail_url(self, listing: Listing) -> str:
        return self._url(listing.thumbnail_320)


def _listing_response(request: Request, listing: Listing, status_code: int = 200) -> Response:
    return Response(ListingOutputSerializer(listing, context={"request": request}).data, status=status_code)


def _price_filter(name: str) -> serializers.DecimalField:
    too_large = format_lazy(_lazy("{name} must be at most 99999999.99."), name=name)
    return serializers.DecimalField(
        required=False,
        max_digits=10,
        decimal_places=2,
        min_value=0,
        error_messages={
            "invalid": format_lazy(_lazy("{name} must be a number."), name=name),
            "min_value": format_lazy(_lazy("{name} must be 0 or more."), name=name),
            "max_digits": too_large,
            "max_whole_digits": too_large,
            "max_decimal_places": format_lazy(_lazy("{name} can have at most 2 decimal places."), name=name),
        },
    )


class ListingFilterSerializer(serializers.Serializer):
    """Query parameters of the listing list. Messages are whole sentences: the list
    answers 400 with the first one alone."""

    category = serializers.ChoiceField(
        choices=Listing.Category.choices,
        required=False,
        error_messages={
            "invalid_choice": format_lazy(
                _lazy("category must be one of: {choices}."), choices=", ".join(Listing.Category.values)
            )
        },
    )
    min_price = _price_filter("min_price")
    max_price = _price_filter("max_price")
    status = serializers.ChoiceField(
        choices=Listing.Status.choices,
        required=False,
        default=Listing.Status.AVAILABLE,
        error_messages={"invalid_choice": _lazy("status must be available or sold.")},
    )
    seller = serializers.CharField(required=False, help_text="A username")
    q = serializers.CharField(required=False, help_text="Words in the title or description")

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(_("min_price must not be greater than max_price."))
        return data


def _filters(request: Request) -> dict[str, Any]:
    given = {key: value for key, value in request.query_params.items() if value.strip()}
    filters = ListingFilterSerializer(data=given)
    if not filters.is_valid():
        first_errors = next(iter(filters.errors.values()))
        raise exceptions.ValidationError(first_errors[0])
    data = dict(filters.validated_data)
    data["query"] = data.pop("q", None)
    return data


class ListingsApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    pagination_class = Pagination

    class InputSerializer(serializers.Serializer):
        title = serializers.CharField()
        description = serializers.CharField(required=False, allow_blank=True, default="")
        price = serializers.DecimalField(max_digits=10, decimal_places=2)
        currency = serializers.ChoiceField(choices=Listing.Currency.choices, default=Listing.Currency.EUR)
        category = serializers.ChoiceField(choices=Listing.Category.choices)
        image = serializers.FileField(required=False, help_text="JPEG, PNG, WebP or HEIC (or give photo_id)")
        photo_id = serializers.IntegerField(
            required=False, help_text="One of your posts (or upload an image)"
        )

    @extend_schema(parameters=[ListingFilterSerializer], responses={200: ListingOutputSerializer(many=True)})
    def get(self, request: Request) -> Response:
        listings = selectors.listing_list(viewer=request.user, **_filters(request))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(listings, request, view=self)
        data = ListingOutputSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: ListingOutputSerializer,
            404: OpenApiResponse(DetailSerializer, "photo_id is not one of your posts."),
            409: OpenApiResponse(DetailSerializer, "photo_id is already for sale; names its listing."),
        },
    )
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        photo_id = fields.pop("photo_id", None)
        photo = photo_get_owned(owner=request.user, photo_id=photo_id) if photo_id is not None else None
        try:
            listing = services.listing_create(seller=request.user, photo=photo, **fields)
        except services.ListingExists as exists:
            return Response({"detail": str(exists)}, status=status.HTTP_409_CONFLICT)
        return _listing_response(request, listing, status.HTTP_201_CREATED)


class ListingDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class UpdateSerializer(serializers.Serializer):
        title = serializers.CharField(required=False)
        description = serializers.CharField(required=False, allow_blank=True)
        price = serializers.DecimalField(required=False, max_digits=10, decimal_places=2)
        currency = serializers.ChoiceField(required=False, choices=Listing.Currency.choices)
        category = serializers.ChoiceField(required=False, choices=Listing.Category.choices)
        image = serializers.FileField(required=False, help_text="A new photo: JPEG, PNG, WebP or HEIC")

    @extend_schema(responses={200: ListingOutputSerializer})
    def get(self, request: Request, listing_id: int) -> Response:
        return _listing_response(request, selectors.listing_get(viewer=request.user, listing_id=listing_id))

    @extend_schema(request=UpdateSerializer, responses={200: ListingOutputSerializer})
    def patch(self, request: Request, listing_id: int) -> Response:
        listing = selectors.listing_get_owned(seller=request.user, listing_id=listing_id)
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        listing = services.listing_update(listing=listing, **data.validated_data)
        return _listing_response(request, listing)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, listing_id: int) -> Response:
        listing = selectors.listing_get_owned(seller=request.user, listing_id=listing_id)
        services.listing_delete(listing=listing)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListingSoldApi(APIView):
    @extend_schema(request=None, responses={200: ListingOutputSerializer})
    def post(self, request: Request, listing_id: int) -> Response:
        listing = selectors.listing_get_owned(seller=request.user, listing_id=listing_id)
        return _listing_response(request, services.listing_mark_sold(listing=listing))


class ListingAvailableApi(APIView):
    @extend_schema(request=None, responses={200: ListingOutputSerializer})
    def post(self, request: Request, listing_id: int) -> Response:
        listing = selectors.listing_get_owned(seller=request.user, listing_id=listing_id)
        return _listing_response(request, services.listing_mark_available(listing=listing))
