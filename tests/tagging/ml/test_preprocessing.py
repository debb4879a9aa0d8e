import io

import torch
from PIL import Image

from tagging.ml.backbones import Preprocessing
from tagging.ml.preprocessing import decode, load_image, to_tensor

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
