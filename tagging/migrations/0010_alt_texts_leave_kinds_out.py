"""Write the tagger's alt texts again now that a concept the other named one is a kind
of is left out ("Photo of a suspension bridge.", not "Photo of a bridge and a suspension
bridge."). The texts owners wrote (photos.Photo.alt_text_by_owner) stay as they are."""

import importlib

from django.db import migrations

earlier = importlib.import_module("tagging.migrations.0006_alt_texts_say_english_names")


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0009_alt_texts_leave_colour_words"),
    ]

    operations = [migrations.RunPython(earlier.rewrite, migrations.RunPython.noop)]
