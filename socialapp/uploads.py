"""The one upload pipeline for photos, listings and avatars.

An upload is validated by decoding it (never by its name or the client's content type),
turned upright from its EXIF orientation, stripped of all metadata (GPS included) but
its RGB colour profile, re-encoded as JPEG, and scaled into thumbnails that carry the
same profile. A colour JPEG that is already upright is not re-encoded: its metadata
segments are cut out of the file (jpeg_metadata), and it is decoded only at the scale
the largest thumbnail asked for needs. Nothing is written until it all worked, so a
refused upload leaves no file and no row behind.

A caller may ask for fewer thumbnails than THUMBNAIL_SIZES and add the others later from
the stored image (stored_image_thumbnail_add): posts make their 1080 px display image in
a task, after their suggestions, and show the photo itself until it is there.
"""

import io
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import IO

import pillow_heif
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageMode, ImageOps, UnidentifiedImageError

from socialapp.jpeg_metadata import jpeg_without_metadata

pillow_heif.register_heif_opener()

# MPO is a JPEG with more pictures after it (3D and some phone cameras): its first picture
# is the photo, and is stored re-encoded as a plain JPEG.
FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}
# The grid thumbnail covers a GRID_SIDE square (its shorter side is GRID_SIDE), what a
# square grid tile shows; the others fit their side (the longest is that long). A grid
# thumbnail is at most GRID_MAX_RATIO:1: of a wider panorama it keeps the middle (what
# a tile shows, and the model's centre crop sees), not a strip 30 tiles long.
GRID_SIDE = 320
GRID_MAX_RATIO = 3
THUMBNAIL_SIZES = (GRID_SIDE, 1080)
JPEG_QUALITY = 88


class UploadError(Exception):
    """An upload we refuse; `detail` says what to fix."""

    status_code = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UploadTooLarge(UploadError):
    status_code = 413


@dataclass(frozen=True)
class ProcessedImage:
    jpeg: bytes
    width: int
    height: int
    thumbnails: dict[int, bytes]


def image_process(
    *,
    file: IO[bytes],
    size: int | None = None,
    thumbnails: tuple[int, ...] = THUMBNAIL_SIZES,
    decoded: Callable[[Image.Image], object] | None = None,
) -> ProcessedImage:
    """Validate and normalise an uploaded image and make the `thumbnails` asked for (see
    thumbnail_size). `decoded`, if given, is called with the image as decoded (upright
    RGB, at the smallest scale the thumbnails need) before anything is encoded, for work
    that can start from the pixels meanwhile; it must not raise, nor change the image.
    Raises UploadError / UploadTooLarge."""
    max_bytes, max_pixels = settings.UPLOAD_MAX_BYTES, settings.UPLOAD_MAX_PIXELS
    if size is None:
        file.seek(0, io.SEEK_END)
        size = file.tell()
    file.seek(0)
    if size == 0:
        raise UploadError(_("The file is empty; choose a photo to upload."))
    if size > max_bytes:
        raise UploadTooLarge(
            _("The file is %(size).1f MB; upload a photo of at most %(limit).0f MB.")
            % {"size": size / 1e6, "limit": max_bytes / 1e6}
        )
    data = file.read()
    # Encoding can fail too (JPEG holds at most 65,535 px a side): every step is guarded.
    with _refused_when_unreadable():
        image = _open(data, max_pixels)
        width, height = image.size  # draft() below changes it to the decoded size
        icc = _rgb_profile(image)
        lossless = jpeg_without_metadata(data, keep_icc=bool(icc)) if _upright_rgb_jpeg(image) else None
        if lossless:
            # Decoding scaled by 1/2, 1/4 or 1/8 still reads every byte of the scan, so a
            # damaged file is refused all the same; it just skips pixels no thumbnail needs.
            sizes = [thumbnail_size(image.size, side) for side in thumbnails]
            image.draft("RGB", (max(w for w, _ in sizes), max(h for _, h in sizes)))
        image.load()
        if lossless:
            if decoded is not None:
                decoded(image)
            made = _thumbnails(image, (width, height), thumbnails, icc)
            return ProcessedImage(lossless, width, height, made)
        image = _upright_rgb(image)
        if decoded is not None:
            decoded(image)
        jpeg = _jpeg(image, icc)
        made = _thumbnails(image, image.size, thumbnails, icc)
        return ProcessedImage(jpeg, image.width, image.height, made)


def _thumbnails(
    image: Image.Image, size: tuple[int, int], sides: tuple[int, ...], icc: bytes | None
) -> dict[int, bytes]:
    """The thumbnails of an image of `size` (its full size: `image` may be decoded at a
    smaller scale), each from the one made before it where that still covers it (the grid
    one from the 1080 px one)."""
    thumbnails = {}
    previous: Image.Image | None = None
    for side in sorted(sides, reverse=True):
        wanted = thumbnail_size(size, side)
        source = image
        if previous is not None:
            shown = _at_most_grid_ratio(previous.size, side)
            if shown[0] >= wanted[0] and shown[1] >= wanted[1]:
                source = previous
        previous = _thumbnail(source, size, side)
        thumbnails[side] = _jpeg(previous, icc)
    return thumbnails


def _thumbnail(image: Image.Image, size: tuple[int, int], side: int) -> Image.Image:
    """The `side` thumbnail of an image of `size`, from `image` (that image at any scale)."""
    return _scaled(image.crop(_shown(image.size, side)), thumbnail_size(size, side))


def _shown(size: tuple[int, int], side: int) -> tuple[int, int, int, int]:
    """The box of an image of `size` that its `side` thumbnail shows: all of it, or the
    middle GRID_MAX_RATIO:1 of a wider (or taller) one's grid thumbnail."""
    shown = _at_most_grid_ratio(size, side)
    left, top = (size[0] - shown[0]) // 2, (size[1] - shown[1]) // 2
    return (left, top, left + shown[0], top + shown[1])


def _at_most_grid_ratio(size: tuple[int, int], side: int) -> tuple[int, int]:
    """`size`, its longer side cut to GRID_MAX_RATIO times the shorter for a grid thumbnail."""
    width, height = size
    if side != GRID_SIDE:
        return size
    return (min(width, GRID_MAX_RATIO * height), min(height, GRID_MAX_RATIO * width))


def thumbnail_make(*, file: IO[bytes], side: int) -> bytes:
    """A thumbnail of an image this pipeline stored (an upright colour JPEG with no
    metadata but its colour profile), decoded only at the scale it needs. Raises OSError
    if it is unreadable."""
    with Image.open(file) as image:
        icc = _rgb_profile(image)
        size = image.size
        image.draft("RGB", thumbnail_size(size, side))
        return _jpeg(_thumbnail(image.convert("RGB"), size, side), icc)


def _rgb_profile(image: Image.Image) -> bytes | None:
    """The image's ICC profile if it describes RGB (bytes 16-20 of the header), which is
    what the stored JPEG holds; a grey or CMYK profile would be wrong after conversion,
    so those images are stored as sRGB, the web's default."""
    profile = image.info.get("icc_profile")
    if isinstance(profile, bytes) and profile[16:20] == b"RGB ":
        return profile
    return None


def thumbnail_size(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size of the `side` thumbnail of an image of `size`: scaled (rounded up) so its
    shorter side is GRID_SIDE for the grid one (and at most GRID_MAX_RATIO:1, see
    _shown), its longest side `side` for the others; never upscaled."""
    reference = min(size) if side == GRID_SIDE else max(size)
    if reference > side:
        size = (-(-size[0] * side // reference), -(-size[1] * side // reference))
    return _at_most_grid_ratio(size, side)


def _scaled(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """`image` at `size` (never larger than it is): a cheap integer box reduction down to
    at least 1.5x the target, then bicubic for the rest (Pillow's thumbnail() filter: a
    320 px one takes 1.3 ms from a 12 MP photo's 1/8-scale decode, against 1.9 ms with
    Lanczos). Carries no metadata."""
    size = (min(size[0], image.width), min(size[1], image.height))
    if image.size == size:
        scaled = image.copy()
    else:
        factor = min(image.width * 2 // (3 * size[0]), image.height * 2 // (3 * size[1]))
        if factor > 1:
            image = image.reduce(factor)
        scaled = image.resize(size, Image.Resampling.BICUBIC)
    scaled.info = {}  # JPEG saving would copy a comment over from here
    return scaled


def _open(data: bytes, max_pixels: int) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    if image.format not in FORMATS:
        raise UploadError(
            _("%(format)s images are not supported; upload a JPEG, PNG, WebP or HEIC photo.")
            % {"format": image.format}
        )
    width, height = image.size
    if width * height > max_pixels:
        raise UploadError(
            _("The image is %(w)d×%(h)d pixels; upload one of at most %(limit).0f megapixels.")
            % {"w": width, "h": height, "limit": max_pixels / 1e6}
        )
    _refuse_oversize(image)
    return image


def _refuse_oversize(image: Image.Image) -> None:
    """Refuse, from the header alone, an image with a side past UPLOAD_MAX_SIDE (a
    49,000,000×1 strip is under the pixel cap) or one that would take more than
    UPLOAD_MAX_DECODED_BYTES to open."""
    width, height = image.size
    max_side, max_decoded = settings.UPLOAD_MAX_SIDE, settings.UPLOAD_MAX_DECODED_BYTES
    if max(width, height) > max_side:
        raise UploadError(
            _("The image is %(w)d×%(h)d pixels; upload one of at most %(limit)d pixels on its longest side.")
            % {"w": width, "h": height, "limit": max_side}
        )
    decoded = width * height * _bytes_per_pixel(image)
    if decoded > max_decoded:
        raise UploadError(
            _(
                "The image is %(w)d×%(h)d pixels and takes %(size).0f MB to open; upload one that"
                " takes at most %(limit).0f MB (fewer pixels, or no transparency)."
            )
            % {"w": width, "h": height, "size": decoded / 1e6, "limit": max_decoded / 1e6}
        )


def _bytes_per_pixel(image: Image.Image) -> int:
    """One pixel's bytes as the pipeline holds it: its own bands' bytes (16-bit and float
    ones count double or more), and at least RGB, or RGBA with transparency, since every
    image becomes one of those before it is encoded."""
    mode = ImageMode.getmode(image.mode)
    band_bytes = int(mode.typestr[-1]) if mode.typestr[-1].isdigit() else 1
    alpha = "A" in mode.bands or "transparency" in image.info
    return max(len(mode.bands) * band_bytes, 4 if alpha else 3)


def _upright_rgb_jpeg(image: Image.Image) -> bool:
    """Whether the file can be stored as it is once its metadata is gone: a colour JPEG
    that is displayed the way it is encoded (no EXIF or XMP rotation)."""
    if image.format != "JPEG" or image.mode != "RGB":
        return False
    return image.getexif().get(ExifTags.Base.Orientation, 1) == 1  # Pillow also reads XMP's


@contextmanager
def _refused_when_unreadable() -> Iterator[None]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except UnidentifiedImageError as error:
        raise UploadError(
            _("The file is not an image we can read; upload a JPEG, PNG, WebP or HEIC photo.")
        ) from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise UploadError(_("The image is too large to open safely; upload a smaller photo.")) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise UploadError(
            _("The image is damaged or incomplete; export it again and upload the new file.")
        ) from error


def _upright_rgb(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    clean = Image.new("RGB", image.size)  # a fresh image carries no metadata at all
    clean.paste(image)
    return clean


def _jpeg(image: Image.Image, icc: bytes | None = None) -> bytes:
    # Baseline, no optimise pass: on a 12 MP photo those cost 5x the encoding itself.
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY, icc_profile=icc)
    return buffer.getvalue()


def _upload_to(instance: models.Model, filename: str) -> str:
    return f"{instance._meta.model_name}/{timezone.now():%Y/%m}/{filename}"


class StoredImage(models.Model):
    """An image with its thumbnails, as the pipeline made them. Names are random, so a
    file's URL says nothing about its owner or its original name."""

    # Indexed: socialapp.media finds the row that owns a requested file by its name.
    image = models.ImageField(upload_to=_upload_to, db_index=True)
    thumbnail_320 = models.ImageField(upload_to=_upload_to, db_index=True)
    thumbnail_1080 = models.ImageField(upload_to=_upload_to, db_index=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True

    def image_files(self) -> list[tuple[Storage, str]]:
        fields: Iterable[FieldFile] = (self.image, self.thumbnail_320, self.thumbnail_1080)
        return [(f.storage, f.name) for f in fields if f.name]

    @property
    def display(self) -> FieldFile:
        """What a page shows full width: the 1080 px thumbnail, or the image itself while
        that is still being made."""
        return self.thumbnail_1080 if self.thumbnail_1080 else self.image

    def covering_read(self, short_side: int) -> io.BytesIO:
        """The bytes of the smallest stored file with at least `short_side` pixels across
        its shorter side: a thumbnail where one does, else the image itself. Each
        thumbnail is checked on the file: a grid thumbnail stored before it covered its
        square (longest side 320: 320x180 for a 16:9 photo) is passed over. Raises OSError."""
        for side in sorted(THUMBNAIL_SIZES):
            field = getattr(self, f"thumbnail_{side}")
            if field and min(thumbnail_size((self.width, self.height), side)) >= short_side:
                data = stored_file_read(field)
                with Image.open(data) as header:  # reads the header only
                    if min(header.size) >= short_side:
                        data.seek(0)
                        return data
        return stored_file_read(self.image)

    def image_attach(self, processed: ProcessedImage) -> None:
        """Write the files and point the fields at them (the row is saved by the caller,
        who deletes the files again with files_delete if that fails). A thumbnail the
        pipeline was not asked for is left empty, for stored_image_thumbnail_add."""
        stem = uuid.uuid4().hex
        self.width, self.height = processed.width, processed.height
        self.image.save(f"{stem}.jpg", ContentFile(processed.jpeg), save=False)
        for side in THUMBNAIL_SIZES:
            field = getattr(self, f"thumbnail_{side}")
            if side in processed.thumbnails:
                field.save(f"{stem}_{side}.jpg", ContentFile(processed.thumbnails[side]), save=False)
            else:
                field.name = ""


def stored_image_save(
    instance: StoredImage, processed: ProcessedImage, *, then: Callable[[], object] | None = None
) -> None:
    """Write the image files, then save the row (and run `then`) in one transaction; if
    that fails, the new files are deleted again so nothing is left half-stored. Files
    go only with their row: an error raised after the commit (by on-commit work) leaves
    both in place."""
    instance.image_attach(processed)
    committed = False

    def mark_committed() -> None:
        nonlocal committed
        committed = True

    try:
        with transaction.atomic():
            # Registered first, so it runs before any on-commit work `then` adds.
            transaction.on_commit(mark_committed)
            instance.save()
            if then is not None:
                then()
    except BaseException:
        if not committed:
            files_delete(instance.image_files())
        raise


def stored_image_thumbnail_add(instance: StoredImage, *, side: int) -> bool:
    """Make `instance`'s `side` thumbnail from its stored image if the row has none. Safe
    to run twice or on a row deleted meanwhile: only the first run that finds it empty
    stores one; any other file is deleted again. Returns whether this run stored it.
    Raises OSError if the image is unreadable."""
    if getattr(instance, f"thumbnail_{side}"):
        return False
    return _thumbnail_store(instance, side=side, replacing="")


def _thumbnail_store(instance: StoredImage, *, side: int, replacing: str) -> bool:
    """Make `instance`'s `side` thumbnail from its stored image and store it in the row if
    the row still names `replacing` there ("" for none), deleting that file; otherwise
    (another run stored one, or the row is gone) delete the new file. Returns whether it
    was stored. Raises OSError if the image is unreadable."""
    field = getattr(instance, f"thumbnail_{side}")
    with instance.image.open("rb") as image:
        data = thumbnail_make(file=image, side=side)
    field.save(f"{PurePosixPath(instance.image.name).stem}_{side}.jpg", ContentFile(data), save=False)
    same = type(instance)._default_manager.filter(pk=instance.pk, **{field.field.name: replacing})
    if same.update(**{field.field.name: field.name}):
        if replacing:
            files_delete([(field.storage, replacing)])
        return True
    files_delete([(field.storage, field.name)])
    field.name = replacing
    return False


def grid_thumbnail_rebuild(instance: StoredImage) -> bool:
    """Make `instance`'s grid thumbnail again from its stored image if the file there is
    not the size the pipeline makes now (one stored when grid thumbnails were 320 px on
    their longest side). Safe beside uploads and deletes: the row changes only if it still
    names the old file, which is then deleted; otherwise the new one is. Returns whether
    it was rebuilt. Raises OSError for an unreadable file."""
    field = instance.thumbnail_320
    if not field:
        return False
    with Image.open(stored_file_read(field)) as stored:  # the header only
        if stored.size == thumbnail_size((instance.width, instance.height), GRID_SIDE):
            return False
    return _thumbnail_store(instance, side=GRID_SIDE, replacing=field.name)


def grid_thumbnails_rebuild() -> tuple[int, int]:
    """grid_thumbnail_rebuild over every stored image of every model (posts, listings).
    Returns how many it rebuilt and how many it could not read (those are left as they
    are; the rest goes on)."""
    rebuilt = unreadable = 0
    for model in apps.get_models():
        if issubclass(model, StoredImage):
            for instance in model._default_manager.exclude(thumbnail_320="").order_by("pk").iterator(500):
                try:
                    rebuilt += grid_thumbnail_rebuild(instance)
                except OSError:
                    unreadable += 1
    return rebuilt, unreadable


def stored_file_read(field: FieldFile) -> io.BytesIO:
    """A stored file's bytes, from whichever storage holds it (a folder or a bucket).
    Raises OSError (FileNotFoundError when it is gone)."""
    with field.storage.open(field.name, "rb") as file:
        return io.BytesIO(file.read())


def files_delete(files: Iterable[tuple[Storage, str]]) -> None:
    """Delete stored files; ones already gone are fine."""
    for storage, name in files:
        storage.delete(name)
