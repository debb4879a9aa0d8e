import io

import numpy as np
import pytest
import torch
from PIL import Image

from tagging.ml.backbones import Preprocessing
from tagging.ml.preprocessing import decode, load_image, monochrome, monochrome_source, to_batch
from tests.tagging.conftest import BEE, CASTLE, CUPS, DEMO, PLIERS

PREP = Preprocessing()


def _jpeg(size: tuple[int, int]) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 120, 200)).save(buffer, "JPEG", quality=90)
    buffer.seek(0)
    return buffer


def test_a_12_megapixel_jpeg_is_decoded_at_an_eighth_of_its_size():
    decoded = decode(_jpeg((4000, 3000)), PREP)

    assert decoded.size == (500, 375)  # 1/8 scale still covers 256 px on both sides


def test_draft_never_goes_below_the_resize_target():
    decoded = decode(_jpeg((600, 400)), PREP)

    assert decoded.size == (600, 400)  # 1/2 would give 200 px, under 256


def test_resize_then_centre_crop_to_224():
    image = load_image(_jpeg((4000, 3000)), PREP)

    assert image.size == (224, 224)


def test_pixels_are_scaled_to_minus_one_one():
    white, black = Image.new("RGB", (224, 224), "white"), Image.new("RGB", (224, 224), "black")

    pixels = to_batch([np.asarray(white), np.asarray(black)], PREP)

    assert torch.allclose(pixels[0], torch.ones(3, 224, 224))
    assert torch.allclose(pixels[1], -torch.ones(3, 224, 224))


@pytest.mark.parametrize("path", [BEE, CASTLE, CUPS, PLIERS], ids=lambda p: p.stem)
def test_the_input_has_the_pixels_of_pillows_bicubic_resize_then_crop(path):
    decoded = decode(path, PREP)
    width, height = decoded.size
    scale = PREP.resize / min(width, height)
    whole = decoded.resize((round(width * scale), round(height * scale)), Image.Resampling.BICUBIC)
    left, top = (whole.width - PREP.crop) // 2, (whole.height - PREP.crop) // 2
    expected = np.asarray(whole.crop((left, top, left + PREP.crop, top + PREP.crop)), dtype=np.int16)

    got = np.asarray(load_image(path, PREP), dtype=np.int16)

    difference = np.abs(got - expected)
    assert got.shape == expected.shape == (PREP.crop, PREP.crop, 3)
    assert difference.mean() < 0.05  # Pillow's rounding of the region's edges, nothing more
    assert (difference <= 1).mean() > 0.999


def _as_jpeg(image: Image.Image) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    buffer.seek(0)
    return buffer


# A black-and-white photo as phones store one: the grey of a colour photo, saved as RGB.
GREY_CASTLE = Image.open(CASTLE).convert("L").convert("RGB")
BLACK_AND_WHITE = DEMO / "dev_013.jpg"  # a lighthouse on a breakwater, black and white


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        (Image.open(CASTLE).convert("RGB"), False),
        (Image.open(CUPS).convert("RGB"), False),
        (Image.open(PLIERS).convert("RGB"), False),
        (GREY_CASTLE, True),
        (Image.open(BLACK_AND_WHITE).convert("RGB"), True),
    ],
)
def test_black_and_white_is_told_from_the_pixels_the_model_sees(image, expected):
    pixels = np.asarray(load_image(_as_jpeg(image), PREP))

    assert monochrome(pixels) is expected
    assert monochrome_source(_as_jpeg(image), PREP) is expected  # from a small decode


def test_a_grey_photo_with_a_little_colour_is_not_black_and_white():
    pixels = np.asarray(GREY_CASTLE).copy()
    height, width, _ = pixels.shape
    middle = (slice(height // 2 - 30, height // 2 + 30), slice(width // 2 - 30, width // 2 + 30))
    pixels[middle] = (200, 30, 30)  # a red sign

    assert not monochrome(np.asarray(load_image(_as_jpeg(Image.fromarray(pixels)), PREP)))
