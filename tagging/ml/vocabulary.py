"""Which hashtag concepts the tagger learns.

Hashtags are weak labels: many say nothing about the pixels (#tbt, #love), and rare
ones are noise. Following Mahajan et al. 2018, the vocabulary keeps frequent concepts
and drops the non-visual ones, found two ways: a hand-kept stop list, and a data-driven
visualness score (below) that tells tags which follow image content from tags that do not.

Visualness is the leave-one-out centroid AP lift: rank every photo by cosine similarity
to the centroid of the concept's photos (a tagged photo against the centroid of the
others, so it cannot match itself) and measure how much better than chance the tagged
photos come first: (AP - prevalence) / (1 - prevalence). Random tags score about 0,
tags that follow the image close to 1."""

from collections import Counter
from dataclasses import dataclass

import torch

from .metrics import average_precision
from .sampling import label_pairs
from .stop_list import STOP_LIST

STATUSES = ("active", "non_visual", "rare")
# Photo x concept scores held at once while scoring visualness (about 4M floats).
_CHUNK_CELLS = 1 << 22


@dataclass(frozen=True)
class VocabularyEntry:
    name: str
    count: int  # photos carrying the concept
    visualness: float | None  # None without embeddings or with too few photos
    status: str  # one of STATUSES


def _loo_cosines(embeddings: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
    """(n, m) cosine of each photo to each concept's centroid, leaving a positive photo
    out of its own centroid. `embeddings` are L2-normalised, `positives` (n, m) bool."""
    sums = positives.T.to(embeddings.dtype) @ embeddings  # (m, d) unnormalised centroids
    dots = (embeddings @ sums.T).double()
    self_dots = (embeddings * embeddings).sum(dim=1, keepdim=True).double()
    sums_sq = (sums * sums).sum(dim=1).double()
    others = dots / sums_sq.sqrt().clamp(min=1e-12)
    without = (dots - self_dots) / (sums_sq - 2 * dots + self_dots).clamp(min=1e-12).sqrt()
    return torch.where(positives, without, others)


def visualness_scores(
    embeddings: torch.Tensor, labels: list[list[int]], num_concepts: int, *, min_positives: int = 3
) -> torch.Tensor:
    """Leave-one-out centroid AP lift per concept, float64 of shape (num_concepts,); NaN
    where a concept has fewer than `min_positives` photos or is on every photo.
    Raises ValueError for mismatched sizes, an index out of range, or min_positives < 2."""
    if min_positives < 2:
        raise ValueError("min_positives must be at least 2: a lone photo has no centroid to compare with.")
    if embeddings.dim() != 2 or embeddings.shape[0] != len(labels):
        raise ValueError(f"embeddings must be (len(labels), dim), got {tuple(embeddings.shape)}.")
    photos, concepts = label_pairs(labels, num_concepts)
    n = len(labels)
    counts = torch.bincount(concepts, minlength=num_concepts)
    scored = ((counts >= min_positives) & (counts < n)).nonzero().flatten()
    normalised = torch.nn.functional.normalize(embeddings.detach().cpu().float(), dim=1)
    result = torch.full((num_concepts,), float("nan"), dtype=torch.float64)
    for ids in scored.split(max(1, _CHUNK_CELLS // max(n, 1))):
        column = torch.full((num_concepts,), -1, dtype=torch.long)
        column[ids] = torch.arange(len(ids))
        kept = column[concepts] >= 0
        positives = torch.zeros(n, len(ids), dtype=torch.bool)
        positives[photos[kept], column[concepts[kept]]] = True
        ap = average_precision(_loo_cosines(normalised, positives), positives)
        prevalence = counts[ids].double() / n
        result[ids] = (ap - prevalence) / (1 - prevalence)
    return result


def build_vocabulary(
    concept_lists: list[list[str]],
    embeddings: torch.Tensor | None = None,
    *,
    min_count: int = 2,
    max_size: int | None = None,
    stop_list: frozenset[str] = STOP_LIST,
    min_visualness: float = 0.1,
    overrides: dict[str, str] | None = None,
) -> list[VocabularyEntry]:
    """Every concept seen on the photos, with its count, visualness and status, sorted by
    (-count, name). A concept is "rare" under `min_count`, "non_visual" on the stop list or
    under `min_visualness`, else "active"; `overrides` (name -> status, set by admins)
    win over all of that. Past `max_size` active concepts the least frequent become "rare",
    though an override never changes. Raises ValueError for an unknown override status."""
    overrides = overrides or {}
    unknown = sorted(set(overrides.values()) - set(STATUSES))
    if unknown:
        raise ValueError(f"Unknown status {unknown}; use one of {', '.join(STATUSES)}.")
    counts = Counter(name for names in concept_lists for name in set(names))
    names = sorted(counts, key=lambda name: (-counts[name], name))
    visualness: list[float | None] = [None] * len(names)
    if embeddings is not None:
        column = {name: i for i, name in enumerate(names)}
        labels = [[column[name] for name in set(photo)] for photo in concept_lists]
        scores = visualness_scores(embeddings, labels, len(names)).tolist()
        visualness = [None if value != value else value for value in scores]  # NaN != NaN
    statuses = [
        overrides.get(name) or _status(name, counts[name], score, min_count, stop_list, min_visualness)
        for name, score in zip(names, visualness, strict=True)
    ]
    if max_size is not None:
        statuses = _cap(names, statuses, max_size, set(overrides))
    return [
        VocabularyEntry(name, counts[name], score, status)
        for name, score, status in zip(names, visualness, statuses, strict=True)
    ]


def _status(
    name: str, count: int, visualness: float | None, min_count: int, stop_list: frozenset[str], floor: float
) -> str:
    if count < min_count:
        return "rare"
    if name in stop_list or (visualness is not None and visualness < floor):
        return "non_visual"
    return "active"


def _cap(names: list[str], statuses: list[str], max_size: int, fixed: set[str]) -> list[str]:
    """Keep at most `max_size` active concepts, most frequent first (`names` is sorted so),
    counting those an override keeps active first; the rest become "rare"."""
    forced = sum(1 for name, s in zip(names, statuses, strict=True) if s == "active" and name in fixed)
    room = max_size - forced
    capped = []
    for name, status in zip(names, statuses, strict=True):
        if status == "active" and name not in fixed:
            status = "active" if room > 0 else "rare"
            room -= 1
        capped.append(status)
    return capped
