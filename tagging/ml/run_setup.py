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


def soft_targets(targets: list[list[int]], rows: torch.Tensor, num_concepts: int) -> torch.Tensor:
    """k-hot/k rows: each of a photo's k hashtags gets 1/k."""
    dense = torch.zeros(len(rows), num_concepts)
    for row, index in enumerate(rows.tolist()):
        labels = targets[index]
        dense[row, labels] = 1.0 / len(labels)
    return dense
