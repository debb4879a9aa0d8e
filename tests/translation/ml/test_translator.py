import logging
import shutil

import pytest

from tests.translation.conftest import Counting
from translation.ml import translator as translator_module
from translation.ml.marian import marian_load
from translation.ml.translator import EngineUnavailable, Translation, Translator, engine_load, translator_for


class Scripted:
    """Answers from a script: stands in for a model that drops or repeats a placeholder,
    to test the repair logic, not a model."""

    name = "scripted"
    model_id = "scripted-1"

    def __init__(self, answers):
        self.answers = answers
        self.batches: list[list[str]] = []

    def translate(self, texts):
        self.batches.append(list(texts))
        return [self.answers[t] for t in texts]


@pytest.fixture(scope="module")
def en_es(tiny_marian):
    return marian_load(tiny_marian.en_es)


@pytest.fixture(scope="module")
def es_en(tiny_marian):
    return marian_load(tiny_marian.es_en)


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("The lamp costs $20.", "La lámpara cuesta $20."),
        ("I will pay 15 € for the chair.", "Pagaré 15 € por la silla."),
        ("Is the bike 1.500,00 € or $9.99?", "¿La bicicleta cuesta 1.500,00 € o $9.99?"),
        ("I have 3 photos of the hat.", "Tengo 3 fotos del sombrero."),
        ("Look at https://shop.example.com/item/42", "Mira https://shop.example.com/item/42"),
        ("Write to me at ana@example.com.", "Escríbeme a ana@example.com."),
        ("@maria, the book is ready.", "@maria, el libro está listo."),
        ("I love this guitar #handmade", "Me encanta esta guitarra #handmade"),
        ("The coat is perfect 😍", "El abrigo es perfecto 😍"),
    ],
)
def test_protected_text_keeps_its_exact_form(en_es, english, spanish):
    [translation] = Translator(en_es).translate([english])

    assert translation == Translation(spanish, "marian", "opus-mt-en-es")


def test_keep_terms_are_not_translated(en_es, es_en):
    [to_spanish] = Translator(en_es).translate(["Do you still sell Nordic Chair?"], keep=["Nordic Chair"])
    [to_english] = Translator(es_en).translate(["Nordic Chair cuesta $5."], keep=["Nordic Chair"])

    assert to_spanish.text == "¿Todavía vendes Nordic Chair?"
    assert to_english.text == "The Nordic Chair costs $5."


def test_nothing_to_translate_never_reaches_the_engine(en_es):
    counting = Counting(en_es)

    results = Translator(counting).translate(["😀👍", "$20", "", "#sale @maria"])

    assert [r.text for r in results] == ["😀👍", "$20", "", "#sale @maria"]
    assert counting.batches == []


def test_second_request_is_served_from_the_cache(en_es):
    counting = Counting(en_es)
    translator = Translator(counting)

    first = translator.translate(["Hello!", "Where is the lamp?", "Hello!"])
    second = translator.translate(["Where is the lamp?", "Hello!"])

    assert [t.text for t in first] == ["¡Hola!", "¿Dónde está la lámpara?", "¡Hola!"]
    assert second == first[1:]
    assert counting.batches == [["Hello!", "Where is the lamp?"]]


def test_cache_key_includes_keep_terms_and_evicts_oldest(en_es):
    counting = Counting(en_es)
    translator = Translator(counting, cache_size=2)

    translator.translate(["Hello!"])
    translator.translate(["Hello!"], keep=["Hello"])
    translator.translate(["Good night!"])
    translator.translate(["Hello!"])

    assert counting.batches == [["Hello!"], ["Good night!"], ["Hello!"]]


def test_a_dropped_placeholder_is_repaired_by_translating_around_the_spans():
    engine = Scripted(
        {
            "The lamp costs __P0__ and the chair __P1__.": "La lámpara cuesta __P0__ y la silla.",
            "The lamp costs": "La lámpara cuesta",
            "and the chair": "y la silla",
        }
    )

    [result] = Translator(engine).translate(["The lamp costs $20 and the chair 15 €."])

    assert result.text == "La lámpara cuesta $20 y la silla 15 €."
    assert engine.batches == [
        ["The lamp costs __P0__ and the chair __P1__."],
        ["The lamp costs", "and the chair"],
    ]


def test_a_duplicated_placeholder_keeps_its_first_occurrence():
    engine = Scripted({"Pay __P0__ now.": "Paga __P0__ ahora __P0__."})

    [result] = Translator(engine).translate(["Pay $5 now."])

    assert result.text == "Paga $5 ahora."
    assert len(engine.batches) == 1


def test_engine_load_prefers_marian_then_apertium(tiny_marian, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="translation.ml.translator")

    marian = engine_load("en", "es", model_dir=tiny_marian.en_es)
    with pytest.raises(EngineUnavailable, match="fetch_translation_models"):
        engine_load("en", "es", model_dir=tmp_path / "opus-mt-en-es", engine="marian")
    with pytest.raises(EngineUnavailable, match="ctranslate2"):
        engine_load("en", "es", model_dir=tiny_marian.en_es, engine="ct2")

    assert (marian.name, marian.model_id) == ("marian", "opus-mt-en-es")
    if shutil.which("apertium"):
        missing = engine_load("en", "es", model_dir=tmp_path / "opus-mt-en-es")
        engine_load("en", "es", model_dir=tmp_path / "opus-mt-en-es")
        assert (missing.name, missing.model_id) == ("apertium", "apertium-eng-spa")
        assert [r.getMessage() for r in caplog.records] == [
            f"no translation model at {tmp_path / 'opus-mt-en-es'}; run "
            "`python manage.py fetch_translation_models`; falling back to Apertium eng-spa"
        ]


def test_engine_load_rejects_unknown_directions_and_engines(tmp_path):
    with pytest.raises(ValueError, match="unsupported direction en->fr"):
        engine_load("en", "fr", model_dir=tmp_path)
    with pytest.raises(ValueError, match="unknown engine 'google'"):
        engine_load("en", "es", model_dir=tmp_path, engine="google")


def test_translator_for_is_one_per_process(tiny_marian):
    first = translator_for("es", "en", model_dir=tiny_marian.es_en, engine="marian")

    assert translator_for("es", "en", model_dir=tiny_marian.es_en, engine="marian") is first
    assert first.translate(["¡Hola!"]) == [Translation("Hello!", "marian", "opus-mt-es-en")]


def test_a_model_fetched_while_the_process_runs_replaces_the_fallback(tiny_marian, tmp_path, monkeypatch):
    monkeypatch.setattr(translator_module, "RECHECK_SECONDS", 0.0)
    folder = tmp_path / "opus-mt-es-en"
    fallback = translator_for("es", "en", model_dir=folder)  # Apertium where installed, else None
    assert fallback is None or fallback.engine.name == "apertium"
    assert translator_for("es", "en", model_dir=folder) is fallback  # nothing arrived: kept

    shutil.copytree(tiny_marian.es_en, folder)
    fetched = translator_for("es", "en", model_dir=folder)

    assert fetched is not None and fetched.engine.name == "marian"
    assert translator_for("es", "en", model_dir=folder) is fetched
    assert fetched.translate(["¡Hola!"]) == [Translation("Hello!", "marian", "opus-mt-es-en")]
