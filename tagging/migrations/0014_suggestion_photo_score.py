"""Each suggestion keeps what the photo alone said of it (photo_score, photo_rank), so
the chips can follow an edited caption. Rows stored before are taken as the photo's
own: their score and rank."""

from django.db import migrations, models
from django.db.models import F


def photos_own(apps, schema_editor):
    PhotoSuggestion = apps.get_model("tagging", "PhotoSuggestion")
    PhotoSuggestion.objects.update(photo_score=F("score"), photo_rank=F("rank"))


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0013_alt_texts_say_where"),
    ]

    operations = [
        migrations.AddField(
            model_name="photosuggestion",
            name="photo_score",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="photosuggestion",
            name="photo_rank",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(photos_own, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="photosuggestion",
            name="photo_score",
            field=models.FloatField(),
        ),
    ]
