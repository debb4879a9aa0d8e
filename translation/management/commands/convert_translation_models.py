from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from translation.selectors import model_dir


class Command(BaseCommand):
    help = (
        "Convert the configured MarianMT models to CTranslate2 (int8 by default: the fast CPU "
        "engine, used automatically once present), optionally with a target-vocabulary shortlist "
        "built from the model's own translations of a corpus."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--quantization", default="int8", choices=["int8", "int8_float32", "int16", "float32"]
        )
        parser.add_argument(
            "--corpus-en", type=Path, help="English text, a sentence a line: builds the en->es shortlist"
        )
        parser.add_argument(
            "--corpus-es", type=Path, help="Spanish text, a sentence a line: builds the es->en shortlist"
        )

    def handle(self, *args: object, **options: object) -> None:
        from translation.ml import ct2, shortlist
        from translation.ml.translator import Translator, engine_load

        converted = 0
        for source, target in (("en", "es"), ("es", "en")):
            folder = model_dir(source=source, target=target)
            if not (folder / "config.json").is_file():
                self.stdout.write(f"{source}->{target}: no MarianMT model in {folder}; skipped.")
                continue
            out = ct2.convert(folder, quantization=str(options["quantization"]))
            converted += 1
            self.stdout.write(f"{source}->{target}: {folder} -> {out} ({options['quantization']})")
            corpus = options[f"corpus_{source}"]
            if corpus is None:
                continue
            assert isinstance(corpus, Path)
            if not corpus.is_file():
                raise CommandError(f"No such file: {corpus}")
            lines = [line.strip() for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
            engine = engine_load(source, target, model_dir=folder, engine="ct2")
            assert engine is not None
            path = shortlist.vmap_build(Translator(engine), lines, out_path=out / "vmap.txt")
            self.stdout.write(f"{source}->{target}: shortlist from {len(lines)} sentences -> {path}")
        if not converted:
            raise CommandError(
                "No MarianMT model to convert: run `python manage.py fetch_translation_models` first "
                "(or copy the folders to TRANSLATION_MODEL_EN_ES and TRANSLATION_MODEL_ES_EN)."
            )
