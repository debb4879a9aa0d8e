"""Write the tagger's alt texts again now that a general kind of thing the owner
hashtagged or accepted is named in its place ("#dog #beach": "Photo of a dog and a
beach.", not "Photo of a beach."), and #pet, a role, names nothing ("#pet #dog":
"Photo of a dog."). The texts owners wrote
(photos.Photo.alt_text_by_owner) stay as they are."""

import importlib

from django.db import migrations

earlier = importlib.import_module("tagging.migrations.0006_alt_texts_say_english_names")


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0011_alt_texts_leave_head_word_kinds_out"),
    ]

    operations = [migrations.RunPython(earlier.rewrite, migrations.RunPython.noop)]
