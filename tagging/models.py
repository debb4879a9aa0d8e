from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socialapp.hashtags.models import Concept
from socialapp.photos.models import Photo


class ModelVersion(models.Model):
    """A trained tagger: its head lives in MODELS_DIR/<folder>, its lineage here."""

    name = models.CharField(max_length=20, unique=True)  # v1, v2, ...
    backbone = models.CharField(max_length=100)  # backbone version the embeddings came from
    folder = models.CharField(max_length=200, help_text=_("Relative to MODELS_DIR."))
    vocabulary = models.JSONField(default=list)  # concept names, in head order
    metrics = models.JSONField(default=dict)
    plots = models.JSONField(default=list)  # PNG paths relative to MODELS_DIR
    is_active = models.BooleanField(default=False)
    trained_on = models.ManyToManyField(Photo, related_name="model_versions", blank=True)
    trained_photo_count = models.PositiveIntegerField(default=0)  # as trained, even after deletions
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_tagger"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def hit_at_5(self) -> float | None:
        return self.metrics.get("hashtags", {}).get("hit@5")

    @property
    def plot_names(self) -> list[str]:
        return [name.rsplit("/", 1)[-1] for name in self.plots]


class ConceptStat(models.Model):
    """What the last vocabulary build learned about a concept, and the admins' say."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        NON_VISUAL = "non_visual", _("Non-visual")
        RARE = "rare", _("Too rare")
        BLOCKED = "blocked", _("Blocked")

    concept = models.OneToOneField(Concept, on_delete=models.CASCADE, related_name="stat")
    count = models.PositiveIntegerField(default=0)
    visualness = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RARE)
    override = models.CharField(
        max_length=10,
        choices=Status.choices,
        blank=True,
        help_text=_("Set to overrule the computed status (e.g. mark a tag non-visual or visual)."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-count", "concept__name"]

    def __str__(self) -> str:
        return f"{self.concept} ({self.effective_status})"

    @property
    def effective_status(self) -> str:
        return self.override or self.status


class PhotoSuggestion(models.Model):
    """A hashtag the tagger suggested for a photo, and what its owner decided."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="suggestions")
    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="suggestions")
    hashtag = models.CharField(max_length=100)  # as shown, in the owner's language
    score = models.FloatField()
    # What the photo alone says of it, before its caption's evidence was blended in (0: the
    # caption alone suggested it), so the chips can follow an edited caption and the
    # autocomplete counts the caption once.
    photo_score = models.FloatField()
    rank = models.PositiveSmallIntegerField()
    # Its rank among what the photo alone suggested (None: the caption alone suggested it),
    # where an edited caption puts it back.
    photo_rank = models.PositiveSmallIntegerField(null=True, blank=True)
    model_version = models.CharField(max_length=40)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["photo", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["photo", "concept", "model_version"], name="suggestion_unique_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.hashtag} for {self.photo_id} ({self.state})"


class ShopSuggestion(models.Model):
    """The shop category the tagger suggested for a photo."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="shop_suggestions")
    category = models.CharField(max_length=20)
    score = models.FloatField()
    model_version = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["photo", "model_version"], name="shop_suggestion_unique_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.category} for {self.photo_id}"


class AltTextRewrite(models.Model):
    """An admin changed a concept's names: the tagger's alt texts that may name it are to
    be written again. Kept until a rewrite that began after `requested_at` is done, so a
    request whose task never reached a worker (broker down) is queued again by the sweep."""

    concept = models.OneToOneField(Concept, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)  # when its task was last sent

    def __str__(self) -> str:
        return f"alt texts naming {self.concept}"


# How long a DraftAnalysis is kept: a caption is written in minutes; an hour covers a slow one.
DRAFT_ANALYSIS_KEPT = timedelta(hours=1)


class DraftAnalysis(models.Model):
    """What the tagger sees in a photo someone is about to post, while they write its
    caption: the new-post form sends a small copy as soon as a photo is chosen, and the
    hashtag autocomplete blends these scores (`analysis=`) as it does a post's own
    (`photo=`). Never a post: nobody else sees it, it trains nothing, and it is gone
    DRAFT_ANALYSIS_KEPT after it was made (services.drafts.draft_analyses_delete_expired)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The grid-sized copy the tagger reads (what a post's analysis reads too), emptied
    # once it has been analysed.
    image = models.BinaryField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    scores = models.JSONField(default=dict, blank=True)  # concept -> what the photo alone says
    model_version = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # When its task was last sent (services.draft_analyses_requeue_stuck queues one still
    # pending a DRAFT_ANALYSIS_TIME_LIMIT later again: a broker outage lost its message).
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "draft analyses"

    def __str__(self) -> str:
        return f"draft analysis {self.pk} ({self.status})"
