from django.urls import path

from . import apis, views

urlpatterns = [path("search/", views.search, name="search")]
api_urlpatterns = [path("search/", apis.SearchApi.as_view(), name="api-search")]
