"""Cold start: suggestions from the backbone's ImageNet head before we train our own.

A concept's score is the probability the ImageNet classifier gives to all the classes
that carry that concept: `golden retriever` carries #goldenretriever, #dog and #pet, so
#dog scores the summed probability of every dog breed. It reads as "how much of the
classifier's belief is on things this hashtag describes", in [0, 1]. Shop categories
score the same way over the classes data/shop_categories.tsv maps to them.

The class -> concepts table is generated from WordNet by coldstart_build.py and committed,
so nothing here needs WordNet."""

from collections.abc import Sequence

import torch

from .backbones import Backbone
from .coldstart_data import table_rows
from .heads import SHOP_CATEGORIES, ConceptLabel
from .ranking import calibration_from_classes

VERSION = "coldstart-1"  # the mapping's version; a head's version adds its backbone


def load_concepts() -> dict[str, ConceptLabel]:
    """Every cold-start concept: general ones (concept_names.tsv) and one per class."""
    concepts = {
        row["hashtag_en"]: ConceptLabel(row["hashtag_en"], row["hashtag_en"], row["hashtag_es"])
        for row in table_rows("imagenet_hashtags.tsv")
    }
    for row in table_rows("concept_names.tsv"):
        concepts[row["concept"]] = ConceptLabel(row["concept"], row["display_en"], row["display_es"])
    return concepts


def cold_start_version(backbone: str) -> str:
    """What predictions from the cold-start head on `backbone` record: the same map on
    other ImageNet weights suggests other hashtags ("coldstart-1-lite0", "coldstart-1-lite2",
    "coldstart-1-resnext101_32x8d")."""
    return f"{VERSION}-{backbone.removeprefix('efficientnet_')}"


class ColdStartHead:
    """ImageNet softmax -> concept and shop-category scores through fixed 0/1 maps."""

    def __init__(self, backbone: Backbone) -> None:
        self.backbone = backbone
        self.version = cold_start_version(backbone.name)
        by_name = load_concepts()
        table = table_rows("coldstart.tsv")
        names = sorted({c for row in table for c in row["concepts"].split()})
        self.concepts = [by_name[name] for name in names]
        column = {name: i for i, name in enumerate(names)}
        self.class_concepts = torch.zeros(len(table), len(names))
        self.class_categories = torch.zeros(len(table), len(SHOP_CATEGORIES))
        for row in table:
            index = int(row["index"])
            for name in row["concepts"].split():
                self.class_concepts[index, column[name]] = 1.0
            if row["shop_category"]:
                self.class_categories[index, SHOP_CATEGORIES.index(row["shop_category"])] = 1.0
        # Base rates: the share of classes each concept covers (see ranking.py).
        own = {row["index"]: row["hashtag_en"] for row in table_rows("imagenet_hashtags.tsv")}
        self.calibration = calibration_from_classes(
            self.class_concepts, [column.get(own.get(row["index"], ""), -1) for row in table]
        )

    def _probabilities(self, embeddings: torch.Tensor) -> torch.Tensor:
        return self.backbone.logits(embeddings).softmax(dim=-1)

    def concept_scores(
        self, embeddings: torch.Tensor, photo_ids: Sequence[int | None] | None = None
    ) -> torch.Tensor:
        """`photo_ids` are not read: this head looks up no photo."""
        return (self._probabilities(embeddings) @ self.class_concepts).clamp(max=1.0)

    def category_scores(self, embeddings: torch.Tensor) -> torch.Tensor:
        return (self._probabilities(embeddings) @ self.class_categories).clamp(max=1.0)
