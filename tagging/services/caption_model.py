"""Writes for the caption model: fitted beside each trained version."""

from pathlib import Path

from tagging import selectors
from tagging.caption_suggestions import CAPTION_MODEL_FILE, photos_evidence
from tagging.ml.captions import CaptionModel, fit
from tagging.ml.coldstart_data import regions, related_concepts


def caption_model_build(*, directory: Path) -> CaptionModel:
    """Fit the caption model on the photos that may train the tagger (public posts of
    people who consented; never private accounts, withdrawn consent or hidden posts),
    the vocabulary's non-visual hashtags scored as the writer's habits, and write it to
    `directory`/caption.json. Returns it."""
    photos = list(selectors.training_photos())
    model = fit(
        photos_evidence(photos),
        related=related_concepts(),
        regions=regions(),
        non_visual=selectors.non_visual_concepts(),
    )
    directory.mkdir(parents=True, exist_ok=True)
    model.save(directory / CAPTION_MODEL_FILE)
    return model
