"""Which backbone the tagger should use: EfficientNet-Lite0 and Lite2 (both from their
PyPI packages), each without and with horizontal-flip test-time augmentation.

    .venv/bin/python bench/backbones.py [--photos DIR] [--learned] [--heldout] [--out FILE.json]

For each of the four, on a collection laid out like the demo's data (posts.csv with
filename, caption, shop_category; photos/ or images/; by default socialapp/demo/data,
the demo's copy of the dev set), in a throwaway SQLite database holding the
demo (`seed_demo`, whose posts are that collection):

- cold_start: hit@1, hit@5, P@5, R@5 of the suggestions as served (ranked, thresholded,
  non-visual concepts left out) over every photo, labels = each caption's hashtags;
- learned_leave_owner_out (with --learned; minutes per backbone): for each demo person a
  version trained without that person's photos, scored on them (bench/tagger_quality.py);
- heldout (with --heldout; needs Debian's gcompris-qt-data): the same figures on the 193
  held-out photos of bench/heldout.py, for cold start and for a version trained on the
  demo's photos that may train (as `seed_demo` trains v1), with this backbone and TTA;
- suggest_tags_12mp_ms: p50/p95 of `Tagger.predict` on one 12 MP JPEG (draft decode,
  preprocess, forward, heads, ranking), on the CPU with torch's threads (2 on this
  project's machines). The budget is p50 <= 80 ms.

It picks the best quality (hit@5, then P@5, then hit@1, learned figures when measured)
among those within the budget. Not part of `make bench`.
"""

import argparse
import json
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")
os.environ.pop("REDIS_URL", None)
os.environ.pop("DATABASE_URL", None)
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="socialapp-backbones-")

import django  # noqa: E402

django.setup()

import torch  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import override_settings  # noqa: E402
from heldout import LABELS, photos_write  # noqa: E402  (bench/heldout.py)
from PIL import Image  # noqa: E402
from tagger_quality import DEMO, labelled_rows, photo_owners  # noqa: E402  (bench/tagger_quality.py)
from timing import percentile, times_ms  # noqa: E402  (bench/timing.py)

from socialapp.photos.extensions import photo_created_hooks  # noqa: E402
from tagging import selectors  # noqa: E402
from tagging.ml.inference import Tagger, cold_start_tagger  # noqa: E402
from tagging.services.evaluation import LabelledPhoto, labels_read, served_metrics, served_report  # noqa: E402

BACKBONES = ("efficientnet_lite0", "efficientnet_lite2")
TTAS = ("none", "flip")
BUDGET_MS = 80.0
RUNS = int(os.environ.get("BENCH_RUNS", "40"))  # per tagger, in ROUNDS interleaved rounds
ROUNDS = 4


def _photo_12mp(folder: Path) -> Path:
    """The 12 MP JPEG bench/tagger.py times suggest_tags on."""
    source = ROOT / "socialapp" / "demo" / "data" / "photos" / "dev_004.jpg"
    path = folder / "12mp.jpg"
    Image.open(source).convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC).save(path, quality=92)
    return path


def _figures(report: dict[str, object]) -> dict[str, object]:
    keys = ("hit@1", "hit@5", "p@5", "r@5", "non_visual_suggested")
    return {k: report[k] for k in keys if k in report}


def _learned(collection: Path, rows: list, backbone: str, tta: str) -> dict[str, object]:
    """Leave-owner-out learned figures, trained and served with this backbone and TTA."""
    from socialapp.accounts.models import User
    from tagging import services
    from tagging.models import ModelVersion

    owners = photo_owners(collection)
    suggested: list[list[str]] = [[] for _ in rows]
    with override_settings(TAGGING_BACKBONE=backbone, TAGGING_TTA=tta):
        for person in User.objects.filter(username__in=set(owners.values())).order_by("username"):
            indices = [i for i, r in enumerate(rows) if owners[r.path.name] == person.username]
            User.objects.filter(pk=person.pk).update(training_consent=False)
            services.vocabulary_build()
            version, _ = services.model_version_train(force=True)
            User.objects.filter(pk=person.pk).update(training_consent=person.training_consent)
            report = served_report(
                [rows[i] for i in indices], selectors.tagger_for_version(version.name, version.folder)
            )
            for index, concepts in zip(indices, report["suggested"], strict=True):  # type: ignore[call-overload]
                suggested[index] = concepts
        ModelVersion.objects.update(is_active=False)
    return served_metrics(suggested, [r.concepts for r in rows])


def _heldout_rows(folder: Path) -> list[LabelledPhoto]:
    """bench/heldout.py's photos, read out of the installed package into `folder`."""
    photos_write(folder)
    return labels_read(photos=folder, labels=LABELS)


def _heldout(rows: list[LabelledPhoto], tagger: Tagger) -> dict[str, object]:
    """Cold start and a version trained on the demo's photos that may train, on the
    held-out photos, with this backbone and TTA."""
    from tagging import services
    from tagging.models import ModelVersion

    with override_settings(TAGGING_BACKBONE=tagger.backbone.name, TAGGING_TTA=tagger.tta):
        services.vocabulary_build()
        version, _ = services.model_version_train(force=True)
        trained = selectors.tagger_for_version(version.name, version.folder)
        figures = {
            "cold_start": _figures(served_report(rows, tagger)),
            "trained_on_the_demo": _figures(served_report(rows, trained)),
        }
        ModelVersion.objects.update(is_active=False)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--photos", type=Path, default=DEMO, help="posts.csv and photos/ or images/")
    parser.add_argument("--learned", action="store_true", help="also leave-owner-out learned figures")
    parser.add_argument("--heldout", action="store_true", help="also bench/heldout.py's held-out photos")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "backbones.json")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    photo_created_hooks.clear()  # the demo posts' own suggestions are not what is measured
    call_command("seed_demo")
    rows = labelled_rows(args.photos)
    photo = _photo_12mp(Path(os.environ["VAR_DIR"]))
    heldout: list[LabelledPhoto] = []
    if args.heldout:
        (Path(os.environ["VAR_DIR"]) / "heldout").mkdir()
        heldout = _heldout_rows(Path(os.environ["VAR_DIR"]) / "heldout")
    results: dict[str, object] = {
        "date": date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores, torch threads {torch.get_num_threads()}, CPU",
        "command": f"python bench/backbones.py --photos {args.photos}"
        + " --learned" * args.learned
        + " --heldout" * args.heldout,
        "photos": len(rows),
        "budget_ms_p50": BUDGET_MS,
        "runs": {},
    }
    taggers = {
        f"{backbone}+{tta}": cold_start_tagger(backbone, None, selectors.thresholds(), tta, "cpu")
        for backbone in BACKBONES
        for tta in TTAS
    }
    runs: dict[str, dict[str, object]] = {}
    for key, tagger in taggers.items():
        runs[key] = {
            "backbone_version": tagger.embedding_version,
            "input": tagger.backbone.preprocessing.crop,
            "cold_start": _figures(served_report(rows, tagger)),
        }
        if args.learned:
            runs[key]["learned_leave_owner_out"] = _learned(
                args.photos, rows, tagger.backbone.name, tagger.tta
            )
        if heldout:
            runs[key]["heldout"] = _heldout(heldout, tagger)
        print(f"{key}: {json.dumps(runs[key])}", flush=True)
    for key, times in _latencies(taggers, photo).items():
        runs[key]["suggest_tags_12mp_ms"] = {"p50": percentile(times, 50), "p95": percentile(times, 95)}
    results["runs"] = runs
    results["default_now"] = f"{settings.TAGGING_BACKBONE}+{settings.TAGGING_TTA}"
    results["pick"] = _pick(runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def _latencies(taggers: dict[str, Tagger], photo: Path) -> dict[str, list[float]]:
    """suggest_tags times per tagger, taken in interleaved rounds so that load from other
    processes falls on all of them alike."""
    times: dict[str, list[float]] = {key: [] for key in taggers}
    for _round in range(ROUNDS):
        for key, tagger in taggers.items():
            times[key] += times_ms(lambda tagger=tagger: tagger.predict([photo]), RUNS // ROUNDS, warmup=1)
    return times


def _pick(runs: dict[str, dict[str, object]]) -> str | None:
    """The best quality within the latency budget: learned figures when measured, else cold start."""

    def quality(entry: dict[str, object]) -> tuple[float, float, float]:
        figures = entry.get("learned_leave_owner_out") or entry["cold_start"]
        return (figures["hit@5"], figures["p@5"], figures["hit@1"])  # type: ignore[index]

    within = {k: v for k, v in runs.items() if v["suggest_tags_12mp_ms"]["p50"] <= BUDGET_MS}  # type: ignore[index]
    return max(within, key=lambda k: quality(within[k])) if within else None


if __name__ == "__main__":
    main()
