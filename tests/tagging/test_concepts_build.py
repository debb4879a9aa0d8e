"""The app's concept table is generated from general sources (WordNet, Apertium eng-spa,
the tagger's vocabulary and short hand-written lists), not fitted to the demo."""

import csv
import shutil
from pathlib import Path

import pytest

from socialapp.hashtags.starter import CONCEPTS_CSV, starter_concepts
from tagging.concepts_build import (
    COLOUR_NAMES,
    COLUMNS,
    ISO_3166,
    build,
    colour_name_rows,
    flag_rows,
    function_word_rows,
    gender_by_ending,
    hashtag_form,
    hypernym_rows,
    read_first_senses,
    spanish_genders,
    synonyms,
)
from tagging.lttoolbox import known_words
from tagging.ml.alt_text import HYPERNYMS, unnamed_concepts
from tagging.ml.captions import FLAGS, FUNCTION_WORDS
from tagging.ml.stop_list import STOP_LIST
from tests.conftest import unavailable

WORDNET = Path("/usr/share/wordnet")
APERTIUM = Path("/usr/share/apertium/apertium-eng-spa")
DEMO_CONCEPTS = CONCEPTS_CSV.parents[2] / "demo" / "data" / "concepts.csv"


@pytest.fixture(scope="module")
def sources() -> tuple[Path, Path]:
    if not (WORDNET / "data.noun").exists():
        unavailable("WordNet 3.0 is not installed (Debian package wordnet-base)")
    if shutil.which("lt-proc") is None or not (APERTIUM / "eng-spa.autobil.bin").exists():
        unavailable("Apertium with apertium-eng-spa is not installed (.ci/run installs it)")
    if shutil.which("lt-paradigm") is None:
        unavailable("lt-paradigm is not installed (Debian package lttoolbox-dev; .ci/run installs it)")
    return WORDNET, APERTIUM


def _committed() -> list[list[str]]:
    with CONCEPTS_CSV.open(encoding="utf-8", newline="") as file:
        header, *rows = list(csv.reader(file))
    assert header == COLUMNS
    return rows


def test_committed_table_is_what_the_generator_builds(sources):
    assert build(*sources) == _committed()


def test_committed_function_words_are_what_the_generator_finds(sources):
    with FUNCTION_WORDS.open(encoding="utf-8", newline="") as file:
        header, *committed = list(csv.reader(file, delimiter="\t"))

    assert header == ["key", "language", "reading"]
    assert function_word_rows(_committed(), sources[1]) == committed
    assert ["sobre", "es", "sobre<pr>"] in committed  # envelope, and the preposition "on"
    flagged = {(key, language) for key, language, _reading in committed}
    # English #hay is Spanish "there is"; Spanish #red (net) is no English red; English
    # "taller" is no Spanish taller (workshop); "te", the key of "té", is "you"
    assert {("hay", "es"), ("red", "es"), ("taller", "en"), ("te", "es"), ("vale", "es")} <= flagged
    # a word meaning the same in both stays a name: Spanish "auto" is a car, "taxis" taxis
    assert not {("auto", "es"), ("taxi", "en"), ("sea", "en"), ("red", "en")} & flagged
    # each language's function words, listed whole (lt-paradigm), are never names either
    assert {("the", "en"), ("at", "en"), ("my", "en"), ("el", "es"), ("por", "es"), ("mi", "es")} <= flagged
    # and so are their contractions: "del" (de el), "al" (a el), "conmigo" (con mí)
    assert {("del", "es"), ("al", "es"), ("conmigo", "es")} <= flagged
    # but a word that is a noun or a verb too stays one: a can, a will, to like
    assert not {("can", "en"), ("will", "en"), ("like", "en"), ("bajo", "es"), ("como", "es")} & flagged


def test_committed_colour_names_are_what_the_generator_finds(sources):
    with COLOUR_NAMES.open(encoding="utf-8", newline="") as file:
        header, *committed = list(csv.reader(file, delimiter="\t"))

    assert header == ["concept", "colour"]
    assert colour_name_rows(_committed(), sources[0] / "data.noun") == committed
    names = {row[0] for row in committed}
    assert {"orange", "salmon", "coral", "lemon"} <= names  # a fruit, a fish... and a colour
    assert not {"dog", "scissors", "yellow"} & names  # no colour; only a colour


def test_committed_hypernyms_are_what_the_generator_finds(sources):
    with HYPERNYMS.open(encoding="utf-8", newline="") as file:
        header, *committed = list(csv.reader(file, delimiter="\t"))

    assert header == ["concept", "kind_of"]
    assert hypernym_rows(sources[0] / "data.noun") == committed
    kinds = dict(committed)
    assert kinds["suspensionbridge"] == "bridge" and kinds["cathedral"] == "church"
    assert "bridge" not in kinds.get("pier", "").split()  # beside a bridge, not a kind of one
    # kinds of what a general row names by its head word: "edible fruit", "power tool"
    assert "fruit" in kinds["strawberry"].split() and "tool" in kinds["drill"].split()
    assert "monument" not in kinds.get("arch", "").split()  # a triumphal arch is; an arch is not


def test_committed_flags_are_what_the_generator_finds():
    if not ISO_3166.exists():
        unavailable("iso-codes is not installed (.ci/run installs it)")
    with FLAGS.open(encoding="utf-8", newline="") as file:
        header, *committed = list(csv.reader(file, delimiter="\t"))

    assert header == ["code", "name"]
    assert flag_rows(ISO_3166) == committed
    assert ["GR", "Greece"] in committed and ["KR", "South Korea"] in committed  # the common name


def test_general_concepts_keep_their_names_displays_and_aliases():
    concepts = {c.name: c for c in starter_concepts()}

    assert (concepts["dog"].display_en, concepts["dog"].display_es) == ("dog", "perro")
    assert {"dog", "puppy", "perro", "cachorro"} <= set(concepts["dog"].aliases)
    assert (concepts["tool"].display_en, concepts["tool"].display_es) == ("tools", "herramientas")
    assert {"tool", "herramienta"} <= set(concepts["tool"].aliases)
    assert {"electronic", "electronica"} <= set(concepts["electronics"].aliases)
    assert (concepts["plier"].display_en, concepts["plier"].display_es) == ("pliers", "alicates")
    assert {"castle", "castillo"} <= set(concepts["castle"].aliases)


def test_table_covers_the_vocabulary_with_spanish_from_the_dictionary():
    rows = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in _committed()}

    # ImageNet classes (WordNet lemmas as English aliases) and Apertium's Spanish:
    assert rows["car"]["aliases_en"].split()[:4] == ["car", "auto", "automobile", "motorcar"]
    assert (rows["paintbrush"]["aliases_es"], rows["paintbrush"]["gender_es"]) == ("pincel pinceles", "m")
    assert (rows["beach"]["display_es"], rows["beach"]["gender_es"]) == ("playa", "f")
    assert len(rows) > 1200


def test_demo_place_names_live_in_the_demo_data_only():
    general = {c.name for c in starter_concepts()}
    demo = {c.name for c in starter_concepts(DEMO_CONCEPTS)}

    assert {"egeskov", "charminar", "agra", "ajanta", "rhodes"} <= demo
    assert general & demo == set()


def test_synonyms_keep_words_whose_commonest_sense_is_the_synset():
    synsets = {"n1": ["car", "auto", "machine", "Canis_familiaris"]}
    first = {"car": "n1", "auto": "n1", "machine": "n2", "canis_familiaris": "n1"}

    assert synonyms("n1", {"car"}, synsets, first) == ["car", "auto", "Canis_familiaris"]
    assert hashtag_form("golden_retriever") == "goldenretriever"
    assert hashtag_form("fin# de semana") == "findesemana"


def test_spanish_names_in_words_with_gender_and_number():
    rows = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in _committed()}

    def said(concept: str) -> tuple[str, str, str, str]:
        row = rows[concept]
        return (row["name_es"], row["gender_es"], row["plural_es"], row["plural_en"])

    assert said("bridge") == ("puente", "m", "", "")  # Apertium's translation
    assert said("kitchen") == ("cocina", "f", "", "")
    assert said("grandpiano") == ("piano de cola", "m", "", "")  # the display split into words
    assert said("scissors") == ("tijeras", "f", "1", "1")  # analysed as plural only
    assert said("beagle") == ("beagle", "m", "", "")  # a dog breed keeps its name, masculine
    assert said("goldenretriever") == ("golden retriever", "m", "", "")  # the English name it keeps
    assert said("pier") == ("muelle", "m", "", "")
    assert said("plier") == ("alicates", "m", "1", "1")  # by hand: data/spoken_names.tsv
    assert said("suspensionbridge") == ("puente colgante", "m", "", "")
    assert said("dam") == ("represa", "f", "", "")  # no dictionary has it: by its ending
    assert said("drill") == ("taladro", "m", "", "")
    assert said("wok") == ("wok", "m", "", "")  # a loanword
    assert said("sunrise") == ("amanecer", "m", "", "")
    assert said("fort") == ("fuerte", "m", "", "")  # -e goes either way: by hand
    assert said("art")[1] == ""  # -e goes either way: no article rather than a wrong one


def test_gender_by_ending_agrees_with_the_dictionary(sources):
    # The rule fills in only what Apertium's Spanish analyser leaves open; where the
    # analyser knows a name's gender, the rule must say the same nearly always.
    _wordnet, apertium = sources
    names = {row[COLUMNS.index("name_es")] for row in _committed()}
    known = spanish_genders(names, apertium)
    ruled = {name: gender_by_ending(name) for name in known if gender_by_ending(name)}
    agree = sum(ruled[name] == known[name] for name in ruled)

    assert len(ruled) > 500 and agree / len(ruled) >= 0.95, (agree, len(ruled))
    assert [gender_by_ending(n) for n in ("canción", "mano", "día", "bikini", "poema")] == [
        "f",
        "f",
        "m",
        "",
        "",
    ]


def test_english_names_in_words(sources):
    wordnet, apertium = sources
    rows = {row[0]: dict(zip(COLUMNS, row, strict=True)) for row in _committed()}

    assert rows["solarpanel"]["name_en"] == "solar panel"  # the synset's word that is the concept
    assert rows["trashcan"]["name_en"] == "trash can"  # not ImageNet's first word, "ashcan"
    assert rows["chihuahua"]["name_en"] == "Chihuahua"  # WordNet's capital
    assert rows["rattlesnake"]["name_en"] == "diamondback"  # no word of the synset is the concept
    assert rows["scubadiving"]["name_en"] == "scuba diving"  # by hand: data/spoken_names.tsv
    # Every name alt text may say is a WordNet word or made of words the English analyser
    # knows, so none is a hashtag glued together (solarpanel, amusementpark, goldenhour).
    lemmas = set(read_first_senses(wordnet / "index.noun"))
    never_said = unnamed_concepts() | STOP_LIST
    names = {row["name_en"] for concept, row in rows.items() if concept not in never_said}
    words = known_words({w for n in names for w in n.split()}, apertium / "eng-spa.automorf.bin")
    in_wordnet = {n for n in names if {n.lower().replace(" ", "_"), n.lower().removesuffix("s")} & lemmas}
    glued = sorted(n for n in names - in_wordnet if not all(w in words for w in n.split()))
    assert glued == []
