"""Writes for accounts: sign-up, profile, consent, follows, blocks, deletion."""

import uuid
from collections.abc import Callable
from typing import IO

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from socialapp.uploads import image_process

from .models import Block, Follow, Language, User
from .selectors import is_blocked_between

# Other apps register what deleting an account must also remove outside the database
# (photo and listing files, cached embeddings): each callable looks at the user before
# the rows go and returns the clean-up to run once the deletion is committed.
UserCleanup = Callable[[User], Callable[[], object]]
user_delete_cleanups: list[UserCleanup] = []

# Called (after commit) when someone's public photos stop feeding training — consent
# withdrawn or the account made private — so the tagger can drop what it kept of them.
training_stopped_hooks: list[Callable[[User], object]] = []


def _watch_training(user: User, contributed: bool) -> None:
    if contributed and not user.contributes_to_training:
        transaction.on_commit(lambda: [hook(user) for hook in training_stopped_hooks])


def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    language: str = Language.ENGLISH,
    training_consent: bool = False,
    display_name: str = "",
) -> User:
    """Create an account. Raises ValidationError for a taken name or a weak password."""
    if language not in Language.values:
        raise ValidationError(_("Language must be 'en' or 'es'."), code="language")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("That username is taken; choose another."), code="username_taken")
    user = User(
        username=username,
        email=email,
        language=language,
        display_name=display_name,
        training_consent=training_consent,
        training_consent_changed_at=timezone.now(),
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def user_update_profile(
    *,
    user: User,
    display_name: str | None = None,
    bio: str | None = None,
    language: str | None = None,
    is_private: bool | None = None,
    avatar: IO[bytes] | None = None,
) -> User:
    """Change profile fields that are given (None leaves a field as it is)."""
    contributed = user.contributes_to_training
    if language is not None and language not in Language.values:
        raise ValidationError(_("Language must be 'en' or 'es'."), code="language")
    processed = image_process(file=avatar, thumbnails=(320,)) if avatar is not None else None  # UploadError
    for field, value in (
        ("display_name", display_name),
        ("bio", bio),
        ("language", language),
        ("is_private", is_private),
    ):
        if value is not None:
            setattr(user, field, value)
    user.full_clean(exclude=["password", "avatar"])
    old_avatar = user.avatar.name if processed is not None else ""
    if processed is not None:
        user.avatar.save(f"{uuid.uuid4().hex}.jpg", ContentFile(processed.thumbnails[320]), save=False)
    with transaction.atomic():
        user.save()
        if is_private is False:
            # Going public accepts everyone who asked, as Instagram does.
            Follow.objects.filter(followee=user, status=Follow.Status.PENDING).update(
                status=Follow.Status.ACCEPTED, updated_at=timezone.now()
            )
    if old_avatar:
        storage = user.avatar.storage
        transaction.on_commit(lambda: storage.delete(old_avatar))
    _watch_training(user, contributed)
    return user


def user_set_training_consent(*, user: User, consent: bool) -> User:
    """Record the "let my public photos improve tagging" choice. Withdrawing removes the
    photos from all future training (and the tagger drops their cached embeddings)."""
    if user.training_consent != consent:
        contributed = user.contributes_to_training
        user.training_consent = consent
        user.training_consent_changed_at = timezone.now()
        user.save(update_fields=["training_consent", "training_consent_changed_at", "updated_at"])
        _watch_training(user, contributed)
    return user


def user_change_password(*, user: User, old_password: str, new_password: str) -> User:
    """Set a new password after checking the old one. Raises ValidationError."""
    if not user.check_password(old_password):
        raise ValidationError(_("Your old password was entered incorrectly."), code="wrong_password")
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password", "updated_at"])
    return user


def user_delete(*, user: User, password: str) -> None:
    """Delete an account with everything it owns (rows cascade, files follow on commit).

    Raises ValidationError when the password is wrong.
    """
    if not user.check_password(password):
        raise ValidationError(_("The password is not correct."), code="wrong_password")
    avatar = (user.avatar.storage, user.avatar.name) if user.avatar else None
    cleanups = [collect(user) for collect in user_delete_cleanups]
    with transaction.atomic():
        user.delete()
        transaction.on_commit(lambda: _after_delete(avatar, cleanups))


def _after_delete(avatar: tuple[Storage, str] | None, cleanups: list[Callable[[], object]]) -> None:
    if avatar is not None:
        avatar[0].delete(avatar[1])
    for cleanup in cleanups:
        cleanup()


def follow_create(*, follower: User, followee: User) -> Follow:
    """Follow someone: accepted at once for public accounts, a request for private ones.

    Following again returns the existing row. Raises ValidationError for yourself or a block.
    """
    if follower.pk == followee.pk:
        raise ValidationError(_("You cannot follow yourself."), code="self")
    if is_blocked_between(follower, followee):
        raise ValidationError(_("You cannot follow this account."), code="blocked")
    status = Follow.Status.PENDING if followee.is_private else Follow.Status.ACCEPTED
    follow, _created = Follow.objects.get_or_create(
        follower=follower, followee=followee, defaults={"status": status}
    )
    return follow


def follow_delete(*, follower: User, followee: User) -> bool:
    """Unfollow, or withdraw a request. Returns whether there was anything to remove."""
    deleted, _by_model = Follow.objects.filter(follower=follower, followee=followee).delete()
    return deleted > 0


def follow_request_approve(*, request: Follow) -> Follow:
    """Accept a pending request; approving twice is harmless."""
    if request.status != Follow.Status.ACCEPTED:
        request.status = Follow.Status.ACCEPTED
        request.save(update_fields=["status", "updated_at"])
    return request


def follow_request_decline(*, request: Follow) -> None:
    """Decline a pending request (the row goes; the person may ask again)."""
    if request.status != Follow.Status.PENDING:
        raise ValidationError(_("Only pending requests can be declined."), code="not_pending")
    request.delete()


def block_create(*, blocker: User, blocked: User) -> Block:
    """Block someone: follows in both directions end. Blocking twice is harmless."""
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."), code="self")
    with transaction.atomic():
        block, _created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
        Follow.objects.filter(
            Q(follower=blocker, followee=blocked) | Q(follower=blocked, followee=blocker)
        ).delete()
    return block


def block_delete(*, blocker: User, blocked: User) -> bool:
    """Unblock. Returns whether there was a block."""
    deleted, _by_model = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return deleted > 0
