from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something that happened to someone's account or posts, for their bell and list."""

    class Kind(models.TextChoices):
        LIKE = "like", _("Likes")
        COMMENT = "comment", _("Comments")
        FOLLOW = "follow", _("New followers")
        FOLLOW_REQUEST = "follow_request", _("Follow requests")
        FOLLOW_ACCEPTED = "follow_accepted", _("Accepted follow requests")
        MENTION = "mention", _("Mentions")
        SUGGESTIONS = "suggestions", _("Hashtag suggestions ready")
        MODERATION = "moderation", _("Moderation notices")
        # Never a row: the bell counts conversations with unread messages from chat's read
        # marks (notifications.selectors), so a message costs chat no extra write. Muting
        # it keeps them off the bell and the notifications page.
        MESSAGES = "messages", _("Messages")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # Who did it (none for the tagger and moderators, who act as the site).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    photo = models.ForeignKey(
        "photos.Photo", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=200, blank=True)  # the comment, mention or reason, shortened
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            models.Index(
                fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationMute(models.Model):
    """A kind of notification someone turned off in their settings."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Notification.Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_mute_once")]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.kind}"
