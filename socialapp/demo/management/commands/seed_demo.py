from django.core.management.base import BaseCommand

from socialapp.demo.seeding import seed


class Command(BaseCommand):
    help = "Create the demo people, posts, follows, likes, comments and listings (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        seed(log=self.stdout.write)
