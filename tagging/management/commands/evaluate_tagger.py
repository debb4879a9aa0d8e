import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tagging.models import ModelVersion
from tagging.services import model_version_evaluate


class Command(BaseCommand):
    help = "Evaluate a version (default: the active one) on today's held-out photos, with baselines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", nargs="?", help="a version name such as v3")

    def handle(self, *args: object, **options: object) -> None:
        query = (
            ModelVersion.objects.filter(name=options["version"])
            if options["version"]
            else ModelVersion.objects.filter(is_active=True)
        )
        version = query.first()
        if version is None:
            raise CommandError("No such version." if options["version"] else "No active version to evaluate.")
        try:
            result = model_version_evaluate(version=version)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps({"version": version.name, **result}, indent=2))
