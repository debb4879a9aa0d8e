from django.core.management.base import BaseCommand

from tagging.services import vocabulary_build

from ._progress import ProgressBars


class Command(BaseCommand):
    help = "Count concepts over the training photos and score their visualness."

    def handle(self, *args: object, **options: object) -> None:
        progress = ProgressBars(self.stderr)
        stats = vocabulary_build(progress=progress)
        progress.close()
        by_status: dict[str, list[str]] = {}
        for stat in stats:
            by_status.setdefault(stat.effective_status, []).append(stat.concept.name)
        for status, names in sorted(by_status.items()):
            shown = ", ".join(names[:15]) + (" …" if len(names) > 15 else "")
            self.stdout.write(f"{status}: {len(names)}  {shown}")
