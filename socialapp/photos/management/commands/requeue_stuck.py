"""Queue again the work that stayed pending past its time limit (Celery beat does this
every minute; this is for operators, after a broker outage)."""

from django.core.management.base import BaseCommand

from socialapp.queueing import stuck_requeue


class Command(BaseCommand):
    help = "Queue again display images, analyses and translations stuck past their time limit."

    def handle(self, *args: object, **options: object) -> None:
        for name, count in stuck_requeue().items():
            self.stdout.write(f"{name}: {count} queued again")
