"""The tagger's cached embeddings and the served neighbour index: what goes when photos
stop feeding the tagger, and what no version uses any more. Plain file and cache
operations: the processes that serve requests run them (a photo deleted, consent
withdrawn) without loading torch."""

import uuid
from dataclasses import dataclass

from django.core.cache import cache

from tagging import selectors
from tagging.artifacts import artifact_blobs
from tagging.ml.embeddings import embedding_versions, embeddings_version_delete
from tagging.ml.embeddings import embeddings_delete as cached_embeddings_delete


def embeddings_delete(*, photo_ids: list[int]) -> int:
    """Delete cached embeddings of these photos under every backbone. Returns how many."""
    return cached_embeddings_delete(artifact_blobs(), photo_ids)


@dataclass(frozen=True)
class Pruned:
    kept: list[str]  # the embedding kinds in use: the served version's and training's
    deleted: dict[str, int]  # embedding kind -> embeddings deleted (or, dry, to delete)


def embeddings_prune(*, dry_run: bool = False) -> Pruned:
    """Delete the cached embeddings of backbones that neither the active version nor
    training uses: an earlier fine-tuned version's (each has its own weights, so its own
    folder), or those computed before TAGGING_BACKBONE or TAGGING_TTA changed. Nothing
    reads them again; activating such a version again only makes resuggest run its
    backbone. With `dry_run`, only count them. Deletes nothing and raises
    FileNotFoundError when the active version's files are missing, ImproperlyConfigured
    when this process's settings compute other embeddings than it was trained on (what
    is in use cannot be told then)."""
    store = artifact_blobs()
    kept = {selectors.tagger_active().embedding_version, selectors.tagger_cold_start().embedding_version}
    deleted = {
        version: embeddings_version_delete(store, version, dry_run=dry_run)
        for version in embedding_versions(store)
        if version not in kept
    }
    return Pruned(kept=sorted(kept), deleted={version: n for version, n in deleted.items() if n})


def neighbour_index_refresh() -> None:
    """Have every process reload the served version's neighbour index, less the photos
    that may no longer train the tagger, before its next suggestion (see
    selectors.NEIGHBOURS_REVISION)."""
    cache.set(selectors.NEIGHBOURS_REVISION, uuid.uuid4().hex, None)
