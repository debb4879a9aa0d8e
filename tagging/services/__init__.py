"""Writes for the tagger: training (vocabulary, exports, versions) and suggestions."""

from .suggestions import (
    ANALYSIS_TIME_LIMIT,
    NotRetryable,
    analyses_requeue_orphaned,
    analyses_requeue_stuck,
    photo_suggestions_compute,
    photo_tagging_began,
    photo_tagging_fail,
    photo_tagging_retry,
    photo_tagging_start,
    photo_tagging_stuck,
    suggestion_accept,
    suggestion_reject,
    suggestions_export,
)
from .training import (
    embeddings_delete,
    model_version_activate,
    model_version_evaluate,
    model_version_train,
    photo_embeddings,
    training_set_export,
    vocabulary_build,
)

__all__ = [
    "ANALYSIS_TIME_LIMIT",
    "NotRetryable",
    "analyses_requeue_orphaned",
    "analyses_requeue_stuck",
    "embeddings_delete",
    "model_version_activate",
    "model_version_evaluate",
    "model_version_train",
    "photo_embeddings",
    "photo_suggestions_compute",
    "photo_tagging_began",
    "photo_tagging_fail",
    "photo_tagging_retry",
    "photo_tagging_start",
    "photo_tagging_stuck",
    "suggestion_accept",
    "suggestion_reject",
    "suggestions_export",
    "training_set_export",
    "vocabulary_build",
]
