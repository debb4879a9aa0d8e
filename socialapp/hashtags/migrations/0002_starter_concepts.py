"""Install the starter alias table (socialapp/hashtags/data/concepts.csv).

Concepts already present (an admin may have edited them) are left as they are."""

from django.db import migrations

from socialapp.hashtags.starter import install as install_table
from socialapp.hashtags.starter import starter_concepts


def install(apps, schema_editor):
    install_table(
        apps.get_model("hashtags", "Concept"), apps.get_model("hashtags", "ConceptAlias"), starter_concepts()
    )


class Migration(migrations.Migration):
    dependencies = [("hashtags", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
