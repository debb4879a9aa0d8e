"""Writes for hashtags and concepts."""

import unicodedata
from collections.abc import Iterable

from django.db import transaction

from . import canonical, starter
from .extensions import concept_changed_hooks
from .models import Concept, ConceptAlias, Hashtag
from .selectors import concept_find


def hashtag_get_or_create(*, typed: str) -> Hashtag:
    """The canonical Hashtag for a tag as typed (`#Perros` -> `perro`), created with its
    concept from the alias table, or with a concept of its own when no alias matches."""
    name = canonical.canonical_name(typed)
    key = canonical.fold(name)
    hashtag = Hashtag.objects.filter(key=key).first()
    if hashtag is not None:
        return hashtag
    alias = ConceptAlias.objects.filter(key=key).select_related("concept").first()
    if alias is not None:
        concept = alias.concept
        name = spelled_as_concept(concept, key) or name
    else:
        concept, _created = Concept.objects.get_or_create(
            name=key, defaults={"display_en": name, "display_es": name}
        )
    hashtag, _created = Hashtag.objects.get_or_create(key=key, defaults={"name": name, "concept": concept})
    return hashtag


def spelled_as_concept(concept: Concept, key: str) -> str:
    """How `concept` spells the hashtag with `key`, where one of its names has that key:
    #Perros is `perro` (its Spanish name), #Reims is `reims`, not the singular the rules
    would make of a word they do not know. "" when none of its names has that key."""
    for display in (concept.display_en, concept.display_es):
        if display and canonical.key_for(display) == key:
            return unicodedata.normalize("NFC", display).lower()
    return ""


def concept_changed(*, concept: Concept) -> None:
    """An admin changed `concept`: once that is committed, the apps that wrote something
    from its names follow (extensions.concept_changed_hooks)."""

    def tell() -> None:
        for hook in concept_changed_hooks:
            hook(concept)

    transaction.on_commit(tell)


def concept_get_or_create(*, typed: str) -> Concept:
    """The concept a hashtag name means (see concept_find), or a new one of its own that
    the hashtag joins when someone first posts it (hashtag_get_or_create finds it by name)."""
    concept = concept_find(name=typed)
    if concept is not None:
        return concept
    name = canonical.canonical_name(typed.strip().lstrip("#").strip())
    concept, _created = Concept.objects.get_or_create(
        name=canonical.fold(name), defaults={"display_en": name, "display_es": name}
    )
    return concept


def hashtags_for_caption(*, caption: str) -> list[tuple[Hashtag, str]]:
    """(Hashtag, as typed) for each distinct tag in a caption. Raises ValueError past the
    per-post limit (callers turn it into a 400)."""
    typed_tags = canonical.parse(caption)
    if len(typed_tags) > canonical.MAX_PER_POST:
        raise ValueError(len(typed_tags))
    return [(hashtag_get_or_create(typed=typed), typed) for typed in typed_tags]


@transaction.atomic
def concept_aliases_apply(*, concept: Concept) -> int:
    """Point existing hashtags matching `concept`'s aliases at it (after an admin edits the
    table) and drop concepts left with neither hashtags nor aliases. Returns how many
    hashtags moved."""
    keys = list(concept.aliases.values_list("key", flat=True))
    moving = Hashtag.objects.filter(key__in=keys).exclude(concept=concept)
    old_concepts = set(moving.values_list("concept_id", flat=True))
    moved = moving.update(concept=concept)
    Concept.objects.filter(pk__in=old_concepts, hashtags__isnull=True, aliases__isnull=True).delete()
    return moved


@transaction.atomic
def concepts_install(*, concepts: Iterable[starter.StarterConcept]) -> list[Concept]:
    """Add a table of concepts (the format of data/concepts.csv) with their aliases, and
    move hashtags already posted under those aliases to them. Concepts that exist (an admin
    may have edited them) and alias keys another concept holds are left as they are, so a
    second run changes nothing, except that one without a Spanish name gets the table's
    (name_es, gender_es, plural_es, plural_en), one with the table's Spanish name but no
    gender the table's gender, and one without an English name in words its name_en.
    Returns the concepts created."""
    concepts = list(concepts)
    created = starter.install(Concept, ConceptAlias, concepts)
    starter.names_fill(Concept, concepts)
    starter.english_names_fill(Concept, concepts)
    starter.genders_fill(Concept, concepts)
    for concept in created:
        concept_aliases_apply(concept=concept)
    named = Concept.objects.in_bulk([c.pk for c in created])  # reloaded with their names
    return [named[c.pk] for c in created]
