"""Reads for moderation. Moderators are staff or members of the "moderators" group."""

from pathlib import Path

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from socialapp.accounts.models import User

# Who moderates is decided in accounts, so the shop (below moderation) shares the rule.
from socialapp.accounts.selectors import MODERATORS_GROUP as MODERATORS_GROUP
from socialapp.accounts.selectors import is_moderator as is_moderator
from socialapp.photos.models import Photo

# Model versions and which concepts are blocked are the tagger's to say; the dashboard lists them.
from tagging import selectors as tagging_selectors
from tagging.models import ModelVersion
from tagging.selectors import blocked_concepts as blocked_concepts

from .models import Appeal, AuditEntry, Notice, Report


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
        raise Http404(_("No such post."))
    return photo


def own_hidden_photo(*, owner: User, photo_id: int) -> Photo:
    """One of the owner's hidden posts (to appeal). Raises Http404."""
    photo = Photo.objects.filter(pk=photo_id, owner=owner, is_hidden=True).first()
    if photo is None:
        raise Http404(_("No such hidden post."))
    return photo


def notices(*, user: User) -> QuerySet[Notice]:
    appealed = Appeal.objects.filter(photo=OuterRef("photo"))
    return Notice.objects.filter(user=user).select_related("photo").annotate(appealed=Exists(appealed))


def appeal_get(*, appeal_id: int) -> Appeal:
    appeal = Appeal.objects.select_related("photo__owner").filter(pk=appeal_id).first()
    if appeal is None:
        raise Http404(_("No such appeal."))
    return appeal


def open_appeals() -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(status=Appeal.Status.OPEN).select_related("photo__owner").order_by("created_at")
    )


def model_versions() -> QuerySet[ModelVersion]:
    return tagging_selectors.model_versions_with_lineage()


def hidden_notice(*, photo: Photo) -> Notice | None:
    """The notice that told the owner why `photo` is hidden (the latest), with whether
    they appealed; None for a post that is not hidden."""
    if not photo.is_hidden:
        return None
    return notices(user=photo.owner).filter(photo=photo, action="hidden").first()


def audit_recent(*, limit: int = 30) -> QuerySet[AuditEntry]:
    """The latest audit entries, newest first, with who acted."""
    return AuditEntry.objects.select_related("actor")[:limit]


def photos_for_moderation(*, photo_ids: list[int]) -> list[Photo]:
    """The posts among `photo_ids` (hidden ones included); unknown ids are left out."""
    return list(Photo.objects.filter(pk__in=photo_ids))


def model_version_get(*, name: str) -> ModelVersion:
    """A model version by name. Raises Http404."""
    try:
        return tagging_selectors.model_version_get(name=name)
    except ModelVersion.DoesNotExist:
        raise Http404(_("No such model version.")) from None


def model_plot_get(*, name: str, plot: str) -> str:
    """Where model version `name` keeps its plot file named `plot`. Raises Http404."""
    version = model_version_get(name=name)
    wanted = next((p for p in version.plots if Path(p).name == plot), None)
    if wanted is None:
        raise Http404(_("No such plot."))
    return wanted
