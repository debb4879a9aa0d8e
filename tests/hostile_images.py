"""Hostile uploads, made in the test: files that must be refused without decoding them
(bombs, strips past JPEG's 65,535 px side), files that are no image at all, and two
valid images that carry something else (a ZIP after the JPEG, a 60 KB EXIF)."""

import functools
import io
import struct
import zipfile

from PIL import Image

from tests.images import jpeg_bytes, photo_like, png_bomb


def _encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small JPEG whose frame header claims width×height: opening reads only that."""
    data = bytearray(jpeg_bytes((16, 16)))
    frame = data.index(b"\xff\xc0")
    data[frame + 5 : frame + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def strip_png(width: int, height: int) -> bytes:
    return _encode(Image.new("1", (width, height)), "PNG", optimize=True)


def zip_polyglot() -> bytes:
    """A JPEG with a ZIP archive after it: both programs open it."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.html", "<script>alert(1)</script>")
    return jpeg_bytes((64, 48)) + archive.getvalue()


HUGE_EXIF_MARK = b"HUGE-EXIF-PAYLOAD"


def huge_exif_jpeg() -> bytes:
    """A JPEG whose EXIF fills a whole 64 KB segment."""
    exif = Image.Exif()
    exif[0x010E] = (HUGE_EXIF_MARK * 3700).decode()  # ImageDescription, ~63 KB
    return jpeg_bytes((64, 48), exif=exif.tobytes())


@functools.cache
def refused_corpus() -> dict[str, bytes]:
    """File name -> bytes of uploads that must all be refused (each name says why)."""
    whole_jpeg = _encode(photo_like((1200, 900)), "JPEG", quality=92)
    whole_png = _encode(photo_like((300, 200)), "PNG")
    return {
        "truncated.jpg": whole_jpeg[: len(whole_jpeg) * 6 // 10],
        "truncated.png": whole_png[: len(whole_png) // 2],
        "zero-bytes.jpg": b"",
        "text.jpg": b"just some words, no picture\n",
        "page.jpg": b"<!doctype html><title>x</title><script>alert(1)</script>",
        "script.svg": (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
        ),
        "bomb-100mp.png": png_bomb(10_000),
        "bomb.gif": _encode(Image.new("P", (8_000, 6_000)), "GIF"),
        "strip-wide.png": strip_png(49_000_000, 1),
        "strip-tall.png": strip_png(1, 49_000_000),
        "claims-81mp.jpg": jpeg_claiming(9_000, 9_000),
        "rgba-49mp.png": _encode(Image.new("RGBA", (7_000, 7_000)), "PNG"),
    }
