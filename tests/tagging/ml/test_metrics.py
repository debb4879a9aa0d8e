import pytest
import torch

from tagging.ml.metrics import (
    classification_metrics,
    per_concept_ap,
    plot_per_concept_ap,
    plot_precision_recall,
    precision_recall_curve,
    ranking_metrics,
)

PNG = b"\x89PNG\r\n\x1a\n"
# Four photos, six concepts. The last photo has no true concept: ranking metrics skip it.
SCORES = torch.tensor(
    [
        [0.9, 0.8, 0.1, 0.2, 0.3, 0.05],  # ranks 0 1 4 3 2 5, truth {0, 2}
        [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],  # ranks 5 4 3 2 1 0, truth {0}
        [0.3, 0.1, 0.7, 0.6, 0.0, 0.2],  # ranks 2 3 0 5 1 4, truth {1, 3}
        [0.95, 0.0, 0.0, 0.99, 0.0, 0.0],
    ]
)
TRUTH = [[0, 2], [0], [3, 1], []]


def test_ranking_metrics_by_hand():
    metrics = ranking_metrics(SCORES, TRUTH)

    # Top 1 is right on photo 0 only; the top 5 hold 2, 0 and 2 true concepts.
    # Per-concept AP over photos 0-2: concept 0 ranks photos 0 2 1 -> (1 + 2/3) / 2 = 5/6;
    # concept 1 is on the last-ranked photo -> 1/3; concept 2 likewise 1/3; concept 3 -> 1.
    assert metrics == pytest.approx(
        {
            "p@1": 1 / 3,
            "p@5": (0.4 + 0.0 + 0.4) / 3,
            "r@5": (1 + 0 + 1) / 3,
            "hit@1": 1 / 3,
            "hit@5": 2 / 3,
            "map": (5 / 6 + 1 / 3 + 1 / 3 + 1) / 4,
        }
    )


def test_per_concept_ap_ranks_every_photo_given():
    ap = per_concept_ap(SCORES, TRUTH)

    # Photo 3 now counts as a negative and ranks first for concepts 0 and 3.
    assert ap == pytest.approx([(1 / 2 + 2 / 4) / 2, 1 / 3, 1 / 3, 1 / 2, None, None])


def test_ranking_metrics_reject_what_they_cannot_score():
    with pytest.raises(ValueError, match="No photo"):
        ranking_metrics(SCORES, [[], [], [], []])
    with pytest.raises(ValueError, match="scores must be"):
        ranking_metrics(SCORES, TRUTH[:3])
    with pytest.raises(ValueError, match="must lie in"):
        ranking_metrics(SCORES, [[6], [], [], []])


def test_classification_metrics_by_hand():
    metrics = classification_metrics([0, 1, 1, 2, 0], [0, 0, 1, 2, 2], ["clothing", "shoes", "home"])

    assert metrics == {
        "accuracy": 0.6,
        "labels": ["clothing", "shoes", "home"],
        "confusion": [[1, 1, 0], [0, 1, 0], [1, 0, 1]],
    }


def test_classification_metrics_reject_unequal_or_unknown_indices():
    with pytest.raises(ValueError, match="equal length"):
        classification_metrics([0], [0, 1], ["a", "b"])
    with pytest.raises(ValueError, match="must lie in"):
        classification_metrics([2], [0], ["a", "b"])


def test_micro_averaged_precision_recall_by_hand():
    precision, recall = precision_recall_curve(torch.tensor([[0.9, 0.2], [0.6, 0.4]]), [[0], [1]])

    # Ranked: 0.9 true, 0.6 false, 0.4 true, 0.2 false.
    assert precision.tolist() == pytest.approx([1, 1 / 2, 2 / 3, 1 / 2])
    assert recall.tolist() == pytest.approx([1 / 2, 1 / 2, 1, 1])


def test_plots_write_png_files(tmp_path):
    ap = {f"concept{i}": i / 50 for i in range(50)}

    plot_per_concept_ap(ap, tmp_path / "ap.png")
    plot_precision_recall(SCORES, TRUTH, tmp_path / "pr.png")

    for name in ("ap.png", "pr.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == PNG
        assert len(data) > 1000
