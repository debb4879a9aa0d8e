import math

import pytest
import torch

from tagging.ml.stop_list import STOP_LIST
from tagging.ml.vocabulary import VocabularyEntry, build_vocabulary, visualness_scores

CONTENT = ["beach", "dog", "cat", "food", "car", "flower", "sunset", "tbt"]
NOISE = ["blessed", "friends", "goodvibes"]


def _photos(n: int = 600) -> tuple[list[list[str]], torch.Tensor]:
    # Each photo shows one content concept: its embedding sits near that concept's centre.
    # Noise concepts land on 30% of photos at random, whatever they show.
    generator = torch.Generator().manual_seed(7)
    centres = torch.randn(len(CONTENT), 64, generator=generator)
    shown = torch.randint(0, len(CONTENT), (n,), generator=generator)
    embeddings = centres[shown] + 1.5 * torch.randn(n, 64, generator=generator)
    noisy = torch.rand(n, len(NOISE), generator=generator) < 0.3
    names = [[CONTENT[int(shown[i])], *(tag for k, tag in enumerate(NOISE) if noisy[i, k])] for i in range(n)]
    return names, embeddings


def _by_name(stats: list[VocabularyEntry]) -> dict[str, VocabularyEntry]:
    return {s.name: s for s in stats}


def test_content_concepts_are_visual_and_random_ones_are_not():
    names, embeddings = _photos()

    stats = _by_name(build_vocabulary(names, embeddings))

    assert all(stats[name].visualness > 0.5 for name in CONTENT)
    assert all(abs(stats[name].visualness) < 0.1 for name in NOISE)
    assert [stats[name].status for name in NOISE] == ["non_visual"] * 3
    assert [stats[name].status for name in CONTENT] == ["active"] * 7 + ["non_visual"]  # tbt: stop list


def test_visualness_is_the_leave_one_out_centroid_ap_lift():
    # Unit vectors at 0, 20, 60 and 100 degrees, at different lengths (cosine ignores them).
    angles = torch.tensor([0.0, 20.0, 60.0, 100.0]).deg2rad()
    embeddings = torch.stack([angles.cos(), angles.sin()], dim=1) * torch.tensor([[1.0], [3.0], [0.5], [2.0]])
    labels = [[0, 1], [1, 2], [0, 1], [1]]

    scores = visualness_scores(embeddings, labels, 4, min_positives=2)

    # Concept 0 on photos 0 and 2: each sees the other at cos 60 = 0.5; photo 1 sees their
    # centroid (30 degrees) at cos 10, photo 3 at cos 70. Ranking: neg, pos, pos, neg,
    # AP = (1/2 + 2/3) / 2 = 7/12, prevalence 1/2, lift (7/12 - 1/2) / (1/2) = 1/6.
    assert scores[0].item() == pytest.approx(1 / 6)
    # Concept 1 is on every photo: no ranking to measure. Concept 2 has one photo, 3 none.
    assert [math.isnan(scores[c].item()) for c in (1, 2, 3)] == [True, True, True]


def test_visualness_is_one_when_every_tagged_photo_ranks_first():
    angles = torch.tensor([0.0, 20.0, 60.0, 100.0]).deg2rad()
    embeddings = torch.stack([angles.cos(), angles.sin()], dim=1)

    scores = visualness_scores(embeddings, [[0], [0], [0], []], 1, min_positives=2)

    assert scores.tolist() == pytest.approx([1.0])


def test_visualness_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="len\\(labels\\)"):
        visualness_scores(torch.zeros(3, 4), [[0], [0]], 1)
    with pytest.raises(ValueError, match="must lie in"):
        visualness_scores(torch.zeros(2, 4), [[0], [5]], 1)


def test_concepts_are_counted_once_per_photo_and_sorted_by_count_then_name():
    stats = build_vocabulary([["dog", "dog", "cat"], ["cat"], ["bee", "cat"], ["dog"]], min_count=1)

    assert stats == [
        VocabularyEntry("cat", 3, None, "active"),
        VocabularyEntry("dog", 2, None, "active"),
        VocabularyEntry("bee", 1, None, "active"),
    ]


def test_concepts_under_min_count_are_rare():
    stats = _by_name(build_vocabulary([["dog", "cat"], ["dog"], ["dog", "bee"]], min_count=2))

    assert [stats[n].status for n in ("dog", "cat", "bee")] == ["active", "rare", "rare"]


def test_stop_list_concepts_are_non_visual_without_embeddings():
    stats = _by_name(build_vocabulary([["tbt", "dog"], ["tbt", "dog"]]))

    assert "tbt" in STOP_LIST
    assert (stats["tbt"].status, stats["dog"].status) == ("non_visual", "active")


def test_max_size_keeps_the_most_frequent_active_concepts():
    photos = [["a", "b", "c", "love"]] * 5 + [["a", "b", "c"]] * 2 + [["a", "b"]] * 2 + [["a"]]

    stats = build_vocabulary(photos, max_size=2)

    assert [(s.name, s.count, s.status) for s in stats] == [
        ("a", 10, "active"),
        ("b", 9, "active"),
        ("c", 7, "rare"),
        ("love", 5, "non_visual"),
    ]


def test_overrides_win_over_every_rule_and_the_size_cap():
    photos = [["a", "b", "c", "love"]] * 5 + [["a", "b", "c"]] * 2 + [["a", "b", "odd"]] * 2

    stats = build_vocabulary(
        photos, max_size=3, min_count=3, overrides={"love": "active", "odd": "active", "a": "non_visual"}
    )

    assert [(s.name, s.status) for s in stats] == [
        ("a", "non_visual"),
        ("b", "active"),
        ("c", "rare"),  # love and odd, forced active, take two of the three places
        ("love", "active"),
        ("odd", "active"),
    ]


def test_an_unknown_override_status_is_rejected():
    with pytest.raises(ValueError, match="active, non_visual, rare"):
        build_vocabulary([["dog"]], overrides={"dog": "hidden"})


def test_the_vocabulary_is_deterministic():
    names, embeddings = _photos(200)

    assert build_vocabulary(names, embeddings) == build_vocabulary(names, embeddings)
