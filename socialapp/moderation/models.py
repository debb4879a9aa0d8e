from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from socialapp.chat.models import Message
from socialapp.hashtags.models import Hashtag
from socialapp.photos.models import Photo


class Report(models.Model):
    """Someone flags a post, a hashtag or a person. One report per reporter and target."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        NUDITY = "nudity", _("Nudity or sexual content")
        HATE = "hate", _("Hate speech or symbols")
        HARASSMENT = "harassment", _("Bullying or harassment")
        VIOLENCE = "violence", _("Violence or dangerous acts")
        SCAM = "scam", _("Scam or fraud")
        FALSE_INFORMATION = "false_information", _("False information")
        OTHER = "other", _("Something else")
        BLOCKED_HASHTAG = "blocked_hashtag", _("Carries a blocked hashtag")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    # None: the system queued it (a blocked hashtag).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="reports_made"
    )
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, null=True, blank=True, related_name="reports")
    hashtag = models.ForeignKey(
        Hashtag, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reported_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reports_received",
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    details = models.TextField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        photo__isnull=False,
                        hashtag__isnull=True,
                        reported_user__isnull=True,
                        message__isnull=True,
                    )
                    | Q(
                        photo__isnull=True,
                        hashtag__isnull=False,
                        reported_user__isnull=True,
                        message__isnull=True,
                    )
                    | Q(
                        photo__isnull=True,
                        hashtag__isnull=True,
                        reported_user__isnull=False,
                        message__isnull=True,
                    )
                    | Q(
                        photo__isnull=True,
                        hashtag__isnull=True,
                        reported_user__isnull=True,
                        message__isnull=False,
                    )
                ),
                name="report_one_target",
            ),
            models.UniqueConstraint(
                fields=["reporter", "message"], condition=Q(message__isnull=False), name="report_once_message"
            ),
            models.UniqueConstraint(
                fields=["reporter", "photo"], condition=Q(photo__isnull=False), name="report_once_photo"
            ),
            models.UniqueConstraint(
                fields=["reporter", "hashtag"], condition=Q(hashtag__isnull=False), name="report_once_hashtag"
            ),
            models.UniqueConstraint(
                fields=["reporter", "reported_user"],
                condition=Q(reported_user__isnull=False),
                name="report_once_user",
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} ({self.reason}, {self.status})"


class AuditEntry(models.Model):
    """Who did what to which object, when and why, with the state before and after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    target_repr = models.CharField(max_length=200)
    reason = models.TextField()
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.target_type} {self.target_id}"

    def action_display(self) -> str:
        return str(AUDIT_ACTIONS.get(self.action, self.action))


# What the audit log says each recorded action did.
AUDIT_ACTIONS = {
    "hide": _("hid a post"),
    "restore": _("restored a post"),
    "delete": _("deleted a post"),
    "deny_appeal": _("kept a post hidden after an appeal"),
    "block_hashtag": _("blocked a hashtag"),
    "unblock_hashtag": _("unblocked a hashtag"),
    "activate_model": _("activated a model version"),
}


class Appeal(models.Model):
    """An owner's one request to restore a hidden post."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        GRANTED = "granted", _("Granted")
        DENIED = "denied", _("Denied")

    photo = models.OneToOneField(Photo, on_delete=models.CASCADE, related_name="appeal")
    text = models.TextField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Appeal for {self.photo_id} ({self.status})"


class Notice(models.Model):
    """What moderators did to someone's content, kept for their notices page."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="moderation_notices"
    )
    photo = models.ForeignKey(Photo, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=40)
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} for {self.user_id}"
