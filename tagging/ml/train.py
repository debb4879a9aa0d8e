"""Train the hashtag head (and shop head) on an exported training set.

    python -m tagging.ml.train --data set.pt --out DIR [--finetune] [--sampling sqrt]
    torchrun --nproc_per_node 2 -m tagging.ml.train --data set.pt --out DIR

Writes DIR/head.pt (what the app loads), DIR/neighbours.pt (the nearest-neighbour index
blended with it, see neighbours.py), DIR/vocabulary.json, DIR/metrics.json and
DIR/plots/*.png. Under torchrun every process reads the same file, draws the same
samples (same seed) and trains on its slice of each global batch; DDP averages the
gradients, so two processes give the same head as one (gloo on CPU, nccl on GPUs).
Each process trains on its own device: cuda:LOCAL_RANK when CUDA is there (one process
per GPU), else the CPU; --device cpu keeps it on the CPU.
"""

import argparse
import json
import math
import os
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from . import metrics
from .dataset import SHOP_LABELS, TrainingSet
from .finetune import finetune
from .learned import LinearHead, blend_weights
from .neighbours import DEFAULT_BLEND, NEIGHBOURS_FILE, NeighbourIndex, choose_blend
from .run_setup import LabelRows, TrainConfig, World, distributed
from .sampling import draw, sample_weights


def _standardisation(x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    return x.mean(0), x.std(0).clamp(min=1e-6)


def fit_linear(
    x: torch.Tensor,
    batches: list[torch.Tensor],
    make_targets: Any,
    outputs: int,
    config: TrainConfig,
    world: World,
    make_negatives: Any = None,
) -> LinearHead:
    """Softmax cross-entropy on soft targets over the given global batches of row indices.
    `make_negatives(rows)`, when given, marks (1.0) the outputs each row's owner rejected:
    each adds -log(1 - p), so the head learns to keep them low on that photo and its like."""
    torch.manual_seed(config.seed)
    device = world.device
    x = x.to(device)
    mean, std = _standardisation(x)
    # Initialised on the CPU, then moved: the same seed gives the same head on any device.
    head = LinearHead(x.shape[1], outputs, mean, std).to(device)
    model: nn.Module = DistributedDataParallel(head, device_ids=world.device_ids) if world.size > 1 else head
    optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=max(1, len(batches)))
    for rows in batches:
        local = rows.chunk(world.size)[world.rank]
        log_p = model(x[local.to(device)]).log_softmax(-1)
        loss = -(make_targets(local).to(device) * log_p).sum(-1).mean()
        if make_negatives is not None:
            rejected = make_negatives(local).to(device)
            loss = loss - (rejected * torch.log1p(-log_p.exp().clamp(max=1 - 1e-6))).sum(-1).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
    head.cpu()  # evaluated and saved on the CPU
    head.eval()
    return head


def _batches(weights: torch.Tensor, config: TrainConfig, world: World) -> list[torch.Tensor]:
    """Global batches of drawn row indices; every batch is full and splits evenly."""
    photos = int((weights > 0).sum())
    batch = min(config.batch_size, max(photos, 32))
    batch = max(world.size, batch - batch % world.size)
    steps = max(config.min_steps, config.epochs * math.ceil(photos / batch))
    return list(draw(weights, steps * batch, seed=config.seed).split(batch))


def train_hashtags(data: TrainingSet, config: TrainConfig, world: World) -> tuple[LinearHead, dict[str, Any]]:
    """Fit the hashtag head on the train split; evaluate it on val."""
    assert data.embeddings is not None
    train_rows = data.indices("train")
    x = data.embeddings[train_rows]
    labels = [data.targets[i] for i in train_rows]
    rejected = [data.negatives[i] for i in train_rows]
    weights = sample_weights(labels, len(data.concepts), config.sampling)
    head = fit_linear(
        x,
        _batches(weights, config, world),
        LabelRows(labels, len(data.concepts)).soft,
        len(data.concepts),
        config,
        world,
        # 1.0 where a photo's owner rejected the concept as a suggestion. Most sets have few
        # rejections or none: their term costs a full (batch, concepts) pass, so it is left
        # out where no photo has one.
        make_negatives=LabelRows(rejected, len(data.concepts)).mask if any(rejected) else None,
    )
    return head, evaluate_hashtags(head, data, labels)


def evaluate_hashtags(head: LinearHead, data: TrainingSet, train_labels: list[list[int]]) -> dict[str, Any]:
    """Ranking metrics on val for the head and the baselines, and the blend weights."""
    assert data.embeddings is not None
    num = len(data.concepts)
    val_rows = data.indices("val")
    truth = [data.targets[i] for i in val_rows]
    counts = torch.zeros(num)
    for photo in train_labels:
        counts[photo] += 1
    k_mean = sum(len(t) for t in train_labels) / max(1, len(train_labels))
    result: dict[str, Any] = {
        "k_mean": k_mean,
        "train_photos": len(train_labels),
        "val_photos": len(val_rows),
    }
    if not val_rows:
        result["blend_weights"] = blend_weights(counts, [None] * num).tolist()
        return result
    with torch.inference_mode():
        scores = head(data.embeddings[val_rows]).softmax(-1)
    per_concept = metrics.per_concept_ap(scores, truth)
    result["hashtags"] = metrics.ranking_metrics(scores, truth)
    result["per_concept_ap"] = {
        c.name: ap for c, ap in zip(data.concepts, per_concept, strict=True) if ap is not None
    }
    result["baselines"] = {"most_frequent": metrics.ranking_metrics(counts.expand(len(val_rows), num), truth)}
    if data.coldstart_scores is not None:
        result["baselines"]["cold_start"] = metrics.ranking_metrics(data.coldstart_scores[val_rows], truth)
    result["blend_weights"] = blend_weights(counts, per_concept).tolist()
    result["_scores"], result["_truth"] = scores, truth
    return result


def fit_neighbours(data: TrainingSet, head: LinearHead, result: dict[str, Any]) -> NeighbourIndex:
    """The neighbour index over the train split, blended with the head by the weight that
    serves the val photos best (neighbours.choose_blend; DEFAULT_BLEND without val
    photos). Records its size, blend and each candidate's figure in `result`."""
    assert data.embeddings is not None
    rows = data.indices("train")
    index = NeighbourIndex.build(
        data.embeddings[rows],
        [data.targets[i] for i in rows],
        [data.photo_ids[i] for i in rows],
        DEFAULT_BLEND,
    )
    val_rows = data.indices("val")
    if val_rows:
        x = data.embeddings[val_rows]
        with torch.inference_mode():
            learned = (head(x).softmax(-1) * result["k_mean"]).clamp(max=1.0)
        # What BlendedHead serves on these concepts before the neighbours join in.
        weight = torch.tensor(result["blend_weights"])
        cold = data.coldstart_scores[val_rows] if data.coldstart_scores is not None else 0.0
        served = weight * learned + (1 - weight) * cold
        blend, figures = choose_blend(
            served, index.scores(x, len(data.concepts)), [data.targets[i] for i in val_rows]
        )
        index = replace(index, blend=blend)
        result["neighbours_blend_figures"] = figures
    result["neighbours"] = {"photos": len(index.photo_ids), "blend": index.blend, "floor": index.floor}
    return index


def train_shop(
    data: TrainingSet, config: TrainConfig, world: World
) -> tuple[LinearHead | None, dict[str, Any]]:
    """Fit the shop head on listings (plus "none" photos) when the export has them."""
    shop = data.shop
    if shop is None:
        return None, {}
    train_rows = [i for i, s in enumerate(shop.split) if s == "train"]
    labels = [[shop.labels[i]] for i in train_rows]
    weights = sample_weights(labels, len(SHOP_LABELS), "natural")
    head = fit_linear(
        shop.embeddings[train_rows],
        _batches(weights, config, world),
        LabelRows(labels, len(SHOP_LABELS)).soft,
        len(SHOP_LABELS),
        config,
        world,
    )
    val_rows = [i for i, s in enumerate(shop.split) if s == "val"]
    if not val_rows:
        return head, {}
    with torch.inference_mode():
        predicted = head(shop.embeddings[val_rows]).argmax(-1).tolist()
    truth = [shop.labels[i] for i in val_rows]
    majority = max(set(s[0] for s in labels), key=lambda c: sum(1 for s in labels if s[0] == c))
    return head, {
        "shop": metrics.classification_metrics(predicted, truth, list(SHOP_LABELS)),
        "shop_baseline_most_frequent": metrics.classification_metrics(
            [majority] * len(truth), truth, list(SHOP_LABELS)
        ),
    }


def write_outputs(
    out: Path,
    data: TrainingSet,
    hashtags: LinearHead,
    shop: LinearHead | None,
    result: dict[str, Any],
    neighbours: NeighbourIndex | None = None,
) -> None:
    """head.pt, neighbours.pt (when given), vocabulary.json, metrics.json and plots/ in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    scores, truth = result.pop("_scores", None), result.pop("_truth", None)
    torch.save(
        {
            "concepts": [asdict(c) for c in data.concepts],
            "hashtags": {"state": hashtags.state_dict()},
            "k_mean": result["k_mean"],
            "blend_weights": result["blend_weights"],
            "shop": {"state": shop.state_dict(), "labels": list(SHOP_LABELS)} if shop is not None else None,
            "backbone": data.backbone,
            "backbone_version": data.backbone_version,
        },
        out / "head.pt",
    )
    if neighbours is not None:
        neighbours.save(out / NEIGHBOURS_FILE)
    (out / "vocabulary.json").write_text(
        json.dumps([asdict(c) for c in data.concepts], ensure_ascii=False, indent=1)
    )
    (out / "metrics.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=float))
    if scores is not None and result.get("per_concept_ap"):
        (out / "plots").mkdir(exist_ok=True)
        metrics.plot_per_concept_ap(result["per_concept_ap"], out / "plots" / "per_concept_ap.png")
        metrics.plot_precision_recall(scores, truth, out / "plots" / "precision_recall.png")


def run(data_path: Path, out: Path, config: TrainConfig) -> dict[str, Any]:
    """Train everything the set allows and write the outputs (rank 0 only). Returns metrics."""
    data = TrainingSet.load(data_path)
    with distributed(config.device) as world:
        if config.finetune:
            data = finetune(data, config, world, out)
        hashtags, result = train_hashtags(data, config, world)
        neighbours = fit_neighbours(data, hashtags, result)
        shop, shop_result = train_shop(data, config, world)
        result.update(shop_result)
        result["config"] = asdict(config)
        result["world_size"] = world.size
        result["device"] = str(world.device)
        if world.main:
            write_outputs(out, data, hashtags, shop, result, neighbours)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the tagger's heads on an exported training set.")
    parser.add_argument("--data", type=Path, required=True, help="file written by the app's export")
    parser.add_argument("--out", type=Path, required=True, help="folder for head.pt, metrics and plots")
    parser.add_argument("--finetune", action="store_true", help="also fine-tune the backbone on the images")
    parser.add_argument("--sampling", choices=["natural", "sqrt", "uniform"], default="sqrt")
    parser.add_argument("--epochs", type=int, default=TrainConfig.epochs)
    parser.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    parser.add_argument("--min-steps", type=int, default=TrainConfig.min_steps)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--device",
        choices=["auto", "cpu", "cuda"],
        default="auto",
        help="auto: cuda:LOCAL_RANK when CUDA has a GPU, else the CPU",
    )
    args = parser.parse_args(argv)
    config = TrainConfig(
        epochs=args.epochs,
        min_steps=args.min_steps,
        batch_size=args.batch_size,
        sampling=args.sampling,
        seed=args.seed,
        finetune=args.finetune,
        device=args.device,
    )
    result = run(args.data, args.out, config)
    if int(os.environ.get("RANK", "0")) == 0:
        summary = result.get("hashtags", {})
        print(json.dumps({"out": str(args.out), **summary}, default=float))


if __name__ == "__main__":
    main()
