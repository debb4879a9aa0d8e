from django.contrib import admin

from .models import ConceptStat, ModelVersion, PhotoSuggestion, ShopSuggestion


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "backbone", "trained_photo_count", "hit_at_5", "created_at"]
    readonly_fields = [
        "name",
        "backbone",
        "folder",
        "vocabulary",
        "metrics",
        "plots",
        "trained_photo_count",
        "created_at",
        "activated_at",
        "is_active",
    ]
    exclude = ["trained_on"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # versions come from train_tagger


@admin.register(ConceptStat)
class ConceptStatAdmin(admin.ModelAdmin):
    list_display = ["concept", "count", "visualness", "status", "override"]
    list_filter = ["status", "override"]
    list_editable = ["override"]
    search_fields = ["concept__name"]
    readonly_fields = ["concept", "count", "visualness", "status"]


@admin.register(PhotoSuggestion)
class PhotoSuggestionAdmin(admin.ModelAdmin):
    list_display = ["photo", "hashtag", "score", "rank", "state", "model_version", "decided_at"]
    list_filter = ["state", "model_version"]
    search_fields = ["hashtag", "concept__name"]
    raw_id_fields = ["photo", "concept"]


@admin.register(ShopSuggestion)
class ShopSuggestionAdmin(admin.ModelAdmin):
    list_display = ["photo", "category", "score", "model_version"]
    list_filter = ["category", "model_version"]
    raw_id_fields = ["photo"]
