import pytest
import torch

from tagging.ml.sampling import MODES, draw, label_pairs, sample_weights

# One concept per photo, on 100, 25 and 4 photos.
SINGLE = [[0]] * 100 + [[1]] * 25 + [[2]] * 4


def _draw_shares(labels: list[list[int]], num_concepts: int, weights: torch.Tensor) -> torch.Tensor:
    """Each concept's expected share of draws: the summed weight of its photos."""
    photos, concepts = label_pairs(labels, num_concepts)
    shares = torch.zeros(num_concepts, dtype=torch.float64).index_add_(0, concepts, weights[photos])
    return shares / shares.sum()


def _shares(*values: float) -> torch.Tensor:
    total = torch.tensor(values, dtype=torch.float64)
    return total / total.sum()


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("natural", (100, 25, 4)), ("sqrt", (10, 5, 2)), ("uniform", (1, 1, 1))],
)
def test_concepts_are_drawn_in_proportion_to_frequency_to_the_alpha(mode, expected):
    weights = sample_weights(SINGLE, 3, mode)

    assert torch.allclose(_draw_shares(SINGLE, 3, weights), _shares(*expected))


def test_weights_are_float64_probabilities():
    weights = sample_weights(SINGLE, 3)

    assert (weights.dtype, weights.shape) == (torch.float64, (129,))
    assert weights.sum().item() == pytest.approx(1.0)


def test_a_photo_weighs_the_mean_over_its_concepts_and_nothing_without_any():
    # Concept 0 is on two photos, concept 1 on one; under sqrt a concept adds f ** -0.5.
    labels = [[0, 1], [0, 0], []]

    weights = sample_weights(labels, 2, "sqrt")

    first, second = (2**-0.5 + 1) / 2, 2**-0.5
    assert torch.allclose(weights, _shares(first, second, 0.0))


def test_draws_follow_the_expected_frequencies():
    weights = sample_weights(SINGLE, 3, "sqrt")

    drawn = draw(weights, 200_000, seed=3)

    concepts = torch.tensor(SINGLE).flatten()[drawn]
    empirical = torch.bincount(concepts, minlength=3).double() / len(drawn)
    assert (empirical - _shares(10, 5, 2)).abs().max().item() < 0.01


def test_draws_are_deterministic_for_a_seed():
    weights = sample_weights(SINGLE, 3)

    assert torch.equal(draw(weights, 1000, seed=5), draw(weights, 1000, seed=5))
    assert not torch.equal(draw(weights, 1000, seed=5), draw(weights, 1000, seed=6))


def test_an_unknown_mode_names_the_valid_ones():
    with pytest.raises(ValueError, match="natural, sqrt, uniform"):
        sample_weights(SINGLE, 3, "log")
    assert MODES == ("natural", "sqrt", "uniform")


def test_nothing_to_sample_by_is_an_error():
    with pytest.raises(ValueError, match="No photo"):
        sample_weights([[], []], 3)
