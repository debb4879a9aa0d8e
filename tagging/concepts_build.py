"""Generate socialapp/hashtags/data/concepts.csv: the app's bilingual concept table.

    python -m tagging.concepts_build --wordnet /usr/share/wordnet \\
        --apertium /usr/share/apertium/apertium-eng-spa --out socialapp/hashtags/data/concepts.csv

The concepts are the tagger's visual vocabulary, so the hashtags people type and the ones
the tagger suggests meet in one concept: the general concepts (data/concept_names.tsv,
attached to WordNet synsets by data/general_concepts.tsv), one concept per ImageNet class
(data/imagenet_hashtags.tsv, the class's WordNet synset), and a short hand-written list of
everyday photo subjects ImageNet lacks (data/everyday_concepts.tsv, each with its synset
and why it is there). Per concept:

- English aliases: the lemmas of its WordNet synset (common nouns only, written as one
  word) and their irregular plurals from WordNet's noun.exc (regular plurals fold at
  run time, see socialapp/hashtags/canonical.py);
- Spanish aliases: each English lemma through Apertium's eng-spa bilingual dictionary,
  with the plural its Spanish generator makes, and the gender its Spanish analyser gives;
- displays: the tagger's own names where it has them (so app and tagger show the same
  hashtag), else the Apertium translation;
- data/hashtag_aliases.tsv adds the hashtag forms no dictionary lists (doggo, bici);
- what alt text needs (spoken_forms): the Spanish name in words ("puente colgante"),
  its gender and whether each language's name is a plural (alicates, pliers), from
  Apertium's analysers, data/spoken_names.tsv filling the gaps by hand.

Beside the table it writes data/function_words.tsv (--function-words-out): the aliases
Apertium's analysers also read as function words ("sobre": envelope, and "on"), which a
caption's words never name a concept by; and data/flags.tsv (--flags-out): each country's
ISO 3166 code and its English name, from Debian's iso-codes, so that a flag emoji in a
caption (🇬🇷) names its country (tagging.caption_suggestions); and data/colour_names.tsv
(--colour-names-out): the concepts whose name is also a colour in WordNet (orange, salmon,
coral), which alt text names only where the post backs the thing; and data/hypernyms.tsv
(--hypernyms-out): per concept, the table's concepts its WordNet synset is a kind of
(suspensionbridge: bridge), which alt text does not name beside it (tagging.ml.alt_text).

A key (canonical.key_for) means one concept: hand-written aliases and concept names claim
theirs first, then dictionary aliases in table order. Deterministic: the committed output
is checked by running it again (tests/tagging/test_concepts_build.py).

This module lives with its inputs in the tagging app and writes the social core's data
file; the core only reads the CSV and never imports tagging (see docs/architecture.md).
"""

import argparse
import csv
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from socialapp.hashtags.canonical import key_for
from tagging.lttoolbox import escape, known_words, lt_proc, paradigm_forms, plural_only, units, word_split
from tagging.ml.alt_text import COLOUR_NAMES, HYPERNYMS
from tagging.ml.captions import FLAGS, FUNCTION_WORDS
from tagging.ml.coldstart_build import ancestors_by_distance, read_first_senses, read_hypernyms

DATA = Path(__file__).resolve().parent / "ml" / "data"
OUT = Path(__file__).resolve().parents[1] / "socialapp" / "hashtags" / "data" / "concepts.csv"
ISO_3166 = Path("/usr/share/iso-codes/json/iso_3166-1.json")
COLUMNS = [
    "concept",
    "display_en",
    "display_es",
    "name_en",
    "name_es",
    "gender_es",
    "plural_es",
    "plural_en",
    "aliases_en",
    "aliases_es",
    "aliases_any",
]
_ENGLISH_WORD = re.compile(r"[a-z][a-z_'.-]*")  # lowercase: no proper or Latin names


@dataclass(frozen=True)
class Spanish:
    """One Apertium translation of an English noun."""

    lemma: str
    gender: str  # "m", "f" or "" when the dictionaries leave it open
    plural: str  # "" when the generator has none


@dataclass
class Entry:
    concept: str
    display_en: str
    display_es: str
    words: list[str] = field(default_factory=list)  # English nouns, WordNet spelling
    curated: dict[str, list[str]] = field(default_factory=dict)  # column -> hand-written aliases


def hashtag_form(words: str) -> str:
    """`golden_retriever` / `gafas de sol` -> `goldenretriever` / `gafasdesol`."""
    return re.sub(r"[\s_'’.#-]+", "", words.lower())


def read_synset_words(data_noun: Path) -> dict[str, list[str]]:
    """wnid -> the synset's lemmas as WordNet spells them (`domestic_dog`, `Canis_familiaris`)."""
    words: dict[str, list[str]] = {}
    with data_noun.open(encoding="utf-8") as file:
        for line in file:
            if line.startswith(" "):
                continue  # licence header
            fields = line.split(" | ")[0].split()
            count = int(fields[3], 16)
            words[f"n{fields[0]}"] = [fields[4 + 2 * i] for i in range(count)]
    return words


def synonyms(wnid: str, names: set[str], synsets: dict[str, list[str]], first: dict[str, str]) -> list[str]:
    """The synset's lemmas that name the concept or mean this synset first: `car` keeps
    auto and automobile, not machine, whose commonest sense is another synset."""
    return [w for w in synsets.get(wnid, []) if hashtag_form(w) in names or first.get(w.lower()) == wnid]


def read_irregular_plurals(noun_exc: Path) -> dict[str, list[str]]:
    """lemma -> irregular plurals (`leaf` -> [`leaves`]), from WordNet's noun.exc."""
    plurals: dict[str, list[str]] = {}
    with noun_exc.open(encoding="utf-8") as file:
        for line in file:
            plural, *lemmas = line.split()
            for lemma in lemmas:
                plurals.setdefault(lemma, []).append(plural)
    return plurals


def translate(words: Iterable[str], apertium: Path) -> dict[str, Spanish]:
    """English noun (WordNet spelling) -> its first Apertium translation; words the
    bilingual dictionary lacks are left out. One lt-proc call per step, whole batches."""
    words = sorted(set(words))
    found: dict[str, tuple[str, str]] = {}
    for number in ("sg", "pl"):  # pluralia tantum (scissors) are only listed as plurals
        todo = [w for w in words if w not in found]
        text = "\n".join(f"^{escape(w.replace('_', ' '))}<n><{number}>$" for w in todo)
        for word, unit in zip(
            todo, units(lt_proc(["-b"], apertium / "eng-spa.autobil.bin", text)), strict=True
        ):
            # Several translations mean several senses (temple: sien/templo); the
            # dictionary cannot tell which one the synset means, so none is taken.
            if len(unit) == 2 and not unit[1].startswith("@"):
                lemma, _, tags = unit[1].partition("<")
                gender = next((g for g in ("m", "f") if f"<{g}>" in f"<{tags}"), "")
                found[word] = (lemma, gender)
    genders = spanish_genders({lemma for lemma, gender in found.values() if not gender}, apertium)
    resolved = {w: (lemma, gender or genders.get(lemma, "")) for w, (lemma, gender) in found.items()}
    plurals = spanish_plurals(set(resolved.values()), apertium)
    return {
        w: Spanish(lemma, gender, plurals.get((lemma, gender), "")) for w, (lemma, gender) in resolved.items()
    }


def spanish_genders(lemmas: Iterable[str], apertium: Path) -> dict[str, str]:
    """Spanish noun -> "m" or "f" where the Spanish analyser knows one gender for it."""
    lemmas = sorted(set(lemmas))
    lines = lt_proc([], apertium / "spa-eng.automorf.bin", "\n".join(lemmas) + "\n").split("\n")[:-1]
    genders = {}
    for lemma, line in zip(lemmas, lines, strict=True):
        unit = (units(line) or [[]])[0]  # a phrase's first word: `gafas de sol` -> gafas
        seen = {g for reading in unit[1:] for g in ("m", "f") if re.match(rf"[^<]*<n><{g}>", reading)}
        if len(seen) == 1:
            genders[lemma] = seen.pop()
    return genders


def spanish_plurals(nouns: Iterable[tuple[str, str]], apertium: Path) -> dict[tuple[str, str], str]:
    """(lemma, gender) -> plural, from Apertium's Spanish generator; one-word nouns only."""
    nouns = sorted(n for n in set(nouns) if n[1] and " " not in n[0])
    text = "\n".join(f"^{escape(lemma)}<n><{gender}><pl>$" for lemma, gender in nouns)
    lines = lt_proc(["-g"], apertium / "eng-spa.autogen.bin", text + "\n").split("\n")[:-1]
    return {
        noun: line.strip()
        for noun, line in zip(nouns, lines, strict=True)
        if line.strip() and not line.startswith(("#", "@", "*"))
    }


# A Spanish noun's gender by its ending, the grammar's rule (RAE, Nueva gramática de la
# lengua española, 2.2), for a name the dictionaries give none: loanwords and rarer
# nouns Apertium lacks (represa, taladro, wok). Endings that go either way (-e, -l, -z,
# -ista, -ma) give none; the common exceptions are listed. The test checks the rule
# against the genders the analyser knows.
_GENDER_EXCEPTIONS = {
    "mano": "f", "foto": "f", "moto": "f", "radio": "f", "flor": "f", "coliflor": "f", "labor": "f",
    "día": "m", "mapa": "m", "planeta": "m", "sofá": "m", "tranvía": "m",
}  # fmt: skip
_FEMININE_ENDINGS = ("ción", "sión", "xión", "dad", "tad", "tud", "umbre", "itis", "as", "a")
_MASCULINE_ENDINGS = ("os", "o", "aje", "r", "ón", "án", "ín", "és", "ús", "í", "ú")
_MASCULINE_ENDINGS += ("t", "k", "g", "p", "y", "x")  # loanwords: un ipod, un wok, un jersey


def gender_by_ending(name: str) -> str:
    """ "m", "f" or "" for a Spanish name, by its first word's ending ("represa" f,
    "taladro" m, "arte": none)."""
    word = name.split(" ", 1)[0].lower()
    if word in _GENDER_EXCEPTIONS:
        return _GENDER_EXCEPTIONS[word]
    if word.endswith(("ista", "istas", "ma", "mas")):
        return ""
    if word.endswith(_FEMININE_ENDINGS):
        return "f"
    return "m" if word.endswith(_MASCULINE_ENDINGS) else ""


@dataclass(frozen=True)
class Spoken:
    """What alt text needs of a concept besides its hashtag."""

    name_es: str  # with spaces: "puente colgante"
    gender_es: str  # "m", "f" or "" when unknown
    plural_es: bool
    plural_en: bool


def _spanish_name(entry: Entry, spanish: Spanish | None, english: str, known: dict[str, list[str]]) -> str:
    """The Spanish display in words: the Apertium translation it comes from, the display
    itself when it is a known word, the English name it keeps (goldenretriever: golden
    retriever), the display split into known words, else the display as it is."""
    display = entry.display_es or entry.concept
    if spanish and hashtag_form(spanish.lemma) == display:
        return spanish.lemma.replace("#", "")  # "fin# de semana": the analyser's invariable part
    if display in known:
        return display
    kept = (w.replace("_", " ").lower() for w in [english, *entry.words] if hashtag_form(w) == display)
    return next(kept, "") or word_split(display, known) or display


def spoken_forms(
    entries: list[Entry], translations: dict[str, Spanish], english: dict[str, str], apertium: Path
) -> dict[str, Spoken]:
    """Concept -> its Spoken forms: the Spanish name from data/spoken_names.tsv, else
    _spanish_name; its gender and number from the Spanish analyser's readings of its
    first word (else the translation's gender; dog breeds without one are masculine: un
    beagle; else gender_by_ending); the English name's number from the English
    analyser's readings of its last word (`english`: concept -> the English name alt text
    uses)."""
    hand = {row["concept"]: row for row in _table("spoken_names.tsv")}
    spa = apertium / "spa-eng.automorf.bin"
    displays = {e.display_es or e.concept for e in entries}
    known = known_words(
        {d[i:j] for d in displays for i in range(len(d)) for j in range(i + 2, len(d) + 1)}, spa
    )
    source = {
        e.concept: translations.get(next((w for w in _primary(e) if w in translations), "")) for e in entries
    }
    names = {
        e.concept: hand.get(e.concept, {}).get("name_es")
        or _spanish_name(e, source[e.concept], english[e.concept], known)
        for e in entries
    }
    firsts = known_words({n.split(" ", 1)[0] for n in names.values()}, spa)
    genders = spanish_genders(names.values(), apertium)
    lasts = known_words({n.rsplit(" ", 1)[-1] for n in english.values()}, apertium / "eng-spa.automorf.bin")
    breeds = {r["concepts"].split()[0] for r in _table("coldstart.tsv") if "dog" in r["concepts"].split()[1:]}
    forms = {}
    for entry in entries:
        name, own, spanish = names[entry.concept], hand.get(entry.concept, {}), source[entry.concept]
        translated = spanish.gender if spanish and hashtag_form(spanish.lemma) == hashtag_form(name) else ""
        gender = (
            own.get("gender_es")
            or genders.get(name)
            or translated
            or ("m" if entry.concept in breeds else "")
            or gender_by_ending(name)
        )
        plural_es = own.get("plural_es") or ("1" if plural_only(name.split(" ", 1)[0], firsts) else "")
        last = english[entry.concept].rsplit(" ", 1)[-1]
        plural_en = own.get("plural_en") or ("1" if plural_only(last, lasts) else "")
        forms[entry.concept] = Spoken(name, gender.strip("-"), plural_es == "1", plural_en == "1")
    return forms


def _table(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def vocabulary(synsets: dict[str, list[str]], first: dict[str, str]) -> list[Entry]:
    """Every concept in table order: everyday, general, then one per ImageNet class."""
    entries: dict[str, Entry] = {}
    for row in _table("everyday_concepts.tsv"):
        name, display_en = row["concept"], row["display_en"] or row["concept"]
        words = synonyms(row["wnid"], {name, display_en}, synsets, first) if row["wnid"] else [name]
        entries[name] = Entry(name, display_en, row["display_es"], words)
    listed: dict[str, list[str]] = {}
    for row in _table("general_concepts.tsv"):
        for name in row["concepts"].split():
            listed.setdefault(name, []).append(row["wnid"])
    for row in _table("concept_names.tsv"):
        name = row["concept"]
        # A listing synset lends its lemmas only when it is named by the concept itself.
        own = [s for s in listed.get(name, []) if name in {hashtag_form(w) for w in synsets.get(s, [])}]
        words = [w for s in own for w in synonyms(s, {name}, synsets, first)] or [name]
        entries.setdefault(name, Entry(name, row["display_en"], row["display_es"], words))
    for row in _table("imagenet_hashtags.tsv"):
        name = row["hashtag_en"]
        entry = entries.setdefault(name, Entry(name, name, row["hashtag_es"]))
        entry.words += [w for w in synonyms(row["wnid"], {name}, synsets, first) if w not in entry.words]
    for row in _table("hashtag_aliases.tsv"):
        entries[row["concept"]].curated = {
            c: row[c].split() for c in ("aliases_en", "aliases_es", "aliases_any")
        }
    return list(entries.values())


def _english(entry: Entry, plurals: dict[str, list[str]]) -> list[str]:
    nouns = [w for w in entry.words if _ENGLISH_WORD.fullmatch(w)]
    return [hashtag_form(w) for noun in nouns for w in (noun, *plurals.get(noun, []))]


def english_name(entry: Entry, imagenet_lemma: str | None, hand: dict[str, str]) -> str:
    """The English name in words alt text says: the hand-written one of
    data/spoken_names.tsv; else a display chosen by hand (tool: "tools", staircase:
    "stairs"); else the concept's own word: the ImageNet class's first lemma where it is
    the concept ("ice cream"), else WordNet's first, lowercase before capitalised
    (tape_measure: "tape measure", not the hashtag "tapemeasure"; "moon", not "Moon");
    else the ImageNet class's first lemma (rattlesnake: "diamondback"); else the display."""
    if hand.get("name_en"):
        return hand["name_en"]
    if entry.display_en != entry.concept:
        return entry.display_en
    own = [
        w.replace("_", " ") for w in [imagenet_lemma or "", *entry.words] if hashtag_form(w) == entry.concept
    ]
    own.sort(key=lambda w: w != w.lower())  # stable: the first lowercase word
    return next(iter(own), "") or imagenet_lemma or entry.display_en


def _primary(entry: Entry) -> list[str]:
    """The words translated to Spanish: those naming the concept itself, else the synset's
    first lemma (its most common word). Synonyms are left out because the bilingual
    dictionary translates a word's commonest sense (mallet, beetle: escarabajo)."""
    names = {entry.concept, hashtag_form(entry.display_en)}
    return [w.lower() for w in entry.words if hashtag_form(w) in names] or entry.words[:1]


def _spanish(entry: Entry, translations: dict[str, Spanish]) -> list[str]:
    found = [translations[w] for w in _primary(entry) if w in translations]
    return [hashtag_form(form) for s in found for form in (s.lemma, s.plural) if form]


def build(wordnet: Path, apertium: Path) -> list[list[str]]:
    """The table's rows (without header), sorted by concept name."""
    synsets = read_synset_words(wordnet / "data.noun")
    plurals = read_irregular_plurals(wordnet / "noun.exc")
    entries = vocabulary(synsets, read_first_senses(wordnet / "index.noun"))
    translations = translate(
        [w for e in entries for w in _primary(e) if _ENGLISH_WORD.fullmatch(w)], apertium
    )
    lemmas = {row["hashtag_en"]: row["lemma"] for row in _table("imagenet_hashtags.tsv")}
    hand = {row["concept"]: row for row in _table("spoken_names.tsv")}
    english_names = {
        e.concept: english_name(e, lemmas.get(e.concept), hand.get(e.concept, {})) for e in entries
    }
    owner: dict[str, str] = {}

    def claim(concept: str, aliases: Iterable[str]) -> list[str]:
        kept: dict[str, str] = {}
        for alias in aliases:
            key = key_for(alias)
            if key and owner.setdefault(key, concept) == concept:
                kept.setdefault(key, alias)
        return list(kept.values())

    columns: dict[str, dict[str, list[str]]] = {e.concept: {} for e in entries}
    for entry in entries:  # hand-written aliases, then every concept's own name
        for column, aliases in entry.curated.items():
            columns[entry.concept][column] = claim(entry.concept, aliases)
    for entry in entries:
        claim(entry.concept, [entry.concept])
    for entry in entries:  # the displays Apertium gives
        spanish = translations.get(next((w for w in _primary(entry) if w in translations), ""))
        entry.display_es = entry.display_es or (hashtag_form(spanish.lemma) if spanish else entry.concept)
    spoken = spoken_forms(entries, translations, english_names, apertium)
    rows = []
    for entry in entries:
        display_es, said = entry.display_es, spoken[entry.concept]
        own = columns[entry.concept]
        english = claim(
            entry.concept, [*own.get("aliases_en", []), entry.display_en, *_english(entry, plurals)]
        )
        es = claim(entry.concept, [*own.get("aliases_es", []), display_es, *_spanish(entry, translations)])
        anywhere = own.get("aliases_any", [])
        if key_for(entry.concept) not in {key_for(a) for a in [*english, *es, *anywhere]}:
            english = claim(entry.concept, [entry.concept, *english])
        rows.append(
            [
                entry.concept,
                entry.display_en,
                display_es,
                english_names[entry.concept],
                said.name_es,
                said.gender_es,
                "1" if said.plural_es else "",
                "1" if said.plural_en else "",
                " ".join(english),
                " ".join(es),
                " ".join(anywhere),
            ]
        )
    return sorted(rows)


# Readings that make a word a function word: prepositions, determiners, pronouns,
# conjunctions, relatives and auxiliaries (Apertium's tags).
FUNCTION_TAGS = (
    "pr",
    "det",
    "prn",
    "cnjcoo",
    "cnjsub",
    "cnjadv",
    "rel",
    "vaux",
    "vbser",
    "vbhaver",
    "vbmod",
    "vbdo",
)
_FUNCTION_READING = re.compile(rf"[^<+]*<({'|'.join(FUNCTION_TAGS)})>")
# What a function word's other readings may be and it still never names a hashtag: an
# adverb ("about", "up") or an adverb before an adjective ("as", "how").
_CLOSED_READING = re.compile(rf"[^<+]*<({'|'.join(FUNCTION_TAGS)}|adv|preadv)>")
_NOUN_READING = re.compile(r"[^<+]*<n>")


def function_word_rows(rows: list[list[str]], apertium: Path) -> list[list[str]]:
    """The table's alias keys that a caption in a language uses as something other than a
    name, as rows of (key, language, reading): a function word there ("sobre" names an
    envelope, but in a Spanish caption it is almost always "on" or "about"; "te", the key
    of "té", is "you"; "after", the key of "afters", is "after"; "sea" is a form of "ser"),
    or, for a key that only the other language's aliases have, a word of this one that is
    no noun (English #hay: Spanish "hay", "there is"; Spanish #taller, workshop: English
    "taller") or a noun that means something else (Spanish #red, "net", is no English
    #red; Spanish "vale", "OK" or "voucher", no #valley). tagging.caption_suggestions
    reads no concept into them in a caption of that language."""
    column = {name: COLUMNS.index(name) for name in ("aliases_en", "aliases_es", "aliases_any")}
    every = {a for row in rows for c in column.values() for a in row[c].split()}
    # key -> the languages it is an alias in -> the keys of its concepts' aliases in that language
    aliases: dict[str, dict[str, set[str]]] = {}
    for row in rows:
        for name, language in (("aliases_en", "en"), ("aliases_es", "es"), ("aliases_any", "any")):
            keys = {key_for(a) for c in (name, "aliases_any") for a in row[column[c]].split()}
            for alias in row[column[name]].split():
                aliases.setdefault(key_for(alias), {}).setdefault(language, set()).update(keys)
    found: dict[tuple[str, str], str] = {}
    for language, other, analyser in (("en", "es", "eng-spa"), ("es", "en", "spa-eng")):
        known = known_words(every | {key_for(a) for a in every}, apertium / f"{analyser}.automorf.bin")
        foreign = {}  # reading of a word whose key only the other language's aliases have -> key
        for word, readings in known.items():
            key = key_for(word)
            reading = next((r for r in readings if _FUNCTION_READING.match(r)), None)
            if reading is None and set(aliases.get(key, {})) == {other}:
                nouns = [r for r in readings if _NOUN_READING.match(r)]
                reading = readings[0] if not nouns else None
                foreign.update({noun: key for noun in nouns})
            if reading is not None:
                found.setdefault((key, language), reading)
        translations = units(
            lt_proc(["-b"], apertium / f"{analyser}.autobil.bin", "".join(f"^{r}$\n" for r in foreign))
        )
        meant: dict[str, set[str]] = {}
        for unit in translations:
            meant.setdefault(foreign[unit[0]], set()).update(key_for(t.partition("<")[0]) for t in unit[1:])
        for key, translated in meant.items():
            if not translated & aliases[key][other]:
                found.setdefault((key, language), next(r for r, k in foreign.items() if k == key))
        found.update(
            ((key, language), reading)
            for key, reading in closed_class_words(apertium / f"{analyser}.automorf.bin").items()
            if (key, language) not in found
        )
    return sorted([key, language, reading] for (key, language), reading in found.items())


def _letters(word: str) -> bool:
    """Whether `word` is letters alone: no "yʼall" (a modifier letter), no "a.m."."""
    return all(unicodedata.category(c) in ("Ll", "Lu") for c in word)


def closed_class_words(analyser: Path) -> dict[str, str]:
    """Key -> a function reading, for each word of the analyser's language that is a
    function word in every reading ("the", "at", "my"; Spanish "el", "por", "mi", and
    "del", de + el, whose reading opens with one), an
    adverb aside: listed whole with lt-paradigm, each form analysed again for all its
    readings, so that one that is also a noun, adjective or verb ("can", "will", "like")
    stays a word a hashtag may be made of."""
    # a contraction opening with one ("del", "al": de el, a el) is one as a whole
    forms = paradigm_forms(
        [f"*<{tag}>{rest}" for tag in FUNCTION_TAGS for rest in ("<*>", "+*<*>")], analyser
    )
    words = {}
    for word, readings in known_words({f for f in forms if _letters(f)}, analyser).items():
        if all(_CLOSED_READING.match(r) for r in readings):
            reading = next(r for r in readings if _FUNCTION_READING.match(r))
            words.setdefault(key_for(word), reading)
    return words


# WordNet's colour ("a visual attribute of things that results from the light they emit
# or transmit or reflect"): every colour sense of a word is below it.
COLOUR_WNID = "n04956594"


def colour_name_rows(rows: list[list[str]], data_noun: Path) -> list[list[str]]:
    """[concept, the wnid of its colour sense] for each concept of the table whose name is
    also a colour in WordNet and means something else too (orange: the fruit, the colour),
    by concept."""
    hypernyms, synsets = read_hypernyms(data_noun), read_synset_words(data_noun)
    colours: dict[str, str] = {}
    things: set[str] = set()
    for wnid, words in synsets.items():
        colour = COLOUR_WNID in ancestors_by_distance(wnid, hypernyms)
        for word in map(hashtag_form, words):
            if colour:
                colours.setdefault(word, wnid)
            else:
                things.add(word)
    return [[row[0], colours[row[0]]] for row in sorted(rows) if row[0] in colours and row[0] in things]


def hypernym_rows(data_noun: Path) -> list[list[str]]:
    """[concept, the table's concepts it is a kind of, space-separated] for each concept
    with a synset (everyday, general and ImageNet ones) whose WordNet hypernyms include
    another concept's synset (suspensionbridge: bridge; goldfish: animal fish), or a
    synset a general row names by its head word (lemon: fruit, for "edible fruit";
    chainsaw: tool, for "power tool"), by concept."""
    hypernyms, synsets = read_hypernyms(data_noun), read_synset_words(data_noun)
    own: dict[str, set[str]] = {}
    for row in _table("everyday_concepts.tsv"):
        if row["wnid"]:
            own.setdefault(row["concept"], set()).add(row["wnid"])
    named: dict[str, set[str]] = {}  # wnid -> the concepts whatever is below it is a kind of
    for row in _table("general_concepts.tsv"):
        head = hashtag_form(row["lemma"].split()[-1])
        for name in row["concepts"].split():
            if name in {hashtag_form(w) for w in synsets.get(row["wnid"], [])}:
                own.setdefault(name, set()).add(row["wnid"])
            elif name == head:  # an "edible fruit" is a fruit, a "power tool" a tool
                named.setdefault(row["wnid"], set()).add(name)
    for row in _table("imagenet_hashtags.tsv"):
        own.setdefault(row["hashtag_en"], set()).add(row["wnid"])
    for name, wnids in own.items():
        for wnid in wnids:
            named.setdefault(wnid, set()).add(name)
    rows = []
    for name, wnids in sorted(own.items()):
        above = {a for w in wnids for a, distance in ancestors_by_distance(w, hypernyms).items() if distance}
        kinds = sorted({kind for a in above for kind in named.get(a, ()) if kind != name})
        if kinds:
            rows.append([name, " ".join(kinds)])
    return rows


def apertium_misses(wordnet: Path, apertium: Path) -> list[str]:
    """Everyday concepts whose Spanish display is hand-written because Apertium has none."""
    entries = vocabulary(read_synset_words(wordnet / "data.noun"), read_first_senses(wordnet / "index.noun"))
    everyday = {row["concept"] for row in _table("everyday_concepts.tsv")}
    translated = translate([w for e in entries if e.concept in everyday for w in _primary(e)], apertium)
    return sorted(
        e.concept for e in entries if e.concept in everyday and not any(w in translated for w in _primary(e))
    )


def flag_rows(iso_3166: Path) -> list[list[str]]:
    """[code, English name] per country of iso-codes' iso_3166-1.json, by code: its
    common name where it has one ("South Korea", not "Korea, Republic of")."""
    countries = json.loads(iso_3166.read_text(encoding="utf-8"))["3166-1"]
    return sorted([c["alpha_2"], c.get("common_name", c["name"])] for c in countries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--apertium", type=Path, default=Path("/usr/share/apertium/apertium-eng-spa"))
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--function-words-out", type=Path, default=FUNCTION_WORDS)
    parser.add_argument("--iso-3166", type=Path, default=ISO_3166)
    parser.add_argument("--flags-out", type=Path, default=FLAGS)
    parser.add_argument("--colour-names-out", type=Path, default=COLOUR_NAMES)
    parser.add_argument("--hypernyms-out", type=Path, default=HYPERNYMS)
    args = parser.parse_args()
    rows = build(args.wordnet, args.apertium)
    with args.out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    with args.function_words_out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["key", "language", "reading"])
        writer.writerows(function_word_rows(rows, args.apertium))
    with args.flags_out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(flag_rows(args.iso_3166))
    with args.colour_names_out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["concept", "colour"])
        writer.writerows(colour_name_rows(rows, args.wordnet / "data.noun"))
    with args.hypernyms_out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["concept", "kind_of"])
        writer.writerows(hypernym_rows(args.wordnet / "data.noun"))
    misses = apertium_misses(args.wordnet, args.apertium)
    print(
        f"Wrote {len(rows)} concepts to {args.out}; no Apertium entry for {len(misses)}: {' '.join(misses)}"
    )


if __name__ == "__main__":
    main()
