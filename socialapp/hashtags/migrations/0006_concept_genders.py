"""The Spanish genders the table learnt from the grammar's rule by ending (una represa,
un taladro; tagging.concepts_build.gender_by_ending), for concepts filled before it."""

from django.db import migrations

from socialapp.hashtags.starter import genders_fill, starter_concepts


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    genders_fill(apps.get_model("hashtags", "Concept"), starter_concepts())


class Migration(migrations.Migration):
    dependencies = [("hashtags", "0005_concept_name_en")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
