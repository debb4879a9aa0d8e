"""Adds User.username_skeleton (what a username looks like) with a unique index.

Existing accounts get their skeleton. Where earlier accounts already look alike (they
signed up before the rule), the oldest keeps the plain skeleton and each later one gets
"<skeleton>#<id>": no account is renamed or locked out, the unique index can be built, and
new look-alikes of any of them are refused (services.username_validate matches the mark).
"""

from django.db import migrations, models

from socialapp.accounts.usernames import SKELETON_MAX_LENGTH, username_skeleton


def fill_skeletons(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    seen = set()
    for user in User.objects.order_by("pk").only("pk", "username").iterator():
        skeleton = username_skeleton(user.username)
        if skeleton in seen:
            skeleton = f"{skeleton}#{user.pk}"
        seen.add(skeleton)
        User.objects.filter(pk=user.pk).update(username_skeleton=skeleton[:SKELETON_MAX_LENGTH])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_skeleton",
            field=models.CharField(editable=False, max_length=SKELETON_MAX_LENGTH, null=True),
        ),
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="user",
            name="username_skeleton",
            field=models.CharField(
                editable=False, max_length=SKELETON_MAX_LENGTH, unique=True, verbose_name="username skeleton"
            ),
        ),
    ]
