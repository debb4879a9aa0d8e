"""Hashtags named before their concept's spelling counted (services.spelled_as_concept):
#reims was stored as `reim`, the singular the rules made of it; it is `reims` again."""

from django.db import migrations

from socialapp.hashtags.services import spelled_as_concept


def rename(apps, schema_editor):  # type: ignore[no-untyped-def]
    Hashtag = apps.get_model("hashtags", "Hashtag")
    renamed = []
    for hashtag in Hashtag.objects.select_related("concept").iterator():
        name = spelled_as_concept(hashtag.concept, hashtag.key)
        if name and name != hashtag.name:
            hashtag.name = name
            renamed.append(hashtag)
    Hashtag.objects.bulk_update(renamed, ["name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("hashtags", "0006_concept_genders")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
