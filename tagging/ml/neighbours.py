"""Nearest-neighbour label transfer: a photo gets the hashtags of the training photos it
looks most like, weighted by how alike they are.

The learned head is linear on ImageNet features and sees each concept through a handful
of photos, so the scene, place and style tags people write (#sunset, #india, #underwater)
that no ImageNet class names reach it only faintly. The index keeps the (L2-normalised)
embeddings of the version's training photos and their concepts; a photo's score for a
concept is the similarity-weighted share of its K nearest training photos carrying it:
weights softmax(cosine / TEMPERATURE) over those K, so a near-duplicate outweighs the
rest, and the score is in [0, 1] like the heads'. A row of no concept at the index's
floor joins those K in the softmax (not in the scores): the cosine that two of its
photos sharing no concept rarely exceed (UNRELATED_QUANTILE of theirs). Without it a
photo unlike every training photo gave its whole weight to whichever were least unlike
it (after `seed_demo`, a kitten on a plank got #sunset 40% and #lake 35%, and #windmill
was wrong on 36 of 193 held-out photos); with it such a photo leaves most of the weight
to that row, and one as alike as related training photos are keeps most of its own.

Served score on the version's own concepts: (1 - blend) * head + blend * neighbours,
blend chosen by train.py on the version's held-out photos (choose_blend). The index is
built from the train split only, so the held-out photos (and the gate and thresholds
measured on them) never see themselves, and a photo it holds, scored again (a re-suggest,
a retried analysis), is scored by the others (`scores`' photo_ids). Which photos it may
hold is the app's call (tagging.selectors drops, when it loads a version, the photos that
may no longer train: consent withdrawn, account private or closed, post hidden or
deleted).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import torch
import torch.nn.functional as F

from . import metrics

NEIGHBOURS_FILE = "neighbours.pt"
K = 10
TEMPERATURE = 0.05
BLEND_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
DEFAULT_BLEND = 0.5  # with no held-out photo to choose on
MAX_PHOTOS = 20_000  # 1280-d rows: ~50 MB stored (float16), ~100 MB loaded; ~9 ms a photo on 2 cores
# The floor: this quantile of the cosine between indexed photos sharing no concept,
# measured over at most FLOOR_SAMPLE of them (evenly spaced).
UNRELATED_QUANTILE = 0.9
FLOOR_SAMPLE = 2_000


@dataclass(frozen=True)
class NeighbourIndex:
    embeddings: torch.Tensor  # (n, d) float, L2-normalised
    targets: list[list[int]]  # per row, the concept indices (the version's vocabulary) it carries
    photo_ids: list[int]
    blend: float
    floor: float | None = None  # None: no pair of photos shares no concept (or an older version's index)

    @classmethod
    def build(
        cls, embeddings: torch.Tensor, targets: list[list[int]], photo_ids: list[int], blend: float
    ) -> "NeighbourIndex":
        """An index over these photos (at most MAX_PHOTOS, evenly spaced when there are more),
        with its floor (unrelated_floor)."""
        rows = list(range(len(photo_ids)))
        if len(rows) > MAX_PHOTOS:
            rows = torch.linspace(0, len(rows) - 1, MAX_PHOTOS).long().tolist()
        normalised = F.normalize(embeddings[rows].float(), dim=1)
        kept = [list(targets[i]) for i in rows]
        return cls(normalised, kept, [photo_ids[i] for i in rows], blend, unrelated_floor(normalised, kept))

    def scores(
        self, embeddings: torch.Tensor, num_concepts: int, photo_ids: Sequence[int | None] | None = None
    ) -> torch.Tensor:
        """(q, num_concepts) similarity-weighted share of each photo's K nearest rows
        carrying each concept; zeros for an empty index. `photo_ids`: which photo each
        query is, where known (None: unknown): a photo the index holds is not its own
        neighbour. Its own row matched it at cosine 1 and took nearly all the weight, so a
        photo that trained the version, scored again, got back its own hashtags (already on
        the post) and little else; it is scored by the others, as a new photo is."""
        result = torch.zeros(embeddings.shape[0], num_concepts)
        if not self.photo_ids:
            return result
        similarity = F.normalize(embeddings.float(), dim=1) @ self.embeddings.float().T
        for query, photo in enumerate(photo_ids or []):
            if photo is not None and photo in self._rows:
                similarity[query, self._rows[photo]] = -math.inf
        top, rows = similarity.topk(min(K, len(self.photo_ids)), dim=1)
        logits = top / TEMPERATURE
        if self.floor is not None:  # the row of no concept: its share goes nowhere
            logits = torch.cat([logits, torch.full((len(top), 1), self.floor / TEMPERATURE)], dim=1)
        # a query whose only row was its own has no weight anywhere (softmax of -inf alone: NaN)
        weights = logits.softmax(dim=1)[:, : top.shape[1]].nan_to_num(0.0).tolist()
        queries, concepts, shares = [], [], []
        for query, (near, weight) in enumerate(zip(rows.tolist(), weights, strict=True)):
            for row, share in zip(near, weight, strict=True):
                queries += [query] * len(self.targets[row])
                concepts += self.targets[row]
                shares += [share] * len(self.targets[row])
        index = (torch.tensor(queries, dtype=torch.long), torch.tensor(concepts, dtype=torch.long))
        result.index_put_(index, torch.tensor(shares), accumulate=True)
        return result.clamp(max=1.0)

    @cached_property
    def _rows(self) -> dict[int, int]:
        """Photo id -> its row."""
        return {photo: row for row, photo in enumerate(self.photo_ids)}

    def keeping(self, photo_ids: set[int]) -> "NeighbourIndex":
        """The index without the rows of photos not in `photo_ids`."""
        rows = [i for i, photo in enumerate(self.photo_ids) if photo in photo_ids]
        return NeighbourIndex(
            self.embeddings[rows],
            [self.targets[i] for i in rows],
            [self.photo_ids[i] for i in rows],
            self.blend,
            self.floor,
        )

    def save(self, path: Path) -> None:
        torch.save(
            {
                "embeddings": self.embeddings.half(),
                "targets": self.targets,
                "photo_ids": self.photo_ids,
                "blend": self.blend,
                "floor": self.floor,
            },
            path,
        )


def load_index(directory: Path) -> NeighbourIndex | None:
    """The index a version stores in `directory`, or None for a version without one."""
    path = directory / NEIGHBOURS_FILE
    if not path.is_file():
        return None
    saved = torch.load(path, map_location="cpu", weights_only=True)
    return NeighbourIndex(
        saved["embeddings"].float(),
        saved["targets"],
        saved["photo_ids"],
        float(saved["blend"]),
        saved.get("floor"),  # None in an index saved before floors
    )


def unrelated_floor(embeddings: torch.Tensor, targets: list[list[int]]) -> float | None:
    """UNRELATED_QUANTILE of the cosine between the (L2-normalised) photos that share no
    concept, over at most FLOOR_SAMPLE of them; None where no two share none."""
    rows = list(range(len(targets)))
    if len(rows) > FLOOR_SAMPLE:
        rows = torch.linspace(0, len(rows) - 1, FLOOR_SAMPLE).long().tolist()
    width = 1 + max((c for i in rows for c in targets[i]), default=-1)
    carried = torch.zeros(len(rows), width)
    for row, i in enumerate(rows):
        carried[row, targets[i]] = 1.0
    unrelated = ((carried @ carried.T) == 0).triu(diagonal=1)
    if not bool(unrelated.any()):
        return None
    sample = embeddings[rows].float()
    return float((sample @ sample.T)[unrelated].quantile(UNRELATED_QUANTILE))


def choose_blend(
    head_scores: torch.Tensor, neighbour_scores: torch.Tensor, truth: list[list[int]]
) -> tuple[float, dict[float, float]]:
    """The blend in BLEND_GRID whose (n, m) held-out scores, (1 - b) * head + b *
    neighbours, rank each photo's own concepts best (metrics.photo_average_precision:
    on the few held-out photos a small platform has, top-5 figures tie too often to
    choose), the smallest blend on a tie. Returns it with each blend's figure."""
    figures = {}
    for blend in BLEND_GRID:
        mixed = (1 - blend) * head_scores + blend * neighbour_scores
        figures[blend] = round(metrics.photo_average_precision(mixed, truth), 6)
    best = max(BLEND_GRID, key=lambda blend: (figures[blend], -blend))
    return best, figures
