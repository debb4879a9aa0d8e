"""Alt texts the tagger wrote before it wrote sentences people would write ("Photo that
may show abrelatas and cocina.") are cleared, so they are not taken for the owners' own
and the tagger writes them again (tagging.selectors.photo_alt_text)."""

from django.db import migrations
from django.db.models import Q

OLD = Q(alt_text__startswith="Photo that may show ") | Q(
    alt_text__startswith="Foto en la que puede aparecer "
)


def clear(apps, schema_editor):  # type: ignore[no-untyped-def]
    Photo = apps.get_model("photos", "Photo")
    Photo.objects.filter(OLD | Q(alt_text__in=["Photo.", "Foto."])).update(alt_text="")


class Migration(migrations.Migration):
    dependencies = [
        ("tagging", "0002_photosuggestion_shopsuggestion"),
        ("photos", "0006_photo_tagging_worker"),
    ]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop)]
