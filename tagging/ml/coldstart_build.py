"""Generate data/coldstart.tsv: each ImageNet class -> hashtag concepts and shop category.

    python -m tagging.ml.coldstart_build --wordnet /usr/share/wordnet/data.noun

Reads WordNet 3.0 (Debian's wordnet-base), the ImageNet class ids timm ships, and the
hand-written tables beside the output (see data/README.md). A class gets its own
specific concept (imagenet_hashtags.tsv), then the general concepts of every synset in
its hypernym closure that general_concepts.tsv lists (nearest first), and the shop
category of its nearest ancestor listed in shop_categories.tsv. Deterministic: the same
inputs give the same file, so the committed output can be checked by running it again.
"""

import argparse
import csv
from collections import deque
from pathlib import Path

from timm.data import ImageNetInfo

DATA = Path(__file__).resolve().parent / "data"


def read_hypernyms(data_noun: Path) -> dict[str, list[str]]:
    """wnid -> hypernym wnids (plain and instance hypernyms), from WordNet's data.noun."""
    hypernyms: dict[str, list[str]] = {}
    with data_noun.open(encoding="utf-8") as file:
        for line in file:
            if line.startswith(" "):
                continue  # licence header
            fields = line.split(" | ")[0].split()
            offset, word_count = fields[0], int(fields[3], 16)
            at = 4 + 2 * word_count
            pointer_count = int(fields[at])
            pointers = [fields[at + 1 + 4 * i : at + 5 + 4 * i] for i in range(pointer_count)]
            hypernyms[f"n{offset}"] = [f"n{p[1]}" for p in pointers if p[0] in ("@", "@i") and p[2] == "n"]
    return hypernyms


def ancestors_by_distance(wnid: str, hypernyms: dict[str, list[str]]) -> dict[str, int]:
    """The synset itself (distance 0) and every hypernym, with its shortest distance."""
    distance = {wnid: 0}
    queue = deque([wnid])
    while queue:
        current = queue.popleft()
        for parent in hypernyms.get(current, []):
            if parent not in distance:
                distance[parent] = distance[current] + 1
                queue.append(parent)
    return distance


def _table(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def build(data_noun: Path) -> list[list[str]]:
    hypernyms = read_hypernyms(data_noun)
    general = {row["wnid"]: row["concepts"].split() for row in _table("general_concepts.tsv")}
    shop = {row["wnid"]: row["category"] for row in _table("shop_categories.tsv")}
    specific = {row["wnid"]: row["hashtag_en"] for row in _table("imagenet_hashtags.tsv")}
    missing = [w for w in [*general, *shop] if w not in hypernyms]
    if missing:
        raise SystemExit(f"Not WordNet 3.0 noun synsets: {', '.join(missing)}")
    info = ImageNetInfo()
    rows = []
    for index in range(info.num_classes()):
        wnid = info.index_to_label_name(index)
        distance = ancestors_by_distance(wnid, hypernyms)
        nearest = sorted(distance, key=lambda w: (distance[w], w))
        concepts = [specific[wnid]]
        for ancestor in nearest:
            concepts += [c for c in general.get(ancestor, []) if c not in concepts]
        category = next((shop[a] for a in nearest if a in shop), "")
        rows.append([str(index), wnid, info.index_to_description(index), " ".join(concepts), category])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet/data.noun"))
    parser.add_argument("--out", type=Path, default=DATA / "coldstart.tsv")
    args = parser.parse_args()
    rows = build(args.wordnet)
    with args.out.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, delimiter="\t", lineterminator="\n")
        writer.writerow(["index", "wnid", "description", "concepts", "shop_category"])
        writer.writerows(rows)
    print(f"Wrote {len(rows)} classes to {args.out}")


if __name__ == "__main__":
    main()
