"""What a training run is given, shared by the head trainer (train.py) and the backbone
fine-tuning (finetune.py), which train.py runs first under --finetune: the settings, the
processes it runs on, and the k-hot/k targets both fit."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import torch
import torch.distributed as dist

from .devices import process_device
from .sampling import label_pairs


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10
    min_steps: int = 200  # small sets still get enough optimiser steps
    batch_size: int = 1024
    lr: float = 3e-3
    weight_decay: float = 1e-4
    sampling: str = "sqrt"
    seed: int = 0
    finetune: bool = False
    finetune_epochs: int = 1
    finetune_lr: float = 1e-4
    device: str = "auto"  # auto: this process's GPU (LOCAL_RANK) when CUDA has one; cpu; cuda


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    @property
    def main(self) -> bool:
        return self.rank == 0

    @property
    def device_ids(self) -> list[int] | None:
        """What DistributedDataParallel is given: this process's GPU, or None on the CPU."""
        return [self.device.index or 0] if self.device.type == "cuda" else None


@contextmanager
def distributed(device: str = "auto") -> Iterator[World]:
    """This process's device (devices.process_device: cuda:LOCAL_RANK or the CPU), and a
    process group when started by torchrun with WORLD_SIZE > 1: nccl between GPUs, gloo
    between CPU processes. Raises ValueError for a device this host cannot give."""
    here = process_device(device)
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size == 1:
        yield World(device=here)
        return
    dist.init_process_group("nccl" if here.type == "cuda" else "gloo")
    try:
        yield World(dist.get_rank(), dist.get_world_size(), here)
    finally:
        dist.destroy_process_group()


class LabelRows:
    """Each photo's labels (output indices), packed once by sampling.label_pairs, so that a
    batch of photos becomes a dense (photos, outputs) matrix in a few tensor operations:
    filling it row by row in Python took a sixth of the head's training on 100,000 photos
    (9 of 58 s)."""

    def __init__(self, labels: list[list[int]], num_concepts: int) -> None:
        photos, self.flat = label_pairs(labels, num_concepts)  # in photo order
        self.counts = torch.bincount(photos, minlength=len(labels))
        self.starts = self.counts.cumsum(0) - self.counts
        self.num_concepts = num_concepts

    def soft(self, rows: torch.Tensor) -> torch.Tensor:
        """k-hot/k rows: each of a photo's k labels gets 1/k (a photo with none, nothing)."""
        return self._dense(rows, share=True)

    def mask(self, rows: torch.Tensor) -> torch.Tensor:
        """1.0 at each of a photo's labels, else 0."""
        return self._dense(rows, share=False)

    def _dense(self, rows: torch.Tensor, *, share: bool) -> torch.Tensor:
        counts = self.counts[rows]
        photo = torch.repeat_interleave(torch.arange(len(rows)), counts)
        # each label's place among its photo's labels: 0, 1, .., k-1
        place = torch.arange(int(counts.sum())) - torch.repeat_interleave(counts.cumsum(0) - counts, counts)
        labels = self.flat[torch.repeat_interleave(self.starts[rows], counts) + place]
        value = (1.0 / counts.clamp(min=1).float()).repeat_interleave(counts) if share else 1.0
        dense = torch.zeros(len(rows), self.num_concepts)
        dense[photo, labels] = value
        return dense
