"""Write the tagger's alt texts again now that a country, a state, a city or a town says
where the photo was taken ("Photo of a castle in Denmark.", not "Photo of a castle and
Denmark."), and one the owner hashtagged counts though the concept table lacks it. The
texts owners wrote (photos.Photo.alt_text_by_owner) stay as they are."""

import importlib

from django.db import migrations

earlier = importlib.import_module("tagging.migrations.0006_alt_texts_say_english_names")


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0012_alt_texts_name_the_owners_general_kinds"),
    ]

    operations = [migrations.RunPython(earlier.rewrite, migrations.RunPython.noop)]
