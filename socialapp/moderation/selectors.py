"""Reads for moderation. Moderators are staff or members of the "moderators" group."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from socialapp.accounts.models import User

# Who moderates is decided in accounts, so the shop (below moderation) shares the rule.
from socialapp.accounts.selectors import MODERATORS_GROUP as MODERATORS_GROUP
from socialapp.accounts.selectors import is_moderator as is_moderator
from socialapp.photos.models import Photo
from tagging.models import ConceptStat, ModelVersion
from tagging.selectors import effective_status_q

from .models import Appeal, Notice, Report


def moderation_queue(
    *, status: str = Report.Status.OPEN, reason: str = "", hashtag: str = ""
) -> QuerySet[Photo]:
    """Reported posts with their report counts, most reported first."""
    reports = Q(reports__status=status)
    if reason:
        reports &= Q(reports__reason=reason)
    photos = (
        Photo.objects.filter(reports)
        .annotate(report_count=Count("reports", filter=reports, distinct=True))
        .select_related("owner")
        .prefetch_related("hashtag_links__hashtag", "reports")
    )
    if hashtag:
        photos = photos.filter(hashtags__name=hashtag)
    return photos.order_by("-report_count", "-created_at").distinct()


def photo_for_moderation(*, photo_id: int) -> Photo:
    """Any post, hidden or not. Raises Http404."""
    photo = Photo.objects.select_related("owner").filter(pk=photo_id).first()
    if photo is None:
        raise Http404("No such post.")
    return photo


def own_hidden_photo(*, owner: User, photo_id: int) -> Photo:
    """One of the owner's hidden posts (to appeal). Raises Http404."""
    photo = Photo.objects.filter(pk=photo_id, owner=owner, is_hidden=True).first()
    if photo is None:
        raise Http404("No such hidden post.")
    return photo


def notices(*, user: User) -> QuerySet[Notice]:
    appealed = Appeal.objects.filter(photo=OuterRef("photo"))
    return Notice.objects.filter(user=user).select_related("photo").annotate(appealed=Exists(appealed))


def appeal_get(*, appeal_id: int) -> Appeal:
    appeal = Appeal.objects.select_related("photo__owner").filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404("No such appeal.")
    return appeal


def open_appeals() -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(status=Appeal.Status.OPEN).select_related("photo__owner").order_by("created_at")
    )


def blocked_concepts() -> QuerySet[ConceptStat]:
    return (
        ConceptStat.objects.filter(effective_status_q(ConceptStat.Status.BLOCKED))
        .select_related("concept")
        .order_by("concept__name")
    )


def model_versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.annotate(lineage=Count("trained_on")).order_by("-created_at")
