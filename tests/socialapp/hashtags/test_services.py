import csv
import importlib
import re

import pytest

from socialapp.hashtags import services
from socialapp.hashtags.canonical import key_for
from socialapp.hashtags.models import Concept, ConceptAlias, Hashtag
from socialapp.hashtags.starter import CONCEPTS_CSV, StarterConcept, starter_concepts
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


def test_a_name_ending_in_s_is_spelled_as_its_concept_is_not_cut_to_a_singular():
    # Reims is no plural of "reim": the alias table's concept says how it is spelled.
    reims = Concept.objects.create(name="reims", display_en="reims", display_es="reims")
    ConceptAlias.objects.create(concept=reims, key=key_for("reims"), language="")

    hashtag = services.hashtag_get_or_create(typed="#Reims")

    assert (hashtag.name, hashtag.key, hashtag.concept.name) == ("reims", "reim", "reims")
    assert services.hashtag_get_or_create(typed="#reim").pk == hashtag.pk


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("#abrelatas", "abrelatas"),
        ("#Saltamontes", "saltamontes"),
        ("#binoculars", "binoculars"),
        ("#Dogs", "dog"),
    ],
)
def test_a_hashtag_of_the_concept_table_is_spelled_as_the_table_spells_it(typed, name):
    assert services.hashtag_get_or_create(typed=typed).name == name


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


DEMO = BASE_DIR / "socialapp" / "demo" / "data"


def test_general_and_demo_tables_are_consistent_and_cover_every_demo_hashtag():
    concepts = starter_concepts()
    demo = starter_concepts(DEMO / "concepts.csv")
    owner = {key: concept.name for concept in concepts for key in concept.aliases}
    clashes = {
        key for concept in demo for key in concept.aliases if owner.get(key, concept.name) != concept.name
    }
    covered = owner.keys() | {key for concept in demo for key in concept.aliases}
    with (DEMO / "posts.csv").open(encoding="utf-8") as file:
        demo_tags = {
            key_for(tag) for row in csv.DictReader(file) for tag in re.findall(r"#(\w+)", row["caption"])
        }

    assert CONCEPTS_CSV.exists()
    assert demo_tags - covered == set()
    assert clashes == set()
    names = [c.name for c in [*concepts, *demo]]
    assert len(set(names)) == len(names)


def test_installing_concepts_adds_new_ones_and_leaves_existing_ones_alone():
    edited = Concept.objects.get(name="dog")
    edited.display_es = "perrito"
    edited.save()
    posted = services.hashtag_get_or_create(typed="#Blorp")
    table = [
        StarterConcept("dog", "dog", "perro", {"dog": "en", "chucho": "es"}),
        StarterConcept("zorblax", "zorblax", "zorblax", {"zorblax": "en", "blorp": "", "perro": "es"}),
    ]

    created = services.concepts_install(concepts=table)
    again = services.concepts_install(concepts=table)

    posted.refresh_from_db()
    zorblax = Concept.objects.get(name="zorblax")
    assert ([c.name for c in created], again) == (["zorblax"], [])
    assert Concept.objects.get(name="dog").display_es == "perrito"
    assert not ConceptAlias.objects.filter(key="chucho").exists()
    assert sorted(zorblax.aliases.values_list("key", "language")) == [("blorp", ""), ("zorblax", "en")]
    assert posted.concept == zorblax
    assert not Concept.objects.filter(name="blorp").exists()


def test_migration_installs_generated_concepts_missing_from_an_older_table():
    from django.apps import apps

    migration = importlib.import_module("socialapp.hashtags.migrations.0003_generated_concepts")
    Concept.objects.filter(name__in=["goldenretriever", "plier"]).delete()  # an install from before the table
    demo = Concept.objects.create(name="egeskov", display_en="egeskov", display_es="egeskov")
    Concept.objects.filter(name="dog").update(display_es="perrito")

    migration.install_generated(apps, None)

    assert Concept.objects.get(name="plier").aliases.filter(key="alicate").exists()
    assert Concept.objects.filter(name="goldenretriever").exists()
    assert Concept.objects.get(name="dog").display_es == "perrito"
    assert Concept.objects.filter(pk=demo.pk).exists()


def _names(name: str) -> tuple[str, str, bool, bool]:
    concept = Concept.objects.get(name=name)
    return (concept.name_es, concept.gender_es, concept.plural_es, concept.plural_en)


def test_migrations_give_the_tables_concepts_their_spoken_names():
    assert _names("suspensionbridge") == ("puente colgante", "m", False, False)
    assert _names("plier") == ("alicates", "m", True, True)
    assert _names("kitchen") == ("cocina", "f", False, False)


def test_migration_fills_spoken_names_of_concepts_installed_before_them_and_keeps_an_admins():
    from django.apps import apps

    migration = importlib.import_module("socialapp.hashtags.migrations.0004_concept_spoken_names")
    Concept.objects.filter(name__in=["plier", "kitchen"]).update(name_es="", gender_es="", plural_es=False)
    Concept.objects.filter(name="bridge").update(name_es="puentecito", gender_es="m")

    migration.fill(apps, None)

    assert _names("plier") == ("alicates", "m", True, True)
    assert _names("kitchen") == ("cocina", "f", False, False)
    assert _names("bridge") == ("puentecito", "m", False, False)


def test_installing_concepts_sets_their_spoken_names_and_fills_those_without():
    Concept.objects.filter(name="dog").update(name_es="")
    Concept.objects.filter(name="cat").update(name_es="gatito")
    table = [
        StarterConcept("dog", "dog", "perro", {}, "perro", "m"),
        StarterConcept("cat", "cat", "gato", {}, "gato", "m"),
        StarterConcept(
            "sidecutter", "sidecutters", "alicatesdecorte", {}, "alicates de corte", "m", True, True
        ),
    ]

    [created] = services.concepts_install(concepts=table)

    assert (created.name, created.name_es, created.gender_es, created.plural_es, created.plural_en) == (
        "sidecutter",
        "alicates de corte",
        "m",
        True,
        True,
    )
    assert _names("dog")[:2] == ("perro", "m")
    assert _names("cat")[0] == "gatito"


def test_the_demo_table_names_its_concepts():
    demo = {c.name: c for c in starter_concepts(DEMO / "concepts.csv")}

    assert all(c.name_es for c in demo.values())
    assert (demo["moat"].name_es, demo["moat"].gender_es) == ("foso", "m")
    assert (demo["eiffeltower"].name_es, demo["eiffeltower"].gender_es) == ("la torre Eiffel", "")


def test_migration_renames_hashtags_cut_to_a_singular_their_concept_does_not_spell():
    from django.apps import apps

    migration = importlib.import_module(
        "socialapp.hashtags.migrations.0007_hashtag_names_spelled_as_concepts"
    )
    reims = Concept.objects.create(name="reims", display_en="reims", display_es="reims")
    cut = Hashtag.objects.create(key="reim", name="reim", concept=reims)  # as stored before the fix
    dog = Hashtag.objects.create(key="dog", name="dog", concept=Concept.objects.get(name="dog"))
    zorblax = services.hashtag_get_or_create(typed="#Zorblaxes")

    migration.rename(apps, None)

    assert [h.name for h in Hashtag.objects.filter(pk__in=[cut.pk, dog.pk, zorblax.pk]).order_by("pk")] == [
        "reims",
        "dog",
        "zorblax",
    ]
