import shutil

import pytest

from translation.ml.ct2 import convert, ct2_load
from translation.ml.marian import marian_load
from translation.ml.protect import mask
from translation.ml.shortlist import vmap_build


def candidates(path, source):
    """The target pieces CTranslate2 may generate for a message with these source pieces:
    the map's always-line plus each source piece's rule (it adds </s> and <unk> itself)."""
    rules = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, targets = line.partition("\t")
        rules[key] = targets.split()
    return set(rules.get("", [])).union(*(rules.get(piece, []) for piece in source))


@pytest.fixture(scope="module", params=["en", "es"])
def shortlisted(request, tiny_marian, tmp_path_factory):
    """A CTranslate2 model with a map built from the training sentences, its source language."""
    source = request.param
    original = tiny_marian.en_es if source == "en" else tiny_marian.es_en
    folder = shutil.copytree(original, tmp_path_factory.mktemp("vmap") / original.name)
    convert(folder)
    plain = ct2_load(folder)
    # Learned from the training sentences as the engine sees them, keep-terms masked: on
    # this tiny model a placeholder changes which pieces follow it.
    vmap_build(
        plain,
        [mask(getattr(p, source), p.keep).text for p in tiny_marian.train],
        out_path=folder / "ctranslate2" / "vmap.txt",
        frequent=20,
    )
    return plain, ct2_load(folder), source, folder / "ctranslate2" / "vmap.txt"


def test_shortlist_output_is_identical_on_heldout_sentences(shortlisted, tiny_marian):
    plain, with_vmap, source, _ = shortlisted
    texts = [mask(getattr(p, source), p.keep).text for p in tiny_marian.heldout]

    assert with_vmap.use_vmap is True
    shortlisted_out, plain_out = with_vmap.translate(texts), plain.translate(texts)
    # The tiny model trains to slightly different weights on different CPUs, and on a
    # held-out noun it sometimes answers with an unrelated one ("vestido" -> "sofa") that
    # no map learned from the source can foresee. One such sentence in 32 is allowed.
    differ = [(t, a, b) for t, a, b in zip(texts, shortlisted_out, plain_out, strict=True) if a != b]
    assert len(differ) <= 1, differ


def test_shortlist_is_smaller_than_the_vocabulary(shortlisted, tiny_marian):
    plain, _, source, path = shortlisted
    sources = plain.source_pieces([mask(getattr(p, source), p.keep).text for p in tiny_marian.heldout])

    sizes = [len(candidates(path, pieces)) for pieces in sources]

    assert max(sizes) < 0.8 * len(plain.tokenizer.encoder)


def test_map_format_always_line_then_one_rule_per_source_piece(tiny_marian, tmp_path):
    engine = marian_load(tiny_marian.en_es)

    path = vmap_build(
        engine, ["Hello!", "Where is the lamp?"], out_path=tmp_path / "vmap.txt", frequent=3, vocabulary=()
    )

    assert path.read_text(encoding="utf-8").splitlines() == [
        "\t! ? D ▁¡ ▁¿",
        "!\t! Hola ▁¡",
        "?\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
        "e\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
        "he\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
        "i\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
        "re\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
        "s\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
        "▁\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
        "▁Hello\t! Hola ▁¡",
        "▁W\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
        "▁lamp\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
        "▁th\t? D nde ó ▁está ▁la ▁lámpara ▁¿",
    ]
