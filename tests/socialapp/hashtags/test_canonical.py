import pytest

from socialapp.hashtags.canonical import canonical_name, fold, key_for, parse


def test_parse_finds_unicode_hashtags_in_order_once_each():
    caption = "Café con amigos #café #Café #niño #Dogs, (#PerrosFelices) y #dog_life!"

    assert parse(caption) == ["café", "niño", "Dogs", "PerrosFelices", "dog_life"]


@pytest.mark.parametrize(
    "caption",
    ["#1", "#2024", "email#tag", "http://x.org/a#section", "&#x27;", "# spaced", "##"],
)
def test_parse_ignores_what_is_not_a_hashtag(caption):
    assert parse(caption) == []


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("dogs", "dog"),
        ("Dogs", "dog"),
        ("perros", "perro"),
        ("niños", "niño"),
        ("Café", "café"),
        ("photos", "photo"),
        ("molinos", "molino"),
        ("herramientas", "herramienta"),
        ("dresses", "dress"),
        ("boxes", "box"),
        ("watches", "watch"),
        ("aviones", "avión"),
        ("peces", "pez"),
        ("flores", "flor"),
        ("árboles", "árbol"),
        ("puppies", "puppy"),
        ("beaches", "beach"),
    ],
)
def test_plurals_become_singular(typed, name):
    assert canonical_name(typed) == name


@pytest.mark.parametrize(
    "word",
    [
        "paris",
        "bus",
        "glass",
        "texas",
        "tennis",
        "news",
        "lens",
        "jeans",
        "pliers",
        "scissors",
        "cactus",
        "coches",
        "noches",
        "cookies",
        "gas",
        "NYC",
    ],
)
def test_names_and_words_that_only_look_plural_are_kept(word):
    assert canonical_name(word) == word.lower()


def test_camel_case_phrases_are_not_singularised():
    assert canonical_name("PerrosFelices") == "perrosfelices"
    assert canonical_name("HappyDogs") == "happydogs"
    assert canonical_name("happydogs") == "happydog"  # one lowercase word: the plain rule


def test_keys_fold_accents_and_case():
    assert fold("Café") == "cafe"
    assert key_for("#Cafés") == key_for("cafe") == "cafe"
    assert key_for("Niños") == "nino"
