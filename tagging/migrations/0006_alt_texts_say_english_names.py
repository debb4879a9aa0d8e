"""Write the tagger's alt texts again now that concepts carry their English names in
words ("Photo of a tape measure.", not "a tapemeasure"; "a lighthouse", not "a
beacon") and what there is one of takes "the" ("Photo of the sky.", "Foto del cielo.").
The texts owners wrote (photos.Photo.alt_text_by_owner) stay as they are."""

import importlib

from django.db import migrations

from tagging.ml.alt_text import post_alt_text

earlier = importlib.import_module("tagging.migrations.0005_alt_text_by_owner")


def rewrite(apps, schema_editor):  # type: ignore[no-untyped-def]
    Photo = apps.get_model("photos", "Photo")
    taggers = Photo.objects.filter(alt_text_by_owner=False)
    for photo, typed, suggestions in earlier.photos_with_inputs(apps, taggers):
        now = post_alt_text(typed, suggestions, photo.owner.language)
        if now != photo.alt_text:
            Photo.objects.filter(pk=photo.pk).update(alt_text=now)


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0005_alt_text_by_owner"),
        ("hashtags", "0005_concept_name_en"),
    ]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
