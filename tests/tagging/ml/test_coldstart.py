import csv
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from tagging.ml.coldstart import ColdStartHead, load_concepts
from tagging.ml.coldstart_build import ancestors_by_distance
from tagging.ml.coldstart_data import DATA
from tagging.ml.heads import SHOP_CATEGORIES


def _class_row(name: str) -> dict[str, str]:
    with (DATA / "coldstart.tsv").open(encoding="utf-8") as file:
        return next(r for r in csv.DictReader(file, delimiter="\t") if r["description"].split(",")[0] == name)


@pytest.mark.parametrize(
    ("description", "concepts"),
    [
        ("golden retriever", ["goldenretriever", "dog", "pet"]),
        ("espresso", ["espresso", "coffee"]),
        ("seashore", ["beach", "sea"]),
    ],
)
def test_classes_carry_specific_and_general_concepts(description, concepts):
    row = _class_row(description)

    assert set(concepts) <= set(row["concepts"].split())


@pytest.mark.parametrize(
    ("concept", "english", "spanish"),
    [
        ("dog", "dog", "perro"),
        ("coffee", "coffee", "café"),
        ("beach", "beach", "playa"),
        ("cat", "cat", "gato"),
    ],
)
def test_concepts_are_shown_in_both_languages(concept, english, spanish):
    shown = load_concepts()[concept]

    assert (shown.display("en"), shown.display("es")) == (english, spanish)


def test_shop_categories_for_things_and_none_for_scenery_and_animals():
    assert _class_row("espresso")["shop_category"] == "food_drink"
    assert _class_row("running shoe")["shop_category"] == "shoes"
    assert _class_row("laptop")["shop_category"] == "electronics"
    assert _class_row("seashore")["shop_category"] == ""
    assert _class_row("golden retriever")["shop_category"] == ""
    assert _class_row("castle")["shop_category"] == ""


def test_concept_scores_sum_the_probability_of_their_classes(backbone):
    head = ColdStartHead(backbone)
    dog = [c.name for c in head.concepts].index("dog")
    breeds = head.class_concepts[:, dog].nonzero().flatten()

    embeddings = torch.randn(2, backbone.embedding_dim)
    with torch.inference_mode():
        expected = backbone.logits(embeddings).softmax(-1)[:, breeds].sum(-1)
        dog_scores = head.concept_scores(embeddings)[:, dog]
        scores = head.category_scores(embeddings)

    assert len(breeds) > 100  # every ImageNet dog breed
    assert torch.allclose(dog_scores, expected, atol=1e-6)
    assert scores.shape == (2, len(SHOP_CATEGORIES)) and float(scores.max()) <= 1.0


def test_hypernym_walk_keeps_the_nearest_distance():
    hypernyms = {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": ["e"]}

    assert ancestors_by_distance("a", hypernyms) == {"a": 0, "b": 1, "c": 1, "d": 2, "e": 3}


def _committed_and_built(
    table: str, build: Callable[[Path], list[list[str]]]
) -> tuple[list[list[str]], list[list[str]]]:
    """The committed data/`table` (header left out) and what `build` makes of WordNet now."""
    from tests.conftest import unavailable

    wordnet = Path("/usr/share/wordnet/data.noun")
    if not wordnet.exists():
        unavailable("WordNet 3.0 is not installed (Debian package wordnet-base)")
    with (DATA / table).open(encoding="utf-8") as file:
        return [row for row in csv.reader(file, delimiter="\t")][1:], build(wordnet)


def test_committed_table_is_what_the_generator_builds():
    from tagging.ml.coldstart_build import build

    committed, built = _committed_and_built("coldstart.tsv", build)

    assert built == committed


def test_committed_related_table_is_what_the_generator_builds():
    from tagging.ml.coldstart_build import build_related

    committed, related = _committed_and_built("related.tsv", build_related)

    assert related == committed
    assert ["plier", "tool"] in related and ["kolkata", "india asia"] in related


def test_a_common_noun_is_not_taken_for_the_place_of_its_name():
    # Orange (the Free State), Snake (the river), Reef (in the Transvaal), Salmon (the
    # river): #orange is the fruit or the colour, never a hint of #southafrica.
    from tagging.ml.coldstart_data import related_concepts

    related = related_concepts()

    assert related["orange"] == {"citrus", "fruit", "food"}
    assert related["salmon"] == {"fishing", "fish", "animal"}
    assert not {"southafrica", "transvaal"} & related["reef"]
    assert not {"wyoming", "idaho"} & related["snake"]
    assert {"india", "asia"} <= related["kolkata"]  # a place keeps its places


def test_categories_a_class_shares_are_not_kinds_of_each_other():
    # A lawn mower is a garden thing and a tool, but a garden is no tool: read as a chain,
    # its row made #tool a candidate of every garden caption, at the rate people write
    # #tool beside pliers (38% under "Una abeja en las flores del jardín"). The class's own
    # concept makes each listed after it likely, the others only the general ones.
    from tagging.ml.coldstart_data import related_concepts

    related = related_concepts()

    assert {"garden", "tool"} <= related["lawnmower"]
    assert "tool" not in related["garden"] and "history" not in related["garden"]
    assert {"fish", "animal"} <= related["aquarium"]  # general: a fish is what an aquarium holds
    assert related["goldfish"] >= {"aquarium", "pet", "fish", "animal"}


def test_a_thing_the_tagger_sees_is_not_the_place_of_its_name():
    # WordNet's first Bikini is the atoll, its first Sombrero an island of the Leeward
    # Islands; the tagger's #bikini is the swimsuit and its #sombrero the hat.
    from tagging.ml.coldstart_data import related_concepts

    related = related_concepts()

    assert not {"marshallislands", "micronesia"} & related.get("bikini", set())
    assert not {"caribbean", "leewardislands"} & related.get("sombrero", set())
    assert not {"canada"} & related.get("labrador", set())
    assert {"asia"} <= related["japan"]  # a place the tagger has no class of keeps its places


def test_a_place_name_is_the_place_it_first_means():
    # Paris is the capital of France first (WordNet's sense order); the town in Texas is
    # no hint for a photo of the Louvre. A name of one place keeps all of its places.
    from tagging.ml.coldstart_data import related_concepts

    related = related_concepts()

    assert related["paris"] == {"france", "europe"}
    assert related["sydney"] == {"newsouthwales", "australia"}


def test_committed_regions_table_is_what_the_generator_builds():
    from tagging.ml.coldstart_build import build_regions

    committed, regions = _committed_and_built("regions.tsv", build_regions)

    assert regions == committed
    keys = {key for [key] in regions}
    assert {"australia", "california", "germany", "india", "newsouthwales"} <= keys  # countries, states
    assert not {"asia", "europe", "honshu", "dodecanese"} & keys  # continents, islands


def test_committed_place_kinds_are_what_the_generator_builds():
    from tagging.ml.coldstart_build import build_place_kinds

    committed, kinds = _committed_and_built("place_kinds.tsv", build_place_kinds)

    assert kinds == committed
    kind = {key: kind for key, kind, _name in kinds}
    names = {key: name for key, _kind, name in kinds}
    assert [names["newzealand"], names["sandiego"]] == ["New Zealand", "San Diego"]
    assert [kind.get(k) for k in ("denmark", "california", "newzealand")] == ["region"] * 3
    assert [kind.get(k) for k in ("paris", "avignon", "sydney", "agra")] == ["town"] * 4
    # what a photo shows, not where it was taken: a river, a tower, an island, a continent;
    # and a dog breed named after a Mexican state
    assert not {"thames", "eiffeltower", "rhodes", "europe", "chihuahua"} & kind.keys()
    # first something else: "#bath #bubbles" is no photo taken in Bath, nor "#nice #sunset"
    # one in Nice; #in and #ok are words, not Indiana and Oklahoma
    assert not {"bath", "turkey", "victoria", "nice", "reading", "split", "in", "ok", "us"} & kind.keys()
