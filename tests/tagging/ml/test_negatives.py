"""Rejected suggestions are explicit negatives: after owners reject a concept on a set of
photos and the head is trained again, that concept scores lower on similar photos."""

from dataclasses import replace

import torch

from tagging.ml.dataset import TrainingSet
from tagging.ml.heads import ConceptLabel
from tagging.ml.train import TrainConfig, World, train_hashtags

CONCEPTS = ["kitchen", "pliers", "hammer"]


def _set(n: int = 400, seed: int = 0) -> tuple[TrainingSet, list[int]]:
    """Tool photos around one centre: #pliers always, #kitchen on a third of them (the
    mistake owners keep rejecting), #hammer photos around another centre."""
    generator = torch.Generator().manual_seed(seed)
    centres = torch.randn(2, 32, generator=generator) * 3
    kinds = torch.randint(2, (n,), generator=generator).tolist()
    embeddings = centres[kinds] + torch.randn(n, 32, generator=generator)
    targets = []
    for kind in kinds:
        noisy = float(torch.rand(1, generator=generator)) < 0.33
        targets.append([1, 0] if kind == 0 and noisy else [1] if kind == 0 else [2])
    return TrainingSet(
        concepts=[ConceptLabel(c, c, c) for c in CONCEPTS],
        photo_ids=list(range(n)),
        owners=list(range(n)),
        targets=targets,
        negatives=[[] for _ in range(n)],
        split=["train" if i < n * 3 // 4 else "val" for i in range(n)],
        backbone="synthetic",
        backbone_version="synthetic-1",
        embeddings=embeddings,
    ), kinds


def _kitchen_on_held_out_tools(data: TrainingSet, kinds: list[int]) -> float:
    head, _metrics = train_hashtags(data, TrainConfig(min_steps=150), World())
    held_out = [i for i in data.indices("val") if kinds[i] == 0]
    assert data.embeddings is not None
    with torch.inference_mode():
        return float(head(data.embeddings[held_out]).softmax(-1)[:, 0].mean())


def test_rejections_lower_the_rejected_concept_on_similar_photos():
    data, kinds = _set()
    # Owners rejected #kitchen on the tool photos of the train split that do not carry it.
    rejected = [
        [0] if kinds[i] == 0 and 0 not in data.targets[i] and data.split[i] == "train" else []
        for i in range(len(kinds))
    ]

    before = _kitchen_on_held_out_tools(data, kinds)
    after = _kitchen_on_held_out_tools(replace(data, negatives=rejected), kinds)

    assert sum(1 for r in rejected if r) > 50
    assert after < before * 0.8, (before, after)


def test_a_set_without_rejections_never_builds_the_negative_term(monkeypatch):
    # The term costs a full (batch, concepts) pass per step: it made the 100k-photo head
    # bench 20% slower while no photo had a rejection.
    from tagging.ml import train
    from tagging.ml.run_setup import World
    from tests.tagging.ml.synthetic import synthetic_training_set

    def refuse(*args: object) -> None:
        raise AssertionError("negative mask built for a set without rejections")

    monkeypatch.setattr(train.LabelRows, "mask", refuse)
    _head, metrics = train.train_hashtags(synthetic_training_set(), train.TrainConfig(), World())

    assert metrics["hashtags"]["hit@1"] >= 0.9  # and it still learns the content hashtags
