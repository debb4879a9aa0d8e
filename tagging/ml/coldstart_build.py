"""Generate data/coldstart.tsv: each ImageNet class -> hashtag concepts and shop category,
data/related.tsv: what a concept or a place present makes likely, data/regions.tsv:
the places among those that are a country or a state (people hashtag the country of a
place they name far more often than its island or continent), and data/place_kinds.tsv:
the place names that are a country or a state, or a city or a town (alt text says a photo
was taken in them).

    python -m tagging.ml.coldstart_build --wordnet /usr/share/wordnet/data.noun

Reads WordNet 3.0 (Debian's wordnet-base), the ImageNet class ids timm ships, and the
hand-written tables beside the output (see data/README.md). A class gets its own
specific concept (imagenet_hashtags.tsv), then the general concepts of every synset in
its hypernym closure that general_concepts.tsv lists (nearest first), and the shop
category of its nearest ancestor listed in shop_categories.tsv. Deterministic: the same
inputs give the same file, so the committed output can be checked by running it again.
"""

import argparse
import csv
import re
from collections import defaultdict, deque
from pathlib import Path

from timm.data import ImageNetInfo

DATA = Path(__file__).resolve().parent / "data"


def read_hypernyms(data_noun: Path) -> dict[str, list[str]]:
    """wnid -> hypernym wnids (plain and instance hypernyms), from WordNet's data.noun."""
    hypernyms: dict[str, list[str]] = {}
    with data_noun.open(encoding="utf-8") as file:
        for line in file:
            if line.startswith(" "):
                continue  # licence header
            fields = line.split(" | ")[0].split()
            offset, word_count = fields[0], int(fields[3], 16)
            at = 4 + 2 * word_count
            pointer_count = int(fields[at])
            pointers = [fields[at + 1 + 4 * i : at + 5 + 4 * i] for i in range(pointer_count)]
            hypernyms[f"n{offset}"] = [f"n{p[1]}" for p in pointers if p[0] in ("@", "@i") and p[2] == "n"]
    return hypernyms


def read_senses(index_noun: Path) -> dict[str, tuple[list[str], int]]:
    """word (lowercase, WordNet spelling) -> the wnids of its noun senses, and how many of
    them a tagged corpus (SemCor) counted: those come first, commonest first; the order
    of the others means nothing."""
    senses: dict[str, tuple[list[str], int]] = {}
    with index_noun.open(encoding="utf-8") as file:
        for line in file:
            if line.startswith(" "):
                continue
            fields = line.split()
            pointer_count = int(fields[3])
            wnids = [f"n{offset}" for offset in fields[6 + pointer_count :]]
            senses[fields[0]] = (wnids, int(fields[5 + pointer_count]))
    return senses


def read_first_senses(index_noun: Path) -> dict[str, str]:
    """word (lowercase, WordNet spelling) -> the wnid of its first noun sense."""
    return {word: wnids[0] for word, (wnids, _counted) in read_senses(index_noun).items()}


def ancestors_by_distance(wnid: str, hypernyms: dict[str, list[str]]) -> dict[str, int]:
    """The synset itself (distance 0) and every hypernym, with its shortest distance."""
    distance = {wnid: 0}
    queue = deque([wnid])
    while queue:
        current = queue.popleft()
        for parent in hypernyms.get(current, []):
            if parent not in distance:
                distance[parent] = distance[current] + 1
                queue.append(parent)
    return distance


def _table(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def build(data_noun: Path) -> list[list[str]]:
    hypernyms = read_hypernyms(data_noun)
    general = {row["wnid"]: row["concepts"].split() for row in _table("general_concepts.tsv")}
    shop = {row["wnid"]: row["category"] for row in _table("shop_categories.tsv")}
    specific = {row["wnid"]: row["hashtag_en"] for row in _table("imagenet_hashtags.tsv")}
    missing = [w for w in [*general, *shop] if w not in hypernyms]
    if missing:
        raise SystemExit(f"Not WordNet 3.0 noun synsets: {', '.join(missing)}")
    info = ImageNetInfo()
    rows = []
    for index in range(info.num_classes()):
        wnid = info.index_to_label_name(index)
        distance = ancestors_by_distance(wnid, hypernyms)
        nearest = sorted(distance, key=lambda w: (distance[w], w))
        concepts = [specific[wnid]]
        for ancestor in nearest:
            concepts += [c for c in general.get(ancestor, []) if c not in concepts]
        category = next((shop[a] for a in nearest if a in shop), "")
        rows.append([str(index), wnid, info.index_to_description(index), " ".join(concepts), category])
    return rows


PLACE_DEPTH = 2  # Kolkata -> India -> Asia
PLACE_RELATED = 3
# WordNet 3.0's "country, state, land" (Germany, Australia), "state, province"
# (California, New South Wales) and "national capital" (Paris, Athens). A place that is
# an instance of a country or a state is a region.
COUNTRY, STATE, NATIONAL_CAPITAL = "n08544813", "n08654360", "n08691669"
REGION_WNIDS = frozenset({COUNTRY, STATE})
# "municipality": a city or a town (Paris, Avignon, Agra). With the regions, the places a
# photo is taken in ("a castle in Denmark"), not what it shows (a tower, a river, an island).
MUNICIPALITY = "n08626283"
PERSON = "n00007846"
REGION, TOWN = "region", "town"


def read_synsets(data_noun: Path) -> dict[str, tuple[list[str], list[str]]]:
    """wnid -> (its lemmas, the synsets it is a part of)."""
    synsets: dict[str, tuple[list[str], list[str]]] = {}
    with data_noun.open(encoding="utf-8") as file:
        for line in file:
            if line.startswith(" "):
                continue
            fields = line.split(" | ")[0].split()
            offset, word_count = fields[0], int(fields[3], 16)
            words = [fields[4 + 2 * i] for i in range(word_count)]
            at = 4 + 2 * word_count
            pointers = [fields[at + 1 + 4 * i : at + 5 + 4 * i] for i in range(int(fields[at]))]
            wholes = [f"n{p[1]}" for p in pointers if p[0] == "#p" and p[2] == "n"]
            synsets[f"n{offset}"] = (words, wholes)
    return synsets


def _key(lemma: str) -> str:
    return re.sub(r"[\s_'’.#-]+", "", lemma.lower())


def build_regions(data_noun: Path) -> list[list[str]]:
    """Rows of one key: each place some place is part of (as build_related lists them)
    that is a country or a state, sorted."""
    hypernyms = read_hypernyms(data_noun)
    synsets = read_synsets(data_noun)
    containers = {whole for words, wholes in synsets.values() if words[0][:1].isupper() for whole in wholes}
    regions = {
        _key(synsets[wnid][0][0])
        for wnid in containers
        if wnid in synsets and REGION_WNIDS & set(ancestors_by_distance(wnid, hypernyms))
    }
    return [[key] for key in sorted(regions)]


def build_related(data_noun: Path) -> list[list[str]]:
    hypernyms = read_hypernyms(data_noun)
    general = {row["wnid"]: row["concepts"].split() for row in _table("general_concepts.tsv")}
    sources = _sources()
    synsets = read_synsets(data_noun)
    names = {row["concept"] for row in _table("concept_names.tsv")}
    related: dict[str, list[str]] = {}
    for concept, wnid in sources:
        distance = ancestors_by_distance(wnid, hypernyms)
        found = related.setdefault(concept, [])
        for ancestor in sorted(distance, key=lambda w: (distance[w], w)):
            named = [c for c in map(_key, synsets[ancestor][0]) if c in names and ancestor != wnid]  # tool
            found += [
                c
                for c in dict.fromkeys([*general.get(ancestor, []), *named])
                if c != concept and c not in found
            ]
    for key, _wnid, _word, nearest in named_places(data_noun, synsets, hypernyms, sources):
        found = related.setdefault(key, [])
        found += [p for p in dict.fromkeys(nearest) if p != key and p not in found]
    return [
        [key, " ".join(found[:PLACE_RELATED] if key not in dict(sources) else found)]
        for key, found in sorted(related.items())
        if found
    ]


def build_place_kinds(data_noun: Path) -> list[list[str]]:
    """Rows of (key, kind, name): each place name build_related keeps that names a
    country or a state (REGION) or a city or a town (TOWN), with the name as WordNet
    writes it ("New Zealand"), sorted. A name of several such places takes the kind of
    its first in WordNet's order. Alt text says a photo was taken in these, so a name
    that is first something else is left out, where the caption model only weighs it:
    a common noun (#bath, the tub; #turkey, the bird; #japan, the lacquer), a person
    (#victoria, #lincoln), an adjective or a verb (#nice, #split, #mobile), or two
    letters (#in, #us, #ok: US states' abbreviations)."""
    hypernyms = read_hypernyms(data_noun)
    synsets = read_synsets(data_noun)
    senses = read_senses(data_noun.parent / "index.noun")
    other = _lemmas(data_noun.parent / "index.adj") | _lemmas(data_noun.parent / "index.verb")
    kinds: dict[str, tuple[str, str]] = {}
    for key, wnid, word, _nearest in named_places(data_noun, synsets, hypernyms, _sources()):
        ancestors = ancestors_by_distance(wnid, hypernyms).keys()
        kind = REGION if REGION_WNIDS & ancestors else TOWN if MUNICIPALITY in ancestors else ""
        first = senses.get(word.lower(), ([wnid], 0))[0][0]
        named = synsets[first][0][0][:1].isupper() and PERSON not in ancestors_by_distance(first, hypernyms)
        if kind and named and word.lower() not in other and len(key) > 2:
            kinds.setdefault(key, (kind, word.replace("_", " ")))
    return [[key, kind, name] for key, (kind, name) in sorted(kinds.items())]


def _lemmas(index: Path) -> set[str]:
    """The words a WordNet index file (index.adj, index.verb) lists."""
    with index.open(encoding="utf-8") as file:
        return {line.split(" ", 1)[0] for line in file if not line.startswith(" ")}


def _sources() -> list[tuple[str, str]]:
    """(concept, wnid) of the everyday concepts and of the general ones named after their
    own synset (fish, not screwdriver for tool)."""
    sources = [(row["concept"], row["wnid"]) for row in _table("everyday_concepts.tsv") if row["wnid"]]
    sources += [
        (concept, row["wnid"])
        for row in _table("general_concepts.tsv")
        for concept in row["concepts"].split()
        if concept == _key(row["lemma"])
    ]
    return sources


def named_places(
    data_noun: Path,
    synsets: dict[str, tuple[list[str], list[str]]],
    hypernyms: dict[str, list[str]],
    sources: list[tuple[str, str]],
) -> list[tuple[str, str, str, list[str]]]:
    """(key, wnid, the name as WordNet writes it, the places it is part of, nearest
    first) of each name of a place that means it, in WordNet's order. `sources`:
    (concept, wnid) of the everyday and general concepts, things the tagger sees."""
    places = {wnid: synset for wnid, synset in synsets.items() if synset[0][0][:1].isupper()}
    # A common noun is not the place of its name unless a place is what the word means
    # first: #orange is no hint of the Orange Free State (South Africa), nor #snake of the
    # Snake River (Idaho); #japan is Japan. Nor is a thing the tagger sees the place of
    # its name, whatever the word means first: its synset says what it is (#bikini is
    # the swimsuit, not the atoll in the Marshall Islands; #sombrero the hat).
    seen = defaultdict(set)
    for row in _table("imagenet_hashtags.tsv"):
        seen[row["hashtag_en"]].add(row["wnid"])
    for concept, wnid in sources:
        seen[concept].add(wnid)
    common = {row["concept"] for row in _table("concept_names.tsv")} | seen.keys()
    senses = read_senses(data_noun.parent / "index.noun")
    parts = {wnid for wnid, (_words, wholes) in places.items() if wholes}  # part of a place
    major = {w for w in parts if {COUNTRY, NATIONAL_CAPITAL} & ancestors_by_distance(w, hypernyms).keys()}
    named = []
    for wnid, (words, wholes) in places.items():
        nearest: list[str] = []
        frontier = wholes
        for _depth in range(PLACE_DEPTH):
            nearest += [_key(places[w][0][0]) for w in frontier if w in places]
            frontier = [up for w in frontier if w in places for up in places[w][1]]
        for word in words:
            meanings = senses.get(word.lower(), ([wnid], 0))
            if (
                word[:1].isupper()
                and nearest
                and _meant(wnid, meanings, major)
                and (_key(word) not in common or meanings[0][0] in parts)
                and not (seen.get(_key(word), set()) - parts)
            ):
                named.append((_key(word), wnid, word, nearest))
    return named


def _meant(wnid: str, senses: tuple[list[str], int], major: set[str]) -> bool:
    """Whether a name of the place `wnid` (whose `senses` read_senses gives) means it: a
    name whose commonest sense, as counted, is a country or a national capital means
    that, not the towns named after it (Paris is in France, not Texas; Athens in Greece,
    not Georgia); any other name of several places (Aberdeen: Scotland, Maryland, South
    Dakota, Washington, none counted) may mean any of them."""
    wnids, counted = senses
    return not counted or wnids[0] not in major or wnids[0] == wnid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet/data.noun"))
    parser.add_argument("--out", type=Path, default=DATA / "coldstart.tsv")
    parser.add_argument("--related-out", type=Path, default=DATA / "related.tsv")
    parser.add_argument("--regions-out", type=Path, default=DATA / "regions.tsv")
    parser.add_argument("--place-kinds-out", type=Path, default=DATA / "place_kinds.tsv")
    args = parser.parse_args()
    rows = build(args.wordnet)
    with args.out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["index", "wnid", "description", "concepts", "shop_category"])
        writer.writerows(rows)
    print(f"Wrote {len(rows)} classes to {args.out}")
    related = build_related(args.wordnet)
    with args.related_out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["key", "related"])
        writer.writerows(related)
    print(f"Wrote {len(related)} keys to {args.related_out}")
    regions = build_regions(args.wordnet)
    with args.regions_out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["key"])
        writer.writerows(regions)
    print(f"Wrote {len(regions)} regions to {args.regions_out}")
    kinds = build_place_kinds(args.wordnet)
    with args.place_kinds_out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["key", "kind", "name"])
        writer.writerows(kinds)
    print(f"Wrote {len(kinds)} places to {args.place_kinds_out}")


if __name__ == "__main__":
    main()
