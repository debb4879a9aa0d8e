import io
import re

import pytest
from PIL import Image, ImageCms

from socialapp.jpeg_metadata import jpeg_without_metadata
from tests.images import jpeg_with_all_metadata, photo_like


def _encode(image: Image.Image, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, **params)
    return buffer.getvalue()


def _pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def _markers(data: bytes) -> list[int]:
    markers, position = [], 2
    while data[position + 1] != 0xD9:
        marker = data[position + 1]
        markers.append(marker)
        position += 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:
            position = re.compile(rb"\xff(?=[^\x00\xd0-\xd7\xff])").search(data, position).start()
    return markers


def test_metadata_segments_and_trailer_are_dropped_and_the_coded_image_kept():
    image = photo_like((96, 64))
    with_metadata = jpeg_with_all_metadata(image, quality=90)

    stripped = jpeg_without_metadata(with_metadata)

    # Exactly what Pillow writes for the same pixels with no metadata at all.
    assert stripped == _encode(image)
    assert _markers(with_metadata) == [0xE0, 0xE1, 0xE1, 0xE2, 0xFE, 0xDB, 0xDB, 0xC0] + [0xC4] * 4 + [0xDA]
    assert _markers(stripped) == [0xE0, 0xDB, 0xDB, 0xC0] + [0xC4] * 4 + [0xDA]
    assert b"TestCam" not in stripped


def test_icc_profile_is_kept_when_asked_even_across_several_segments():
    image = photo_like((96, 64))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    large = srgb + bytes(150_000)  # past one segment's 64 KB: written as three

    for profile, segments in ((srgb, 1), (large, 3)):
        with_metadata = _encode(image, icc_profile=profile, comment=b"TestCam")

        stripped = jpeg_without_metadata(with_metadata, keep_icc=True)

        assert stripped == _encode(image, icc_profile=profile)
        assert _markers(stripped) == [0xE0] + [0xE2] * segments + [0xDB, 0xDB, 0xC0] + [0xC4] * 4 + [0xDA]
        assert Image.open(io.BytesIO(stripped)).info["icc_profile"] == profile


@pytest.mark.parametrize(
    "params",
    [{"progressive": True}, {"restart_marker_blocks": 1}, {"subsampling": 0}],
    ids=["progressive", "restart-markers", "4:4:4"],
)
def test_decoded_pixels_are_identical(params):
    image = photo_like((120, 80), seed=1)
    original = _encode(image, exif=b"Exif\x00\x00" + Image.Exif().tobytes(), comment=b"hello", **params)

    stripped = jpeg_without_metadata(original)

    assert stripped is not None and len(stripped) < len(original)
    assert _pixels(stripped) == _pixels(original)


def test_jfif_thumbnail_is_dropped_and_adobe_colour_transform_kept():
    plain = _encode(photo_like((32, 32)))
    thumbnail = bytes(3 * 2 * 2)  # a 2x2 RGB JFIF thumbnail
    jfif = b"\xff\xe0\x00\x1c" + b"JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x02\x02" + thumbnail
    adobe = b"\xff\xee\x00\x0e" + b"Adobe\x00\x64\x00\x00\x00\x00\x01"
    rest = plain[2 + 2 + int.from_bytes(plain[4:6], "big") :]  # after Pillow's own JFIF

    stripped = jpeg_without_metadata(b"\xff\xd8" + jfif + adobe + rest)

    clean_jfif = b"\xff\xe0\x00\x10" + b"JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x00\x00"
    assert stripped == b"\xff\xd8" + clean_jfif + adobe + rest


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x89PNG\r\n\x1a\n",
        _encode(photo_like((32, 32)))[:-2],  # no end of image
        _encode(photo_like((32, 32)))[:300],  # cut inside the headers
        b"\xff\xd8\xff\xf0\x00\x04\x00\x00\xff\xd9",  # a JPGn extension marker
        b"\xff\xd8\xff\xc9\x00\x04\x00\x00\xff\xd9",  # an arithmetic-coded frame (SOF9)
        b"\xff\xd8\xff\xe1\x00\x01\xff\xd9",  # a length shorter than itself
    ],
    ids=["empty", "png", "no-eoi", "cut-in-headers", "unknown-marker", "arithmetic", "bad-length"],
)
def test_structures_it_does_not_copy_safely_give_none(data):
    assert jpeg_without_metadata(data) is None
