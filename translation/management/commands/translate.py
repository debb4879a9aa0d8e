import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from translation.ml.translator import EngineUnavailable
from translation.selectors import LANGUAGES, translator_require

BATCH = 32


class Command(BaseCommand):
    help = "Translate standard input to standard output, one line out for each line in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=LANGUAGES, required=True)
        parser.add_argument("--target", choices=LANGUAGES, required=True)
        parser.add_argument("--engine", choices=["auto", "marian", "ct2", "apertium"], default="auto")
        parser.add_argument("--keep", action="append", default=[], help="a word to keep as written (repeat)")

    def handle(self, *args: object, **options: object) -> None:
        source, target = str(options["source"]), str(options["target"])
        if source == target:
            raise CommandError("--source and --target must differ.")
        try:
            translator = translator_require(source=source, target=target, engine=str(options["engine"]))
        except EngineUnavailable as error:
            raise CommandError(str(error)) from error
        keep = [str(term) for term in options["keep"]]  # type: ignore[attr-defined]
        lines = [line.rstrip("\n") for line in sys.stdin]
        for start in range(0, len(lines), BATCH):
            chunk = lines[start : start + BATCH]
            wanted = [line for line in chunk if line.strip()]
            done = iter(translator.translate(wanted, keep=keep)) if wanted else iter(())
            for line in chunk:
                self.stdout.write(next(done).text if line.strip() else "")
