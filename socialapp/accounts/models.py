import hashlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .usernames import SKELETON_MAX_LENGTH, username_skeleton


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")


def avatar_upload_to(user: "User", filename: str) -> str:
    return f"avatars/{user.pk}/{filename}"


class User(AbstractUser):
    email = models.EmailField(_("email address"), blank=True)
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    bio = models.TextField(_("bio"), max_length=500, blank=True)
    # Indexed: socialapp.media finds whose avatar a requested file is by its name.
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_to, blank=True, db_index=True)
    language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    is_private = models.BooleanField(
        _("private account"),
        default=False,
        help_text=_("Only approved followers see your posts. Private photos never train the tagger."),
    )
    training_consent = models.BooleanField(_("let my public photos improve tagging"), default=False)
    training_consent_changed_at = models.DateTimeField(null=True, blank=True)
    # What the username looks like (usernames.username_skeleton); unique, so no two
    # accounts can ever have look-alike names, whichever way they were created.
    username_skeleton = models.CharField(
        _("username skeleton"), max_length=SKELETON_MAX_LENGTH, unique=True, editable=False
    )
    # Mixed into the session hash: raising it ends every session signed in before
    # ("sign out everywhere") without touching the password.
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Derived data, not a rule: the column must follow the name on every path (sign-up,
        # admin, createsuperuser, fixtures) or its unique index would protect nothing.
        # "<skeleton>#<id>" marks a look-alike that predates the rule (migration 0002); it
        # keeps its mark until the name changes.
        skeleton = username_skeleton(self.username)
        if self.username_skeleton.partition("#")[0] != skeleton:
            self.username_skeleton = skeleton
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_skeleton"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("profile", kwargs={"username": self.username})

    def get_session_auth_hash(self) -> str:
        return self._with_session_generation(super().get_session_auth_hash())

    def get_session_auth_fallback_hash(self) -> Iterator[str]:
        for fallback in super().get_session_auth_fallback_hash():
            yield self._with_session_generation(fallback)

    def _with_session_generation(self, password_hash: str) -> str:
        # Generation 0 keeps Django's own hash, so sessions from before this field stay
        # valid. No secret needed: the password hash is already an HMAC with one, and a
        # session signed with a SECRET_KEY_FALLBACKS key must still match its fallback.
        if not self.session_generation:
            return password_hash
        return hashlib.sha256(f"{password_hash}:{self.session_generation}".encode()).hexdigest()

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def contributes_to_training(self) -> bool:
        """Private accounts never feed training, whatever the consent says."""
        return self.training_consent and not self.is_private and self.is_active


class Follow(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set"
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set"
    )
    status = models.CharField(max_length=8, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_unique_pair"),
            models.CheckConstraint(condition=~Q(follower=models.F("followee")), name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["followee", "status"])]

    def __str__(self) -> str:
        return f"{self.follower} -> {self.followee} ({self.status})"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(condition=~Q(blocker=models.F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"
