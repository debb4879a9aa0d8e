"""Writes for the tagger: training (vocabulary, exports, versions) and suggestions."""

from tagging.extensions import OverrideChange

from .concepts import CONCEPT_BLOCKED, concept_override_set
from .evaluation import tagger_evaluate_folder
from .resuggest import Resuggested, suggestions_recompute
from .suggestions import (
    ANALYSIS_TIME_LIMIT,
    NotRetryable,
    analyses_requeue_orphaned,
    analyses_requeue_stuck,
    concept_alt_texts_rewrite,
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
    Pruned,
    embeddings_delete,
    embeddings_prune,
    model_version_evaluate,
    model_version_train,
    neighbour_index_refresh,
    photo_embeddings,
    training_set_export,
    vocabulary_build,
)
from .versions import Activation, activation_auditors, model_version_activate, model_version_gate

__all__ = [
    "ANALYSIS_TIME_LIMIT",
    "CONCEPT_BLOCKED",
    "Activation",
    "NotRetryable",
    "OverrideChange",
    "Pruned",
    "Resuggested",
    "activation_auditors",
    "analyses_requeue_orphaned",
    "analyses_requeue_stuck",
    "concept_alt_texts_rewrite",
    "concept_override_set",
    "embeddings_delete",
    "embeddings_prune",
    "model_version_activate",
    "model_version_evaluate",
    "model_version_gate",
    "model_version_train",
    "neighbour_index_refresh",
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
    "suggestions_recompute",
    "tagger_evaluate_folder",
    "training_set_export",
    "vocabulary_build",
]
