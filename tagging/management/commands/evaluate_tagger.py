"""python manage.py evaluate_tagger [VERSION]
python manage.py evaluate_tagger [VERSION] --photos DIR --labels FILE.csv [--json]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tagging.models import ModelVersion
from tagging.selectors import tagger_for_version
from tagging.services import model_version_evaluate, tagger_evaluate_folder


class Command(BaseCommand):
    help = (
        "Evaluate a version (default: the active one) on today's held-out photos, with baselines; "
        "or, with --photos and --labels, the served tagger (or VERSION) on a labelled folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("version", nargs="?", help="a version name such as v3")
        parser.add_argument("--photos", type=Path, help="a folder of photos")
        parser.add_argument(
            "--labels", type=Path, help="CSV with columns filename,tags,shop_category (tags separated by |)"
        )
        parser.add_argument("--json", action="store_true", help="print JSON (folder mode)")

    def handle(self, *args: object, **options: object) -> None:
        photos, labels = options["photos"], options["labels"]
        if (photos is None) != (labels is None):
            raise CommandError("Give both --photos DIR and --labels FILE.csv, or neither.")
        version = self._version(options["version"], required=photos is None)  # type: ignore[arg-type]
        if photos is None:
            try:
                result = model_version_evaluate(version=version)  # type: ignore[arg-type]
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(json.dumps({"version": version.name, **result}, indent=2))  # type: ignore[union-attr]
            return
        tagger = tagger_for_version(version.name, version.folder) if version else None
        try:
            report = tagger_evaluate_folder(photos=photos, labels=labels, tagger=tagger)  # type: ignore[arg-type]
        except (ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self._table(report)

    def _version(self, name: str | None, *, required: bool) -> ModelVersion | None:
        query = (
            ModelVersion.objects.filter(name=name) if name else ModelVersion.objects.filter(is_active=True)
        )
        version = query.first()
        if version is None and (name or required):
            raise CommandError(f"No version {name}." if name else "No active version to evaluate.")
        return version

    def _table(self, report: dict[str, object]) -> None:
        self.stdout.write(f"{report['photos']} photos, model {report['model_version']}")
        for key in ("hit@1", "hit@5", "p@5", "r@5", "shop_accuracy", "shop_false_positive_rate"):
            value = report[key]
            self.stdout.write(f"  {key:<26} {'n/a' if value is None else f'{value:.3f}'}")
        self.stdout.write(f"  {'non-visual suggested':<26} {report['non_visual_suggested']}")
        ap: dict[str, float] = report["per_concept_ap"]  # type: ignore[assignment]
        self.stdout.write(f"  per-concept AP ({len(ap)} concepts the tagger knows):")
        for name, value in sorted(ap.items(), key=lambda item: (-item[1], item[0])):
            self.stdout.write(f"    #{name:<24} {value:.3f}")
