"""Mark the alt texts owners wrote (photos.Photo.alt_text_by_owner), and write the
tagger's again with today's writer.

Until now an alt text counted as the owner's whenever it differed from what the tagger
would write, so every change to the writer ("an hourglass", "Photo of moss") turned the
tagger's older texts into the owners' for good. An alt text is the tagger's when it is
exactly what the last release's writer or today's makes of the post's current suggestions
in the owner's language; anything else is the owner's and stays as it is."""

import importlib

from django.db import migrations

from tagging.ml.alt_text import mass_names
from tagging.ml.coldstart import readable_names

earlier = importlib.import_module("tagging.migrations.0004_rewrite_alt_texts_with_articles")
NEW_MASS_NAMES = {"moss", "bread", "wool", "hay"}  # added to data/mass_names.tsv with this


def last_release_english(concepts: list) -> str:  # type: ignore[type-arg]
    """What the last release wrote in English: "a"/"an" by the first letter."""
    words, mass = readable_names(), mass_names() - NEW_MASS_NAMES
    names = []
    for concept in concepts:
        name = words.get(concept.name, concept.display_en)
        if concept.plural_en or concept.name in mass:
            names.append(name)
        else:
            names.append(f"{'an' if name.startswith(tuple('aeiou')) else 'a'} {name}")
    items = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Photo of {items}."


def mark(apps, schema_editor):  # type: ignore[no-untyped-def]
    Photo = apps.get_model("photos", "Photo")
    PhotoSuggestion = apps.get_model("tagging", "PhotoSuggestion")
    for photo in Photo.objects.exclude(alt_text="").select_related("owner").iterator():
        suggestions = PhotoSuggestion.objects.filter(photo=photo, model_version=photo.tagging_model_version)
        concepts = earlier._chosen(list(suggestions.exclude(state="rejected").select_related("concept")))
        language = photo.owner.language
        now = earlier.text_now(concepts, language) if concepts else None
        taggers = {now, last_release_english(concepts) if concepts and language != "es" else now}
        if photo.alt_text not in taggers:
            Photo.objects.filter(pk=photo.pk).update(alt_text_by_owner=True)
        elif now != photo.alt_text:
            Photo.objects.filter(pk=photo.pk).update(alt_text=now)


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0004_rewrite_alt_texts_with_articles"),
        ("photos", "0007_photo_alt_text_by_owner"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
