"""Tagger quality on a labelled photo collection laid out like the demo's data (posts.csv
with filename, caption, shop_category; the images in photos/ or images/), as served to users:

    .venv/bin/python bench/tagger_quality.py [--photos DIR] [--out FILE.json]

The collection defaults to the demo's own copy of the dev set (socialapp/demo/data).

In a throwaway SQLite database it loads the demo (`seed_demo`, whose posts are that
collection), then reports, over every photo of the collection:

- cold_start: no version active;
- learned: leave-owner-out. For each demo person, a version is trained with that
  person's photos left out (as if they had withdrawn consent) and scored on them; the
  private account's photos never train and are scored by the version trained on all.

The labels are each caption's hashtags. Not part of `make bench` (a few minutes of CPU:
one upload per photo, then one training per person).
"""

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")
os.environ.pop("REDIS_URL", None)
os.environ.pop("DATABASE_URL", None)
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="socialapp-quality-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from socialapp.accounts.models import User  # noqa: E402
from socialapp.hashtags import canonical  # noqa: E402
from socialapp.photos.extensions import photo_created_hooks  # noqa: E402
from socialapp.photos.models import Photo  # noqa: E402
from tagging import selectors, services  # noqa: E402
from tagging.ml.inference import Tagger  # noqa: E402
from tagging.models import ModelVersion  # noqa: E402
from tagging.services.evaluation import (  # noqa: E402
    LabelledPhoto,
    labels_read,
    served_metrics,
    served_report,
    shop_metrics,
)
from tagging.templatetags.suggestions import SHOWN, SHOWN_MIN_SCORE, chips_split  # noqa: E402

DEMO = ROOT / "socialapp" / "demo" / "data"


class Chip(NamedTuple):
    """A suggestion as chips_split reads it."""

    concept: str
    score: float


def labelled_rows(collection: Path) -> list[LabelledPhoto]:
    """The collection's photos with their captions' hashtags as labels."""
    images = collection / "images" if (collection / "images").is_dir() else collection / "photos"
    return labels_read(photos=images, labels=_labels(collection, Path(os.environ["VAR_DIR"])))


def _labels(collection: Path, folder: Path) -> Path:
    """posts.csv -> a labels file evaluate_tagger reads (the caption's hashtags)."""
    path = folder / "labels.csv"
    with (collection / "posts.csv").open(encoding="utf-8", newline="") as source, path.open("w") as out:
        writer = csv.writer(out)
        writer.writerow(["filename", "tags", "shop_category"])
        for row in csv.DictReader(source):
            writer.writerow(
                [row["filename"], "|".join(canonical.parse(row["caption"])), row["shop_category"]]
            )
    return path


def photo_owners(collection: Path) -> dict[str, str]:
    """filename -> demo username, matched by caption."""
    by_caption = dict(Photo.objects.values_list("caption", "owner__username"))
    with (collection / "posts.csv").open(encoding="utf-8", newline="") as source:
        return {row["filename"]: by_caption[row["caption"]] for row in csv.DictReader(source)}


def _summary(
    rows: list[LabelledPhoto], reports: list[dict[str, object]], order: list[list[int]]
) -> dict[str, object]:
    suggested: list[list[str]] = [[] for _ in rows]
    scores: list[list[float]] = [[] for _ in rows]
    shops = ["none"] * len(rows)
    for report, indices in zip(reports, order, strict=True):
        served = zip(indices, report["suggested"], report["scores"], report["shops"], strict=True)  # type: ignore[call-overload]
        for index, concepts, scored, shop in served:
            suggested[index], scores[index], shops[index] = concepts, scored, shop
    return {
        "photos": len(rows),
        **served_metrics(suggested, [r.concepts for r in rows]),
        "non_visual_suggested": sum(int(r["non_visual_suggested"]) for r in reports),  # type: ignore[call-overload]
        **shop_metrics(shops, rows),
        "top_suggestion_counts": _top(suggested),
        "chips": _chips(suggested, scores, [r.concepts for r in rows]),
    }


def _chips(
    suggested: list[list[str]], scores: list[list[float]], truth: list[list[str]]
) -> dict[str, list[int]]:
    """How often the post page's chips are one of the photo's hashtags, [right, chips]:
    those it shows at first (templatetags.suggestions.chips_split), the SHOWN best and the
    rest, and all of them under and over SHOWN_MIN_SCORE."""
    counts = {name: [0, 0] for name in ("shown_at_first", "best", "rest", "under_min", "over_min")}
    for concepts, scored, true in zip(suggested, scores, truth, strict=True):
        chips = [Chip(concept, score) for concept, score in zip(concepts, scored, strict=True)]
        first, _more = chips_split(chips)
        for rank, chip in enumerate(chips):
            kinds = [
                "best" if rank < SHOWN else "rest",
                "over_min" if chip.score >= SHOWN_MIN_SCORE else "under_min",
                *(["shown_at_first"] if chip in first else []),
            ]
            for kind in kinds:
                counts[kind][0] += chip.concept in true
                counts[kind][1] += 1
    return counts


def _served_scores(rows: list[LabelledPhoto], tagger: Tagger) -> dict[str, dict[str, float]]:
    """filename -> the suggestions `tagger` serves for it, with their scores."""
    excluded = selectors.excluded_concepts()
    predictions = tagger.predict([r.path for r in rows], exclude=excluded)
    return {
        r.path.name: {s.concept: s.score for s in p.hashtags} for r, p in zip(rows, predictions, strict=True)
    }


def _top(suggested: list[list[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for concepts in suggested:
        if concepts:
            counts[concepts[0]] = counts.get(concepts[0], 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1])[:8])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=Path, default=DEMO, help="posts.csv and photos/ or images/")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "tagger_quality.json")
    parser.add_argument(
        "--vision-out",
        type=Path,
        help="also write each photo's served suggestions ({filename: {concept: score}}, in the "
        "order served) from the "
        "version that never saw its owner, for bench/caption_suggest.py --vision-from",
    )
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    # The demo posts' own suggestions are not what is measured: skip that analysis (a
    # model run per upload) while seeding.
    photo_created_hooks.clear()
    call_command("seed_demo")
    rows = labelled_rows(args.photos)
    owners = photo_owners(args.photos)
    ModelVersion.objects.update(is_active=False)
    cold = served_report(rows, selectors.tagger_active())
    results: dict[str, object] = {"cold_start": _summary(rows, [cold], [list(range(len(rows)))])}

    reports, order = [], []
    vision: dict[str, dict[str, float]] = {}
    people = User.objects.filter(username__in=set(owners.values()))
    for person in people.order_by("username"):
        indices = [i for i, r in enumerate(rows) if owners[r.path.name] == person.username]
        trains = person.training_consent and not person.is_private
        User.objects.filter(pk=person.pk).update(training_consent=False)
        services.vocabulary_build()
        version, _ = services.model_version_train(force=True)
        User.objects.filter(pk=person.pk).update(training_consent=person.training_consent)
        tagger = selectors.tagger_for_version(version.name, version.folder)
        held_out = [rows[i] for i in indices]
        reports.append(served_report(held_out, tagger))
        if args.vision_out:
            vision |= _served_scores(held_out, tagger)
        order.append(indices)
        note = "" if trains else " (never trains)"
        print(f"{person.username}: {len(indices)} photos held out{note}, {version.name}")
    results["learned_leave_owner_out"] = _summary(rows, reports, order)
    if args.vision_out:
        args.vision_out.write_text(json.dumps(vision, indent=1) + "\n")  # each in served order
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
