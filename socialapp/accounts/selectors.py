"""Reads for accounts. Every lookup is scoped to what the viewer may see."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Block, Follow, User

Viewer = User | AnonymousUser

MODERATORS_GROUP = "moderators"


def is_moderator(user: Viewer) -> bool:
    """Staff or a member of the "moderators" group: who may see and act on hidden content."""
    return bool(
        user.is_authenticated and (user.is_staff or user.groups.filter(name=MODERATORS_GROUP).exists())
    )


def is_blocked_between(a: Viewer, b: User) -> bool:
    if not a.is_authenticated:
        return False
    return Block.objects.filter(Q(blocker=a, blocked=b) | Q(blocker=b, blocked=a)).exists()


def user_get_active(*, username: str) -> User:
    """An active account by username. Raises Http404."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Http404(_("No such user."))
    return user


def user_get_visible(*, viewer: Viewer, username: str) -> User:
    """The profile `username` as `viewer` may see it. Raises Http404 for unknown,
    inactive, or blocked in either direction (a block hides that the account exists)."""
    user = user_get_active(username=username)
    if viewer.is_authenticated and user.pk != viewer.pk and is_blocked_between(viewer, user):
        raise Http404(_("No such user."))
    return user


def follow_status(*, viewer: Viewer, user: User) -> str | None:
    """'accepted', 'pending' or None: how `viewer` follows `user`."""
    if not viewer.is_authenticated:
        return None
    return Follow.objects.filter(follower=viewer, followee=user).values_list("status", flat=True).first()


def can_see_posts(*, viewer: Viewer, owner: User) -> bool:
    """Whether `viewer` may see `owner`'s posts: public and unblocked, or an approved follower."""
    if viewer.is_authenticated and viewer.pk == owner.pk:
        return True
    if is_blocked_between(viewer, owner):
        return False
    if not owner.is_private:
        return True
    return follow_status(viewer=viewer, user=owner) == Follow.Status.ACCEPTED


def visible_owner_q(*, viewer: Viewer, owner_field: str = "owner") -> Q:
    """A filter for rows whose `owner_field` is someone whose posts `viewer` may see:
    active, not blocked either way, and public, followed with approval, or the viewer."""
    owner = OuterRef(f"{owner_field}_id")
    active = Q(**{f"{owner_field}__is_active": True})
    public = Q(**{f"{owner_field}__is_private": False})
    if not viewer.is_authenticated:
        return active & public
    approved = Follow.objects.filter(follower=viewer, followee=owner, status=Follow.Status.ACCEPTED)
    blocked = Block.objects.filter(Q(blocker=viewer, blocked=owner) | Q(blocker=owner, blocked=viewer))
    mine = Q(**{f"{owner_field}_id": viewer.pk})
    return active & ~Exists(blocked) & (mine | public | Exists(approved))


def follow_requests_pending(*, user: User) -> QuerySet[Follow]:
    """Requests waiting for `user` to approve, oldest first."""
    return (
        Follow.objects.filter(followee=user, status=Follow.Status.PENDING)
        .select_related("follower")
        .order_by("created_at", "pk")
    )


def follow_request_get(*, user: User, request_id: int) -> Follow:
    """A pending request addressed to `user`. Raises Http404 otherwise."""
    follow = follow_requests_pending(user=user).filter(pk=request_id).first()
    if follow is None:
        raise Http404(_("No such follow request."))
    return follow


def followers(*, user: User) -> QuerySet[User]:
    return User.objects.filter(
        following_set__followee=user, following_set__status=Follow.Status.ACCEPTED, is_active=True
    ).order_by("username")


def following(*, user: User) -> QuerySet[User]:
    return User.objects.filter(
        follower_set__follower=user, follower_set__status=Follow.Status.ACCEPTED, is_active=True
    ).order_by("username")


def blocked_users(*, user: User) -> QuerySet[User]:
    return User.objects.filter(blocks_received__blocker=user).order_by("username")


def blocked_user_get(*, blocker: User, username: str) -> User:
    """Someone `blocker` has blocked. Raises Http404."""
    user = blocked_users(user=blocker).filter(username=username).first()
    if user is None:
        raise Http404(_("You have not blocked this account."))
    return user


@dataclass(frozen=True)
class ProfileSummary:
    user: User
    followers_count: int
    following_count: int
    follow_status: str | None
    can_see_posts: bool


def profile_summary(*, viewer: Viewer, user: User) -> ProfileSummary:
    """Counts and the viewer's relation to `user`, for profile pages and the API."""
    return ProfileSummary(
        user=user,
        followers_count=followers(user=user).count(),
        following_count=following(user=user).count(),
        follow_status=follow_status(viewer=viewer, user=user),
        can_see_posts=can_see_posts(viewer=viewer, owner=user),
    )


def people_to_discover(*, viewer: Viewer) -> QuerySet[User]:
    """Active accounts to follow: never staff (the site's own accounts), nor the viewer,
    someone they follow or asked to, or anyone across a block. Those with the most shown
    posts come first, then the newest."""
    people = User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
    if viewer.is_authenticated:
        people = (
            people.exclude(pk=viewer.pk)
            .exclude(follower_set__follower=viewer)
            .exclude(blocks_made__blocked=viewer)
            .exclude(blocks_received__blocker=viewer)
        )
    shown = Count("photos", filter=Q(photos__is_hidden=False))
    return people.annotate(shown_posts=shown).order_by("-shown_posts", "-date_joined", "pk")
