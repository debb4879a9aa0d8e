"""Alt texts the tagger wrote before its names carried articles, gender and number
("Foto de puente y puentecolgante.", "Photo of bus.") are written again the way the
tagger writes them now ("Foto de un puente y un puente colgante."), so they are not taken
for the owners' own (tagging.selectors.photo_alt_text).

An alt text is rewritten only when it is exactly what the earlier writer made of the
post's current suggestions (its rules are copied here, as they were); anything else is
the owner's and stays."""

from django.db import migrations
from django.db.models import Q

from tagging.ml.alt_text import Name, alt_text, mass_names
from tagging.ml.coldstart_data import general_concepts, readable_names

CONCEPTS = 2  # tagging.ml.inference.ALT_TEXT_CONCEPTS
TEMPLATES = {"en": ("Photo of {items}.", " and "), "es": ("Foto de {items}.", " y ")}


def _earlier_english(name: str) -> str:
    if name.endswith("s") and not name.endswith("ss"):
        return name
    return f"{'an' if name.startswith(tuple('aeiou')) else 'a'} {name}"


def _chosen(suggestions: list) -> list:  # type: ignore[type-arg]
    """The concepts alt text names: accepted first, then by rank, specific ones first."""
    suggestions = sorted(suggestions, key=lambda s: (s.state != "accepted", s.rank))
    general = general_concepts()
    return [s.concept for s in suggestions if s.concept.name not in general][:CONCEPTS] or [
        s.concept for s in suggestions[:1]
    ]


def earlier_text(concepts: list, language: str) -> str:  # type: ignore[type-arg]
    """What the earlier writer made of these concepts."""
    words = readable_names()
    if language == "es":
        names = [c.display_es for c in concepts]
    else:
        names = [_earlier_english(words.get(c.name, c.display_en)) for c in concepts]
    template, conjunction = TEMPLATES.get(language, TEMPLATES["en"])
    items = names[0] if len(names) == 1 else ", ".join(names[:-1]) + conjunction + names[-1]
    return template.format(items=items)


def text_now(concepts: list, language: str) -> str:  # type: ignore[type-arg]
    """What the tagger writes now (tagging.selectors.suggestions_alt_text)."""
    words, mass = readable_names(), mass_names()
    names = [
        Name(c.name_es or c.display_es, c.gender_es, c.plural_es, c.name not in mass)
        if language == "es"
        else Name(words.get(c.name, c.display_en), plural=c.plural_en, article=c.name not in mass)
        for c in concepts
    ]
    return alt_text(names, language)


def rewrite(apps, schema_editor):  # type: ignore[no-untyped-def]
    Photo = apps.get_model("photos", "Photo")
    PhotoSuggestion = apps.get_model("tagging", "PhotoSuggestion")
    candidates = Photo.objects.filter(
        Q(alt_text__startswith="Photo of ") | Q(alt_text__startswith="Foto de ")
    )
    for photo in candidates.select_related("owner").iterator():
        suggestions = PhotoSuggestion.objects.filter(photo=photo, model_version=photo.tagging_model_version)
        concepts = _chosen(list(suggestions.exclude(state="rejected").select_related("concept")))
        if concepts and photo.alt_text == earlier_text(concepts, photo.owner.language):
            now = text_now(concepts, photo.owner.language)
            if now != photo.alt_text:
                Photo.objects.filter(pk=photo.pk).update(alt_text=now)


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0003_clear_old_generated_alt_texts"),
        ("hashtags", "0004_concept_spoken_names"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
