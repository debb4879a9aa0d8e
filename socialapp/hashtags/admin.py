from django import forms
from django.contrib import admin
from django.db.models import Count

from . import canonical, services
from .models import Concept, ConceptAlias, Hashtag


class ConceptAliasForm(forms.ModelForm):
    class Meta:
        model = ConceptAlias
        fields = ["key", "language"]

    def clean_key(self) -> str:
        # Stored as the canonical key, so #Perros, perros and perro all mean one alias.
        return canonical.key_for(self.cleaned_data["key"])


class ConceptAliasInline(admin.TabularInline):
    model = ConceptAlias
    form = ConceptAliasForm
    extra = 1


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["name", "display_en", "display_es", "alias_count", "hashtag_count"]
    search_fields = ["name", "display_en", "display_es", "aliases__key"]
    inlines = [ConceptAliasInline]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return (
            super()
            .get_queryset(request)
            .annotate(
                alias_count=Count("aliases", distinct=True), hashtag_count=Count("hashtags", distinct=True)
            )
        )

    @admin.display(ordering="alias_count")
    def alias_count(self, obj: Concept) -> int:
        return obj.alias_count  # type: ignore[attr-defined]

    @admin.display(ordering="hashtag_count")
    def hashtag_count(self, obj: Concept) -> int:
        return obj.hashtag_count  # type: ignore[attr-defined]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        if change:
            services.concept_changed(concept=obj)

    def save_related(self, request, form, formsets, change):  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        services.concept_aliases_apply(concept=form.instance)


@admin.register(Hashtag)
class HashtagAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "concept", "created_at"]
    search_fields = ["name", "key", "concept__name"]
    list_select_related = ["concept"]
    raw_id_fields = ["concept"]
