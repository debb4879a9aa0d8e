"""Search across people, hashtags and listings, each scoped to what the viewer may see."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from socialapp.accounts.models import User
from socialapp.accounts.selectors import Viewer
from socialapp.hashtags.selectors import hashtag_matches
from socialapp.photos.selectors import concept_post_counts
from socialapp.shop.models import Listing
from socialapp.shop.selectors import listing_search

MIN_QUERY = 1
LIMIT = 20


@dataclass(frozen=True)
class HashtagHit:
    name: str
    uses: int  # posts the viewer may see, as the hashtag's page counts them


@dataclass(frozen=True)
class SearchResults:
    query: str
    users: list[User]
    hashtags: list[HashtagHit]
    listings: list[Listing]


def user_search(*, viewer: Viewer, query: str) -> QuerySet[User]:
    """Active people whose username or display name contains `query`, minus blocks."""
    users = User.objects.filter(is_active=True).filter(
        Q(username__icontains=query) | Q(display_name__icontains=query)
    )
    if viewer.is_authenticated:
        users = users.exclude(blocks_made__blocked=viewer).exclude(blocks_received__blocker=viewer)
    return users.order_by("username")


def hashtag_search(*, viewer: Viewer, query: str) -> list[HashtagHit]:
    """One hashtag per concept matching `query` in any spelling (plural, accents, English
    or Spanish alias), most used first. `uses` counts the posts `viewer` may see, the
    number the hashtag page shows; a hashtag no such post carries is not listed, so search
    never tells strangers what private accounts tag."""
    matches = hashtag_matches(query=query)
    counts = concept_post_counts(viewer=viewer, concept_ids=[h.concept_id for h in matches])
    hits = [HashtagHit(h.name, counts[h.concept_id]) for h in matches if h.concept_id in counts]
    return sorted(hits, key=lambda hit: (-hit.uses, hit.name))


def search(*, viewer: Viewer, query: str) -> SearchResults:
    """Up to LIMIT people, hashtags and listings matching `query` (empty for a blank query)."""
    query = query.strip()
    if len(query.lstrip("#")) < MIN_QUERY:
        return SearchResults(query, [], [], [])
    return SearchResults(
        query=query,
        users=list(user_search(viewer=viewer, query=query.lstrip("@#"))[:LIMIT]),
        hashtags=hashtag_search(viewer=viewer, query=query)[:LIMIT],
        listings=list(listing_search(viewer=viewer, query=query.lstrip("#"))[:LIMIT]),
    )
