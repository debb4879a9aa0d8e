"""Install the concepts the generated table (socialapp/hashtags/data/concepts.csv) adds
to installs that ran 0002 on the hand-written one.

Concepts already there are left as they are, the demo's place names included; nothing is
deleted or edited."""

from django.db import migrations

from socialapp.hashtags.starter import install, starter_concepts


def install_generated(apps, schema_editor):
    install(
        apps.get_model("hashtags", "Concept"), apps.get_model("hashtags", "ConceptAlias"), starter_concepts()
    )


class Migration(migrations.Migration):
    dependencies = [("hashtags", "0002_starter_concepts")]

    operations = [migrations.RunPython(install_generated, migrations.RunPython.noop)]
