"""Rebuild the grid thumbnails stored before they covered their square tile; safe to
stop and run again."""

from django.core.management.base import BaseCommand, CommandError

from socialapp.uploads import grid_thumbnails_rebuild


class Command(BaseCommand):
    help = (
        "Make again, from the stored images, the grid thumbnails of posts and listings stored when "
        "they were 320 px on their longest side (now: a 320 px square covered, at most 3:1)."
    )

    def handle(self, *args: object, **options: object) -> None:
        rebuilt, unreadable = grid_thumbnails_rebuild()
        self.stdout.write(f"{rebuilt} grid thumbnail{'' if rebuilt == 1 else 's'} rebuilt.")
        if unreadable:
            raise CommandError(
                f"{unreadable} stored image{'' if unreadable == 1 else 's'} could not be read."
            )
