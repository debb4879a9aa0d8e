"""python manage.py resuggest [--since YYYY-MM-DD] [--batch-size N]"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from tagging.ml.batch_inference import CPU_BATCH, GPU_BATCH
from tagging.services import suggestions_recompute

from ._progress import ProgressBars


class Command(BaseCommand):
    help = (
        "Run the active tagger again over the posts whose suggestions are still unreviewed "
        "(posts with an accepted or rejected suggestion keep theirs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="only posts created on or after this day, YYYY-MM-DD")
        parser.add_argument(
            "--batch-size",
            type=int,
            help=f"photos per forward pass ({CPU_BATCH} on a CPU, {GPU_BATCH} on a GPU)",
        )

    def handle(self, *args: object, **options: object) -> None:
        since = _day(options["since"]) if options["since"] else None  # type: ignore[arg-type]
        progress = ProgressBars(self.stderr)
        try:
            result = suggestions_recompute(
                since=since,
                batch_size=options["batch_size"],  # type: ignore[arg-type]
                progress=progress,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            progress.close()
        if not (result.images or result.unreadable or result.changed):  # "0.0 images/s" says nothing
            self.stdout.write(
                f"No unreviewed post to re-score with {result.model_version}: none shows another "
                f"version's suggestions ({result.reviewed} skipped as reviewed)."
            )
            return
        posts = "post" if result.rescored == 1 else "posts"
        self.stdout.write(
            f"{result.rescored} {posts} re-scored with {result.model_version}, "
            f"{result.reviewed} skipped as reviewed, {result.unreadable} unreadable, "
            f"{result.changed} changed meanwhile; {result.kept} from embeddings kept at upload; "
            f"{result.images_per_second:.1f} images/s in batches of {result.batch_size}"
        )


def _day(value: str) -> datetime:
    """The start of that day in the site's time zone. Raises CommandError."""
    try:
        day = datetime.strptime(value, "%Y-%m-%d")
    except ValueError as error:
        raise CommandError(
            f"--since must be a date as YYYY-MM-DD, such as 2025-01-31: not {value!r}."
        ) from error
    return timezone.make_aware(day)
