"""What alt text needs to name a concept the way a person would: its Spanish name in
words, its gender and whether each language's name is a plural ("Foto de un puente
colgante.", "Foto de unos alicates.", "Photo of pliers.").

Concepts of the generated table (socialapp/hashtags/data/concepts.csv) get the table's;
others (the demo's, those people created by posting) stay empty until a table that names
them is installed (hashtags.services.concepts_install), and their alt text goes without
an article."""

from django.db import migrations, models

from socialapp.hashtags.starter import names_fill, starter_concepts


def fill(apps, schema_editor):
    names_fill(apps.get_model("hashtags", "Concept"), starter_concepts())


class Migration(migrations.Migration):
    dependencies = [("hashtags", "0003_generated_concepts")]

    operations = [
        migrations.AddField(
            model_name="concept",
            name="name_es",
            field=models.CharField(
                blank=True,
                help_text="In words, e.g. puente colgante.",
                max_length=100,
                verbose_name="Spanish name",
            ),
        ),
        migrations.AddField(
            model_name="concept",
            name="gender_es",
            field=models.CharField(
                blank=True,
                choices=[("m", "masculine"), ("f", "feminine"), ("", "unknown (no article)")],
                max_length=1,
                verbose_name="Spanish gender",
            ),
        ),
        migrations.AddField(
            model_name="concept",
            name="plural_es",
            field=models.BooleanField(
                default=False, help_text="alicates, gafas", verbose_name="Spanish name is plural"
            ),
        ),
        migrations.AddField(
            model_name="concept",
            name="plural_en",
            field=models.BooleanField(
                default=False, help_text="pliers, scissors", verbose_name="English name is plural"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
