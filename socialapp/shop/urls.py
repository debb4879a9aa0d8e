from django.urls import path

from . import apis, views

urlpatterns = [
    path("shop/", views.shop, name="shop"),
    path("shop/new/", views.listing_create, name="listing_create"),
    path("shop/<int:listing_id>/", views.listing_detail, name="listing"),
    path("shop/<int:listing_id>/edit/", views.listing_edit, name="listing_edit"),
    path("shop/<int:listing_id>/sold/", views.listing_sold, name="listing_sold"),
    path("shop/<int:listing_id>/available/", views.listing_available, name="listing_available"),
    path("shop/<int:listing_id>/delete/", views.listing_delete, name="listing_delete"),
]

api_urlpatterns = [
    path("listings/", apis.ListingsApi.as_view(), name="api-listings"),
    path("listings/<int:listing_id>/", apis.ListingDetailApi.as_view(), name="api-listing"),
    path("listings/<int:listing_id>/sold/", apis.ListingSoldApi.as_view(), name="api-listing-sold"),
    path(
        "listings/<int:listing_id>/available/",
        apis.ListingAvailableApi.as_view(),
        name="api-listing-available",
    ),
]
