"""Mark the alt texts owners wrote (photos.Photo.alt_text_by_owner), and write the
tagger's again with today's writer.

Until now an alt text counted as the owner's whenever it differed from what the tagger
would write, so every change to the writer ("an hourglass", "Photo of moss", naming the
owner's hashtags first) turned the tagger's older texts into the owners' for good. An alt
text is the tagger's when it is exactly what the last release's writer made of the post's
current suggestions in the owner's language (with the article rules of that release or
today's), today's writer makes (a second run), or empty; anything else is the owner's
and stays as it is."""

import importlib

from django.db import migrations
from django.db.models import Q

from tagging.ml.alt_text import mass_names, post_alt_text
from tagging.ml.coldstart_data import readable_names
from tagging.ml.stop_list import STOP_LIST

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


def photos_with_inputs(apps, photos):  # type: ignore[no-untyped-def]
    """Per photo of `photos`, what today's writer names it from: (photo, the visual
    concepts its owner typed, its current suggestions without the rejected ones)."""
    PhotoHashtag = apps.get_model("photos", "PhotoHashtag")
    PhotoSuggestion = apps.get_model("tagging", "PhotoSuggestion")
    ConceptStat = apps.get_model("tagging", "ConceptStat")
    hidden = ("non_visual", "blocked")
    excluded = set(
        ConceptStat.objects.filter(Q(override__in=hidden) | Q(override="", status__in=hidden)).values_list(
            "concept__name", flat=True
        )
    )
    for photo in photos.select_related("owner").iterator():
        suggestions = list(
            PhotoSuggestion.objects.filter(photo=photo, model_version=photo.tagging_model_version)
            .exclude(state="rejected")
            .select_related("concept")
        )
        links = PhotoHashtag.objects.filter(photo=photo, source="caption").select_related("hashtag__concept")
        typed = [
            link.hashtag.concept
            for link in links.order_by("pk")
            if link.hashtag.concept.name not in excluded | STOP_LIST
        ]
        yield photo, typed, suggestions


def mark(apps, schema_editor):  # type: ignore[no-untyped-def]
    Photo = apps.get_model("photos", "Photo")
    for photo, typed, suggestions in photos_with_inputs(apps, Photo.objects.all()):
        language = photo.owner.language
        now = post_alt_text(typed, suggestions, language)
        concepts = earlier._chosen(suggestions)
        before = {earlier.text_now(concepts, language), last_release_english(concepts)} if concepts else set()
        if photo.alt_text and photo.alt_text not in before | {now}:
            Photo.objects.filter(pk=photo.pk).update(alt_text_by_owner=True)
        elif now != photo.alt_text:
            Photo.objects.filter(pk=photo.pk).update(alt_text=now)


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0004_rewrite_alt_texts_with_articles"),
        ("photos", "0007_photo_alt_text_by_owner"),
    ]

    operations = [migrations.RunPython(mark, migrations.RunPython.noop)]
