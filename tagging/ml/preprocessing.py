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


def decode(source: ImageSource, preprocessing: Preprocessing) -> Image.Image:
    """Open and decode just enough pixels: a JPEG comes out at the smallest 1/2, 1/4 or
    1/8 scale that still covers `resize` on both sides. Upright (EXIF), RGB."""
    with Image.open(source) as opened:
        opened.draft("RGB", (preprocessing.resize, preprocessing.resize))
        return ImageOps.exif_transpose(opened).convert("RGB")


def load_image(source: ImageSource, preprocessing: Preprocessing) -> Image.Image:
    """Decode, resize the shorter side to `resize` (bicubic), centre-crop `crop`. Only the
    crop is resampled (the source region it covers): the same pixels as resizing the whole
    photo and cropping, to within Pillow's rounding, in half the time."""
    image = decode(source, preprocessing)
    width, height = image.size
    scale = preprocessing.resize / min(width, height)
    resized = (max(preprocessing.crop, round(width * scale)), max(preprocessing.crop, round(height * scale)))
    left = (resized[0] - preprocessing.crop) // 2
    top = (resized[1] - preprocessing.crop) // 2
    x_scale, y_scale = width / resized[0], height / resized[1]
    box = (
        left * x_scale,
        top * y_scale,
        (left + preprocessing.crop) * x_scale,
        (top + preprocessing.crop) * y_scale,
    )
    return image.resize((preprocessing.crop, preprocessing.crop), Image.Resampling.BICUBIC, box=box)


def to_tensor(image: Image.Image, preprocessing: Preprocessing) -> torch.Tensor:
    """(3, crop, crop) float tensor, normalised with the backbone's mean and std."""
    array = np.asarray(image, dtype=np.float32) / 255.0
    mean = np.asarray(preprocessing.mean, dtype=np.float32)
    std = np.asarray(preprocessing.std, dtype=np.float32)
    return torch.from_numpy(((array - mean) / std).transpose(2, 0, 1).copy())


def to_batch(images: list[np.ndarray], preprocessing: Preprocessing) -> torch.Tensor:
    """(n, 3, crop, crop) float batch from cropped (crop, crop, 3) uint8 pixel arrays,
    normalised with the same float32 steps as to_tensor (equal to the bit), in a few
    passes over the whole batch instead of five over each photo."""
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous().float()
    mean = torch.tensor(preprocessing.mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(preprocessing.std, dtype=torch.float32).view(1, 3, 1, 1)
    return pixels.div_(255.0).sub_(mean).div_(std)


def batch(sources: list[ImageSource], preprocessing: Preprocessing) -> torch.Tensor:
    """Stack photos into one (n, 3, crop, crop) batch."""
    return torch.stack([to_tensor(load_image(s, preprocessing), preprocessing) for s in sources])
