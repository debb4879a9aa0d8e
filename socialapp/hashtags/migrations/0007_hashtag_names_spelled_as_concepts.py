"""Hashtags named before their concept's spelling counted (services.spelled_as_concept):
#reims was stored as `reim`, the singular the rules made of it; it is `reims` again."""

from django.db import migrations

from socialapp.hashtags.canonical import key_for


def rename(apps, schema_editor):  # type: ignore[no-untyped-def]
    Hashtag = apps.get_model("hashtags", "Hashtag")
    renamed = []
    for hashtag in Hashtag.objects.select_related("concept").iterator():
        for display in (hashtag.concept.display_en, hashtag.concept.display_es):
            if display and key_for(display) == hashtag.key:
                if display.lower() != hashtag.name:
                    hashtag.name = display.lower()
                    renamed.append(hashtag)
                break
    Hashtag.objects.bulk_update(renamed, ["name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("hashtags", "0006_concept_genders")]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
