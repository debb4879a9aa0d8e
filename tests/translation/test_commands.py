import io
import json

import pytest
from django.core.management import CommandError, call_command

from translation import selectors


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_translate_writes_one_line_out_for_each_line_in(marian, monkeypatch):
    lines = [marian.train[0].en, "", marian.train[1].en]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    expected = [
        t.text for t in selectors.translator_get(source="en", target="es").translate([lines[0], lines[2]])
    ]

    out = _run("translate", "--source", "en", "--target", "es", "--engine", "marian")

    assert out.splitlines() == [expected[0], "", expected[1]]


def test_translate_and_evaluate_refuse_the_same_language_twice(marian, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("hello\thello\n", encoding="utf-8")

    with pytest.raises(CommandError, match="must differ"):
        _run("translate", "--source", "en", "--target", "en")
    with pytest.raises(CommandError, match="must differ"):
        _run("evaluate_translation", str(pairs), "--source", "es", "--target", "es")


def test_without_any_engine_the_commands_say_what_to_install(settings, tmp_path, monkeypatch):
    settings.TRANSLATION_MODEL_EN_ES = tmp_path / "none"
    monkeypatch.setattr(selectors, "translator_for", lambda *args, **kwargs: None)
    monkeypatch.setattr("sys.stdin", io.StringIO("hello\n"))

    with pytest.raises(CommandError, match="No translation engine is installed: run `python manage"):
        _run("translate", "--source", "en", "--target", "es")


def test_evaluate_scores_an_engine_against_references(marian, tmp_path):
    sources = [pair.en for pair in marian.train[:5]]
    hypotheses = [t.text for t in selectors.translator_get(source="en", target="es").translate(sources)]
    perfect = tmp_path / "perfect.tsv"
    perfect.write_text(
        "".join(f"{s}\t{h}\n" for s, h in zip(sources, hypotheses, strict=True)), encoding="utf-8"
    )

    result = json.loads(_run("evaluate_translation", str(perfect), "--source", "en", "--target", "es"))

    assert result == {
        "engine": "marian",
        "model_id": marian.en_es.name,
        "source": "en",
        "target": "es",
        "sentences": 5,
        "bleu": 100.0,
        "chrf": 100.0,
    }


def test_evaluate_explains_a_malformed_file(marian, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("only a source\n", encoding="utf-8")

    with pytest.raises(CommandError, match=r"bad\.tsv:1: expected source<TAB>reference, found 1 fields"):
        _run("evaluate_translation", str(bad), "--source", "en", "--target", "es")


def test_fetch_says_clearly_when_the_hub_is_unreachable(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    settings.TRANSLATION_MODEL_EN_ES = tmp_path / "en-es"
    settings.TRANSLATION_MODEL_ES_EN = tmp_path / "es-en"

    with pytest.raises(
        CommandError,
        match="Could not download Helsinki-NLP/opus-mt-en-es: the Hugging Face hub is not reachable",
    ):
        _run("fetch_translation_models")
    assert not (tmp_path / "en-es" / "config.json").exists()


def test_convert_makes_a_ctranslate2_model_with_a_shortlist_that_auto_then_uses(
    settings, tiny_marian, tmp_path
):
    import shutil

    settings.TRANSLATION_ENGINE = "auto"
    settings.TRANSLATION_MODEL_EN_ES = shutil.copytree(tiny_marian.en_es, tmp_path / "en-es")
    settings.TRANSLATION_MODEL_ES_EN = tmp_path / "missing"
    corpus = tmp_path / "corpus.en"
    corpus.write_text("\n".join(pair.en for pair in tiny_marian.train), encoding="utf-8")

    out = _run("convert_translation_models", "--corpus-en", str(corpus))

    converted = tmp_path / "en-es" / "ctranslate2"
    assert (converted / "model.bin").is_file() and (converted / "vmap.txt").is_file()
    assert f"en->es: {tmp_path / 'en-es'} -> {converted} (int8)" in out
    assert selectors.translator_get(source="en", target="es").engine.name == "ct2"


def test_convert_without_models_says_what_to_do(settings, tmp_path):
    settings.TRANSLATION_MODEL_EN_ES = tmp_path / "a"
    settings.TRANSLATION_MODEL_ES_EN = tmp_path / "b"

    with pytest.raises(
        CommandError, match=r"No MarianMT model to convert: run `python manage\.py fetch_translation_models`"
    ):
        _run("convert_translation_models")
