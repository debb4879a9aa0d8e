import csv
import re

import pytest

from socialapp.hashtags import services
from socialapp.hashtags.canonical import key_for
from socialapp.hashtags.models import Concept, ConceptAlias, Hashtag
from socialapp.hashtags.starter import CONCEPTS_CSV, starter_concepts
from socialapp.settings.base import BASE_DIR

pytestmark = pytest.mark.django_db


def test_same_concept_across_languages_and_forms():
    names = ["dog", "Dogs", "puppy", "perro", "Perros", "cachorro"]

    concepts = {services.hashtag_get_or_create(typed=name).concept.name for name in names}

    assert concepts == {"dog"}
    assert sorted(Hashtag.objects.values_list("name", flat=True)) == ["cachorro", "dog", "perro", "puppy"]


def test_concept_shows_the_hashtag_of_each_language():
    concept = services.hashtag_get_or_create(typed="#perros").concept

    assert (concept.display("en"), concept.display("es")) == ("dog", "perro")


def test_unknown_hashtag_gets_a_concept_of_its_own():
    hashtag = services.hashtag_get_or_create(typed="#Zorblax")

    assert (hashtag.name, hashtag.key, hashtag.concept.name) == ("zorblax", "zorblax", "zorblax")


def test_accented_and_plain_spellings_share_one_hashtag():
    first = services.hashtag_get_or_create(typed="café")
    second = services.hashtag_get_or_create(typed="CAFE")

    assert first.pk == second.pk
    assert first.name == "café"


def test_adding_an_alias_moves_existing_hashtags_and_drops_the_orphan_concept():
    hashtag = services.hashtag_get_or_create(typed="#Zorblax")
    dog = Concept.objects.get(name="dog")
    ConceptAlias.objects.create(concept=dog, key="zorblax", language="")

    moved = services.concept_aliases_apply(concept=dog)

    hashtag.refresh_from_db()
    assert (moved, hashtag.concept.name) == (1, "dog")
    assert not Concept.objects.filter(name="zorblax").exists()


def test_starter_table_is_consistent_and_covers_every_demo_hashtag():
    concepts = starter_concepts()
    covered = {key for concept in concepts for key in concept.aliases}
    with (BASE_DIR / "socialapp" / "demo" / "data" / "posts.csv").open(encoding="utf-8") as file:
        demo_tags = {
            key_for(tag) for row in csv.DictReader(file) for tag in re.findall(r"#(\w+)", row["caption"])
        }

    assert CONCEPTS_CSV.exists()
    assert demo_tags - covered == set()
    assert len({c.name for c in concepts}) == len(concepts)
