"""The tagger on 193 held-out photos of the dev set's own sources, as served after
`seed_demo`:

    apt-get install gcompris-qt-data   # Debian 12: 3.1-2, about 75 MB
    .venv/bin/python bench/heldout.py [--rcc DIR] [--out FILE.json]

The dev photos come from Debian's gcompris-qt-data (and KDE's wallpapers); the issue's
hidden set, kept outside the project, is labelled the way posts.csv is, without captions.
bench/heldout.csv lists 193 photos of that package the dev set does not use (the
categorization, explore, erase, clickgame and details activities' photos), each with
the Qt resource file and path it is read from and its labels, written by hand the way
posts.csv is (hashtags separated by `|`, a shop category). No photo is committed: they
are read out of the package's .rcc files here, saved as JPEG (quality 92) in a throwaway
folder, and scored by the service behind `evaluate_tagger --photos --labels`
(tagging.services.tagger_evaluate_folder): cold start, then the version `seed_demo`
trains. Not part of `make bench` (it needs the package; about a minute of CPU).
"""

import argparse
import csv
import io
import json
import os
import struct
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socialapp.settings.base")
os.environ.pop("REDIS_URL", None)
os.environ.pop("DATABASE_URL", None)
os.environ["VAR_DIR"] = tempfile.mkdtemp(prefix="socialapp-heldout-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from PIL import Image  # noqa: E402

from tagging import selectors  # noqa: E402
from tagging.services import tagger_evaluate_folder  # noqa: E402

LABELS = ROOT / "bench" / "heldout.csv"
RCC = Path("/usr/share/gcompris-qt/rcc")


def rcc_files(path: Path) -> dict[str, bytes]:
    """Every file a Qt binary resource (.rcc) holds, by its resource path (":/a/b.webp").
    The format: a "qres" header (version, then the offsets of the tree, the data and
    the names), a tree of 14-byte entries (22 from version 2 on), names as UTF-16BE, and
    each file's data behind its 4-byte length, zlib-compressed where the entry's flag 1
    says so (behind 4 more bytes, the uncompressed length)."""
    blob = path.read_bytes()
    if blob[:4] != b"qres":
        raise ValueError(f"{path} is not a Qt resource file")
    version, tree, data, names = struct.unpack(">IIII", blob[4:20])
    size = 14 if version == 1 else 22

    def name(offset: int) -> str:
        (length,) = struct.unpack(">H", blob[names + offset : names + offset + 2])
        return blob[names + offset + 6 : names + offset + 6 + 2 * length].decode("utf-16-be")

    files: dict[str, bytes] = {}

    def walk(index: int, prefix: str) -> None:
        entry = tree + index * size
        name_offset, flags = struct.unpack(">IH", blob[entry : entry + 6])
        path_here = f"{prefix}/{name(name_offset)}" if index else ":"
        if flags & 2:  # a directory: its children's count and first index
            count, first = struct.unpack(">II", blob[entry + 6 : entry + 14])
            for child in range(first, first + count):
                walk(child, path_here)
            return
        (offset,) = struct.unpack(">I", blob[entry + 10 : entry + 14])
        (length,) = struct.unpack(">I", blob[data + offset : data + offset + 4])
        raw = blob[data + offset + 4 : data + offset + 4 + length]
        if flags & 1:
            raw = zlib.decompress(raw[4:])
        elif flags & 4:
            raise ValueError(f"{path}: {path_here} is zstd-compressed; not read here")
        files[path_here] = raw

    walk(0, "")
    return files


def photos_write(folder: Path, rcc: Path = RCC) -> None:
    """Each photo of bench/heldout.csv, read out of its resource file in `rcc`, as
    folder/<filename> (JPEG). Exits, saying what to install, where `rcc` is missing."""
    if not rcc.is_dir():
        sys.exit(f"{rcc} not found: apt-get install gcompris-qt-data (or give its rcc folder)")
    with LABELS.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    opened: dict[str, dict[str, bytes]] = {}
    for row in rows:
        resource, _, inner = row["source"].partition(" ")
        if resource not in opened:
            opened[resource] = rcc_files(rcc / resource)
        with Image.open(io.BytesIO(opened[resource][inner])) as image:
            image.convert("RGB").save(folder / row["filename"], quality=92)


def _figures(report: dict[str, object]) -> dict[str, object]:
    keys = ("photos", "model_version", "hit@1", "hit@5", "p@5", "r@5", "non_visual_suggested")
    return {k: report[k] for k in (*keys, "shop_accuracy", "shop_false_positive_rate")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rcc", type=Path, default=RCC, help="gcompris-qt-data's rcc folder")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "heldout.json")
    args = parser.parse_args()
    folder = Path(os.environ["VAR_DIR"]) / "heldout"
    folder.mkdir()
    photos_write(folder, args.rcc)

    call_command("migrate", verbosity=0)
    cold = tagger_evaluate_folder(photos=folder, labels=LABELS, tagger=selectors.tagger_cold_start())
    call_command("seed_demo")
    served = tagger_evaluate_folder(photos=folder, labels=LABELS)
    results = {
        "cold_start": _figures(cold),
        "after_seed_demo": _figures(served),
        "suggestions": served["suggestions"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps({k: v for k, v in results.items() if k != "suggestions"}, indent=2))


if __name__ == "__main__":
    main()
