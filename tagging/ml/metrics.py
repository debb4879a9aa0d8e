"""How well the tagger ranks hashtags, and how well it picks shop categories.

Ranking metrics follow the weakly supervised setting: a photo's truth is the set of
concepts its owner tagged, so precision and recall are measured over those sets, and
per-concept average precision ranks photos for one concept at a time.

matplotlib is imported only inside the plot functions: it is an evaluation tool, not a
dependency of the app, and nothing that ranks or trains needs it. The plots use the
object-oriented `Figure` (Agg canvas), never pyplot, so no global backend or figure
registry is touched and nothing is left open in a long-running process."""

from pathlib import Path

import torch

from .sampling import label_pairs

TOP_CONCEPTS_PLOTTED = 40
PLOTTED_POINTS = 4000


def average_precision(scores: torch.Tensor, positives: torch.Tensor) -> torch.Tensor:
    """AP of each column of (n, m) `scores` against boolean `positives`, as an (m,)
    float64 tensor; NaN for a column without positives. Ties keep row order."""
    order = scores.argsort(dim=0, descending=True, stable=True)
    hits = positives.gather(0, order).to(torch.float64)
    ranks = torch.arange(1, scores.shape[0] + 1, dtype=torch.float64).unsqueeze(1)
    precision = hits.cumsum(dim=0) / ranks
    return (precision * hits).sum(dim=0) / hits.sum(dim=0)


def truth_matrix(truth: list[list[int]], num_concepts: int) -> torch.Tensor:
    """(len(truth), num_concepts) boolean matrix. Raises ValueError for an index out of range."""
    photos, concepts = label_pairs(truth, num_concepts)
    matrix = torch.zeros(len(truth), num_concepts, dtype=torch.bool)
    matrix[photos, concepts] = True
    return matrix


def _checked(scores: torch.Tensor, truth: list[list[int]]) -> torch.Tensor:
    if scores.dim() != 2 or scores.shape[0] != len(truth):
        raise ValueError(f"scores must be (len(truth), concepts), got {tuple(scores.shape)}.")
    return truth_matrix(truth, scores.shape[1])


def per_concept_ap(scores: torch.Tensor, truth: list[list[int]]) -> list[float | None]:
    """Average precision of ranking all photos for each concept, None where a concept has
    no positive photo. Raises ValueError when `scores` is not (len(truth), concepts)."""
    positives = _checked(scores, truth)
    ap = average_precision(scores.detach().cpu().float(), positives)
    return [None if value != value else value for value in ap.tolist()]  # NaN != NaN


def photo_average_precision(scores: torch.Tensor, truth: list[list[int]]) -> float:
    """Mean over photos with a true concept of the average precision of its own concepts
    in its (m,) ranking (label-ranking AP): the whole ranking counts, so it separates
    scorers that top-5 figures on a few photos call even. Ties keep column order.
    Raises ValueError when no photo has a true concept or `scores` is not (len(truth), concepts)."""
    positives = _checked(scores, truth)
    kept = positives.any(dim=1)
    if not bool(kept.any()):
        raise ValueError("No photo has a true concept.")
    scores, positives = scores.detach().cpu().float()[kept], positives[kept]
    order = scores.argsort(dim=1, descending=True, stable=True)
    hits = positives.gather(1, order).to(torch.float64)
    ranks = torch.arange(1, scores.shape[1] + 1, dtype=torch.float64)
    precision = hits.cumsum(dim=1) / ranks
    return float(((precision * hits).sum(dim=1) / hits.sum(dim=1)).mean())


def ranking_metrics(scores: torch.Tensor, truth: list[list[int]]) -> dict[str, float]:
    """p@1, p@5, r@5, hit@1, hit@5 averaged over photos with at least one true concept,
    and map: mean per-concept AP over those photos and the concepts they carry.
    p@5 divides by 5 even when there are fewer concepts. Raises ValueError when no photo
    has a true concept or `scores` is not (len(truth), concepts)."""
    positives = _checked(scores, truth)
    kept = positives.any(dim=1)
    if not bool(kept.any()):
        raise ValueError("No photo has a true concept.")
    scores, positives = scores.detach().cpu().float()[kept], positives[kept]
    top = scores.topk(min(5, scores.shape[1]), dim=1).indices
    found = positives.gather(1, top).to(torch.float64)
    ap = average_precision(scores, positives)
    return {
        "p@1": float(found[:, 0].mean()),
        "p@5": float((found.sum(dim=1) / 5).mean()),
        "r@5": float((found.sum(dim=1) / positives.sum(dim=1)).mean()),
        "hit@1": float(found[:, 0].mean()),
        "hit@5": float(found.amax(dim=1).mean()),
        "map": float(ap[~ap.isnan()].mean()),
    }


def classification_metrics(predicted: list[int], truth: list[int], labels: list[str]) -> dict[str, object]:
    """accuracy, labels and the confusion matrix (rows truth, columns predicted) for
    single-label predictions given as indices into `labels`. Raises ValueError for empty
    or unequal inputs and for an index out of range."""
    if not truth or len(predicted) != len(truth):
        raise ValueError("predicted and truth must be non-empty and of equal length.")
    if not all(0 <= i < len(labels) for i in [*predicted, *truth]):
        raise ValueError(f"Indices must lie in [0, {len(labels)}).")
    confusion = [[0] * len(labels) for _ in labels]
    for guess, actual in zip(predicted, truth, strict=True):
        confusion[actual][guess] += 1
    correct = sum(confusion[i][i] for i in range(len(labels)))
    return {"accuracy": correct / len(truth), "labels": list(labels), "confusion": confusion}


def plot_per_concept_ap(ap: dict[str, float], path: Path) -> None:
    """Write a PNG bar chart of the best `TOP_CONCEPTS_PLOTTED` concepts by AP, best on top."""
    from matplotlib.figure import Figure

    best = sorted(ap.items(), key=lambda item: (-item[1], item[0]))[:TOP_CONCEPTS_PLOTTED]
    figure = Figure(figsize=(7, 1.5 + 0.22 * len(best)), layout="constrained")
    axes = figure.subplots()
    axes.barh([name for name, _ in reversed(best)], [value for _, value in reversed(best)])
    axes.set_xlim(0, 1)
    axes.set_xlabel("average precision")
    axes.set_title(f"Per-concept AP (top {len(best)} of {len(ap)})")
    axes.tick_params(axis="y", labelsize=8)
    figure.savefig(path, format="png", dpi=100)


def precision_recall_curve(scores: torch.Tensor, truth: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    """Micro-averaged (precision, recall) at every cut-off of all photo-concept scores
    ranked together. Raises ValueError when nothing is true."""
    positives = _checked(scores, truth).flatten()
    if not bool(positives.any()):
        raise ValueError("No photo has a true concept.")
    order = scores.detach().cpu().float().flatten().argsort(descending=True, stable=True)
    hits = positives[order].to(torch.float64).cumsum(dim=0)
    ranks = torch.arange(1, len(order) + 1, dtype=torch.float64)
    return hits / ranks, hits / hits[-1]


def plot_precision_recall(scores: torch.Tensor, truth: list[list[int]], path: Path) -> None:
    """Write a PNG of the micro-averaged precision-recall curve. Raises ValueError when
    nothing is true."""
    from matplotlib.figure import Figure

    precision, recall = precision_recall_curve(scores, truth)
    # Millions of cut-offs draw the same line as a few thousand evenly spaced ones.
    step = max(1, len(precision) // PLOTTED_POINTS)
    precision, recall = precision[::step], recall[::step]
    figure = Figure(figsize=(5, 5), layout="constrained")
    axes = figure.subplots()
    axes.plot(recall.numpy(), precision.numpy())
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.set_title("Precision-recall, micro-averaged over concepts")
    axes.grid(alpha=0.3)
    figure.savefig(path, format="png", dpi=100)
