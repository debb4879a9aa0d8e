from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from socialapp.hashtags.models import Hashtag
from socialapp.uploads import StoredImage


class Photo(StoredImage):
    class TaggingStatus(models.TextChoices):
        NOT_STARTED = "not_started", _("Not analysed")
        PENDING = "pending", _("Analysing")
        READY = "ready", _("Suggestions ready")
        FAILED = "failed", _("Analysis failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="photos")
    caption = models.TextField(_("caption"), max_length=2200, blank=True)
    alt_text = models.CharField(_("alt text"), max_length=300, blank=True)
    # Whether the owner wrote alt_text; otherwise it is the tagger's, rewritten as the
    # post's suggestions change (and readable in other languages from them).
    alt_text_by_owner = models.BooleanField(_("alt text by the owner"), default=False)
    hashtags = models.ManyToManyField(Hashtag, through="PhotoHashtag", related_name="photos")
    tagging_status = models.CharField(
        max_length=12, choices=TaggingStatus.choices, default=TaggingStatus.NOT_STARTED
    )
    tagging_reason = models.CharField(max_length=300, blank=True)
    tagging_model_version = models.CharField(max_length=40, blank=True)  # of the current suggestions
    # When the analysis was last queued: a pending one older than its time limit is stuck
    # (its message was lost, or its worker died) and is queued again.
    tagging_queued_at = models.DateTimeField(null=True, blank=True)
    # The Celery worker (node name) that started the pending analysis, and when: a worker
    # starting under that name queues it again, as the one that started it died.
    tagging_worker = models.CharField(max_length=155, blank=True)
    tagging_started_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a moderator: gone from every public surface and from training data.
    is_hidden = models.BooleanField(default=False)
    # 64-bit difference hash, so near-duplicates stay on one side of a train/val split.
    perceptual_hash = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["owner", "-created_at"])]

    def __str__(self) -> str:
        return f"Photo {self.pk} by {self.owner_id}"

    def get_absolute_url(self) -> str:
        return reverse("photo", kwargs={"photo_id": self.pk})


class PhotoHashtag(models.Model):
    """A hashtag on a post, as its author typed it (or as a suggestion they accepted)."""

    class Source(models.TextChoices):
        CAPTION = "caption", _("Caption")
        SUGGESTION = "suggestion", _("Accepted suggestion")

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="hashtag_links")
    hashtag = models.ForeignKey(Hashtag, on_delete=models.PROTECT, related_name="photo_links")
    typed = models.CharField(max_length=100)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CAPTION)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["photo", "hashtag"], name="photohashtag_unique")]

    def __str__(self) -> str:
        return f"{self.photo_id} #{self.typed}"


class Like(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes")
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "photo"], name="like_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.photo_id}"


class Comment(models.Model):
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(max_length=2200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.photo_id}"
