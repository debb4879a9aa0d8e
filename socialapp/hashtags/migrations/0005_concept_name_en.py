"""The English name in words that alt text says ("Photo of a tape measure.", not "a
tapemeasure"): the concept table's name_en, for the table's concepts and, on a database
`seed_demo` filled, the demo's."""

from django.db import migrations, models

from socialapp.hashtags.starter import CONCEPTS_CSV, english_names_fill, starter_concepts

DEMO_CONCEPTS = CONCEPTS_CSV.parents[2] / "demo" / "data" / "concepts.csv"


def fill(apps, schema_editor):  # type: ignore[no-untyped-def]
    english_names_fill(
        apps.get_model("hashtags", "Concept"), [*starter_concepts(), *starter_concepts(DEMO_CONCEPTS)]
    )


class Migration(migrations.Migration):
    dependencies = [("hashtags", "0004_concept_spoken_names")]

    operations = [
        migrations.AddField(
            model_name="concept",
            name="name_en",
            field=models.CharField(
                blank=True,
                help_text="In words, e.g. tape measure.",
                max_length=100,
                verbose_name="English name",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
