"""Writes for accounts: sign-up, profile, consent, follows, blocks, deletion."""

import uuid
from collections.abc import Callable
from typing import IO

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from socialapp.notifications.models import Notification
from socialapp.notifications.services import notification_create, notification_withdraw
from socialapp.uploads import image_process

from . import extensions
from .authentication import token_expired
from .models import Block, Follow, Language, User
from .selectors import is_blocked_between
from .usernames import SKELETON_MAX_LENGTH, username_mixes_look_alike_scripts, username_skeleton


def _watch_training(user: User, contributed: bool) -> None:
    if contributed and not user.contributes_to_training:
        transaction.on_commit(lambda: [hook(user) for hook in extensions.training_stopped_hooks])


def user_create(
    *,
    username: str,
    password: str,
    email: str = "",
    language: str = Language.ENGLISH,
    training_consent: bool = False,
    display_name: str = "",
) -> User:
    """Create an account. Raises ValidationError for a taken or look-alike name (see
    username_validate) or a weak password."""
    if language not in Language.values:
        raise ValidationError(_("Language must be 'en' or 'es'."), code="language")
    username = username_validate(username=username)
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
    user.full_clean(exclude=["password", "username_skeleton"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:  # a look-alike signed up since the check: the unique skeleton held
        raise _similar() from None
    return user


def _similar() -> ValidationError:
    return ValidationError(
        _("That username is too similar to an existing one; choose another."), code="username_similar"
    )


def username_validate(*, username: str, user: User | None = None) -> str:
    """Check a new name for an account (`user` when renaming one). Returns it NFKC-normalised.

    Raises ValidationError when another account has it in any case or width, when it looks
    like another account's name (same skeleton: "аlice" with a Cyrillic а next to "alice"),
    or when it mixes Latin with look-alike letters of another alphabet.
    """
    username = User.normalize_username(username)
    others = User.objects.exclude(pk=user.pk) if user is not None else User.objects.all()
    if others.filter(username__iexact=username).exists():
        raise ValidationError(_("That username is taken; choose another."), code="username_taken")
    skeleton = username_skeleton(username)
    # "<skeleton>#<id>": a look-alike kept from before the rule (migration 0002)
    marked = Q(username_skeleton__startswith=f"{skeleton}#")
    if others.filter(Q(username_skeleton=skeleton) | marked).exists():
        raise _similar()
    if username_mixes_look_alike_scripts(username):
        raise ValidationError(
            _(
                "A username must use one alphabet; this one mixes letters that look alike "
                "(such as Latin and Cyrillic)."
            ),
            code="username_mixed_script",
        )
    if len(skeleton) > SKELETON_MAX_LENGTH:
        raise ValidationError(_("That username is too long; choose a shorter one."), code="username_long")
    return username


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
    """Set a new password after checking the old one (see user_set_password).
    Raises ValidationError."""
    if not user.check_password(old_password):
        raise ValidationError(_("Your old password was entered incorrectly."), code="wrong_password")
    return user_set_password(user=user, password=new_password)


def user_set_password(*, user: User, password: str) -> User:
    """Set a new password: every API token is revoked, and every session signed in
    before ends (its stored hash no longer matches; keep the current one with
    update_session_auth_hash). Raises ValidationError for a weak password."""
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.save(update_fields=["password", "updated_at"])
        Token.objects.filter(user=user).delete()
    return user


def user_sign_out_everywhere(*, user: User) -> None:
    """Revoke every API token and end every session of the account, the password staying
    as it is (keep the current session with update_session_auth_hash)."""
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        User.objects.filter(pk=user.pk).update(
            session_generation=F("session_generation") + 1, updated_at=timezone.now()
        )
    user.refresh_from_db(fields=["session_generation", "updated_at"])


def token_issue(*, user: User) -> Token:
    """The account's API token, a new one when it has none or its one has expired."""
    token = Token.objects.filter(user=user).first()
    if token is not None and not token_expired(token):
        return token
    with transaction.atomic():
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def user_delete(*, user: User, password: str) -> None:
    """Delete an account with everything it owns (rows cascade, files follow on commit).

    Raises ValidationError when the password is wrong.
    """
    if not user.check_password(password):
        raise ValidationError(_("The password is not correct."), code="wrong_password")
    avatar = (user.avatar.storage, user.avatar.name) if user.avatar else None
    cleanups = [collect(user) for collect in extensions.user_delete_cleanups]
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
    with transaction.atomic():
        follow, created = Follow.objects.get_or_create(
            follower=follower, followee=followee, defaults={"status": status}
        )
        if created:
            pending = status == Follow.Status.PENDING
            kind = Notification.Kind.FOLLOW_REQUEST if pending else Notification.Kind.FOLLOW
            notification_create(recipient=followee, kind=kind, actor=follower)
    return follow


def follow_delete(*, follower: User, followee: User) -> bool:
    """Unfollow, or withdraw a request. Returns whether there was anything to remove."""
    with transaction.atomic():
        deleted, _by_model = Follow.objects.filter(follower=follower, followee=followee).delete()
        _request_settled(follower=follower, followee=followee)
    return deleted > 0


def _request_settled(*, follower: User, followee: User) -> None:
    # A request approved, declined or withdrawn no longer waits on the bell.
    notification_withdraw(recipient=followee, actor=follower, kind=Notification.Kind.FOLLOW_REQUEST)


def follow_request_approve(*, request: Follow) -> Follow:
    """Accept a pending request and tell the person who asked; approving twice is harmless."""
    if request.status != Follow.Status.ACCEPTED:
        with transaction.atomic():
            request.status = Follow.Status.ACCEPTED
            request.save(update_fields=["status", "updated_at"])
            _request_settled(follower=request.follower, followee=request.followee)
            notification_create(
                recipient=request.follower, kind=Notification.Kind.FOLLOW_ACCEPTED, actor=request.followee
            )
    return request


def follow_request_decline(*, request: Follow) -> None:
    """Decline a pending request (the row goes; the person may ask again)."""
    if request.status != Follow.Status.PENDING:
        raise ValidationError(_("Only pending requests can be declined."), code="not_pending")
    request.delete()
    _request_settled(follower=request.follower, followee=request.followee)


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
