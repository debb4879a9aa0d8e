"""One short sentence naming what a photo shows, in English or Spanish, the way a person
would write it: "Photo of pliers." / "Foto de unos alicates.", "Photo of a bee and an
aster." / "Foto de un puente y un puente colgante.".

A name carries what its article needs: its words, and whether it is a plural (pliers,
alicates, gafas de sol), and in Spanish its gender. A Spanish name of unknown gender goes
without an article ("Foto de zorblax."), never with a guessed one. The concept table
(socialapp/hashtags/data/concepts.csv, written by tagging.concepts_build) gives them.
Categories, activities and mass nouns take no article in either language ("Photo of
architecture." / "Foto de comida.", not "una comida", a meal): data/mass_names.tsv
lists them, each with why, as no dictionary here tells a countable noun from the rest."""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from socialapp.hashtags.starter import starter_concepts  # the table's reader: plain Python

MASS_NAMES = Path(__file__).resolve().parent / "data" / "mass_names.tsv"
_TEMPLATES = {"en": ("Photo of {items}.", " and ", "Photo."), "es": ("Foto de {items}.", " y ", "Foto.")}
_VOWEL_SOUND = tuple("aeiou")
# "an" goes by sound, not spelling: a silent h (an hourglass), and a u, eu or o said with
# a consonant first (a unicycle, a euro, a one-man band).
_SILENT_H = ("hour", "honest", "honour", "honor", "heir")
_CONSONANT_SOUND = ("uni", "use", "usu", "ute", "uti", "uk", "ure", "uro", "eu", "ewe", "one", "once")
_ARTICLES_ES = {("m", False): "un", ("m", True): "unos", ("f", False): "una", ("f", True): "unas"}
# Feminine nouns whose first syllable is a stressed a take "un" in the singular (un águila,
# un hacha): those written with á / há, and the common ones whose stress is unwritten.
_STRESSED_A = frozenset(
    {"acta", "agua", "ala", "alba", "alga", "alma", "ancla", "ansia", "arca", "área", "arma", "arpa"}
    | {"asa", "asma", "aspa", "aula", "ave", "haba", "habla", "hacha", "hada", "hambre", "hampa", "haya"}
)


@dataclass(frozen=True)
class Name:
    """A concept's name as words ("puente colgante"), its Spanish gender ("m", "f", or ""
    when unknown) and whether the name is a plural ("alicates", "pliers")."""

    words: str
    gender: str = ""
    plural: bool = False
    article: bool = True  # False for a category or mass noun (mass_names)


def _english(name: Name) -> str:
    """ "castle" -> "a castle", "insect" -> "an insect"; a plural ("pliers") takes none."""
    if name.plural or not name.article:
        return name.words
    words = name.words.lower()
    vowel = words.startswith(_VOWEL_SOUND + _SILENT_H) and not words.startswith(_CONSONANT_SOUND)
    return f"{'an' if vowel else 'a'} {name.words}"


def _spanish(name: Name) -> str:
    """ "un puente", "una cocina", "unos alicates", "un águila"; bare when the gender is unknown."""
    article = _ARTICLES_ES.get((name.gender, name.plural))
    if article is None or not name.article:
        return name.words
    first = name.words.split(" ", 1)[0]
    if article == "una" and (first.startswith(("á", "há")) or first in _STRESSED_A):
        article = "un"
    return f"{article} {name.words}"


def alt_text(names: list[Name], language: str) -> str:
    """`[Name("castle"), Name("moat")]` -> "Photo of a castle and a moat." (es,
    `[Name("castillo", "m"), Name("foso", "m")]`: "Foto de un castillo y un foso.");
    no names -> "Photo." / "Foto."."""
    template, conjunction, empty = _TEMPLATES.get(language, _TEMPLATES["en"])
    if not names:
        return empty
    words = [_spanish(n) if language == "es" else _english(n) for n in names]
    items = words[0] if len(words) == 1 else ", ".join(words[:-1]) + conjunction + words[-1]
    return template.format(items=items)


@lru_cache(maxsize=1)
def table_names() -> dict[str, tuple[Name, bool]]:
    """Concept -> (its Spanish Name, whether its English name is a plural), from the
    concept table; what the app's Concept rows hold for the concepts it installed."""
    return {
        c.name: (Name(c.name_es or c.display_es, c.gender_es, c.plural_es), c.plural_en)
        for c in starter_concepts()
    }


@lru_cache(maxsize=1)
def mass_names() -> frozenset[str]:
    """Concepts named without an article: categories, activities, mass nouns."""
    with MASS_NAMES.open(encoding="utf-8", newline="") as file:
        return frozenset(row["concept"] for row in csv.DictReader(file, delimiter="\t"))
