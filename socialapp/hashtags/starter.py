"""The starter alias table shipped in data/concepts.csv, as (concept, displays, aliases).

Read by the data migration that installs it and by the tests that keep it consistent."""

import csv
from dataclasses import dataclass
from pathlib import Path

from .canonical import key_for

CONCEPTS_CSV = Path(__file__).resolve().parent / "data" / "concepts.csv"


@dataclass(frozen=True)
class StarterConcept:
    name: str
    display_en: str
    display_es: str
    aliases: dict[str, str]  # hashtag key -> language ("en", "es" or "" for any)


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
            concepts.append(StarterConcept(row["concept"], row["display_en"], row["display_es"], aliases))
    return concepts
