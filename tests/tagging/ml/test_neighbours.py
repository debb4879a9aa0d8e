import io
from dataclasses import replace

import pytest
import torch

from tagging.ml import metrics
from tagging.ml.neighbours import K, NeighbourIndex, choose_blend, load_index
from tests.images import pattern_jpeg
from tests.tagging.conftest import BEE, CASTLE, DEMO

RED, BLUE, GREEN = (220, 30, 30), (30, 30, 220), (30, 180, 40)


@pytest.fixture(scope="module")
def photos(cold_start):
    """Real backbone embeddings of tiny photos: four red (concept 0), four blue (1), and a
    fifth red and blue one never indexed."""
    colours = [RED] * 4 + [BLUE] * 4 + [RED, BLUE]
    sources = [io.BytesIO(pattern_jpeg(colour, seed=i)) for i, colour in enumerate(colours)]
    return cold_start.embed(sources)


def test_a_photo_gets_the_concepts_of_the_training_photos_it_looks_like(photos):
    index = NeighbourIndex.build(photos[:8], [[0]] * 4 + [[1]] * 4, list(range(8)), blend=0.5)

    scores = index.scores(photos[8:], num_concepts=3)

    assert scores.shape == (2, 3)
    # The unseen red photo is mostly red, the blue one mostly blue.
    assert scores[0, 0] > 0.5 > scores[0, 1] and scores[1, 1] > 0.5 > scores[1, 0]
    # one concept per row: shares add up to at most 1 (the rest went to the floor's row)
    assert bool((scores.sum(1) <= 1.0 + 1e-6).all())
    assert torch.equal(scores[:, 2], torch.zeros(2))  # no training photo carries concept 2


def test_a_photo_unlike_every_indexed_photo_gets_little_of_their_concepts(cold_start):
    """After seed_demo a kitten on a plank got #sunset 40% and #lake 35% from the
    neighbours: the softmax over its K nearest gave their whole weight to whichever
    training photos were least unlike it. A row of no concept at the index's floor (what
    photos sharing no concept rarely exceed) now takes the weight unlike photos had."""
    tools = [DEMO / f"dev_{n:03d}.jpg" for n in (1, 21, 36, 48, 54)]  # pliers, hammers, cutters, screwdriver
    fish = [DEMO / f"dev_{n:03d}.jpg" for n in (14, 33, 45, 71, 83)]  # wrasse, porgy, perch, salmon, mullets
    embeddings = cold_start.embed([*tools[:4], *fish[:4], tools[4], fish[4], BEE, CASTLE])
    index = NeighbourIndex.build(embeddings[:8], [[0]] * 4 + [[1]] * 4, list(range(8)), blend=0.5)

    screwdriver, mullets, bee, castle = index.scores(embeddings[8:], num_concepts=2)

    assert index.floor is not None
    # The screwdriver is as alike to the indexed tools as related photos are: it keeps
    # nearly all the weight; the bee and the castle, like none of them, leave much of it.
    assert float(screwdriver[0]) > 0.9 and float(screwdriver.sum()) > 0.95
    assert float(mullets[1]) > float(mullets[0])
    assert float(bee.sum()) < 0.75 and float(castle.sum()) < 0.6
    # Without the floor every photo's shares added up to 1, whatever it looked like.
    unfloored = replace(index, floor=None).scores(embeddings[8:], num_concepts=2)
    assert torch.allclose(unfloored.sum(1), torch.ones(4))


def test_a_photo_the_index_holds_is_not_its_own_neighbour(photos):
    """A photo that trained the version, scored again (a re-suggest, a retried analysis):
    its own row matched it at cosine 1 and took nearly all the weight, so its look-alikes'
    concepts came out near 0 and its own (already on the post) near 1. It is scored as a
    photo the index does not hold is, by the others."""
    # photo 10 is red but carries concept 2 alone; the other red ones carry 0
    index = NeighbourIndex.build(photos[:8], [[2]] + [[0]] * 3 + [[1]] * 4, list(range(10, 18)), blend=0.5)
    without = NeighbourIndex.build(photos[1:8], [[0]] * 3 + [[1]] * 4, list(range(11, 18)), blend=0.5)

    as_itself = index.scores(photos[:1], num_concepts=3, photo_ids=[10])

    assert torch.allclose(as_itself, replace(without, floor=index.floor).scores(photos[:1], num_concepts=3))
    assert float(as_itself[0, 2]) == 0.0 and float(as_itself[0, 0]) > 0.0
    # an unknown photo id, or none, leaves every row in
    assert torch.equal(index.scores(photos[:1], num_concepts=3, photo_ids=[99]), index.scores(photos[:1], 3))
    assert (
        float(index.scores(photos[:1], num_concepts=3)[0, 2]) > 0.7
    )  # itself, as before: most of the weight
    # an index holding only the photo itself has nothing to say of it
    alone = NeighbourIndex.build(photos[:1], [[2]], [10], blend=0.5)
    assert torch.equal(alone.scores(photos[:1], num_concepts=3, photo_ids=[10]), torch.zeros(1, 3))


def test_only_the_k_nearest_count(photos):
    # Eleven copies of blue (the nearest to a blue photo) and one red: a blue query's K
    # nearest are all blue, so red gets nothing.
    embeddings = torch.cat([photos[4:5].repeat(K + 1, 1), photos[0:1]])
    index = NeighbourIndex.build(embeddings, [[1]] * (K + 1) + [[0]], list(range(K + 2)), blend=0.5)

    scores = index.scores(photos[9:10], num_concepts=2)

    assert float(scores[0, 0]) == 0.0
    assert float(scores[0, 1]) > 0.9  # the rest went to the floor's row


def test_photos_that_may_no_longer_train_are_dropped(photos):
    index = NeighbourIndex.build(photos[:8], [[0]] * 4 + [[1]] * 4, [10, 11, 12, 13, 20, 21, 22, 23], 0.5)

    kept = index.keeping({20, 21, 22, 23})

    assert kept.photo_ids == [20, 21, 22, 23]
    assert kept.embeddings.shape == (4, photos.shape[1])
    assert float(kept.scores(photos[8:9], num_concepts=2)[0, 0]) == 0.0  # red is gone with its photos
    empty = index.keeping(set())
    assert torch.equal(empty.scores(photos[8:], num_concepts=2), torch.zeros(2, 2))


def test_saved_and_loaded_with_the_version(tmp_path, photos):
    index = NeighbourIndex.build(photos[:8], [[0, 2]] * 4 + [[1]] * 4, list(range(8)), blend=0.75)
    index.save(tmp_path / "neighbours.pt")

    loaded = load_index(tmp_path)

    assert loaded is not None
    assert (loaded.targets, loaded.photo_ids, loaded.blend) == (index.targets, index.photo_ids, 0.75)
    assert torch.allclose(loaded.scores(photos[8:], 3), index.scores(photos[8:], 3), atol=1e-3)
    assert loaded.floor == pytest.approx(index.floor)
    # An index saved before floors loads without one and scores as it did: all the weight
    # on its K nearest (each row carries concept 0 or 1, so those shares add up to 1).
    saved = torch.load(tmp_path / "neighbours.pt", weights_only=True)
    del saved["floor"]
    torch.save(saved, tmp_path / "neighbours.pt")
    older = load_index(tmp_path)
    assert older is not None and older.floor is None
    assert torch.allclose(older.scores(photos[8:], 3)[:, :2].sum(1), torch.ones(2))
    assert load_index(tmp_path / "none") is None  # a version trained before neighbours


def test_blend_follows_the_scorer_that_ranks_the_held_out_truth():
    truth = [[0], [1], [2]]
    right = torch.eye(3)
    wrong = torch.eye(3).roll(1, dims=1)

    # The smallest blend at which the right scorer outweighs the wrong one (0.5 ties them).
    assert choose_blend(wrong, right, truth)[0] == 0.75
    assert choose_blend(right, wrong, truth)[0] == 0.0
    blend, figures = choose_blend(right, right, truth)
    assert blend == 0.0  # a tie keeps the trained head
    assert set(figures.values()) == {1.0}


def test_photo_average_precision():
    scores = torch.tensor([[0.9, 0.8, 0.1], [0.1, 0.2, 0.3], [0.5, 0.5, 0.5]])

    # Photo 1: its concepts 0 and 2 ranked 1st and 3rd: (1/1 + 2/3) / 2. Photo 2: its only
    # concept ranked 2nd: 1/2. Photo 3 has none and is left out.
    assert metrics.photo_average_precision(scores, [[0, 2], [1], []]) == pytest.approx((5 / 6 + 1 / 2) / 2)
    with pytest.raises(ValueError):
        metrics.photo_average_precision(scores, [[], [], []])
