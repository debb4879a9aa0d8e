from django.core.management.base import BaseCommand, CommandError, CommandParser

from tagging.models import ModelVersion
from tagging.selectors import model_version_get
from tagging.services import model_version_activate


class Command(BaseCommand):
    help = "Make a model version the active tagger (also to roll back); recorded in the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", help="a version name such as v3")
        parser.add_argument("--reason", required=True, help="why, for the audit log")

    def handle(self, *args: object, **options: object) -> None:
        try:
            version = model_version_get(name=str(options["version"]))
        except ModelVersion.DoesNotExist as error:
            names = ", ".join(ModelVersion.objects.values_list("name", flat=True)) or "none yet"
            raise CommandError(f"No version {options['version']}; there are: {names}") from error
        try:
            model_version_activate(
                version=version, actor=None, reason=str(options["reason"]), source="command"
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{version.name} is now active.")
