"""Write the tagger's alt texts again now that more Spanish names carry their gender
("Foto de una represa.", not "Foto de represa."). The texts owners wrote
(photos.Photo.alt_text_by_owner) stay as they are."""

import importlib

from django.db import migrations

earlier = importlib.import_module("tagging.migrations.0006_alt_texts_say_english_names")


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0006_alt_texts_say_english_names"),
        ("hashtags", "0006_concept_genders"),
    ]

    operations = [migrations.RunPython(earlier.rewrite, migrations.RunPython.noop)]
