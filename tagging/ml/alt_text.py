"""One short sentence naming what a photo shows, in English or Spanish, the way a person
would write it: "Photo of pliers." / "Foto de unos alicates.", "Photo of a bee and an
aster." / "Foto de un puente y un puente colgante.", "Photo of a castle in Denmark." /
"Foto de un castillo en Dinamarca.".

A name carries what its article needs: its words, and whether it is a plural (pliers,
alicates, gafas de sol), and in Spanish its gender. A Spanish name of unknown gender goes
without an article ("Foto de zorblax."), never with a guessed one. The concept table
(socialapp/hashtags/data/concepts.csv, written by tagging.concepts_build) gives them.
Categories, activities and mass nouns take no article in either language ("Photo of
architecture." / "Foto de comida.", not "una comida", a meal): data/mass_names.tsv
lists them, each with why, as no dictionary here tells a countable noun from the rest.
What there is one of in view takes "the" ("Photo of the sky." / "Foto del cielo."):
data/definite_names.tsv. A country, a state, a city or a town (data/place_kinds.tsv,
from WordNet) is where the photo was taken, not a thing in it: "in Denmark", after what
it shows, and alone only when nothing else is named ("Photo of Paris.")."""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from socialapp.hashtags.starter import StarterConcept, starter_concepts  # the table's reader: plain Python

MASS_NAMES = Path(__file__).resolve().parent / "data" / "mass_names.tsv"
UNNAMED = Path(__file__).resolve().parent / "data" / "unnamed_concepts.tsv"
DEFINITE_NAMES = Path(__file__).resolve().parent / "data" / "definite_names.tsv"
# Concepts whose name is also a colour (orange, salmon), written by tagging.concepts_build.
COLOUR_NAMES = Path(__file__).resolve().parent / "data" / "colour_names.tsv"
# Concept -> the concepts it is a kind of (suspensionbridge: bridge), by tagging.concepts_build.
HYPERNYMS = Path(__file__).resolve().parent / "data" / "hypernyms.tsv"
# Place name -> "region" (a country or a state) or "town" (a city or a town), and its name
# as WordNet writes it, written by tagging.ml.coldstart_build.
PLACE_KINDS = Path(__file__).resolve().parent / "data" / "place_kinds.tsv"
ALT_TEXT_CONCEPTS = 2  # concepts one alt text names
# A guess is named only when the tagger is at least this sure of it, relative to its surest
# specific guess alt text may name. On the dev photos, scored by a version trained without
# their owner, a second concept named was one of the caption's hashtags on 17 of 61
# photos (28%), where naming any guess named one on 18 of 91 (20%).
ALT_TEXT_MIN_SHARE = 0.6
# (sentence, between the last two things, with none, before where it was taken)
_TEMPLATES = {
    "en": ("Photo of {items}.", " and ", "Photo.", " in "),
    "es": ("Foto de {items}.", " y ", "Foto.", " en "),
}
_VOWEL_SOUND = tuple("aeiou")
_VOWEL_LETTERS = tuple("AEFHILMNORSX")  # letters whose names start with a vowel sound
# "an" goes by sound, not spelling: a silent h (an hourglass), and a u, eu or o said with
# a consonant first (a unicycle, a euro, a one-man band).
_SILENT_H = ("hour", "honest", "honour", "honor", "heir")
_CONSONANT_SOUND = ("uni", "use", "usu", "ute", "uti", "uk", "ure", "uro", "eu", "ewe", "one", "once")
_ARTICLES_ES = {("m", False): "un", ("m", True): "unos", ("f", False): "una", ("f", True): "unas"}
_DEFINITE_ES = {("m", False): "el", ("m", True): "los", ("f", False): "la", ("f", True): "las"}
_WITH_ITS_ARTICLE_ES = tuple(f"{article} " for article in _DEFINITE_ES.values())  # "el Támesis"
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
    definite: bool = False  # "the sky", "el cielo": there is one in view (definite_names)
    where: bool = False  # a country, a state, a city or a town (place_kinds): "in Denmark"


def _english(name: Name) -> str:
    """ "castle" -> "a castle", "insect" -> "an insect"; a plural ("pliers") takes none."""
    if name.definite:
        return f"the {name.words}"
    if name.plural or not name.article:
        return name.words
    words = name.words.lower()
    vowel = words.startswith(_VOWEL_SOUND + _SILENT_H) and not words.startswith(_CONSONANT_SOUND)
    first = name.words.split(" ", 1)[0]
    if len(first) > 1 and first.isupper():  # letters said one by one: an ATM, an RV, a UFO
        vowel = first.startswith(_VOWEL_LETTERS)
    return f"{'an' if vowel else 'a'} {name.words}"


def _spanish(name: Name) -> str:
    """ "un puente", "una cocina", "unos alicates", "un águila"; bare when the gender is unknown."""
    article = (_DEFINITE_ES if name.definite else _ARTICLES_ES).get((name.gender, name.plural))
    if article is None or not name.article:
        return name.words
    first = name.words.split(" ", 1)[0]
    if article in ("una", "la") and (first.startswith(("á", "há")) or first in _STRESSED_A):
        article = "un" if article == "una" else "el"  # un águila, el agua
    return f"{article} {name.words}"


def alt_text_concepts(
    typed: list[str], accepted: list[str], suggested: list[str], general: frozenset[str]
) -> list[str]:
    """Which concepts an alt text names: the visual concepts the owner hashtagged (in the
    caption's order), the suggestions they accepted, then, on a post whose caption names
    none, the tagger's open suggestions, best first, at most ALT_TEXT_CONCEPTS. A `general`
    one only when no specific one is left, unless the owner wrote or accepted it and it
    is a kind of thing (#dog, #fish), not a category (a mass noun: #architecture). Suggestions
    leave out the post's own hashtags, so on a post whose caption already says #pliers
    the open ones are the tagger's next guesses, not what the photo shows. Colours,
    styles, adjectives and categories name no subject ("a blackandwhite"):
    data/unnamed_concepts.tsv lists the table's. A hashtag that is also a colour
    (colour_names: #orange, #salmon) names the thing only when the post says so too, by a
    concept the thing belongs to (coldstart_data.related_concepts: #citrus or #fruit beside
    #orange, #fish beside #salmon) among its other hashtags or suggestions; beside
    #scissors it is their colour. The tagger's own suggestion of it is what it saw. Of
    the concepts chosen, one the other is a kind of is left out ("Photo of a suspension
    bridge.", not "Photo of a bridge and a suspension bridge."; hypernyms). A place
    (place_kinds) is not one of them: of those the owner wrote or accepted, the first
    town, else the first region, comes last, where they were ("a castle in Denmark"), or
    alone when nothing else is left ("Paris"). The tagger's guess of a place is never
    named: trained without their owner, its likeliest place was right on 6 of the 40 dev
    photos it guessed one for (0 of 4 at 0.5 or more; Egypt for the Louvre), and a wrong
    place misleads whoever reads the text."""
    from .coldstart_data import related_concepts

    unnamed, colours, related = unnamed_concepts(), colour_names(), related_concepts()
    typed, accepted, suggested = ([c for c in n if c not in unnamed] for n in (typed, accepted, suggested))
    said = {*typed, *accepted, *suggested}
    typed = [c for c in typed if c not in colours or related.get(c, frozenset()) & said]
    pool = list(dict.fromkeys([*typed, *accepted, *([] if typed else suggested)]))
    # A kind of thing the owner wrote or accepted is what the photo shows, however general
    # (#dog beside #beach, #fish beside #snorkel), unless they also named a kind of it
    # (#bassethound); a category (#architecture, #wildlife: a mass noun) or the tagger's
    # general guess only when nothing specific is left.
    kinds = hypernyms()
    subjects = {
        c
        for c in [*typed, *accepted]
        if c not in mass_names() and not any(c in kinds.get(other, ()) for other in pool)
    }
    places = place_kinds()
    things = [c for c in pool if c not in places]
    chosen = [c for c in things if c not in general or c in subjects][:ALT_TEXT_CONCEPTS] or things[:1]
    chosen = [c for c in chosen if not any(c in kinds.get(other, ()) for other in chosen)]
    written = [c for c in [*typed, *accepted] if c in places]
    where = sorted(written, key=lambda c: places[c].kind != "town")[:1]
    return chosen + where


def post_alt_text(typed: list[Any], suggestions: list[Any], language: str) -> str:
    """A post's alt text in `language`: `typed`, the concepts (with the Concept model's
    fields) of the visual hashtags its owner typed, in the caption's order; `suggestions`,
    its current ones (with .concept, .state and .rank). Of the typed ones only those of
    the concept table count, and places (place_kinds): a hashtag anyone typed makes a
    concept of its own (#towerbridge, #offgrid) with no name in words. Empty when nothing
    names a subject."""
    from .coldstart_data import general_concepts

    typed = [c for c in typed if c.name in table_concepts() or c.name in place_kinds()]
    kept = sorted((s for s in suggestions if s.state != "rejected"), key=lambda s: s.rank)
    concepts = {s.concept.name: s.concept for s in kept} | {c.name: c for c in typed}
    accepted = [s.concept.name for s in kept if s.state == "accepted"]
    suggested = confident([(s.concept.name, s.score) for s in kept if s.state == "open"])
    chosen = alt_text_concepts([c.name for c in typed], accepted, suggested, general_concepts())
    if not chosen:
        return ""
    return alt_text([concept_name(concepts[name], language) for name in chosen], language)


def confident(suggested: list[tuple[str, float]]) -> list[str]:
    """Of the tagger's guesses (concept, score), in their order, those it is at least
    ALT_TEXT_MIN_SHARE as sure of as of its surest specific one that alt text may name
    (a colour, a style or a place names nothing; a general concept is named only when nothing
    specific is left, so #architecture at 0.53 does not silence a suspension bridge at
    0.31): beside a castle at 0.79, a gondola at 0.05 is not named."""
    from .coldstart_data import general_concepts

    unnamed, general, places = unnamed_concepts(), general_concepts(), place_kinds()
    nameable = [(c, score) for c, score in suggested if c not in unnamed and c not in places]
    specific = [score for concept, score in nameable if concept not in general]
    best = max(specific or [score for _concept, score in nameable], default=0.0)
    return [concept for concept, score in suggested if score >= ALT_TEXT_MIN_SHARE * best]


def concept_name(concept: Any, language: str) -> Name:
    """How alt text names `concept` (anything with the Concept model's name fields) in
    `language`: by its name in words (name_es, name_en: "tape measure"), else its hashtag.
    A proper name (its Spanish name capitalised, or with its own article: Francia, el
    Támesis, la torre Eiffel) takes no other article, and in English a capital letter.
    A place (place_kinds) is one, named as WordNet writes it where the concept has no
    name of its own in words (#newzealand: New Zealand)."""
    place = place_kinds().get(concept.name)
    where = place is not None
    proper = where or concept.name_es[:1].isupper() or concept.name_es.startswith(_WITH_ITS_ARTICLE_ES)
    article = concept.name not in mass_names() and not proper
    definite = concept.name in definite_names() and not proper
    if language == "es":
        spanish = concept.name_es or concept.display_es
        if place and not concept.name_es:  # its Spanish hashtag capitalised, else WordNet's name
            spanish = concept.display_es.title() if concept.display_es != concept.name else place.name
        return Name(spanish, concept.gender_es, concept.plural_es, article, definite, where)
    english = concept.name_en or (
        place.name if place else concept.display_en.title() if proper else concept.display_en
    )
    return Name(english, plural=concept.plural_en, article=article, definite=definite, where=where)


def alt_text(names: list[Name], language: str) -> str:
    """`[Name("castle"), Name("moat")]` -> "Photo of a castle and a moat." (es,
    `[Name("castillo", "m"), Name("foso", "m")]`: "Foto de un castillo y un foso."); a
    last name that is `where` after others says where they are ("Photo of a castle in
    Denmark."); no names -> "Photo." / "Foto."."""
    template, conjunction, empty, within = _TEMPLATES.get(language, _TEMPLATES["en"])
    if not names:
        return empty
    words = [_spanish(n) if language == "es" else _english(n) for n in names]
    where = within + words.pop() if len(words) > 1 and names[-1].where else ""
    items = words[0] if len(words) == 1 else ", ".join(words[:-1]) + conjunction + words[-1]
    text = template.format(items=items + where).replace("Foto de el ", "Foto del ", 1)  # de + el
    return text[:-1] if text.endswith("..") else text  # a name ending in one: "Washington, D.C."


@lru_cache(maxsize=1)
def table_concepts() -> dict[str, StarterConcept]:
    """The concept table by name: what the app's Concept rows hold for the concepts it
    installed, for a caller without them (tagging.ml.inference)."""
    return {c.name: c for c in starter_concepts()}


@lru_cache(maxsize=1)
def unnamed_concepts() -> frozenset[str]:
    """Concepts of the table that alt text never names (colours, styles, categories)."""
    with UNNAMED.open(encoding="utf-8", newline="") as file:
        return frozenset(row["concept"] for row in csv.DictReader(file, delimiter="\t"))


@lru_cache(maxsize=1)
def colour_names() -> frozenset[str]:
    """Concepts whose name is also a colour (orange: the fruit, the colour)."""
    with COLOUR_NAMES.open(encoding="utf-8", newline="") as file:
        return frozenset(row["concept"] for row in csv.DictReader(file, delimiter="\t"))


@lru_cache(maxsize=1)
def hypernyms() -> dict[str, frozenset[str]]:
    """Concept -> the concepts it is a kind of (HYPERNYMS)."""
    with HYPERNYMS.open(encoding="utf-8", newline="") as file:
        return {
            row["concept"]: frozenset(row["kind_of"].split()) for row in csv.DictReader(file, delimiter="\t")
        }


class Place(NamedTuple):
    kind: str  # "region" (a country or a state) or "town" (a city or a town)
    name: str  # as WordNet writes it: "New Zealand"


@lru_cache(maxsize=1)
def place_kinds() -> dict[str, Place]:
    """Place name (a concept's key) -> its Place (PLACE_KINDS)."""
    with PLACE_KINDS.open(encoding="utf-8", newline="") as file:
        return {row["key"]: Place(row["kind"], row["name"]) for row in csv.DictReader(file, delimiter="\t")}


@lru_cache(maxsize=1)
def definite_names() -> frozenset[str]:
    """Concepts named with "the" / "el, la": there is one in view (the sky, the sea)."""
    with DEFINITE_NAMES.open(encoding="utf-8", newline="") as file:
        return frozenset(row["concept"] for row in csv.DictReader(file, delimiter="\t"))


@lru_cache(maxsize=1)
def mass_names() -> frozenset[str]:
    """Concepts named without an article: categories, activities, mass nouns."""
    with MASS_NAMES.open(encoding="utf-8", newline="") as file:
        return frozenset(row["concept"] for row in csv.DictReader(file, delimiter="\t"))
