from django.core.management.base import BaseCommand, CommandError, CommandParser

from tagging.services import model_version_train

from ._progress import ProgressBars


class Command(BaseCommand):
    help = (
        "Export the training set, train a new version and register it (activated if it beats the active one)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="activate even if it is not better")
        parser.add_argument("--finetune", action="store_true", help="also fine-tune the backbone")

    def handle(self, *args: object, **options: object) -> None:
        progress = ProgressBars(self.stderr)
        try:
            version, activated = model_version_train(
                force=bool(options["force"]), finetune=bool(options["finetune"]), progress=progress
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            progress.close()
        scores = version.metrics.get("hashtags", {})
        summary = ", ".join(f"{k} {v:.3f}" for k, v in scores.items())
        state = (
            "activated" if activated else "not activated (the active version is better; --force to override)"
        )
        size = f"{version.trained_photo_count} photos, {len(version.vocabulary)} concepts"
        self.stdout.write(f"{version.name}: {size}; {summary}; {state}")
