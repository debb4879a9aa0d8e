"""Writes for the tagger: training (vocabulary, exports, versions) and suggestions.

Each name is imported from its module when it is first used: a process that only serves
requests while workers run the models (REDIS_URL set) stores an upload and queues its
analysis through suggestions.py without ever loading torch, which training, evaluation
and the analyses import (tests/test_web_process_imports.py)."""

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tagging.extensions import OverrideChange

    from .concepts import CONCEPT_BLOCKED, concept_override_set
    from .drafts import (
        DRAFT_ANALYSIS_KEPT,
        DRAFT_ANALYSIS_TIME_LIMIT,
        DRAFT_ANALYSIS_USEFUL,
        draft_analyses_requeue_stuck,
        draft_analysis_compute,
        draft_analysis_create,
    )
    from .embeddings import Pruned, embeddings_delete, embeddings_prune, neighbour_index_refresh
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
        model_version_evaluate,
        model_version_train,
        photo_embeddings,
        training_set_export,
        vocabulary_build,
    )
    from .versions import Activation, activation_auditors, model_version_activate, model_version_gate

_MODULES = {
    "ANALYSIS_TIME_LIMIT": ".suggestions",
    "Activation": ".versions",
    "CONCEPT_BLOCKED": ".concepts",
    "DRAFT_ANALYSIS_KEPT": ".drafts",
    "DRAFT_ANALYSIS_TIME_LIMIT": ".drafts",
    "DRAFT_ANALYSIS_USEFUL": ".drafts",
    "NotRetryable": ".suggestions",
    "OverrideChange": "tagging.extensions",
    "Pruned": ".embeddings",
    "Resuggested": ".resuggest",
    "activation_auditors": ".versions",
    "analyses_requeue_orphaned": ".suggestions",
    "analyses_requeue_stuck": ".suggestions",
    "concept_alt_texts_rewrite": ".suggestions",
    "concept_override_set": ".concepts",
    "draft_analyses_requeue_stuck": ".drafts",
    "draft_analysis_compute": ".drafts",
    "draft_analysis_create": ".drafts",
    "embeddings_delete": ".embeddings",
    "embeddings_prune": ".embeddings",
    "model_version_activate": ".versions",
    "model_version_evaluate": ".training",
    "model_version_gate": ".versions",
    "model_version_train": ".training",
    "neighbour_index_refresh": ".embeddings",
    "photo_embeddings": ".training",
    "photo_suggestions_compute": ".suggestions",
    "photo_tagging_began": ".suggestions",
    "photo_tagging_fail": ".suggestions",
    "photo_tagging_retry": ".suggestions",
    "photo_tagging_start": ".suggestions",
    "photo_tagging_stuck": ".suggestions",
    "suggestion_accept": ".suggestions",
    "suggestion_reject": ".suggestions",
    "suggestions_export": ".suggestions",
    "suggestions_recompute": ".resuggest",
    "tagger_evaluate_folder": ".evaluation",
    "training_set_export": ".training",
    "vocabulary_build": ".training",
}


def __getattr__(name: str) -> object:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # once imported, an attribute like any other
    return value


__all__ = [
    "ANALYSIS_TIME_LIMIT",
    "CONCEPT_BLOCKED",
    "DRAFT_ANALYSIS_KEPT",
    "DRAFT_ANALYSIS_TIME_LIMIT",
    "DRAFT_ANALYSIS_USEFUL",
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
    "draft_analyses_requeue_stuck",
    "draft_analysis_compute",
    "draft_analysis_create",
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
