"""Target-vocabulary shortlist: a CTranslate2 vocabulary map (vmap.txt).

At batch 1 decoding is memory-bound: every generated token reads the whole output layer
(65k rows for opus-mt). With `use_vmap=True` CTranslate2 restricts the output layer to the
union of the map's candidates for the message's source tokens, plus the always-candidates
on the line with an empty key. The map is learned from the model's own translations of a
corpus, as Firefox Translations does for Marian: for each source piece, the target pieces
that co-occur with it most (Dice coefficient), plus, always, the most frequent target
pieces and the ones a translation copies (punctuation, digits, placeholders), and for every
piece in the shared vocabulary the same piece (names and numbers pass through).

File format (CTranslate2's vocabulary_map.cc): `<source n-gram>\\t<target> <target> ...`.
"""

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

from .ct2 import CT2Engine
from .protect import mask
from .translator import Translator


class PieceEngine(Protocol):
    name: str
    model_id: str

    def source_pieces(self, texts: list[str]) -> list[list[str]]: ...

    def translate_pieces(self, texts: list[str]) -> list[list[str]]: ...


SPECIAL = ("</s>", "<unk>", "<s>", "<pad>")


def _copyable(piece: str) -> bool:
    text = piece.replace("▁", "")
    return (
        text == "" or text.startswith("__P") or all(not unicodedata.category(c).startswith("L") for c in text)
    )


def _batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def vmap_build(
    translator_or_engine: Translator | PieceEngine,
    corpus: Iterable[str],
    *,
    out_path: Path,
    per_source: int = 50,
    frequent: int = 300,
    vocabulary: Sequence[str] | None = None,
    batch_size: int = 32,
) -> Path:
    """Write the vocabulary map learned from the engine's own translations of `corpus`
    (a Translator masks protected text first, as it will at run time); returns out_path.

    `vocabulary`: pieces each mapped to themselves; None takes the engine tokenizer's
    vocabulary, () adds none."""
    if isinstance(translator_or_engine, Translator):
        engine: PieceEngine = translator_or_engine.engine  # type: ignore[assignment]
        texts: Iterable[str] = (mask(text).text for text in corpus)
    else:
        engine, texts = translator_or_engine, corpus
    if vocabulary is None:
        tokenizer = getattr(engine, "tokenizer", None)
        vocabulary = list(tokenizer.get_vocab()) if tokenizer is not None else []
    pair_counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    source_counts: Counter[str] = Counter()
    target_counts: Counter[str] = Counter()
    for batch in _batches(texts, batch_size):
        # The map learns from unrestricted decoding, even if the engine already has one.
        if isinstance(engine, CT2Engine):
            translated = engine.translate_pieces(batch, use_vmap=False)
        else:
            translated = engine.translate_pieces(batch)
        for source, target in zip(engine.source_pieces(batch), translated, strict=True):
            source_set = set(source) - set(SPECIAL)
            target_set = set(target) - set(SPECIAL)
            source_counts.update(source_set)
            target_counts.update(target_set)
            for piece in source_set:
                pair_counts[piece].update(target_set)
    always = sorted(target_counts, key=lambda t: (-target_counts[t], t))[:frequent]
    always += sorted(t for t in target_counts if _copyable(t) and t not in always)
    always += sorted(t for t in vocabulary if _copyable(t) and t not in always and t not in SPECIAL)
    rules: dict[str, list[str]] = {}
    for piece, counts in pair_counts.items():
        dice = {t: 2 * n / (source_counts[piece] + target_counts[t]) for t, n in counts.items()}
        rules[piece] = sorted(dice, key=lambda t: (-dice[t], t))[:per_source]
    for piece in vocabulary:
        if piece not in SPECIAL:
            rules.setdefault(piece, [])
            if piece not in rules[piece]:
                rules[piece].append(piece)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["\t" + " ".join(always)] + [f"{s}\t{' '.join(targets)}" for s, targets in sorted(rules.items())]
    out_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out_path
