"""Write the tagger's alt texts again now that a typed hashtag that is also a colour
(#orange beside #scissors) names nothing ("Photo of scissors.", not "Photo of scissors and
an orange."). The texts owners wrote (photos.Photo.alt_text_by_owner) stay as they are."""

import importlib

from django.db import migrations

earlier = importlib.import_module("tagging.migrations.0006_alt_texts_say_english_names")


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0008_alt_text_rewrites"),
    ]

    operations = [migrations.RunPython(earlier.rewrite, migrations.RunPython.noop)]
