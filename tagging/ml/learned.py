"""Heads trained on our own data, and the blend that lets them take over from cold start.

Hashtag head: a linear layer on standardised backbone embeddings, trained with softmax
cross-entropy against k-hot/k targets (every hashtag of a photo counts). Its softmax
spreads one unit of belief over a photo's hashtags, so a concept's score is
min(1, k̄ · softmax), with k̄ the mean number of hashtags per training photo: roughly
the chance the photo carries that hashtag, in [0, 1] like cold-start scores.

Blending, per concept c: score = w_c · learned_c + (1 − w_c) · coldstart_c, where
w_c = n_c / (n_c + BLEND_PRIOR) · q_c grows with evidence: n_c is the number of training
photos carrying c and q_c the learned head's held-out average precision for c (0.5 when
no held-out photo carries c). Concepts the cold-start map does not know use w_c ·
learned_c alone; cold-start concepts the head never saw keep their cold-start score.
With a neighbour index (neighbours.py), the version's own concepts then score
(1 − b) · blended_c + b · neighbours_c, b the index's blend.

Shop head: a linear classifier on the same embeddings over the shop categories plus
"none", trained on listings. Those embeddings are the ImageNet backbone's features, so
nothing is transferred from the hashtag head; only with `train_tagger --finetune` are
they features the backbone learnt from hashtags. It is only used once enough listings
exist; until then shop guesses stay with the cold-start map.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .coldstart import ColdStartHead
from .dataset import SHOP_LABELS
from .heads import SHOP_CATEGORIES, ConceptLabel
from .neighbours import NeighbourIndex
from .ranking import Calibration

BLEND_PRIOR = 20.0
NO_HELD_OUT_QUALITY = 0.5


class LinearHead(nn.Module):
    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, dim: int, outputs: int, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())
        self.linear = nn.Linear(dim, outputs)

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        return self.linear((embeddings - self.mean) / self.std)


def blend_weights(train_counts: torch.Tensor, held_out_ap: list[float | None]) -> torch.Tensor:
    """w_c = n_c / (n_c + BLEND_PRIOR) · q_c (see the module docs)."""
    quality = torch.tensor([NO_HELD_OUT_QUALITY if ap is None else ap for ap in held_out_ap])
    return train_counts / (train_counts + BLEND_PRIOR) * quality


class BlendedHead:
    """The learned hashtag head blended with cold start (Head protocol)."""

    def __init__(
        self,
        saved: dict[str, Any],
        coldstart: ColdStartHead | None,
        version: str,
        calibration: dict[str, Any] | None = None,
        neighbours: NeighbourIndex | None = None,
    ) -> None:
        """`calibration`: what the training service measured for this version (base rates
        on the platform's photos, held-out thresholds), in this head's concept order.
        `neighbours`: the version's neighbour index (its rows index the learned concepts)."""
        self.version = version
        self.coldstart = coldstart
        self.neighbours = neighbours
        learned = [ConceptLabel(**c) for c in saved["concepts"]]
        self.hashtags = _linear(saved["hashtags"])
        self.k_mean = float(saved["k_mean"])
        weights = saved["blend_weights"]
        cold = coldstart.concepts if coldstart else []
        cold_names = {c.name: i for i, c in enumerate(cold)}
        learned_names = {c.name for c in learned}
        self.concepts = learned + [c for c in cold if c.name not in learned_names]
        n, extra = len(learned), len(self.concepts) - len(learned)
        # For each output column: its learned column (or -1) and cold-start column (or -1).
        self._learned_column = torch.tensor(list(range(n)) + [-1] * extra)
        self._cold_column = torch.tensor([cold_names.get(c.name, -1) for c in self.concepts])
        self._weight = torch.tensor(list(weights) + [0.0] * extra)
        self.shop = _linear(saved["shop"]) if saved.get("shop") else None
        self.calibration = self._calibration(calibration)

    def _calibration(self, measured: dict[str, Any] | None) -> Calibration:
        """Generality and coverage from cold start where it knows a concept (one only the
        learned head knows is specific); base rates and thresholds as measured for this
        version, else cold start's (0 and none for learned-only concepts)."""
        size = len(self.concepts)
        base, general = torch.zeros(size), torch.zeros(size, dtype=torch.bool)
        covers = torch.zeros(size, size, dtype=torch.bool)
        known = (self._cold_column >= 0).nonzero().flatten()
        if self.coldstart is not None and len(known):
            cold, columns = self.coldstart.calibration, self._cold_column[known]
            base[known], general[known] = cold.base_rates[columns], cold.general[columns]
            covers[known.unsqueeze(1), known] = cold.covers[columns.unsqueeze(1), columns]
        thresholds = torch.full((size,), float("nan"))
        if measured is not None:
            base, thresholds = torch.tensor(measured["base_rates"]), torch.tensor(measured["thresholds"])
        return Calibration(
            base_rates=base,
            thresholds=thresholds,
            general=general,
            covers=covers,
            written=self._learned_column >= 0,
        )

    def concept_scores(
        self, embeddings: torch.Tensor, photo_ids: Sequence[int | None] | None = None
    ) -> torch.Tensor:
        learned = (self.hashtags(embeddings).softmax(-1) * self.k_mean).clamp(max=1.0)
        batch = embeddings.shape[0]
        learned_part = torch.zeros(batch, len(self.concepts))
        known = self._learned_column >= 0
        learned_part[:, known] = learned[:, self._learned_column[known]]
        cold_part = torch.zeros(batch, len(self.concepts))
        has_cold = self._cold_column >= 0
        if self.coldstart is not None and bool(has_cold.any()):
            cold_scores = self.coldstart.concept_scores(embeddings)
            cold_part[:, has_cold] = cold_scores[:, self._cold_column[has_cold]]
        weight = torch.where(has_cold & ~known, torch.zeros_like(self._weight), self._weight)
        blended = (
            weight * learned_part + torch.where(has_cold, 1 - weight, torch.zeros_like(weight)) * cold_part
        ).clamp(0.0, 1.0)
        if self.neighbours is not None:
            n, share = int(known.sum()), self.neighbours.blend
            nearby = self.neighbours.scores(embeddings, n, photo_ids)
            blended[:, :n] = (1 - share) * blended[:, :n] + share * nearby
        return blended

    def category_scores(self, embeddings: torch.Tensor) -> torch.Tensor:
        if self.shop is None:
            if self.coldstart is None:
                return torch.zeros(embeddings.shape[0], len(SHOP_CATEGORIES))
            return self.coldstart.category_scores(embeddings)
        probabilities = self.shop(embeddings).softmax(-1)
        return probabilities[:, : len(SHOP_CATEGORIES)]  # the last column is "none"


def _linear(saved: dict[str, Any]) -> LinearHead:
    state = saved["state"]
    weight = state["linear.weight"]
    head = LinearHead(weight.shape[1], weight.shape[0], state["mean"], state["std"])
    head.load_state_dict(state)
    head.eval()
    return head


def load_saved(path: Path) -> dict[str, Any]:
    """A head file written by tagging.ml.train. Raises FileNotFoundError."""
    saved: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    if saved.get("shop") and list(saved["shop"]["labels"]) != list(SHOP_LABELS):
        raise ValueError(f"{path}: shop labels differ from this version's")
    return saved
