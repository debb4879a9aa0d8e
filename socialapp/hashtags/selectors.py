"""Reads for hashtags."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from socialapp.accounts.selectors import visible_owner_q

from . import canonical
from .models import Hashtag


def hashtag_get(*, name: str) -> Hashtag:
    """A hashtag by any spelling of it (`Café`, `cafe`, `#cafés`). Raises Http404."""
    hashtag = Hashtag.objects.select_related("concept").filter(key=canonical.key_for(name)).first()
    if hashtag is None:
        raise Http404("No posts carry this hashtag yet.")
    return hashtag


def concept_hashtag_ids(*, hashtag: Hashtag) -> list[int]:
    """Ids of every hashtag meaning the same concept (#dog finds #perro too)."""
    return list(Hashtag.objects.filter(concept_id=hashtag.concept_id).values_list("pk", flat=True))


def hashtag_search(*, query: str) -> QuerySet[Hashtag]:
    """Hashtags whose key starts with the query's key, most used first. `uses` counts the
    posts anyone may see, and a hashtag only private or hidden posts carry is not listed:
    search must not tell strangers what private accounts tag."""
    key = canonical.fold(query.lstrip("#").strip())
    public = visible_owner_q(viewer=AnonymousUser(), owner_field="photo_links__photo__owner") & Q(
        photo_links__photo__is_hidden=False
    )
    return (
        Hashtag.objects.filter(key__startswith=key)
        .annotate(uses=Count("photo_links", filter=public))
        .filter(uses__gt=0)
        .order_by("-uses", "name")
    )
