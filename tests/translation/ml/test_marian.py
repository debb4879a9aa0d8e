import pytest

from translation.ml.marian import is_marian_dir, marian_load
from translation.ml.protect import mask, unmask


@pytest.fixture(scope="module")
def en_es(tiny_marian):
    return marian_load(tiny_marian.en_es)


@pytest.fixture(scope="module")
def es_en(tiny_marian):
    return marian_load(tiny_marian.es_en)


def _exact(engine, pairs, source, target):
    masked = [mask(getattr(p, source), p.keep) for p in pairs]
    outputs = engine.translate([m.text for m in masked])
    return sum(unmask(m, o) == getattr(p, target) for m, o, p in zip(masked, outputs, pairs, strict=True))


def test_folder_layout_and_identity(tiny_marian, en_es):
    assert is_marian_dir(tiny_marian.en_es)
    assert is_marian_dir(tiny_marian.en_es.parent) is False
    assert (en_es.name, en_es.model_id) == ("marian", "opus-mt-en-es")
    assert en_es.model.generation_config.num_beams == 1
    assert en_es.model.generation_config.bad_words_ids == [[en_es.model.config.pad_token_id]]


def test_tiny_model_translates_masked_sentences(en_es):
    assert en_es.translate(["The lamp costs __P0__.", "Where is the watch?"]) == [
        "La lámpara cuesta __P0__.",
        "¿Dónde está el reloj?",
    ]


def test_tiny_models_learned_their_training_sentences(tiny_marian, en_es, es_en):
    train = tiny_marian.train

    assert _exact(en_es, train, "en", "es") / len(train) >= 0.95
    assert _exact(es_en, train, "es", "en") / len(train) >= 0.95


def test_tiny_models_generalise_to_heldout_sentences(tiny_marian, en_es, es_en):
    heldout = tiny_marian.heldout

    assert _exact(en_es, heldout, "en", "es") / len(heldout) >= 0.8
    assert _exact(es_en, heldout, "es", "en") / len(heldout) >= 0.8


def test_a_batch_keeps_order_and_matches_one_at_a_time(en_es):
    texts = ["Hello!", "I want to buy the __P0__ for __P1__ and the lamp.", "Where is the bike?", ""]

    batched = en_es.translate(texts)

    assert batched == [en_es.translate([t])[0] for t in texts]
    assert en_es.translate([]) == []


def test_pieces_are_the_generated_sentencepiece_tokens(en_es):
    [pieces] = en_es.translate_pieces(["Hello!"])

    assert "".join(pieces).replace("▁", " ").strip() == en_es.translate(["Hello!"])[0]
