"""Reads for photos. Every query goes through visible_photos, so a private or blocked
owner's post never leaks through a feed, a hashtag page, search, likes or comments."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from socialapp.accounts.models import Follow, User
from socialapp.accounts.selectors import Viewer, is_moderator, visible_owner_q
from socialapp.hashtags.models import Hashtag
from socialapp.hashtags.selectors import concept_hashtag_ids

from .models import Comment, Like, Photo, PhotoHashtag


def _visible(*, viewer: Viewer, include_hidden: bool = False) -> QuerySet[Photo]:
    photos = Photo.objects.filter(visible_owner_q(viewer=viewer))
    return photos if include_hidden else photos.exclude(_hidden_from(viewer))


def visible_photos(*, viewer: Viewer, include_hidden: bool = False) -> QuerySet[Photo]:
    """Photos `viewer` may see, with counts, the viewer's like and hashtags loaded.
    `include_hidden` keeps posts a moderator hid (for moderators reviewing them)."""
    photos = (
        _visible(viewer=viewer, include_hidden=include_hidden)
        .select_related("owner")
        .prefetch_related(
            Prefetch("hashtag_links", queryset=PhotoHashtag.objects.select_related("hashtag").order_by("pk"))
        )
        .annotate(like_count=Count("likes", distinct=True), comment_count=Count("comments", distinct=True))
    )
    if viewer.is_authenticated:
        return photos.annotate(liked=Exists(Like.objects.filter(photo=OuterRef("pk"), user=viewer)))
    return photos


def _hidden_from(viewer: Viewer) -> Q:
    """Hidden posts are gone for everyone but their owner."""
    if viewer.is_authenticated:
        return Q(is_hidden=True) & ~Q(owner=viewer)
    return Q(is_hidden=True)


def photo_get_visible(*, viewer: Viewer, photo_id: int, for_review: bool = False) -> Photo:
    """One photo `viewer` may see. Raises Http404 otherwise (never 403: a post you may
    not see does not exist for you). `for_review` (reading a post, not acting on it) also
    shows moderators a post they hid; liking or commenting on it stays the owner's."""
    photo = visible_photos(viewer=viewer).filter(pk=photo_id).first()
    if photo is None and for_review and is_moderator(viewer):
        photo = visible_photos(viewer=viewer, include_hidden=True).filter(pk=photo_id).first()
    if photo is None:
        raise Http404(_("No such post."))
    return photo


def photo_get_owned(*, owner: User, photo_id: int) -> Photo:
    """One of `owner`'s own photos. Raises Http404."""
    photo = visible_photos(viewer=owner).filter(pk=photo_id, owner=owner).first()
    if photo is None:
        raise Http404(_("No such post."))
    return photo


def photo_feed(*, viewer: User) -> QuerySet[Photo]:
    """The viewer's posts and those of people they follow (approved), newest first."""
    followed = Follow.objects.filter(
        follower=viewer, followee=OuterRef("owner_id"), status=Follow.Status.ACCEPTED
    )
    return (
        visible_photos(viewer=viewer)
        .filter(Exists(followed) | Q(owner=viewer))
        .order_by("-created_at", "-pk")
    )


def explore_photos(*, viewer: Viewer) -> QuerySet[Photo]:
    """Posts anyone may see here (public accounts, not hidden), newest first: what a
    first visit shows."""
    return visible_photos(viewer=viewer).filter(owner__is_private=False).order_by("-created_at", "-pk")


def profile_photos(*, viewer: Viewer, owner: User) -> QuerySet[Photo]:
    """`owner`'s grid as `viewer` sees it (empty for a private account they don't follow)."""
    return visible_photos(viewer=viewer).filter(owner=owner).order_by("-created_at", "-pk")


def profile_post_count(*, viewer: Viewer, owner: User) -> int:
    """How many posts `owner`'s profile says they have, as Instagram counts them: a
    private account's too, though its grid is closed to `viewer`; a post a moderator hid
    only for its owner."""
    return Photo.objects.filter(owner=owner).exclude(_hidden_from(viewer)).count()


def hashtag_photos(*, viewer: Viewer, hashtag: Hashtag) -> QuerySet[Photo]:
    """Visible posts carrying `hashtag` or any hashtag of its concept, newest first."""
    ids = concept_hashtag_ids(hashtag=hashtag)
    links = PhotoHashtag.objects.filter(photo=OuterRef("pk"), hashtag_id__in=ids)
    return visible_photos(viewer=viewer).filter(Exists(links)).order_by("-created_at", "-pk")


def concept_post_counts(*, viewer: Viewer, concept_ids: list[int]) -> dict[int, int]:
    """How many posts `viewer` may see carry a hashtag of each concept: the number the
    hashtag page shows (hashtag_photos), for many concepts in one query. Concepts no
    visible post carries are left out."""
    rows = (
        PhotoHashtag.objects.filter(
            hashtag__concept_id__in=concept_ids, photo__in=_visible(viewer=viewer).values("pk")
        )
        .values("hashtag__concept_id")
        .annotate(posts=Count("photo_id", distinct=True))
    )
    return {row["hashtag__concept_id"]: row["posts"] for row in rows}


def photo_hashtags(*, photo: Photo) -> QuerySet[PhotoHashtag]:
    """A post's hashtags in the order they joined it, each with its canonical Hashtag."""
    return photo.hashtag_links.select_related("hashtag").order_by("pk")


def photo_comments(*, photo: Photo) -> QuerySet[Comment]:
    return photo.comments.select_related("author").order_by("created_at", "pk")


def comment_get(*, photo: Photo, comment_id: int) -> Comment:
    comment = photo_comments(photo=photo).filter(pk=comment_id).first()
    if comment is None:
        raise Http404(_("No such comment."))
    return comment


def photo_likers(*, viewer: Viewer, photo: Photo) -> QuerySet[User]:
    """Who liked a photo, minus accounts hidden from the viewer by a block."""
    likers = User.objects.filter(likes__photo=photo, is_active=True)
    if viewer.is_authenticated:
        likers = likers.exclude(blocks_made__blocked=viewer).exclude(blocks_received__blocker=viewer)
    return likers.order_by("username")
