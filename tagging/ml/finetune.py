"""--finetune: train the backbone itself on the photos, then re-embed them.

A linear layer over the k-hot/k targets sits on the backbone while both train at a small
learning rate; the fine-tuned weights go to OUT/backbone.pt and the hashtag head is then
trained on embeddings from them, computed as the export's were (flip-averaged under
TAGGING_TTA=flip). Meant for GPUs under torchrun (each process on cuda:LOCAL_RANK); it
runs on CPU too."""

from dataclasses import replace
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from .backbones import load_backbone, pooled_features
from .dataset import TrainingSet
from .preprocessing import batch as image_batch
from .run_setup import LabelRows, TrainConfig, World
from .sampling import draw, sample_weights


class _Tagging(nn.Module):
    def __init__(self, backbone: Any, features: int, concepts: int) -> None:
        super().__init__()
        self.backbone = backbone
        self.classifier = nn.Linear(features, concepts)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(pooled_features(self.backbone, images))


def finetune(data: TrainingSet, config: TrainConfig, world: World, out: Path) -> TrainingSet:
    """Fine-tune on data.image_paths; returns the set with fresh embeddings.
    Raises ValueError when the export has no image paths."""
    if not data.image_paths:
        raise ValueError("--finetune needs an export with image paths")
    torch.manual_seed(config.seed)
    device = world.device
    backbone = load_backbone(data.backbone)
    model = _Tagging(backbone.model, backbone.embedding_dim, len(data.concepts)).to(device)
    trainable: nn.Module = (
        DistributedDataParallel(model, device_ids=world.device_ids) if world.size > 1 else model
    )
    optimiser = torch.optim.AdamW(trainable.parameters(), lr=config.finetune_lr)
    rows = data.indices("train")
    labels = [data.targets[i] for i in rows]
    weights = sample_weights(labels, len(data.concepts), config.sampling)
    targets_of = LabelRows(labels, len(data.concepts))
    size = max(world.size, 16 - 16 % world.size)
    steps = config.finetune_epochs * max(1, len(rows) // size)
    model.train()
    for chunk in draw(weights, steps * size, seed=config.seed).split(size):
        local = chunk.chunk(world.size)[world.rank]
        images = image_batch([data.image_paths[rows[i]] for i in local.tolist()], backbone.preprocessing)
        targets = targets_of.soft(local).to(device)
        loss = -(targets * trainable(images.to(device)).log_softmax(-1)).sum(-1).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    model.eval()
    if world.main:
        out.mkdir(parents=True, exist_ok=True)
        torch.save({k: v.cpu() for k, v in backbone.model.state_dict().items()}, out / "backbone.pt")
    with torch.inference_mode():
        embeddings = torch.cat(
            [
                backbone.embed(image_batch(list(paths), backbone.preprocessing), data.tta)
                for paths in _chunks(data.image_paths)
            ]
        )
    return replace(data, embeddings=embeddings, backbone_version=f"{data.backbone_version}-finetuned")


def _chunks(paths: list[str], size: int = 32) -> list[list[str]]:
    return [paths[i : i + size] for i in range(0, len(paths), size)]
