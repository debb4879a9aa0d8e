"""The exported training set: what `python -m tagging.ml.train --data FILE` reads.

One torch file (torch.save of a plain dict, loadable with weights_only=True):

- concepts: [{"name", "display_en", "display_es"}] — the vocabulary's active concepts
- photo_ids, owners: ints per photo (owners only to report; the split is already made)
- targets: per photo, concept indices (every hashtag of the photo counts)
- negatives: per photo, concept indices its owner rejected as suggestions
- split: "train" or "val" per photo (by owner, near-duplicates on one side)
- embeddings: float tensor (n, d) from the backbone, or None when only images are given
- image_paths: per photo, a readable image file (needed for --finetune), or None
- backbone, backbone_version: which network the embeddings came from (the version names
  the weights and ends "+flip" for flip-averaged embeddings)
- tta: "none" or "flip", how the embeddings were computed (fine-tuning re-embeds the same way)
- shop: {"embeddings": (m, d), "labels": ints per listing (index into SHOP_LABELS),
  "split": ["train"|"val"]} or None when there are too few listings
- coldstart_scores: (n, C) cold-start scores over `concepts` for the val baseline, or None
"""

from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from .heads import SHOP_CATEGORIES, ConceptLabel

SHOP_LABELS = (*SHOP_CATEGORIES, "none")


@dataclass
class ShopSet:
    embeddings: torch.Tensor
    labels: list[int]
    split: list[str]


@dataclass
class TrainingSet:
    concepts: list[ConceptLabel]
    photo_ids: list[int]
    owners: list[int]
    targets: list[list[int]]
    negatives: list[list[int]]
    split: list[str]
    backbone: str
    backbone_version: str
    embeddings: torch.Tensor | None = None
    image_paths: list[str] | None = None
    shop: ShopSet | None = None
    coldstart_scores: torch.Tensor | None = None
    tta: str = "none"

    def indices(self, side: str) -> list[int]:
        return [i for i, s in enumerate(self.split) if s == side and self.targets[i]]

    def save(self, path: Path) -> None:
        data = asdict(self)
        data["concepts"] = [asdict(c) for c in self.concepts]
        torch.save(data, path)

    @classmethod
    def load(cls, path: Path) -> "TrainingSet":
        """Raises FileNotFoundError, or ValueError when the file is not a training set."""
        data = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(data, dict) or "targets" not in data:
            raise ValueError(f"{path} is not an exported training set")
        data["concepts"] = [ConceptLabel(**c) for c in data["concepts"]]
        if data.get("shop") is not None:
            data["shop"] = ShopSet(**data["shop"])
        return cls(**data)
