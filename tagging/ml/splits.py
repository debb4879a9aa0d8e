"""Train / validation splits that do not leak.

Random photo-level splits overstate accuracy on a social platform: one owner posts many
near-identical shots with the same hashtags, and reposts cross accounts. So whole owners
go to one side, and photos whose difference hashes lie within a few bits of each other
are tied together too, even across owners.

Near duplicates are found by pigeonhole banding: split the hash bits into
max_distance + 1 bands; two hashes that differ in at most max_distance bits agree
exactly on at least one band, so comparing only hashes that share a band finds every
pair, with no approximation."""

import hashlib
from collections import defaultdict
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps

_WORD = 64
_BLOCK_CELLS = 1 << 22  # bounds the memory of one bucket's pairwise comparison


def dhash(source: str | Path | BinaryIO, *, size: int = 8) -> int:
    """Difference hash with size * size bits (64 for size 8): bit set where a pixel of the
    (size + 1) x size grayscale thumbnail is darker than its right neighbour, row-major,
    first pixel in the highest bit. Raises OSError for an unreadable image."""
    with Image.open(source) as opened:
        opened.draft("L", (size * 4, size * 4))  # a JPEG decodes at 1/2..1/8 scale
        gray = ImageOps.exif_transpose(opened).convert("L")
    pixels = np.asarray(gray.resize((size + 1, size), Image.Resampling.BILINEAR), dtype=np.int16)
    bits = (pixels[:, 1:] > pixels[:, :-1]).flatten()
    return int.from_bytes(np.packbits(bits).tobytes(), "big") >> (-len(bits) % 8)


def _words(hashes: list[int], width: int) -> np.ndarray:
    """(n, width) uint64 array holding each hash 64 bits at a time."""
    mask = (1 << _WORD) - 1
    return np.array([[(h >> (_WORD * w)) & mask for w in range(width)] for h in hashes], dtype=np.uint64)


def _close_in(members: list[int], words: np.ndarray, max_distance: int) -> Iterator[tuple[int, int]]:
    """Pairs (i, j), i < j, of `members` whose hashes differ in at most max_distance bits."""
    index = np.array(members)
    values = words[index]
    rows_at_once = max(1, _BLOCK_CELLS // len(index))
    for start in range(0, len(index), rows_at_once):
        block = values[start : start + rows_at_once]
        distances = np.bitwise_count(block[:, None, :] ^ values[None, :, :]).sum(axis=2)
        later = np.arange(len(index))[None, :] > np.arange(start, start + len(block))[:, None]
        rows, columns = np.nonzero((distances <= max_distance) & later)
        yield from zip(index[rows + start].tolist(), index[columns].tolist(), strict=True)


def near_duplicate_pairs(hashes: list[int | None], *, max_distance: int = 6) -> set[tuple[int, int]]:
    """Every pair of positions (i, j), i < j, whose hashes differ in at most max_distance
    bits; None hashes pair with nothing. Exact (pigeonhole banding). Raises ValueError
    for a negative max_distance."""
    if max_distance < 0:
        raise ValueError("max_distance must be at least 0.")
    present = [i for i, h in enumerate(hashes) if h is not None]
    values = [h for h in hashes if h is not None]
    bits = max([_WORD, *(h.bit_length() for h in values)])
    words = _words(values, -(-bits // _WORD))
    bands = max_distance + 1
    # More bands than bits cannot split the hash: every pair is compared then.
    edges = [bits * b // bands for b in range(bands + 1)] if bands <= bits else [0, 0]
    pairs: set[tuple[int, int]] = set()
    for low, high in pairwise(edges):
        buckets: dict[int, list[int]] = defaultdict(list)
        for position, h in enumerate(values):
            buckets[(h >> low) & ((1 << (high - low)) - 1)].append(position)
        for members in buckets.values():
            if len(members) > 1:
                pairs.update(_close_in(members, words, max_distance))
    return {(present[i], present[j]) for i, j in pairs}


class _Groups:
    """Union-find over photo positions."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _linked_groups(owners: list[int], hashes: list[int | None], max_distance: int) -> list[list[int]]:
    """Photo positions grouped by owner and near-duplicate hash, transitively."""
    groups = _Groups(len(owners))
    first_by_owner: dict[int, int] = {}
    first_by_hash: dict[int, int] = {}
    for position, (owner, h) in enumerate(zip(owners, hashes, strict=True)):
        groups.union(position, first_by_owner.setdefault(owner, position))
        if h is not None:
            groups.union(position, first_by_hash.setdefault(h, position))
    # Equal hashes are already tied above; search near duplicates among distinct values.
    distinct = list(first_by_hash.items())
    for i, j in near_duplicate_pairs([h for h, _ in distinct], max_distance=max_distance):
        groups.union(distinct[i][1], distinct[j][1])
    members: dict[int, list[int]] = defaultdict(list)
    for position in range(len(owners)):
        members[groups.find(position)].append(position)
    return list(members.values())


def split_by_owner(
    owners: list[int],
    hashes: list[int | None],
    *,
    held_out: float = 0.2,
    seed: int = 0,
    max_distance: int = 6,
) -> list[str]:
    """The side, "train" or "val", of each photo. An owner's photos, and near duplicates (hashes at
    most max_distance bits apart, any owner), share a side; whole groups in a seeded order
    fill val up to about `held_out` of the photos, and train is never left empty when
    there are two groups or more. Raises ValueError for unequal lists or held_out
    outside [0, 1]."""
    if len(owners) != len(hashes):
        raise ValueError("owners and hashes must have one entry per photo.")
    if not 0 <= held_out <= 1:
        raise ValueError("held_out must lie in [0, 1].")
    groups = _linked_groups(owners, hashes, max_distance)
    groups.sort(key=lambda group: (hashlib.sha256(f"{seed}:{group[0]}".encode()).digest(), group[0]))
    target, taken = held_out * len(owners), 0
    val: list[list[int]] = []
    for group in groups:
        if abs(taken + len(group) - target) < abs(taken - target):
            val.append(group)
            taken += len(group)
    if len(val) == len(groups) > 1:
        val.pop()
    sides = ["train"] * len(owners)
    for group in val:
        for position in group:
            sides[position] = "val"
    return sides
