"""Which device the tagger's networks run on.

Inference follows TAGGING_DEVICE (auto, cpu or cuda); a training process under torchrun
takes the GPU its LOCAL_RANK names, so each of N processes on an N-GPU host has its own."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where a device is chosen: checking "auto" or "cpu" needs none
    import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda")


def inference_device(setting: str = "auto") -> torch.device:
    """auto: the first GPU when CUDA has one, else the CPU; cpu; cuda (the current GPU).
    Raises ValueError for another value, or for cuda on a host where CUDA sees no GPU, so
    a misconfigured worker fails when it loads the model instead of on a request."""
    import torch

    device_check(setting)
    if setting == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda", torch.cuda.current_device())


def device_check(setting: str) -> None:
    """Raises ValueError for a value not in DEVICE_CHOICES, or for cuda where CUDA sees no
    GPU. Creates no CUDA context (safe before a worker forks)."""
    if setting not in DEVICE_CHOICES:
        raise ValueError(f"Unknown device {setting!r}: use one of {', '.join(DEVICE_CHOICES)}.")
    if setting != "cuda":
        return
    import torch

    if not torch.cuda.is_available():
        raise ValueError(
            "TAGGING_DEVICE=cuda, but CUDA sees no GPU here (no driver, no device, or a CPU-only "
            "torch build): use TAGGING_DEVICE=auto or cpu."
        )


def process_device(setting: str = "auto") -> torch.device:
    """This training process's device: cuda:LOCAL_RANK (made the current GPU) when CUDA is
    there and `setting` allows it, else the CPU. Raises ValueError as inference_device
    does, and when LOCAL_RANK names a GPU this host does not have."""
    import torch

    if inference_device(setting).type == "cpu":
        return torch.device("cpu")
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    if local_rank >= torch.cuda.device_count():
        raise ValueError(
            f"LOCAL_RANK={local_rank}, but this host has {torch.cuda.device_count()} GPU(s): "
            "start at most that many processes per node."
        )
    device = torch.device("cuda", local_rank)
    torch.cuda.set_device(device)
    return device
