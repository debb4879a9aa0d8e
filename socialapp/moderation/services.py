"""Writes for moderation: reports, hide / restore / delete with an audit trail, appeals."""

import zipfile
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from socialapp.accounts.models import User
from socialapp.chat.models import Message
from socialapp.hashtags import canonical
from socialapp.hashtags.models import Concept, Hashtag
from socialapp.hashtags.selectors import concept_find
from socialapp.hashtags.services import concept_get_or_create
from socialapp.notifications.models import Notification
from socialapp.notifications.services import notification_create, notification_send
from socialapp.photos.models import Photo
from socialapp.photos.services import photo_delete
from tagging.models import ModelVersion
from tagging.selectors import concept_blocked, photo_carries_blocked_concept
from tagging.services import (
    CONCEPT_BLOCKED,
    Activation,
    OverrideChange,
    concept_override_set,
    model_version_activate,
    neighbour_index_refresh,
)

from .models import Appeal, AuditEntry, Notice, Report


def report_create(
    *,
    reporter: User,
    reason: str,
    details: str = "",
    photo: Photo | None = None,
    hashtag: Hashtag | None = None,
    user: User | None = None,
    message: Message | None = None,
) -> tuple[Report, bool]:
    """Report one post, hashtag, person or chat message. Reporting the same thing again
    returns the first report. Returns (report, created). Raises ValidationError."""
    targets = [t for t in (photo, hashtag, user, message) if t is not None]
    if len(targets) != 1:
        raise ValidationError(_("Report exactly one thing: a post, a hashtag, a person or a message."))
    if reason not in Report.Reason.values or reason == Report.Reason.BLOCKED_HASHTAG:
        raise ValidationError(
            _("Choose a reason: %(reasons)s.") % {"reasons": ", ".join(Report.Reason.values)}
        )
    if user is not None and user.pk == reporter.pk:
        raise ValidationError(_("You cannot report yourself."))
    given = {"photo": photo, "hashtag": hashtag, "reported_user": user, "message": message}
    target: dict[str, Model | None] = {name: value for name, value in given.items() if value is not None}
    try:
        with transaction.atomic():
            return Report.objects.get_or_create(
                reporter=reporter, **target, defaults={"reason": reason, "details": details.strip()[:1000]}
            )
    except IntegrityError:  # a concurrent duplicate
        return Report.objects.get(reporter=reporter, **target), False


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: Model,
    reason: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> AuditEntry:
    """One audit-log row: who, when, what, why, before and after."""
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label,
        target_id=target.pk,
        target_repr=_describe(target)[:200],
        reason=reason,
        before=before,
        after=after,
    )


def _describe(target: Model) -> str:
    """How the audit log names a target: a post by its owner and caption, a hashtag's
    concept by the hashtags people see, never bare ids."""
    if isinstance(target, Photo):
        return f"@{target.owner.username}: {target.caption[:120]}".strip()
    if isinstance(target, Concept):
        names = dict.fromkeys((target.display_en, target.display_es, target.name))
        return " / ".join(f"#{name}" for name in names)
    return str(target)


def _required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Give a reason: the owner will see it."))
    return reason


def _notify_owner(photo: Photo, action: str, reason: str) -> None:
    Notice.objects.create(
        user_id=photo.owner_id, photo=photo if action != "deleted" else None, action=action, reason=reason
    )
    owner_id, photo_id = photo.owner_id, photo.pk
    transaction.on_commit(
        lambda: notification_send(
            user_id=owner_id,
            event={"type": "moderation.notice", "action": action, "photo_id": photo_id, "reason": reason},
        )
    )
    # After the event above, so its sockets hear the notice first and the new count next.
    notification_create(
        recipient=photo.owner,
        kind=Notification.Kind.MODERATION,
        photo=photo if action != "deleted" else None,
        text=reason,
    )


def _resolve_reports(photo: Photo) -> None:
    Report.objects.filter(photo=photo, status=Report.Status.OPEN).update(
        status=Report.Status.RESOLVED, resolved_at=timezone.now()
    )


def _set_hidden(moderator: User, photo: Photo, reason: str, hidden: bool) -> Photo:
    reason = _required(reason)
    before = {"is_hidden": photo.is_hidden}
    photo.is_hidden = hidden
    photo.save(update_fields=["is_hidden", "updated_at"])
    if hidden:  # a hidden post stops feeding the tagger's neighbour index
        transaction.on_commit(neighbour_index_refresh)
    _resolve_reports(photo)
    action = "hide" if hidden else "restore"
    audit_record(
        actor=moderator,
        action=action,
        target=photo,
        reason=reason,
        before=before,
        after={"is_hidden": hidden},
    )
    _notify_owner(photo, "hidden" if hidden else "restored", reason)
    return photo


@transaction.atomic
def photo_hide(*, moderator: User, photo: Photo, reason: str) -> Photo:
    """Hide a post from every public surface and from training; tell its owner why."""
    return _set_hidden(moderator, photo, reason, hidden=True)


@transaction.atomic
def photo_restore(*, moderator: User, photo: Photo, reason: str) -> Photo:
    """Show a hidden post again; tell its owner."""
    return _set_hidden(moderator, photo, reason, hidden=False)


@transaction.atomic
def photo_remove(*, moderator: User, photo: Photo, reason: str) -> None:
    """Delete a post for breaking the rules (files follow on commit); tell its owner."""
    reason = _required(reason)
    before = {"caption": photo.caption, "owner": photo.owner.username, "is_hidden": photo.is_hidden}
    audit_record(actor=moderator, action="delete", target=photo, reason=reason, before=before, after={})
    _notify_owner(photo, "deleted", reason)
    photo_delete(photo=photo)


def photos_bulk(*, moderator: User, photos: list[Photo], action: str, reason: str) -> int:
    """hide / restore / delete several posts with one reason. Returns how many."""
    operations = {"hide": photo_hide, "restore": photo_restore, "delete": photo_remove}
    if action not in operations:
        raise ValidationError(_("The action must be hide, restore or delete."))
    if not photos:
        raise ValidationError(_("Select at least one post."))
    _required(reason)
    with transaction.atomic():
        for photo in photos:
            operations[action](moderator=moderator, photo=photo, reason=reason)
    return len(photos)


def appeal_create(*, owner: User, photo: Photo, text: str) -> Appeal:
    """Ask once for a hidden post to come back. Raises ValidationError."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Say why the post should come back."))
    if Appeal.objects.filter(photo=photo).exists():
        raise ValidationError(_("You have already appealed for this post."))
    return Appeal.objects.create(photo=photo, text=text[:1000])


@transaction.atomic
def appeal_decide(*, moderator: User, appeal: Appeal, grant: bool, reason: str) -> Appeal:
    """Grant (the post is restored) or deny an open appeal; audited, owner told."""
    if appeal.status != Appeal.Status.OPEN:
        raise ValidationError(_("This appeal has been decided already."))
    appeal.status = Appeal.Status.GRANTED if grant else Appeal.Status.DENIED
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "decided_at"])
    if grant:
        photo_restore(moderator=moderator, photo=appeal.photo, reason=reason)
    else:
        reason = _required(reason)
        audit_record(
            actor=moderator, action="deny_appeal", target=appeal.photo, reason=reason, before={}, after={}
        )
        _notify_owner(appeal.photo, "appeal_denied", reason)
    return appeal


def photo_check_blocked(photo: Photo) -> Report | None:
    """Queue a post that carries a blocked hashtag (a report from the system)."""
    if not photo_carries_blocked_concept(photo=photo):
        return None
    report, _created = Report.objects.get_or_create(
        reporter=None, photo=photo, reason=Report.Reason.BLOCKED_HASHTAG, status=Report.Status.OPEN
    )
    return report


@transaction.atomic
def concept_block(*, moderator: User, concept: Concept, reason: str, block: bool = True) -> int:
    """Block (or unblock) a hashtag's concept: a blocked one is never suggested nor a
    training target, and every post carrying it goes to the queue. Returns how many
    posts were queued."""
    concept_override_set(
        concept=concept,
        override=CONCEPT_BLOCKED if block else "",
        actor=moderator,
        reason=_required(reason),
        source="moderation",
    )
    if not block:
        return 0
    photos = Photo.objects.filter(hashtags__concept=concept).distinct()
    return sum(1 for photo in photos if photo_check_blocked(photo) is not None)


@transaction.atomic
def hashtag_block(*, moderator: User, name: str, reason: str, block: bool = True) -> tuple[Concept, int]:
    """Block (or unblock) a hashtag by name, whether posts carry it, only the tagger
    suggests it (`abrelatas`) or nobody has used it yet (its concept is made, so the
    first post carrying it is queued). Returns (concept, posts queued). Raises
    ValidationError for a name that is not a hashtag, a missing reason, or unblocking a
    hashtag that is not blocked."""
    typed = name.strip().lstrip("#").strip()
    if not canonical.HASHTAG_PATTERN.fullmatch(f"#{typed}"):
        raise ValidationError(_("Write the hashtag to block, e.g. #spam."))
    _required(reason)
    if block:
        concept = concept_get_or_create(typed=typed)
    else:
        found = concept_find(name=typed)
        if found is None or not concept_blocked(concept=found):
            raise ValidationError(_("#%(name)s is not blocked.") % {"name": typed})
        concept = found
    return concept, concept_block(moderator=moderator, concept=concept, reason=reason, block=block)


def model_version_switch(*, moderator: User, version: ModelVersion, reason: str) -> ModelVersion:
    """Activate a model version (roll back or forward) through the tagger's one audited
    activation. Raises ValidationError without a reason."""
    return model_version_activate(
        version=version, actor=moderator, reason=_required(reason), source="moderation"
    )


def model_activation_audit(event: Activation) -> None:
    """The audit row for every model activation, whatever started it (registered in
    tagging's activation_auditors)."""
    audit_record(
        actor=event.actor,
        action="activate_model",
        target=event.version,
        reason=event.reason,
        before={"active": event.previous},
        after={"active": event.version.name, "source": event.source},
    )


def concept_override_audit(change: OverrideChange) -> None:
    """The audit row for every change to a concept's override, from the moderation page or
    the admin (registered in tagging's override_auditors)."""
    if change.after == CONCEPT_BLOCKED:
        action = "block_hashtag"
    elif change.before == CONCEPT_BLOCKED and not change.after:
        action = "unblock_hashtag"
    else:
        action = "override_concept"
    audit_record(
        actor=change.actor,
        action=action,
        target=change.concept,
        reason=change.reason,
        before={"override": change.before},
        after={"override": change.after, "source": change.source},
    )


def reports_export(user: User, archive: zipfile.ZipFile) -> None:
    """The export's moderation part: reports the user made, notices they got, and their
    appeals."""
    from socialapp.accounts.export import write_json

    write_json(
        archive,
        "reports.json",
        list(
            Report.objects.filter(reporter=user).values(
                "photo_id",
                "hashtag__name",
                "reported_user__username",
                "message_id",
                "reason",
                "details",
                "status",
                "created_at",
            )
        ),
    )
    write_json(
        archive,
        "notices.json",
        list(Notice.objects.filter(user=user).values("photo_id", "action", "reason", "created_at")),
    )
    write_json(
        archive,
        "appeals.json",
        list(
            Appeal.objects.filter(photo__owner=user)
            .order_by("created_at", "pk")
            .values("photo_id", "text", "status", "created_at", "decided_at")
        ),
    )
