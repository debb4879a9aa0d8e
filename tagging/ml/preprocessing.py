"""Photo -> input tensor, the way the backbone was trained to see it.

JPEGs are decoded with Pillow's draft(): the decoder scales by 1/2, 1/4 or 1/8 while it
reads, so a 12 MP photo is never fully decoded to make a 224 px input."""

from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch
from PIL import Image, ImageOps

from .backbones import Preprocessing

ImageSource = str | Path | BinaryIO

# A pixel is coloured where its channels differ by more than this (of 255): the grey of a
# black-and-white photo stored as an RGB JPEG strays a few levels, colours far more.
COLOURED_CHROMA = 24
# A photo is black and white where fewer than this share of its pixels are coloured. On
# the dev photos: none in the three black-and-white ones, 6.5% and more in every other.
MONOCHROME_MAX_COLOURED = 0.01
MONOCHROME_STRIDE = 4
# monochrome_source decodes at the smallest JPEG scale that keeps this many pixels a side.
MONOCHROME_SIDE = 64


def decode(source: ImageSource, preprocessing: Preprocessing) -> Image.Image:
    """Open and decode just enough pixels: a JPEG comes out at the smallest 1/2, 1/4 or
    1/8 scale that still covers `resize` on both sides. Upright (EXIF), RGB."""
    with Image.open(source) as opened:
        opened.draft("RGB", (preprocessing.resize, preprocessing.resize))
        return ImageOps.exif_transpose(opened).convert("RGB")


def load_image(source: ImageSource, preprocessing: Preprocessing) -> Image.Image:
    """Decode, resize the shorter side to `resize` (bicubic, antialiased), centre-crop
    `crop`."""
    return cropped(decode(source, preprocessing), preprocessing)


def covering(image: Image.Image, preprocessing: Preprocessing) -> Image.Image:
    """A copy of a decoded image, box-reduced by the largest whole factor that still covers
    `resize` on both sides (a photo decoded whole, not by draft(), is mostly pixels the
    model's input never shows)."""
    factor = min(image.size) // preprocessing.resize
    return image.reduce(factor) if factor > 1 else image.copy()


def cropped(image: Image.Image, preprocessing: Preprocessing) -> Image.Image:
    """A decoded upright RGB image resized (its shorter side to `resize`) and centre-cropped
    to `crop`. The resize is torch's, on the decoded bytes: the pixels of Pillow's bicubic
    resize to within rounding, in under half the time (about 0.5 ms on one core for a
    320 px grid thumbnail, where Pillow took 1.1 ms resampling only the crop)."""
    width, height = image.size
    scale = preprocessing.resize / min(width, height)
    resized = (max(preprocessing.crop, round(width * scale)), max(preprocessing.crop, round(height * scale)))
    left = (resized[0] - preprocessing.crop) // 2
    top = (resized[1] - preprocessing.crop) // 2
    # (1, 3, h, w) uint8 over the decoded rows, as channels-last: torch's vectorised path
    pixels = torch.from_numpy(np.array(image))[None].permute(0, 3, 1, 2)
    whole = torch.nn.functional.interpolate(
        pixels, size=(resized[1], resized[0]), mode="bicubic", antialias=True, align_corners=False
    )
    crop = whole[0, :, top : top + preprocessing.crop, left : left + preprocessing.crop]
    return Image.fromarray(crop.permute(1, 2, 0).numpy())


def to_batch(images: list[np.ndarray], preprocessing: Preprocessing) -> torch.Tensor:
    """(n, 3, crop, crop) float batch from cropped (crop, crop, 3) uint8 pixel arrays (see
    crops), normalised with the backbone's mean and std, in a few passes over the whole
    batch."""
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous().float()
    mean = torch.tensor(preprocessing.mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(preprocessing.std, dtype=torch.float32).view(1, 3, 1, 1)
    return pixels.div_(255.0).sub_(mean).div_(std)


def batch(sources: list[ImageSource], preprocessing: Preprocessing) -> torch.Tensor:
    """Stack photos into one (n, 3, crop, crop) batch."""
    return to_batch(crops([decode(s, preprocessing) for s in sources], preprocessing), preprocessing)


def crops(images: list[Image.Image], preprocessing: Preprocessing) -> list[np.ndarray]:
    """The model's input of each decoded photo as (crop, crop, 3) uint8 pixels (see cropped)."""
    return [np.asarray(cropped(image, preprocessing)) for image in images]


def monochrome(pixels: np.ndarray) -> bool:
    """Whether (h, w, 3) uint8 RGB pixels are a black-and-white photo: hardly any of them
    has channels further apart than COLOURED_CHROMA. A fact of the pixels, where a head
    trained on hashtags can only guess (it put #blackandwhite on party cups)."""
    # Every MONOCHROME_STRIDE-th pixel each way says as much (a colour covering 1% of a
    # photo is not finer than that) at a sixteenth of the cost, beside resuggest's forward
    # passes on the same cores.
    sample = pixels[::MONOCHROME_STRIDE, ::MONOCHROME_STRIDE]
    red, green, blue = (sample[..., channel].astype(np.int16) for channel in range(3))
    chroma = np.maximum(np.maximum(red, green), blue) - np.minimum(np.minimum(red, green), blue)
    return float((chroma > COLOURED_CHROMA).mean()) < MONOCHROME_MAX_COLOURED


def monochrome_source(source: ImageSource, preprocessing: Preprocessing) -> bool:
    """`monochrome` of the part of a photo the model's input shows (the centre square,
    `crop` / `resize` of its shorter side), decoded at a small scale: for a photo whose
    embedding was kept, where no pixels are decoded otherwise. Raises OSError for an
    unreadable file."""
    with Image.open(source) as opened:
        opened.draft("RGB", (MONOCHROME_SIDE, MONOCHROME_SIDE))
        image = ImageOps.exif_transpose(opened).convert("RGB")
    width, height = image.size
    side = max(1, round(min(width, height) * preprocessing.crop / preprocessing.resize))
    left, top = (width - side) // 2, (height - side) // 2
    return monochrome(np.asarray(image.crop((left, top, left + side, top + side))))
