#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError

    try:
        execute_from_command_line(sys.argv)
    except DatabaseError as error:
        if not _migrations_unapplied():
            raise
        said = str(error).splitlines()[0] if str(error) else type(error).__name__
        sys.exit(f"The database is not set up yet ({said}): run `python manage.py migrate` first.")


def _migrations_unapplied() -> bool:
    """Whether the default database lacks migrations on disk (a command run before
    `migrate` fails on a missing table); False where that cannot be told."""
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    except DatabaseError:
        return False


if __name__ == "__main__":
    main()
