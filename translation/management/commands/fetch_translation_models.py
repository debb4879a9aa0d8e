from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

REPOS = {
    ("en", "es"): "Helsinki-NLP/opus-mt-en-es",
    ("es", "en"): "Helsinki-NLP/opus-mt-es-en",
}
FILES = ["*.json", "*.spm", "*.safetensors", "pytorch_model.bin", "README.md", "LICENSE*"]


class Command(BaseCommand):
    help = (
        "Download the MarianMT models (Helsinki-NLP opus-mt-en-es and opus-mt-es-en) into the "
        "folders TRANSLATION_MODEL_EN_ES and TRANSLATION_MODEL_ES_EN name, from the Hugging Face hub."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="download again even if present")

    def handle(self, *args: object, **options: object) -> None:
        from huggingface_hub import snapshot_download

        targets = {
            ("en", "es"): Path(settings.TRANSLATION_MODEL_EN_ES),
            ("es", "en"): Path(settings.TRANSLATION_MODEL_ES_EN),
        }
        for direction, folder in targets.items():
            repo = REPOS[direction]
            if (folder / "config.json").is_file() and not options["force"]:
                self.stdout.write(f"{repo}: already in {folder}")
                continue
            try:
                snapshot_download(repo, local_dir=folder, allow_patterns=FILES)
            except OSError as error:  # huggingface_hub's errors for an unreachable hub are OSErrors
                raise CommandError(
                    f"Could not download {repo}: the Hugging Face hub is not reachable from here "
                    f"({str(error).splitlines()[0]}). On a machine that reaches it, run this command "
                    f"or `huggingface-cli download {repo}`, then copy the folder to {folder}."
                ) from error
            self.stdout.write(f"{repo}: saved in {folder}")
        self.stdout.write(
            "Done. `python manage.py convert_translation_models` makes the faster CTranslate2 versions."
        )
