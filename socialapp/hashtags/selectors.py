"""Reads for hashtags."""

from django.db.models import Count, Q
from django.http import Http404
from django.utils.translation import gettext as _

from . import canonical
from .models import Concept, ConceptAlias, Hashtag

MATCHES_MAX = 500  # a one-letter query would otherwise load every hashtag


def hashtag_get(*, name: str) -> Hashtag:
    """A hashtag by any spelling of it (`Café`, `cafe`, `#cafés`). Raises Http404."""
    hashtag = Hashtag.objects.select_related("concept").filter(key=canonical.key_for(name)).first()
    if hashtag is None:
        raise Http404(_("No posts carry this hashtag yet."))
    return hashtag


def concept_hashtag_ids(*, hashtag: Hashtag) -> list[int]:
    """Ids of every hashtag meaning the same concept (#dog finds #perro too)."""
    return list(Hashtag.objects.filter(concept_id=hashtag.concept_id).values_list("pk", flat=True))


def hashtag_find(*, name: str) -> Hashtag | None:
    """The hashtag a page for `name` shows: the one spelled that way (any plural, case or
    accents), else the most used one of the concept `name` is an alias of (#herramientas
    shows #tool). None when no post carries any of them yet."""
    key = canonical.key_for(name)
    hashtags = Hashtag.objects.select_related("concept")
    found = hashtags.filter(key=key).first()
    if found is None:
        concepts = ConceptAlias.objects.filter(key=key).values("concept_id")
        found = (
            hashtags.filter(concept_id__in=concepts)
            .annotate(uses=Count("photo_links"))
            .order_by("-uses", "name")
            .first()
        )
    return found


def concept_find(*, name: str) -> Concept | None:
    """The concept a hashtag name means, however it is known: a hashtag posts carry, an
    alias, or a concept only the tagger suggests (`abrelatas`). None for a new name."""
    typed = name.strip().lstrip("#").strip()
    key = canonical.key_for(typed)
    hashtag = Hashtag.objects.select_related("concept").filter(key=key).first()
    if hashtag is not None:
        return hashtag.concept
    alias = ConceptAlias.objects.select_related("concept").filter(key=key).first()
    if alias is not None:
        return alias.concept
    spellings = {typed.lower(), canonical.canonical_name(typed), canonical.fold(typed), key}
    return (
        Concept.objects.filter(
            Q(name__in=spellings) | Q(display_en__in=spellings) | Q(display_es__in=spellings)
        )
        .order_by("pk")
        .first()
    )


def _query_keys(query: str) -> set[str]:
    """The keys a typed query may start: as typed (`tool` while typing `tools`) and
    canonical (`tools` -> `tool`, `#Cafés` -> `cafe`)."""
    typed = query.strip().lstrip("#").strip()
    return {key for key in (canonical.fold(typed), canonical.key_for(typed)) if key}


def hashtag_matches(*, query: str) -> list[Hashtag]:
    """One hashtag per concept whose hashtags or aliases start with the query, in any of
    its spellings (plural, accents, English or Spanish). The hashtag shown for a concept
    is the one spelled as typed, else one starting with the query, else the shortest."""
    keys = _query_keys(query)
    if not keys:
        return []
    starts = Q()
    for key in keys:
        starts |= Q(key__startswith=key)
    aliased = ConceptAlias.objects.filter(starts).values("concept_id")
    exact = canonical.key_for(query.strip().lstrip("#").strip())

    def rank(hashtag: Hashtag) -> tuple[bool, bool, int, str]:
        return (
            hashtag.key != exact,
            not hashtag.key.startswith(tuple(keys)),
            len(hashtag.name),
            hashtag.name,
        )

    best: dict[int, Hashtag] = {}
    candidates = Hashtag.objects.filter(starts | Q(concept_id__in=aliased)).select_related("concept")
    for hashtag in candidates.order_by("key")[:MATCHES_MAX]:
        current = best.get(hashtag.concept_id)
        if current is None or rank(hashtag) < rank(current):
            best[hashtag.concept_id] = hashtag
    return list(best.values())
