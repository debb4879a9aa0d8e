import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

from socialapp.uploads import UploadError, UploadTooLarge, image_process, thumbnail_make
from tests.hostile_images import HUGE_EXIF_MARK, huge_exif_jpeg, refused_corpus, strip_png, zip_polyglot
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
    assert _reopen(processed.thumbnails[320]).size == (427, 320)
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
    assert _reopen(processed.thumbnails[320]).size == (427, 320)
    assert (processed.width, processed.height) == (4000, 3000)


def test_a_panoramas_grid_thumbnail_is_its_middle():
    # Red, green and blue thirds of a 30:1 strip: a grid tile (and the model) shows the
    # middle square, and the whole strip at 320 px high would be 9600 px wide.
    bands = Image.new("RGB", (12000, 400), (200, 0, 0))
    bands.paste((0, 200, 0), (4000, 0, 8000, 400))
    bands.paste((0, 0, 200), (8000, 0, 12000, 400))

    grid = _reopen(_process(_encoded(bands, quality=95)).thumbnails[320])

    assert grid.size == (960, 320)
    green = [grid.getpixel((x, 160)) for x in (5, 480, 954)]  # its left edge, middle and right edge
    assert all(abs(r) < 12 and abs(g - 200) < 12 and abs(b) < 12 for r, g, b in green)


def test_thumbnail_made_later_from_the_stored_image_matches_one_made_at_upload():
    upload = jpeg_with_all_metadata(photo_like((2400, 1800)), quality=92)
    at_upload = _process(upload)

    later = thumbnail_make(file=io.BytesIO(at_upload.jpeg), side=1080)

    assert later == at_upload.thumbnails[1080]


@pytest.mark.parametrize(
    ("size", "grid", "display"),
    [
        ((2000, 1000), (640, 320), (1080, 540)),
        ((1000, 2000), (320, 640), (540, 1080)),
        ((2000, 500), (960, 320), (1080, 270)),  # the grid one from the photo, not the 1080
        ((12000, 400), (960, 320), (1080, 36)),  # wider than 3:1: its middle, 3:1
        ((400, 12000), (320, 960), (36, 1080)),
        ((100, 50), (100, 50), (100, 50)),  # never upscaled
    ],
)
def test_the_grid_thumbnail_covers_a_320_square_and_the_display_one_fits_1080(size, grid, display):
    # A grid tile is square (object-fit: cover): its thumbnail's shorter side is 320.
    processed = _process(jpeg_bytes(size))

    assert _reopen(processed.thumbnails[320]).size == grid
    assert _reopen(processed.thumbnails[1080]).size == display


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


# Hostile uploads: every one refused from what the header says or from its bytes, with
# a message that says what to fix, and nothing stored on any of the five ways in.

NOT_AN_IMAGE = "The file is not an image we can read; upload a JPEG, PNG, WebP or HEIC photo."
DAMAGED = "The image is damaged or incomplete; export it again and upload the new file."
HOSTILE_DETAILS = {
    "truncated.jpg": DAMAGED,
    "truncated.png": DAMAGED,
    "zero-bytes.jpg": "The file is empty; choose a photo to upload.",
    "text.jpg": NOT_AN_IMAGE,
    "page.jpg": NOT_AN_IMAGE,
    "script.svg": NOT_AN_IMAGE,
    "bomb-100mp.png": "The image is too large to open safely; upload a smaller photo.",
    "bomb.gif": "GIF images are not supported; upload a JPEG, PNG, WebP or HEIC photo.",
    "strip-wide.png": (
        "The image is 49000000×1 pixels; upload one of at most 12000 pixels on its longest side."
    ),
    "strip-tall.png": (
        "The image is 1×49000000 pixels; upload one of at most 12000 pixels on its longest side."
    ),
    "claims-81mp.jpg": "The image is 9000×9000 pixels; upload one of at most 50 megapixels.",
    "rgba-49mp.png": (
        "The image is 7000×7000 pixels and takes 196 MB to open; upload one that takes at most"
        " 150 MB (fewer pixels, or no transparency)."
    ),
}


def test_the_hostile_corpus_is_the_one_described():
    assert set(refused_corpus()) == set(HOSTILE_DETAILS)


@pytest.mark.parametrize("name", sorted(HOSTILE_DETAILS))
def test_hostile_uploads_are_refused_saying_why(name):
    with pytest.raises(UploadError) as error:
        _process(refused_corpus()[name])

    assert (error.value.status_code, error.value.detail) == (400, HOSTILE_DETAILS[name])


def test_a_side_past_jpegs_limit_is_refused_as_an_upload_error_whatever_the_side_limit(settings):
    # given a side limit above JPEG's own 65,535 px, so only the encoder can object
    settings.UPLOAD_MAX_SIDE = 1_000_000

    with pytest.raises(UploadError) as error:
        _process(strip_png(70_000, 1))

    assert (error.value.status_code, error.value.detail) == (400, DAMAGED)


def test_the_side_limit_is_a_setting(settings):
    settings.UPLOAD_MAX_SIDE = 60

    with pytest.raises(UploadError) as error:
        _process(jpeg_bytes((64, 48)))

    assert error.value.detail == (
        "The image is 64×48 pixels; upload one of at most 60 pixels on its longest side."
    )
    assert _process(jpeg_bytes((60, 48))).width == 60


def test_the_decoded_size_counts_transparency_and_is_a_setting(settings):
    # given a budget of one megapixel of RGB
    settings.UPLOAD_MAX_DECODED_BYTES = 3_000_000

    with pytest.raises(UploadError) as error:
        _process(png_bytes((1000, 1000), mode="RGBA"))

    assert error.value.detail == (
        "The image is 1000×1000 pixels and takes 4 MB to open; upload one that takes at most"
        " 3 MB (fewer pixels, or no transparency)."
    )
    assert _process(png_bytes((1000, 1000), mode="RGB")).width == 1000
    assert _process(png_bytes((1000, 1000), mode="L")).width == 1000


def test_a_jpeg_with_a_zip_after_it_is_stored_without_the_zip():
    processed = _process(zip_polyglot())

    for data in (processed.jpeg, *processed.thumbnails.values()):
        assert b"PK\x03\x04" not in data and b"payload.html" not in data
        assert _reopen(data).format == "JPEG"


def test_a_jpeg_with_a_huge_exif_is_stored_without_it():
    processed = _process(huge_exif_jpeg())

    for data in (processed.jpeg, *processed.thumbnails.values()):
        assert HUGE_EXIF_MARK not in data
    assert (processed.width, processed.height) == (64, 48)


MEMORY_PROBE = """
import resource, sys
from pathlib import Path
import django
django.setup()
from socialapp.uploads import UploadError, image_process
import io
files = [p.read_bytes() for p in sorted(Path(sys.argv[1]).iterdir())]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for data in files:
    try:
        image_process(file=io.BytesIO(data))
    except UploadError:
        pass
    else:
        raise SystemExit("accepted a hostile upload")
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)
"""


def test_the_hostile_corpus_raises_the_servers_peak_memory_by_under_300_mb(tmp_path):
    import os
    import subprocess
    import sys

    # given the corpus on disk, read by a fresh process (this one's peak says nothing)
    for name, data in refused_corpus().items():
        (tmp_path / name).write_bytes(data)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "socialapp.settings.test"}

    # when it processes every file
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )

    # then each was refused and the peak grew by less than 300 MB
    assert probe.returncode == 0, probe.stderr[-2000:]
    assert int(probe.stdout.split()[-1]) < 300_000_000


def _media_files(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file())


@pytest.fixture
def empty_media(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, refused_corpus()[name], content_type="image/jpeg")


LISTING_FORM = {
    "title": "Denim jacket",
    "description": "Worn twice.",
    "price": "25.50",
    "currency": "USD",
    "category": "clothing",
}
PROFILE_FORM = {"display_name": "Lu", "bio": "", "language": "en"}


def _api_answers(name: str, user) -> dict[str, tuple[int, dict]]:
    from tests.factories import client_for

    api = client_for(user)
    answers = {
        "photo": api.post("/api/photos/", {"image": _upload(name), "caption": "x"}, format="multipart"),
        "avatar": api.patch("/api/me/", {"avatar": _upload(name)}, format="multipart"),
        "listing": api.post("/api/listings/", {**LISTING_FORM, "image": _upload(name)}, format="multipart"),
    }
    return {way: (r.status_code, r.json()) for way, r in answers.items()}


def _form_answers(name: str, user) -> dict[str, tuple[int, bool]]:
    from html import escape

    from django.test import Client

    browser = Client()
    browser.force_login(user)
    answers = {
        "photo": browser.post("/p/new/", {"image": _upload(name), "caption": "x"}),
        "avatar": browser.post("/settings/", {**PROFILE_FORM, "avatar": _upload(name)}),
        "listing": browser.post("/shop/new/", {**LISTING_FORM, "image": _upload(name)}),
    }
    detail = escape(_web_detail(name))
    return {way: (r.status_code, detail in r.content.decode()) for way, r in answers.items()}


def _web_detail(name: str) -> str:
    # Django's form field judges an empty file before the pipeline sees it.
    return "The submitted file is empty." if name == "zero-bytes.jpg" else HOSTILE_DETAILS[name]


def _api_detail(name: str, field: str) -> dict:
    if name == "zero-bytes.jpg":  # DRF's file field judges an empty file first
        empty = "The submitted file is empty."
        return {"detail": f"{field}: {empty}", "fields": {field: [empty]}}
    return {"detail": HOSTILE_DETAILS[name]}


def _nothing_stored(user, media: Path) -> tuple:
    from socialapp.photos.models import Photo
    from socialapp.shop.models import Listing

    user.refresh_from_db()
    return (Photo.objects.count(), Listing.objects.count(), user.avatar.name, _media_files(media))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE_DETAILS))
def test_hostile_uploads_through_the_api_are_refused_and_store_nothing(name, empty_media):
    from tests.factories import UserFactory

    user = UserFactory()

    answers = _api_answers(name, user)

    assert answers == {
        "photo": (400, _api_detail(name, "image")),
        "avatar": (400, _api_detail(name, "avatar")),
        "listing": (400, _api_detail(name, "image")),
    }
    assert _nothing_stored(user, empty_media) == (0, 0, "", [])


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(HOSTILE_DETAILS))
def test_hostile_uploads_through_the_web_forms_are_refused_and_store_nothing(name, empty_media):
    from tests.factories import UserFactory

    user = UserFactory()

    answers = _form_answers(name, user)

    assert answers == {way: (400, True) for way in ("photo", "avatar", "listing")}
    assert _nothing_stored(user, empty_media) == (0, 0, "", [])


@pytest.mark.django_db
def test_an_upload_named_with_a_nul_character_is_stored_under_a_name_of_our_own(empty_media):
    # Django drops unprintable characters from upload names, and the pipeline names files
    # itself, so the name never reaches a query or the disk.
    from django.test import Client

    from tests.factories import UserFactory, client_for

    user = UserFactory()
    api, browser = client_for(user), Client()
    browser.force_login(user)

    def named() -> SimpleUploadedFile:
        return SimpleUploadedFile("a\x00b.jpg", jpeg_bytes(), content_type="image/jpeg")

    answers = [
        api.post("/api/photos/", {"image": named(), "caption": "x"}, format="multipart"),
        api.patch("/api/me/", {"avatar": named()}, format="multipart"),
        api.post("/api/listings/", {**LISTING_FORM, "image": named()}, format="multipart"),
        browser.post("/p/new/", {"image": named(), "caption": "x"}),
        browser.post("/settings/", {**PROFILE_FORM, "avatar": named()}),
        browser.post("/shop/new/", {**LISTING_FORM, "image": named()}),
    ]

    assert [r.status_code for r in answers] == [201, 200, 201, 302, 302, 302]
    names = {path.name for path in _media_files(empty_media)}
    assert names and all(re.fullmatch(r"[0-9a-f]{32}(_320|_1080)?\.jpg", name) for name in names)
