import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from socialapp.uploads import UploadError, UploadTooLarge, image_process, thumbnail_make
from tests.images import (
    heic_bytes,
    jpeg_bytes,
    jpeg_with_all_metadata,
    jpeg_with_gps_and_rotation,
    photo_like,
    png_bomb,
    png_bytes,
    webp_bytes,
)

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def _process(data: bytes):
    return image_process(file=io.BytesIO(data))


def _reopen(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("data", "size"),
    [
        (jpeg_bytes((64, 48)), (64, 48)),
        (png_bytes((40, 30)), (40, 30)),
        (webp_bytes((40, 30)), (40, 30)),
        (heic_bytes((64, 48)), (64, 48)),
    ],
    ids=["jpeg", "png-with-alpha", "webp", "heic"],
)
def test_accepted_formats_are_stored_as_jpeg(data, size):
    processed = _process(data)

    stored = _reopen(processed.jpeg)
    assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", size)
    assert (processed.width, processed.height) == size


def test_transparent_png_is_flattened_on_white():
    processed = _process(png_bytes((10, 10)))

    red, green, blue = _reopen(processed.jpeg).getpixel((5, 5))
    # 50% blue over white, give or take JPEG rounding
    assert abs(red - 127) <= 3 and abs(green - 191) <= 3 and blue >= 250


def test_exif_orientation_is_applied_and_all_metadata_removed():
    processed = _process(jpeg_with_gps_and_rotation((80, 40)))

    for data in (processed.jpeg, *processed.thumbnails.values()):
        stored = _reopen(data)
        assert len(stored.getexif()) == 0
        assert set(stored.info) & {"exif", "xmp", "icc_profile", "comment"} == set()
        assert b"TestCam" not in data
    assert _reopen(processed.jpeg).size == (40, 80)  # turned upright


SRGB = ImageCms.ImageCmsProfile(
    ImageCms.createProfile("sRGB")
).tobytes()  # what jpeg_with_all_metadata embeds


def _encoded(image: Image.Image, quality: int, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, **params)
    return buffer.getvalue()


def _assert_only_the_colour_profile(processed, icc: bytes | None) -> None:
    """No EXIF, XMP or comment in any stored file; the upload's RGB profile in each."""
    for data in (processed.jpeg, *processed.thumbnails.values()):
        stored = _reopen(data)
        assert len(stored.getexif()) == 0
        assert set(stored.info) & {"exif", "xmp", "comment"} == set()
        assert stored.info.get("icc_profile") == icc
        assert b"TestCam" not in data


def test_upright_jpeg_is_stored_as_encoded_with_its_metadata_cut_out():
    image = photo_like((2400, 1800))
    upload = jpeg_with_all_metadata(image, quality=92)

    processed = _process(upload)

    # Not re-encoded: the very bytes Pillow writes for these pixels with only the profile.
    icc = _reopen(upload).info["icc_profile"]
    assert processed.jpeg == _encoded(image, quality=92, icc_profile=icc)
    assert _reopen(processed.jpeg).tobytes() == _reopen(upload).tobytes()
    assert (processed.width, processed.height) == (2400, 1800)
    assert _reopen(processed.thumbnails[1080]).size == (1080, 810)
    assert _reopen(processed.thumbnails[320]).size == (320, 240)
    _assert_only_the_colour_profile(processed, icc)


def test_rotated_jpeg_is_turned_upright_and_re_encoded():
    image = photo_like((300, 200))
    upload = jpeg_with_all_metadata(image, orientation=3, quality=92)  # upside down

    processed = _process(upload)

    upright = _reopen(upload).transpose(Image.Transpose.ROTATE_180).tobytes()
    icc = _reopen(upload).info["icc_profile"]
    assert processed.jpeg == _encoded(
        Image.frombytes("RGB", (300, 200), upright), quality=88, icc_profile=icc
    )
    assert (processed.width, processed.height) == (300, 200)
    _assert_only_the_colour_profile(processed, icc)


def test_mpo_is_stored_as_a_plain_jpeg_of_its_first_picture():
    first, second = photo_like((640, 480)), photo_like((640, 480), seed=1)
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second], quality=92)

    processed = _process(buffer.getvalue())

    stored = Image.open(io.BytesIO(processed.jpeg))
    assert (stored.format, getattr(stored, "n_frames", 1), stored.size) == ("JPEG", 1, (640, 480))
    expected = _reopen(_encoded(first, quality=92)).convert("RGB")
    assert processed.jpeg == _encoded(expected, quality=88)
    _assert_only_the_colour_profile(processed, None)


def test_a_grey_profile_is_not_carried_onto_the_rgb_photo():
    grey_profile = SRGB[:16] + b"GRAY" + SRGB[20:]  # the header's colour space says grey

    processed = _process(_encoded(Image.new("L", (64, 48), 90), quality=90, icc_profile=grey_profile))

    assert _reopen(processed.jpeg).mode == "RGB"
    _assert_only_the_colour_profile(processed, None)


def test_grayscale_jpeg_is_stored_as_rgb():
    processed = _process(_encoded(Image.new("L", (64, 48), 90), quality=90))

    stored = _reopen(processed.jpeg)
    assert (stored.mode, stored.size) == ("RGB", (64, 48))


def test_jpeg_cut_short_in_its_image_data_is_refused():
    whole = _encoded(photo_like((2400, 1800)), quality=92)

    with pytest.raises(UploadError) as error:
        _process(whole[: len(whole) * 6 // 10])

    assert error.value.detail == (
        "The image is damaged or incomplete; export it again and upload the new file."
    )


@pytest.mark.parametrize("thumbnails", [(320, 1080), (320,)], ids=["both", "grid-only"])
def test_jpeg_cut_short_is_refused_however_small_the_thumbnails(thumbnails):
    whole = _encoded(photo_like((4000, 3000)), quality=92)

    with pytest.raises(UploadError):
        image_process(file=io.BytesIO(whole[: len(whole) * 9 // 10]), thumbnails=thumbnails)


def test_only_the_thumbnails_asked_for_are_made():
    processed = image_process(
        file=io.BytesIO(_encoded(photo_like((4000, 3000)), quality=92)), thumbnails=(320,)
    )

    assert set(processed.thumbnails) == {320}
    assert _reopen(processed.thumbnails[320]).size == (320, 240)
    assert (processed.width, processed.height) == (4000, 3000)


def test_thumbnail_made_later_from_the_stored_image_matches_one_made_at_upload():
    upload = jpeg_with_all_metadata(photo_like((2400, 1800)), quality=92)
    at_upload = _process(upload)

    later = thumbnail_make(file=io.BytesIO(at_upload.jpeg), side=1080)

    assert later == at_upload.thumbnails[1080]


def test_thumbnails_are_320_and_1080_and_never_upscaled():
    processed = _process(jpeg_bytes((2000, 1000)))

    assert _reopen(processed.thumbnails[320]).size == (320, 160)
    assert _reopen(processed.thumbnails[1080]).size == (1080, 540)
    small = _process(jpeg_bytes((100, 50)))
    assert _reopen(small.thumbnails[1080]).size == (100, 50)


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"", "The file is empty; choose a photo to upload."),
        (
            b"hello, I am text pretending to be a photo\n" * 3,
            "The file is not an image we can read; upload a JPEG, PNG, WebP or HEIC photo.",
        ),
        (SVG, "The file is not an image we can read; upload a JPEG, PNG, WebP or HEIC photo."),
        (
            jpeg_bytes((400, 300))[:600],
            "The image is damaged or incomplete; export it again and upload the new file.",
        ),
        (png_bomb(8000), "The image is 8000×8000 pixels; upload one of at most 50 megapixels."),
        (png_bomb(10_000), "The image is too large to open safely; upload a smaller photo."),
    ],
    ids=["zero-bytes", "text-renamed-jpg", "svg", "truncated-jpeg", "too-many-pixels", "png-bomb"],
)
def test_refused_uploads_say_what_to_fix(data, detail):
    with pytest.raises(UploadError) as error:
        _process(data)

    assert error.value.status_code == 400
    assert error.value.detail == detail


def test_gif_is_refused_by_format():
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")

    with pytest.raises(UploadError) as error:
        _process(buffer.getvalue())

    assert error.value.detail == "GIF images are not supported; upload a JPEG, PNG, WebP or HEIC photo."


def test_oversize_file_is_413_before_decoding():
    upload = SimpleUploadedFile("big.jpg", b"\xff" * 25_000_000)

    with pytest.raises(UploadTooLarge) as error:
        image_process(file=upload, size=upload.size)

    assert error.value.status_code == 413
    assert error.value.detail == "The file is 25.0 MB; upload a photo of at most 20 MB."


@pytest.mark.django_db
def test_stored_image_save_deletes_its_files_when_the_row_fails():
    from pathlib import Path

    from django.conf import settings

    from socialapp.photos.models import Photo
    from socialapp.uploads import stored_image_save
    from tests.factories import UserFactory

    def files() -> set[Path]:
        return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}

    photo = Photo(owner=UserFactory(), caption="")
    before = files()

    def fail() -> None:
        raise RuntimeError("the database said no")

    with pytest.raises(RuntimeError):
        stored_image_save(photo, _process(jpeg_bytes()), then=fail)

    assert Photo.objects.count() == 0
    assert files() == before
