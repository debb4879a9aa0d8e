"""Which tagger is active. Loaded once per process (the ml layer caches it)."""

from pathlib import Path

import torch
from django.conf import settings

from tagging.ml.inference import Tagger, Thresholds, cold_start_tagger


def thresholds() -> Thresholds:
    return Thresholds(
        max_suggestions=settings.TAGGING_MAX_SUGGESTIONS,
        min_score=settings.TAGGING_MIN_SCORE,
        shop_min_score=settings.TAGGING_SHOP_MIN_SCORE,
    )


def tagger_active() -> Tagger:
    """The tagger suggestions come from: the cold-start ImageNet map until a head trained
    on the platform's hashtags is activated."""
    if settings.TORCH_THREADS and torch.get_num_threads() != settings.TORCH_THREADS:
        torch.set_num_threads(settings.TORCH_THREADS)
    checkpoint = Path(settings.TAGGING_CHECKPOINT) if settings.TAGGING_CHECKPOINT else None
    return cold_start_tagger(settings.TAGGING_BACKBONE, checkpoint, thresholds())
