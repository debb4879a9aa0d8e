import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from translation.ml.translator import EngineUnavailable
from translation.selectors import LANGUAGES, translator_require

BATCH = 32


class Command(BaseCommand):
    help = "Score an engine on a TSV of source<TAB>reference lines: BLEU and chrF (sacrebleu), as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="TSV: source<TAB>reference, one pair a line")
        parser.add_argument("--source", choices=LANGUAGES, required=True)
        parser.add_argument("--target", choices=LANGUAGES, required=True)
        parser.add_argument("--engine", choices=["auto", "marian", "ct2", "apertium"], default="auto")

    def handle(self, *args: object, **options: object) -> None:
        import sacrebleu

        source, target = str(options["source"]), str(options["target"])
        if source == target:
            raise CommandError("--source and --target must differ.")
        path = options["file"]
        assert isinstance(path, Path)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        sources, references = [], []
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE), 1):
                if not row or not "".join(row).strip():
                    continue
                if len(row) != 2:
                    raise CommandError(
                        f"{path}:{number}: expected source<TAB>reference, found {len(row)} fields."
                    )
                sources.append(row[0])
                references.append(row[1])
        if not sources:
            raise CommandError(f"{path} has no source<TAB>reference lines.")
        try:
            translator = translator_require(source=source, target=target, engine=str(options["engine"]))
        except EngineUnavailable as error:
            raise CommandError(str(error)) from error
        hypotheses: list[str] = []
        for start in range(0, len(sources), BATCH):
            hypotheses += [t.text for t in translator.translate(sources[start : start + BATCH])]
        result = {
            "engine": translator.engine.name,
            "model_id": translator.engine.model_id,
            "source": source,
            "target": target,
            "sentences": len(sources),
            "bleu": round(sacrebleu.corpus_bleu(hypotheses, [references]).score, 2),
            "chrf": round(sacrebleu.corpus_chrf(hypotheses, [references]).score, 2),
        }
        self.stdout.write(json.dumps(result))
