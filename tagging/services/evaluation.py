"""Score the served tagger (what users get: the active version blended with cold start,
ranked and thresholded) on any labelled folder of photos."""

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from socialapp.hashtags import canonical
from socialapp.hashtags.models import ConceptAlias, Hashtag
from tagging import selectors
from tagging.ml import metrics
from tagging.ml.heads import SHOP_CATEGORIES
from tagging.ml.inference import MONOCHROME_CONCEPT, Prediction, Tagger
from tagging.ml.preprocessing import ImageSource
from tagging.ml.stop_list import STOP_LIST

COLUMNS = ("filename", "tags", "shop_category")
SHOP_VALUES = (*SHOP_CATEGORIES, "none")
BATCH = 16


@dataclass(frozen=True)
class LabelledPhoto:
    path: Path
    concepts: list[str]  # the concepts its tags name, in the order written
    shop_category: str | None  # None: not labelled for the shop (an empty cell)


def labels_read(*, photos: Path, labels: Path) -> list[LabelledPhoto]:
    """Rows of a labels CSV (columns filename, tags, shop_category; tags separated by
    `|`, with or without `#`), each tag mapped to its concept through the alias table; an
    empty shop_category is a photo not labelled for the shop (`none` says it shows nothing
    to sell).
    Raises ValueError naming what to fix: a missing column, an empty file, an unknown
    shop category, a file that is not in `photos`, a file labelled on two lines."""
    if not photos.is_dir():
        raise ValueError(f"{photos} is not a folder.")
    try:
        with labels.open(encoding="utf-8-sig", newline="") as file:  # a spreadsheet's BOM too
            reader = csv.DictReader(file)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ValueError(
                    f"{labels}: missing column(s) {', '.join(missing)}; need {', '.join(COLUMNS)}."
                )
            rows = list(reader)
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"Cannot read {labels}: {error}") from error
    if not rows:
        raise ValueError(f"{labels} has no rows.")
    problems, result = [], []
    folder = os.path.abspath(photos)
    lines: dict[str, int] = {}  # photo (as a path in the folder) -> the line labelling it
    for line, row in enumerate(rows, start=2):
        name = (row["filename"] or "").strip()
        path = photos / name
        shop = (row["shop_category"] or "").strip() or None
        if not name or not path.is_file():
            problems.append(f"line {line}: no file {path}")
        elif os.path.commonpath([folder, os.path.abspath(path)]) != folder:  # "../x" or "/x"
            problems.append(f"line {line}: {name} is not in {photos}")
        elif shop is not None and shop not in SHOP_VALUES:
            problems.append(f"line {line}: shop_category {shop!r} is not one of {', '.join(SHOP_VALUES)}")
        elif (first := lines.setdefault(os.path.abspath(path), line)) != line:
            problems.append(f"line {line}: {name} is labelled on line {first} too")
        else:
            tags = [t.strip().lstrip("#") for t in (row["tags"] or "").split("|") if t.strip().lstrip("#")]
            result.append(LabelledPhoto(path, _concepts(tags), shop))
    if problems:
        raise ValueError(
            "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        )
    return result


def _concepts(tags: list[str]) -> list[str]:
    concepts: list[str] = []
    for tag in tags:
        key = canonical.key_for(tag)
        if not key:
            continue
        hashtag = Hashtag.objects.filter(key=key).select_related("concept").first()
        alias = None if hashtag else ConceptAlias.objects.filter(key=key).select_related("concept").first()
        name = hashtag.concept.name if hashtag else alias.concept.name if alias else key
        if name not in concepts:
            concepts.append(name)
    return concepts


def tagger_evaluate_folder(*, photos: Path, labels: Path, tagger: Tagger | None = None) -> dict[str, object]:
    """hit@1, hit@5, P@5 and R@5 of the suggestions as served (over photos with at least
    one tag; None where none has one), per-concept AP on the calibrated scores (concepts
    the tagger knows), shop accuracy and the shop false-positive rate on photos labelled
    `none`, and how many non-visual hashtags were suggested; and what each photo got
    (concepts in order, shop category).
    `tagger` defaults to the active one.
    Raises ValueError for a bad labels file or folder, OSError for an unreadable photo."""
    rows = labels_read(photos=photos, labels=labels)
    tagger = tagger or selectors.tagger_active()
    report = served_report(rows, tagger)
    if not any(r.concepts for r in rows):  # shop labels alone: no figure of tags to give
        report.update(dict.fromkeys(("hit@1", "hit@5", "p@5", "r@5")))
    suggested: list[list[str]] = report.pop("suggested")  # type: ignore[assignment]
    shops: list[str] = report.pop("shops")  # type: ignore[assignment]
    report.pop("scores")  # the benches' (tagger_quality.py): each photo's are its hashtags'
    return {
        "photos": len(rows),
        "model_version": tagger.version,
        **report,
        "suggestions": {
            r.path.name: {"hashtags": s, "shop_category": shop}
            for r, s, shop in zip(rows, suggested, shops, strict=True)
        },
    }


def served_report(rows: list[LabelledPhoto], tagger: Tagger) -> dict[str, object]:
    """The figures tagger_evaluate_folder reports, for labelled photos already read."""
    excluded = selectors.excluded_concepts()
    predictions: list[Prediction] = []
    for start in range(0, len(rows), BATCH):
        chunk: list[ImageSource] = [r.path for r in rows[start : start + BATCH]]
        predictions += tagger.predict(chunk, exclude=excluded)
    suggested = [[s.concept for s in p.hashtags] for p in predictions]
    shops = [p.shop_category.name if p.shop_category else "none" for p in predictions]
    return {
        **served_metrics(suggested, [r.concepts for r in rows]),
        "non_visual_suggested": sum(1 for s in suggested for c in s if c in excluded | STOP_LIST),
        "per_concept_ap": _per_concept_ap(tagger, predictions, [r.concepts for r in rows]),
        **shop_metrics(shops, rows),
        "suggested": suggested,
        "scores": [[s.score for s in p.hashtags] for p in predictions],
        "shops": shops,
    }


def served_metrics(suggested: list[list[str]], truth: list[list[str]]) -> dict[str, float]:
    """hit@1, hit@5, P@5 (always over 5) and R@5 of ranked suggestion lists, averaged
    over photos with at least one true concept."""
    pairs = [(s, set(t)) for s, t in zip(suggested, truth, strict=True) if t]
    if not pairs:
        return {"hit@1": 0.0, "hit@5": 0.0, "p@5": 0.0, "r@5": 0.0}
    found = [[c in t for c in s[:5]] for s, t in pairs]
    n = len(pairs)
    return {
        "hit@1": round(sum(bool(f and f[0]) for f in found) / n, 4),
        "hit@5": round(sum(any(f) for f in found) / n, 4),
        "p@5": round(sum(sum(f) / 5 for f in found) / n, 4),
        "r@5": round(sum(sum(f) / len(t) for f, (_s, t) in zip(found, pairs, strict=True)) / n, 4),
    }


def _per_concept_ap(
    tagger: Tagger, predictions: list[Prediction], truth: list[list[str]]
) -> dict[str, float]:
    """Each labelled concept's AP over the photos, ranked by the head's calibrated scores;
    #blackandwhite by what users are served, the pixels' rule (1 where it was suggested,
    0 where it never is)."""
    names = {c.name: i for i, c in enumerate(tagger.head.concepts)}
    wanted = sorted({c for t in truth for c in t if c in names or c == MONOCHROME_CONCEPT})
    if not wanted:
        return {}
    embeddings = torch.tensor([p.embedding for p in predictions])
    scores = tagger.scores(embeddings)[:, [names.get(c, 0) for c in wanted]]
    if MONOCHROME_CONCEPT in wanted:
        served = [any(s.concept == MONOCHROME_CONCEPT for s in p.hashtags) for p in predictions]
        scores[:, wanted.index(MONOCHROME_CONCEPT)] = torch.tensor(served, dtype=scores.dtype)
    column = {c: i for i, c in enumerate(wanted)}
    ap = metrics.per_concept_ap(scores, [[column[c] for c in t if c in column] for t in truth])
    return {name: round(value, 4) for name, value in zip(wanted, ap, strict=True) if value is not None}


def shop_metrics(predicted: list[str], rows: list[LabelledPhoto]) -> dict[str, float | None]:
    """Shop accuracy over the photos labelled for the shop (None when none is), and the
    false-positive rate: the share of photos labelled `none` given a category (None when
    no photo is labelled `none`)."""
    labelled = [(p, r.shop_category) for p, r in zip(predicted, rows, strict=True)]
    pairs = [(p, t) for p, t in labelled if t is not None]
    nones = [p for p, t in pairs if t == "none"]
    return {
        "shop_accuracy": round(sum(p == t for p, t in pairs) / len(pairs), 4) if pairs else None,
        "shop_false_positive_rate": round(sum(p != "none" for p in nones) / len(nones), 4) if nones else None,
    }
