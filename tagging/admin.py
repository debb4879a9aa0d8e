from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from socialapp.photos.models import Photo

from .models import AltTextRewrite, ConceptStat, DraftAnalysis, ModelVersion, PhotoSuggestion, ShopSuggestion
from .services import NotRetryable, concept_override_set, model_version_activate, photo_tagging_retry


@admin.action(description="Analyse again (retry failed or stuck suggestions)")
def retry_tagging(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Photo]) -> None:
    queued, refused = 0, []
    for photo in queryset:
        try:
            photo_tagging_retry(photo=photo)
            queued += 1
        except NotRetryable as error:
            refused.append(f"{photo}: {error.detail}")
    modeladmin.message_user(request, f"Queued {queued} photos for analysis.", messages.SUCCESS)
    if refused:
        modeladmin.message_user(request, "Not retried: " + " ".join(refused), messages.WARNING)


# The post admin belongs to photos, which knows nothing of the tagger: the tagger adds its
# action to it (photos' admin module is loaded first, in INSTALLED_APPS order).
_photo_admin = admin.site.get_model_admin(Photo)
_photo_admin.actions = [*_photo_admin.actions, retry_tagging]


@admin.action(description="Activate the selected version (audited)")
def activate_version(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[ModelVersion]
) -> None:
    if queryset.count() != 1:
        modeladmin.message_user(request, "Select exactly one version to activate.", messages.ERROR)
        return
    version = queryset.get()
    model_version_activate(
        version=version,
        actor=request.user,
        reason=f"Activated in the admin by {request.user}",
        source="admin",
    )
    modeladmin.message_user(request, f"{version.name} is now active.", messages.SUCCESS)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    actions = [activate_version]
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

    def has_delete_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        # A version is the record of what trained it, and deleting the active one would
        # switch every upload to cold start past the audit log: retire one by activating another.
        return False


class ConceptStatForm(forms.ModelForm):
    """The override with the reason the audit log records (no unaudited inline edits)."""

    reason = forms.CharField(help_text="Why: recorded in the audit log with your name.")

    class Meta:
        model = ConceptStat
        fields = ["override"]


@admin.register(ConceptStat)
class ConceptStatAdmin(admin.ModelAdmin):
    form = ConceptStatForm
    list_display = ["concept", "count", "visualness", "status", "override"]
    list_filter = ["status", "override"]
    search_fields = ["concept__name"]
    readonly_fields = ["concept", "count", "visualness", "status"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows come from the vocabulary build

    def save_model(self, request: HttpRequest, obj: ConceptStat, form: Any, change: bool) -> None:
        # The service writes the override and its audit row in one transaction.
        concept_override_set(
            concept=obj.concept,
            override=form.cleaned_data["override"],
            actor=request.user,  # type: ignore[arg-type]
            reason=form.cleaned_data["reason"],
            source="admin",
        )


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


@admin.register(DraftAnalysis)
class DraftAnalysisAdmin(admin.ModelAdmin):
    """Photos being posted, analysed for the autocomplete (deleted after an hour): whether
    the workers take them. Read-only; the copy itself is not shown."""

    list_display = ["pk", "owner", "status", "model_version", "created_at"]
    list_filter = ["status"]
    fields = ["owner", "status", "scores", "model_version", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: DraftAnalysis | None = None) -> bool:
        return False


@admin.register(AltTextRewrite)
class AltTextRewriteAdmin(admin.ModelAdmin):
    """Concept renames whose alt-text rewrite is not done yet (the sweep sends them)."""

    list_display = ["concept", "requested_at", "queued_at"]
    readonly_fields = ["concept", "requested_at", "queued_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
