"""Real image bytes for tests, made with Pillow (and pillow-heif for HEIC)."""

import io

import pillow_heif
from PIL import Image


def _encode(image: Image.Image, fmt: str, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def jpeg_bytes(
    size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 40, 40), **params
) -> bytes:
    return _encode(Image.new("RGB", size, color), "JPEG", **params)


def png_bytes(size: tuple[int, int] = (40, 30), mode: str = "RGBA") -> bytes:
    return _encode(Image.new(mode, size, (0, 128, 255, 128) if mode == "RGBA" else 0), "PNG")


def webp_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    return _encode(Image.new("RGB", size, (10, 200, 30)), "WEBP")


def heic_bytes(size: tuple[int, int] = (64, 48)) -> bytes:
    pillow_heif.register_heif_opener()
    return _encode(Image.new("RGB", size, (10, 30, 200)), "HEIF")


def jpeg_with_gps_and_rotation(size: tuple[int, int] = (80, 40)) -> bytes:
    """A landscape JPEG whose EXIF says "rotate 90°" (orientation 6) and carries GPS."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was turned; show it rotated
    exif[0x010F] = "TestCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (40.0, 24.0, 59.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "W", (3.0, 42.0, 9.0)
    return jpeg_bytes(size, exif=exif.tobytes())


def png_bomb(side: int = 10_000) -> bytes:
    """A tiny file that decodes to side×side pixels (100 MP by default)."""
    return _encode(Image.new("1", (side, side)), "PNG", optimize=True)


def pattern_jpeg(color: tuple[int, int, int], seed: int, size: tuple[int, int] = (96, 96)) -> bytes:
    """A photo-like JPEG: a dominant colour with random blocks, different for each seed
    (so perceptual hashes differ and photos are not near-duplicates of each other)."""
    import random

    from PIL import ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", size, color)
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        shade = tuple(max(0, min(255, c + rng.randint(-90, 90))) for c in color)
        draw.rectangle((x, y, x + rng.randint(8, 40), y + rng.randint(8, 40)), fill=shade)
    return _encode(image, "JPEG", quality=90)


def photo_like(size: tuple[int, int], seed: int = 0) -> Image.Image:
    """Noise with a gradient: every pixel differs, so pixel comparisons mean something."""
    import numpy as np

    rng = np.random.default_rng(seed)
    width, height = size
    ramp = np.linspace(0, 160, width, dtype=np.float32)[None, :, None]
    noise = rng.integers(0, 95, (height, width, 3)).astype(np.float32)
    return Image.fromarray((ramp + noise).astype(np.uint8), "RGB")


def jpeg_with_all_metadata(image: Image.Image, orientation: int = 1, **params) -> bytes:
    """`image` as a JPEG carrying EXIF (camera make, orientation, GPS), XMP, an ICC
    profile, a comment and a phone-style trailer after the end of the image."""
    from PIL import ImageCms

    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "TestCam"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (40.0, 24.0, 59.0)  # GPSLatitudeRef, GPSLatitude
    gps[3], gps[4] = "W", (3.0, 42.0, 9.0)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">TestCam owner</x:xmpmeta>'
    data = _encode(image, "JPEG", exif=exif.tobytes(), icc_profile=icc, xmp=xmp, comment=b"TestCam", **params)
    return data + b"SEFT TestCam trailer"
