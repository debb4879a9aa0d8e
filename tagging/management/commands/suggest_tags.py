"""python manage.py suggest_tags IMAGE... [--json] [--language en|es]"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tagging.ml.inference import Prediction
from tagging.selectors import excluded_concepts, tagger_active


def prediction_json(prediction: Prediction) -> dict[str, object]:
    shop = prediction.shop_category
    return {
        "hashtags": [{"name": s.hashtag, "score": s.score} for s in prediction.hashtags],
        "shop_category": {"name": shop.name, "score": shop.score} if shop else None,
        "alt_text": prediction.alt_text,
        "model_version": prediction.model_version,
    }


class Command(BaseCommand):
    help = "Suggest hashtags, a shop category and alt text for photos with the active tagger."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("images", nargs="+", type=Path)
        parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
        parser.add_argument("--language", choices=["en", "es"], default="en")

    def handle(self, *args: object, **options: object) -> None:
        images: list[Path] = options["images"]  # type: ignore[assignment]
        folder = next((p for p in images if p.is_dir()), None)
        if folder is not None:
            raise CommandError(f"{folder} is a folder: name the images in it (photos/*.jpg)")
        missing = [str(p) for p in images if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        try:
            predictions = tagger_active().predict(
                images, language=str(options["language"]), exclude=excluded_concepts()
            )
        except OSError as error:
            raise CommandError(f"Cannot read an image: {error}") from error
        results = {str(p): prediction_json(r) for p, r in zip(images, predictions, strict=True)}
        if options["json"]:
            self.stdout.write(json.dumps(results, ensure_ascii=False, indent=2))
            return
        for path, result in results.items():
            self.stdout.write(self.style.MIGRATE_HEADING(path))
            for tag in result["hashtags"]:  # type: ignore[attr-defined]
                self.stdout.write(f"  #{tag['name']:<28} {tag['score']:.3f}")
            shop = result["shop_category"]
            self.stdout.write(f"  shop: {shop['name']} ({shop['score']:.3f})" if shop else "  shop: none")  # type: ignore[index]
            self.stdout.write(f"  alt: {result['alt_text']}")
            self.stdout.write(f"  model: {result['model_version']}")
