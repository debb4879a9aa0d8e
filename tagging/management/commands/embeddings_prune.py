from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tagging.services import embeddings_prune


class Command(BaseCommand):
    help = (
        "Delete the cached embeddings of backbones that neither the active version nor training "
        "uses (an earlier fine-tuned version's, or from before TAGGING_BACKBONE or TAGGING_TTA changed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")

    def handle(self, *args: object, **options: object) -> None:
        dry_run = bool(options["dry_run"])
        try:
            result = embeddings_prune(dry_run=dry_run)
        except (FileNotFoundError, ImproperlyConfigured) as error:
            raise CommandError(f"Cannot tell which embeddings are in use: {error}") from error
        for version, count in sorted(result.deleted.items()):
            self.stdout.write(f"{version}: {count}")
        total = sum(result.deleted.values())
        verb = "would be deleted" if dry_run else "deleted"
        self.stdout.write(f"{total} embeddings {verb}; kept those of {', '.join(result.kept)}.")
