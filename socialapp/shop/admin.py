from django.contrib import admin

from .models import Listing


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ["title", "seller", "price", "currency", "category", "status", "created_at"]
    list_filter = ["status", "category", "currency"]
    search_fields = ["title", "description", "seller__username"]
    raw_id_fields = ["seller", "source_photo"]
    readonly_fields = ["width", "height", "created_at", "updated_at"]
    date_hierarchy = "created_at"
