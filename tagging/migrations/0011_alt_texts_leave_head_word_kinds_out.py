"""Write the tagger's alt texts again now that a kind is also what a general concept's
WordNet name ends with: a strawberry is an "edible fruit", so a fruit ("Photo of a
strawberry.", not "Photo of a strawberry and a fruit."); a drill a "power tool". The
texts owners wrote (photos.Photo.alt_text_by_owner) stay as they are."""

import importlib

from django.db import migrations

earlier = importlib.import_module("tagging.migrations.0006_alt_texts_say_english_names")


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0010_alt_texts_leave_kinds_out"),
    ]

    operations = [migrations.RunPython(earlier.rewrite, migrations.RunPython.noop)]
