import io

import numpy as np
import pytest
import torch
from PIL import Image

from tagging.ml.backbones import Preprocessing
from tagging.ml.preprocessing import decode, load_image, to_tensor
from tests.tagging.conftest import BEE, CASTLE, CUPS, PLIERS

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

    assert torch.allclose(to_tensor(white, PREP), torch.ones(3, 224, 224))
    assert torch.allclose(to_tensor(black, PREP), -torch.ones(3, 224, 224))


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
