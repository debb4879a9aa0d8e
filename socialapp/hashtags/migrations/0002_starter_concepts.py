"""Install the starter alias table (socialapp/hashtags/data/concepts.csv).

Concepts already present (an admin may have edited them) are left as they are."""

from django.db import migrations

from socialapp.hashtags.starter import starter_concepts


def install(apps, schema_editor):
    Concept = apps.get_model("hashtags", "Concept")
    ConceptAlias = apps.get_model("hashtags", "ConceptAlias")
    for starter in starter_concepts():
        concept, created = Concept.objects.get_or_create(
            name=starter.name,
            defaults={"display_en": starter.display_en, "display_es": starter.display_es},
        )
        if not created:
            continue
        taken = set(ConceptAlias.objects.filter(key__in=starter.aliases).values_list("key", flat=True))
        ConceptAlias.objects.bulk_create(
            ConceptAlias(concept=concept, key=key, language=language)
            for key, language in starter.aliases.items()
            if key not in taken
        )


class Migration(migrations.Migration):
    dependencies = [("hashtags", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
