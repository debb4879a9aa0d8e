import io

import numpy as np
from PIL import Image, ImageDraw

from tagging.ml.splits import dhash, near_duplicate_pairs, split_by_owner


def _jpeg(image: Image.Image, quality: int = 90) -> io.BytesIO:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return buffer


def _scene() -> Image.Image:
    # A diagonal gradient with a few shapes: structure a dhash can see.
    x, y = np.meshgrid(np.arange(640), np.arange(480))
    gray = ((x + y) * 255 // (640 + 480)).astype(np.uint8)
    image = Image.fromarray(np.stack([gray, gray // 2, 255 - gray], axis=2))
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 60, 300, 280), fill=(250, 220, 40))
    draw.rectangle((380, 200, 600, 440), fill=(20, 30, 30))
    return image


def test_a_reencoded_resized_copy_hashes_alike_and_an_unrelated_image_does_not():
    original = dhash(_jpeg(_scene()))
    copy = Image.open(_jpeg(_scene())).resize((600, 450), Image.Resampling.BICUBIC)
    noise = Image.fromarray(np.random.default_rng(0).integers(0, 256, (480, 640, 3), dtype=np.uint8))

    assert _bits_apart(original, dhash(_jpeg(copy, quality=70))) <= 6
    assert _bits_apart(original, dhash(_jpeg(noise))) >= 20


def test_dhash_sets_a_bit_where_the_right_neighbour_is_brighter():
    brightening = Image.fromarray(np.tile(np.arange(0, 256, 2, dtype=np.uint8), (64, 1)))

    assert dhash(_jpeg(brightening)) == 2**64 - 1
    assert dhash(_jpeg(brightening.transpose(Image.Transpose.FLIP_LEFT_RIGHT))) == 0
    assert dhash(_jpeg(brightening), size=4) == 2**16 - 1


def _bits_apart(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def _random_hashes(rng: np.random.Generator, count: int) -> list[int]:
    return rng.integers(0, 2**64, count, dtype=np.uint64).tolist()


def _owned_photos(seed: int = 1) -> tuple[list[int], list[int | None]]:
    # 1000 photos from 100 owners, at least one each, with unrelated random hashes.
    rng = np.random.default_rng(seed)
    owners = rng.permutation(list(range(100)) + rng.integers(0, 100, 900).tolist()).tolist()
    return owners, _random_hashes(rng, 1000)


def _sides_of(owners: list[int], sides: list[str], *wanted: int) -> set[str]:
    return {side for owner, side in zip(owners, sides, strict=True) if owner in wanted}


def test_every_owner_lands_on_one_side():
    owners, hashes = _owned_photos()

    sides = split_by_owner(owners, hashes, seed=4)

    assert [len(_sides_of(owners, sides, owner)) for owner in range(100)] == [1] * 100


def test_the_val_share_is_close_to_held_out():
    owners, hashes = _owned_photos()

    for held_out in (0.1, 0.2, 0.5):
        sides = split_by_owner(owners, hashes, held_out=held_out)
        assert abs(sides.count("val") / len(sides) - held_out) < 0.1


def test_a_near_duplicate_across_owners_lands_on_the_same_side():
    owners, hashes = _owned_photos()
    unlinked = [split_by_owner(owners, hashes, seed=seed) for seed in range(10)]
    hashes[owners.index(20)] = hashes[owners.index(10)] ^ 0b101001  # three bits apart

    linked = [split_by_owner(owners, hashes, seed=seed) for seed in range(10)]

    assert any(len(_sides_of(owners, sides, 10, 20)) == 2 for sides in unlinked)
    assert all(len(_sides_of(owners, sides, 10, 20)) == 1 for sides in linked)


def test_the_split_is_deterministic_for_a_seed():
    owners, hashes = _owned_photos()

    assert split_by_owner(owners, hashes, seed=3) == split_by_owner(owners, hashes, seed=3)
    assert split_by_owner(owners, hashes, seed=3) != split_by_owner(owners, hashes, seed=4)


def test_train_is_never_left_empty():
    sides = split_by_owner([1, 2], [None, None], held_out=1.0)

    assert sorted(sides) == ["train", "val"]


def test_banded_search_finds_exactly_the_pairs_brute_force_finds():
    rng = np.random.default_rng(2)
    hashes: list[int | None] = list(_random_hashes(rng, 410))
    for distance in range(9):
        for base in rng.choice(410, 10, replace=False).tolist():
            flipped = sum(1 << bit for bit in rng.choice(64, distance, replace=False).tolist())
            hashes.append(hashes[base] ^ flipped)
    hashes[5] = None
    present = [i for i, h in enumerate(hashes) if h is not None]
    brute = {(i, j) for i in present for j in present if i < j and _bits_apart(hashes[i], hashes[j]) <= 6}

    found = near_duplicate_pairs(hashes, max_distance=6)

    assert len(hashes) == 500
    assert len(brute) >= 60  # the constructed pairs at distances 0..6
    assert found == brute
