"""The concept table shipped in data/concepts.csv, as (concept, displays, aliases).

The table is generated from WordNet and Apertium by `python -m tagging.concepts_build`
(do not edit it by hand); the demo ships its own place names and niche concepts in the
same format (socialapp/demo/data/concepts.csv). Read by the data migrations that install
it, by hashtags.services.concepts_install and by the tests that keep it consistent.
Besides hashtags, a concept carries what alt text needs to name it the way a person
would (name_en, name_es, gender_es, plural_es, plural_en)."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .canonical import key_for

CONCEPTS_CSV = Path(__file__).resolve().parent / "data" / "concepts.csv"


@dataclass(frozen=True)
class StarterConcept:
    name: str
    display_en: str
    display_es: str
    aliases: dict[str, str]  # hashtag key -> language ("en", "es" or "" for any)
    name_es: str = ""  # the Spanish name in words ("puente colgante"); "" -> display_es
    gender_es: str = ""  # "m", "f" or "" when unknown
    plural_es: bool = False  # the Spanish name is a plural (alicates, gafas de sol)
    plural_en: bool = False  # the English name is a plural (pliers)
    name_en: str = ""  # the English name in words ("tape measure"); "" -> display_en


def starter_concepts(path: Path = CONCEPTS_CSV) -> list[StarterConcept]:
    """Parse the table. Raises ValueError if one hashtag key would mean two concepts."""
    owner: dict[str, str] = {}
    concepts = []
    with path.open(encoding="utf-8", newline="") as file:
        for row in csv.DictReader(file):
            aliases: dict[str, str] = {}
            for language, column in (("en", "aliases_en"), ("es", "aliases_es"), ("", "aliases_any")):
                for alias in (row[column] or "").split():
                    key = key_for(alias)
                    if owner.setdefault(key, row["concept"]) != row["concept"]:
                        raise ValueError(f"#{alias} means both {owner[key]} and {row['concept']}")
                    aliases.setdefault(key, language)
            concepts.append(
                StarterConcept(
                    row["concept"],
                    row["display_en"],
                    row["display_es"],
                    aliases,
                    row.get("name_es") or "",
                    row.get("gender_es") or "",
                    row.get("plural_es") == "1",
                    row.get("plural_en") == "1",
                    row.get("name_en") or "",
                )
            )
    return concepts


def install(concept_model: Any, alias_model: Any, concepts: Iterable[StarterConcept]) -> list[Any]:
    """Create the concepts not there yet, with their aliases whose keys no concept holds.
    Existing concepts (an admin may have edited them) and their aliases are left alone.
    Takes the model classes so that data migrations can pass their historical models.
    Returns the concepts created."""
    existing = set(concept_model.objects.values_list("name", flat=True))
    new = [c for c in concepts if c.name not in existing]
    concept_model.objects.bulk_create(
        [concept_model(name=c.name, display_en=c.display_en, display_es=c.display_es) for c in new],
        batch_size=500,
    )
    names = {c.name for c in new}
    created = {c.name: c for c in concept_model.objects.all() if c.name in names}
    taken = set(alias_model.objects.values_list("key", flat=True))
    alias_model.objects.bulk_create(
        [
            alias_model(concept=created[c.name], key=key, language=language)
            for c in new
            for key, language in c.aliases.items()
            if key not in taken
        ],
        batch_size=500,
    )
    return [created[c.name] for c in new]


def names_fill(concept_model: Any, concepts: Iterable[StarterConcept]) -> int:
    """Give the table's concepts that have no Spanish name yet (created before the table
    carried one, or just now by `install`) their name_es, gender_es, plural_es and
    plural_en. A name an admin set is left alone. Takes the model class for data
    migrations. Returns how many concepts were filled."""
    return _fill(concept_model, concepts, ["name_es", "gender_es", "plural_es", "plural_en"])


def english_names_fill(concept_model: Any, concepts: Iterable[StarterConcept]) -> int:
    """Give the table's concepts that have no English name in words yet their name_en
    ("tape measure" for #tapemeasure). A name an admin set is left alone. Takes the model
    class for data migrations. Returns how many concepts were filled."""
    return _fill(concept_model, concepts, ["name_en"])


def genders_fill(concept_model: Any, concepts: Iterable[StarterConcept]) -> int:
    """Give the table's concepts that have a Spanish name but no gender the table's
    gender for that same name (the table learnt more genders after they were filled).
    A name or gender an admin set is left alone. Takes the model class for data
    migrations. Returns how many concepts were filled."""
    table = {(c.name, c.name_es): c.gender_es for c in concepts if c.name_es and c.gender_es}
    names = list({name for name, _ in table})
    rows = [
        row
        for row in concept_model.objects.filter(name__in=names, gender_es="").exclude(name_es="")
        if (row.name, row.name_es) in table
    ]
    for row in rows:
        row.gender_es = table[(row.name, row.name_es)]
    concept_model.objects.bulk_update(rows, ["gender_es"], batch_size=500)
    return len(rows)


def _fill(concept_model: Any, concepts: Iterable[StarterConcept], fields: list[str]) -> int:
    """Copy `fields` from the table to the concepts whose first field (the name) is
    empty, where the table has that name. Separate from install() so that a migration
    written before a field existed never names it."""
    name = fields[0]
    table = {c.name: c for c in concepts if getattr(c, name)}
    rows = list(concept_model.objects.filter(name__in=list(table), **{name: ""}))
    for row in rows:
        for field in fields:
            setattr(row, field, getattr(table[row.name], field))
    concept_model.objects.bulk_update(rows, fields, batch_size=500)
    return len(rows)
