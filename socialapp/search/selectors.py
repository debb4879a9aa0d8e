"""Search across people, hashtags and listings, each scoped to what the viewer may see."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from socialapp.accounts.models import User
from socialapp.accounts.selectors import Viewer
from socialapp.hashtags.models import Hashtag
from socialapp.hashtags.selectors import hashtag_search
from socialapp.shop.models import Listing
from socialapp.shop.selectors import listing_search

MIN_QUERY = 1
LIMIT = 20


@dataclass(frozen=True)
class SearchResults:
    query: str
    users: list[User]
    hashtags: list[Hashtag]
    listings: list[Listing]


def user_search(*, viewer: Viewer, query: str) -> QuerySet[User]:
    """Active people whose username or display name contains `query`, minus blocks."""
    users = User.objects.filter(is_active=True).filter(
        Q(username__icontains=query) | Q(display_name__icontains=query)
    )
    if viewer.is_authenticated:
        users = users.exclude(blocks_made__blocked=viewer).exclude(blocks_received__blocker=viewer)
    return users.order_by("username")


def search(*, viewer: Viewer, query: str) -> SearchResults:
    """Up to LIMIT people, hashtags and listings matching `query` (empty for a blank query)."""
    query = query.strip()
    if len(query.lstrip("#")) < MIN_QUERY:
        return SearchResults(query, [], [], [])
    return SearchResults(
        query=query,
        users=list(user_search(viewer=viewer, query=query.lstrip("@#"))[:LIMIT]),
        hashtags=list(hashtag_search(query=query)[:LIMIT]),
        listings=list(listing_search(viewer=viewer, query=query.lstrip("#"))[:LIMIT]),
    )
