"""Who may fetch an uploaded file, and the URL that says so.

A file whose owner is public right now (a post of an active, public account that no
moderator hid; a listing of an active seller whose post was not hidden; the avatar of an
active account) has a plain, cacheable URL: MEDIA_URL and its name. Every other file
(private accounts' posts, hidden posts, inactive accounts) is handed out only as a signed
URL, the plain one plus `?expires=<unix time>&signature=<HMAC of name and expiry>`, which
works for at most MEDIA_SIGNED_URL_SECONDS. Whoever renders the object already checked
that the viewer may see it (selectors scope every lookup); the signature carries that
decision to the browser's later <img> request, like a CDN's signed link.

The view below answers every MEDIA_URL request: a valid, unexpired signature, or a file
whose owner is public at this moment, gets the bytes; anything else is 404, the same 404
as a file that never existed. So a plain URL stops working as soon as its post goes
private, hidden or deleted, and a signed one when it expires. With MEDIA_ACCEL_REDIRECT
set, the web server sends the bytes (nginx X-Accel-Redirect) once the view said yes.

Files are read through the storage API, never a filesystem path. With object storage
(AWS_STORAGE_BUCKET_NAME), a storage that signs its own URLs, a non-public file's URL is
the bucket's presigned URL, valid MEDIA_SIGNED_URL_SECONDS; a public file keeps its plain
URL here, and the view answers it with a redirect to a fresh presigned one, so the bucket
itself stays private and a plain URL still stops working once its post goes private.
file_url is the one selector that decides which URL a viewer gets.
"""

import mimetypes
import time
from functools import lru_cache
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import Storage, default_storage, storages
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseRedirect,
    QueryDict,
)
from django.http.response import HttpResponseBase
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import filepath_to_uri
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from socialapp.accounts.models import User
from socialapp.photos.models import Photo
from socialapp.shop.models import Listing

_SALT = "socialapp.media.signed-url"
PUBLIC_MAX_AGE = 60  # seconds a browser or proxy may keep a public file before asking again
IMAGE_FIELDS = ("image", "thumbnail_320", "thumbnail_1080")

# Every model that owns uploaded files, the fields holding their names, and when a row's
# files are public. is_public() below says the same for one loaded row.
_PUBLIC_OWNERS: tuple[tuple[type[models.Model], tuple[str, ...], Q], ...] = (
    (Photo, IMAGE_FIELDS, Q(owner__is_active=True, owner__is_private=False, is_hidden=False)),
    (
        Listing,
        IMAGE_FIELDS,
        Q(seller__is_active=True) & (Q(source_photo__isnull=True) | Q(source_photo__is_hidden=False)),
    ),
    (User, ("avatar",), Q(is_active=True)),
)


def is_public(instance: models.Model) -> bool:
    """Whether `instance`'s files may be fetched by anyone, on plain URLs."""
    if isinstance(instance, Photo):
        return instance.owner.is_active and not instance.owner.is_private and not instance.is_hidden
    if isinstance(instance, Listing):
        source = instance.source_photo if instance.source_photo_id is not None else None
        return instance.seller.is_active and not (source is not None and source.is_hidden)
    if isinstance(instance, User):
        return instance.is_active
    return False


def file_url(field: FieldFile) -> str:
    """The URL to show for a stored file: plain if its owner is public, else signed.
    Empty for an empty field."""
    if not field:
        return ""
    if is_public(field.instance):
        return plain_url(str(field.name))
    return signed_url(str(field.name))


def signs_own_urls(storage: Storage) -> bool:
    """Whether `storage` hands out its own expiring signed URLs (S3's presigned ones)."""
    return bool(getattr(storage, "querystring_auth", False))


def plain_url(name: str) -> str:
    """`name`'s unsigned URL: MEDIA_URL and the name, answered by media_serve."""
    if signs_own_urls(default_storage):
        return f"{settings.MEDIA_URL}{filepath_to_uri(name)}"
    return default_storage.url(name)


def signed_url(name: str) -> str:
    """`name`'s URL with an expiry and a signature, the same all through a step of a fifth
    of MEDIA_SIGNED_URL_SECONDS, so a page rendered twice within it gives the same URLs and
    the browser's cache answers; at least four fifths of its lifetime are still ahead. With
    object storage, the bucket's presigned URL, signed once per step (in each process);
    else ours, whose expiry lies on that grid."""
    lifetime = settings.MEDIA_SIGNED_URL_SECONDS
    step = max(1, lifetime // 5)
    if signs_own_urls(default_storage):
        return _presigned(storages["default"], name, lifetime, int(_now()) // step)
    expires = (int(_now()) + lifetime) // step * step
    query = urlencode({"expires": expires, "signature": _signature(name, expires, settings.SECRET_KEY)})
    return f"{default_storage.url(name)}?{query}"


@lru_cache(maxsize=4096)
def _presigned(storage: Storage, name: str, lifetime: int, step: int) -> str:
    """The bucket's URL for `name`, valid `lifetime` s from when it is signed: once for each
    `step` (a number on the grid), then reused until the step ends."""
    return storage.url(name, expire=lifetime)  # type: ignore[call-arg]


def _now() -> float:
    return time.time()


def _signature(name: str, expires: int, secret: str) -> str:
    return salted_hmac(_SALT, f"{name}\n{expires}", secret=secret, algorithm="sha256").hexdigest()


def _signed_until(query: QueryDict, name: str) -> int | None:
    """The expiry of a valid, unexpired signature for `name` in `query`, else None."""
    try:
        expires = int(query.get("expires", ""))
    except ValueError:
        return None
    signature = query.get("signature", "")
    if expires < _now() or not signature:
        return None
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    if any(constant_time_compare(signature, _signature(name, expires, secret)) for secret in secrets):
        return expires
    return None


def _public_by_name(name: str) -> bool:
    """Whether a row owning a file called `name` is public right now."""
    for model, fields, public in _PUBLIC_OWNERS:
        named = Q()
        for field in fields:
            named |= Q(**{field: name})
        if model._default_manager.filter(named).filter(public).exists():
            return True
    return False


def _safe_name(name: str) -> bool:
    """A relative name inside the media folder: no `..`, no absolute or empty parts."""
    if "\\" in name or "\x00" in name:
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


@require_safe
def media_serve(request: HttpRequest, name: str) -> HttpResponseBase:
    """One uploaded file, if the URL is signed and unexpired or the file's owner is public
    right now; 404 otherwise, whether or not the file exists."""
    if not _safe_name(name):
        return _not_found()
    expires = _signed_until(request.GET, name)
    if expires is not None:
        cache_control = f"private, max-age={max(0, expires - int(_now()))}"
    elif _public_by_name(name):
        cache_control = f"public, max-age={min(PUBLIC_MAX_AGE, settings.MEDIA_SIGNED_URL_SECONDS)}"
    else:
        return _not_found()
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response: HttpResponseBase
    if signs_own_urls(default_storage):
        # The bucket sends the bytes, on a presigned URL that outlives this answer's cache.
        response = HttpResponseRedirect(signed_url(name))
    elif settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{settings.MEDIA_ACCEL_REDIRECT.rstrip('/')}/{quote(name)}"
    else:
        try:
            response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
        except (OSError, SuspiciousFileOperation):
            return _not_found()
    response["Cache-Control"] = cache_control
    return response


def _not_found() -> HttpResponse:
    # One short answer for every refusal: an <img> shows nothing either way, and a missing
    # file, a private one and a bad signature must look the same.
    return HttpResponseNotFound(_("Not found."), content_type="text/plain; charset=utf-8")


register = template.Library()


@register.filter
def media_url(field: FieldFile) -> str:
    """`{{ photo.thumbnail_320|media_url }}`: the file's plain or signed URL (file_url)."""
    return file_url(field)


@extend_schema_field(OpenApiTypes.URI)
class MediaUrlField(serializers.Field):
    """A file's absolute plain or signed URL (file_url) in API output; null when empty."""

    def __init__(self, **kwargs: object) -> None:
        kwargs["read_only"] = True
        kwargs["allow_null"] = True  # the schema says "nullable" (an empty avatar is null)
        super().__init__(**kwargs)  # type: ignore[arg-type]

    def to_representation(self, value: FieldFile) -> str | None:
        url = file_url(value)
        return self.context["request"].build_absolute_uri(url) if url else None
