"""A version's calibration, measured when it is trained: base rates on the platform's
photos, per-concept thresholds from its held-out photos, and raised ones for the concepts
it did not learn (see tagging/ml/ranking.py)."""

import json
from pathlib import Path

import torch
from django.conf import settings

from tagging.ml.coldstart import ColdStartHead
from tagging.ml.dataset import TrainingSet
from tagging.ml.learned import BlendedHead, load_saved
from tagging.ml.neighbours import load_index
from tagging.ml.ranking import measured_calibration

CALIBRATION_FILE = "calibration.json"


def version_calibration_write(*, directory: Path, data: TrainingSet, coldstart: ColdStartHead) -> Path:
    """Measure the calibration of the head trained in `directory` on `data`'s photos and
    write it beside the head. Returns the file's path."""
    assert data.embeddings is not None
    head = BlendedHead(
        load_saved(directory / "head.pt"), coldstart, version="candidate", neighbours=load_index(directory)
    )
    with torch.inference_mode():
        raw = head.concept_scores(data.embeddings)
    held_out = torch.tensor([s == "val" for s in data.split], dtype=torch.bool)
    positives = torch.zeros(int(held_out.sum()), len(head.concepts), dtype=torch.bool)
    for row, index in enumerate(data.indices("val")):
        positives[row, data.targets[index]] = True  # the head's first columns are data.concepts
    learned = torch.zeros(len(head.concepts), dtype=torch.bool)
    learned[: len(data.concepts)] = True  # the version's vocabulary: the head's first columns
    calibration = measured_calibration(
        head.calibration, raw, held_out, positives, min_score=settings.TAGGING_MIN_SCORE, learned=learned
    )
    path = directory / CALIBRATION_FILE
    path.write_text(
        json.dumps(
            {"base_rates": calibration.base_rates.tolist(), "thresholds": calibration.thresholds.tolist()}
        )
    )
    return path


def version_calibration_read(directory: Path) -> dict[str, list[float]] | None:
    """The calibration written for the version in `directory`, or None for a version
    trained before calibrations were measured."""
    path = directory / CALIBRATION_FILE
    return json.loads(path.read_text()) if path.is_file() else None
