from django.contrib import admin

from .models import ConceptStat, ModelVersion


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
