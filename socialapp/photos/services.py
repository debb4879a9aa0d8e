"""Writes for photos: posts, captions, likes and comments."""

import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from socialapp.accounts.models import User
from socialapp.hashtags import canonical
from socialapp.hashtags.services import hashtags_for_caption
from socialapp.notifications.models import Notification
from socialapp.notifications.services import mentions_notify, notification_create, notification_withdraw
from socialapp.queueing import STUCK_BATCH, task_enqueue, task_enqueue_on_commit
from socialapp.uploads import files_delete, image_process, stored_image_save, stored_image_thumbnail_add

from . import extensions
from .models import Comment, Like, Photo, PhotoHashtag

CAPTION_MAX = 2200


def _caption_hashtags(caption: str) -> list[str]:
    if len(caption) > CAPTION_MAX:
        raise ValidationError(
            _("A caption can have at most %(max)d characters; this one has %(n)d.")
            % {"max": CAPTION_MAX, "n": len(caption)}
        )
    typed = canonical.parse(caption)
    if len(typed) > canonical.MAX_PER_POST:
        raise ValidationError(
            _("A post can have at most %(max)d hashtags; this caption has %(n)d.")
            % {"max": canonical.MAX_PER_POST, "n": len(typed)}
        )
    return typed


def photo_create(*, owner: User, image: IO[bytes], caption: str = "") -> Photo:
    """Publish a photo. Raises ValidationError (caption) or UploadError (image); either
    way nothing is stored."""
    _caption_hashtags(caption)
    stored: list[Callable[[Photo], object]] = []  # what photo_decoded_hooks' listeners return

    def decoded(pixels: Image.Image) -> None:
        stored.extend(then for hook in extensions.photo_decoded_hooks if (then := hook(pixels)) is not None)

    # Only the grid thumbnail now: it needs a 1/8-scale decode of a 12 MP photo, where the
    # 1080 px one needs 1/2 and a resize that cost more than the tagger's forward pass.
    processed = image_process(file=image, thumbnails=(320,), decoded=decoded)
    photo = Photo(owner=owner, caption=caption)
    stored_image_save(photo, processed, then=lambda: _after_create(photo, stored))
    return photo


def _after_create(photo: Photo, stored: list[Callable[[Photo], object]]) -> None:
    _link_caption_hashtags(photo, new=True)
    mentions_notify(author=photo.owner, photo=photo, text=photo.caption)
    for then in stored:
        then(photo)
    for hook in extensions.photo_created_hooks:
        hook(photo)
    # Queued after the hooks, so inline (no worker) the suggestions are stored first.
    task_enqueue_on_commit(DISPLAY_TASK, photo.pk)


# A post still without its display image this long after it was stored (or last queued)
# is queued again; after a day the photo itself stays its display image.
DISPLAY_TIME_LIMIT = timedelta(seconds=60)
# Queued by name: photos/tasks.py imports this module (socialapp.queueing.task_get).
DISPLAY_TASK = "socialapp.photos.tasks.photo_display_make"
DISPLAY_SWEEP_WINDOW = timedelta(days=1)


def photos_display_requeue_stuck(*, older_than: timedelta = DISPLAY_TIME_LIMIT) -> int:
    """Queue the display image again for posts of the last day that have none though
    they were stored (or last queued) over `older_than` ago: their task was lost to a
    broker outage or a dead worker. Stops at the first broker error. Returns how many
    it queued."""
    now = timezone.now()
    stuck = Photo.objects.filter(
        thumbnail_1080="", created_at__gt=now - DISPLAY_SWEEP_WINDOW, updated_at__lt=now - older_than
    )
    queued = 0
    for photo_id in stuck.order_by("pk").values_list("pk", flat=True)[:STUCK_BATCH]:
        if not task_enqueue(DISPLAY_TASK, photo_id):
            break
        Photo.objects.filter(pk=photo_id).update(updated_at=now)  # queued at most once per `older_than`
        queued += 1
    return queued


def photo_display_add(*, photo_id: int) -> bool:
    """Make a post's 1080 px display image if it has none yet. Returns whether this call
    made it (False: already there, or the post is gone). Raises OSError for an
    unreadable stored image."""
    photo = Photo.objects.filter(pk=photo_id).first()
    return photo is not None and stored_image_thumbnail_add(photo, side=1080)


def _link_caption_hashtags(photo: Photo, *, new: bool = False) -> None:
    """Make the post's caption links match its caption (a `new` post has none yet)."""
    wanted = {h.pk: (h, typed) for h, typed in hashtags_for_caption(caption=photo.caption)}
    if new and not wanted:
        return  # nothing to link and nothing changed
    links = photo.hashtag_links.all()
    present: set[int] = set()
    if not new:
        links.filter(source=PhotoHashtag.Source.CAPTION).exclude(hashtag_id__in=wanted).delete()
        present = set(links.values_list("hashtag_id", flat=True))
    PhotoHashtag.objects.bulk_create(
        PhotoHashtag(photo=photo, hashtag=hashtag, typed=typed)
        for pk, (hashtag, typed) in wanted.items()
        if pk not in present
    )
    for hook in extensions.photo_hashtags_hooks:
        hook(photo)


@transaction.atomic
def photo_update(*, photo: Photo, caption: str | None = None, alt_text: str | None = None) -> Photo:
    """Change the caption (its hashtags follow; accepted suggestions stay) and/or the alt
    text. Raises ValidationError for a caption that breaks the limits."""
    edited = caption is not None and caption != photo.caption
    if caption is not None:
        _caption_hashtags(caption)
        photo.caption = caption
    if alt_text is not None and alt_text.strip()[:300] != photo.alt_text:
        # Their own once they change it; cleared, it is the tagger's again.
        photo.alt_text = alt_text.strip()[:300]
        photo.alt_text_by_owner = bool(photo.alt_text)
    photo.save(update_fields=["caption", "alt_text", "alt_text_by_owner", "updated_at"])
    if caption is not None:
        _link_caption_hashtags(photo)
    if edited:
        for hook in extensions.photo_caption_hooks:
            hook(photo)
    return photo


def _after_photos_deleted(photo_ids: list[int], files: list[tuple[Storage, str]]) -> None:
    files_delete(files)
    for hook in extensions.photo_delete_hooks:
        hook(photo_ids)


def photo_delete(*, photo: Photo) -> None:
    """Delete a post; its files (and cached embeddings) go once that is committed."""
    photo_id = photo.pk
    with transaction.atomic():
        # The stored names as they are now: the display image may have been added since
        # `photo` was loaded, and an object left behind in a bucket is never found again.
        stored = Photo.objects.select_for_update().filter(pk=photo_id).first() or photo
        files = stored.image_files()
        photo.delete()
        transaction.on_commit(lambda: _after_photos_deleted([photo_id], files))


def photos_cleanup_for_user(user: User) -> Callable[[], None]:
    """What deleting `user` must remove besides rows: every photo file and hook data."""
    photos = list(Photo.objects.filter(owner=user))
    ids, files = [p.pk for p in photos], [f for p in photos for f in p.image_files()]
    return lambda: _after_photos_deleted(ids, files)


def like_create(*, user: User, photo: Photo) -> Like:
    """Like a photo (liking twice keeps one like); its owner is notified once."""
    with transaction.atomic():
        like, created = Like.objects.get_or_create(user=user, photo=photo)
        if created:
            notification_create(recipient=photo.owner, kind=Notification.Kind.LIKE, actor=user, photo=photo)
    return like


def like_delete(*, user: User, photo: Photo) -> bool:
    """Unlike (its notification goes if still unread). Returns whether there was a like."""
    with transaction.atomic():
        deleted, _by_model = Like.objects.filter(user=user, photo=photo).delete()
        if deleted:
            notification_withdraw(recipient=photo.owner, actor=user, kind=Notification.Kind.LIKE, photo=photo)
    return deleted > 0


def like_toggle(*, user: User, photo: Photo) -> bool:
    """Like the photo, or unlike it when `user` already does (the page's one button),
    going by the stored like rather than by what the page showed. Returns whether `user`
    likes it now."""
    with transaction.atomic():
        if like_delete(user=user, photo=photo):
            return False
        like_create(user=user, photo=photo)
    return True


def comment_create(*, author: User, photo: Photo, text: str) -> Comment:
    """Comment on a photo the author can see. Raises ValidationError for empty or long text."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Write something before posting a comment."))
    if len(text) > CAPTION_MAX:
        raise ValidationError(_("A comment can have at most %(max)d characters.") % {"max": CAPTION_MAX})
    with transaction.atomic():
        comment = Comment.objects.create(author=author, photo=photo, text=text)
        notification_create(
            recipient=photo.owner, kind=Notification.Kind.COMMENT, actor=author, photo=photo, text=text
        )
        mentions_notify(author=author, photo=photo, text=text)
    return comment


def comment_delete(*, comment: Comment, by: User) -> None:
    """Delete a comment: its author or the post's owner may. Raises PermissionDenied."""
    if by.pk not in (comment.author_id, comment.photo.owner_id):
        raise PermissionDenied(_("Only the comment's author or the post's owner can delete it."))
    comment.delete()


def photos_export(user: User, archive: zipfile.ZipFile) -> None:
    """The export's photo part: posts with their hashtags and images, comments, likes."""
    from socialapp.accounts.export import write_json

    posts = []
    for photo in Photo.objects.filter(owner=user).prefetch_related("hashtag_links__hashtag").order_by("pk"):
        image = f"photos/{photo.pk}.jpg"
        with photo.image.open("rb") as stored:
            archive.writestr(image, stored.read())
        posts.append(
            {
                "id": photo.pk,
                "caption": photo.caption,
                "alt_text": photo.alt_text,
                "created_at": photo.created_at,
                "image": image,
                "hashtags": [
                    {"name": link.hashtag.name, "typed": link.typed, "source": link.source}
                    for link in photo.hashtag_links.all()
                ],
            }
        )
    write_json(archive, "posts.json", posts)
    write_json(
        archive,
        "comments.json",
        list(Comment.objects.filter(author=user).values("photo_id", "text", "created_at")),
    )
    write_json(archive, "likes.json", list(Like.objects.filter(user=user).values("photo_id", "created_at")))
