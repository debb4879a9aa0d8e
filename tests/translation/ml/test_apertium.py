import os
import signal
from concurrent.futures import ThreadPoolExecutor

import pytest

from translation.ml.apertium import ApertiumEngine, apertium_installed
from translation.ml.translator import Translation, Translator

pytestmark = pytest.mark.skipif(
    not (apertium_installed("eng-spa") and apertium_installed("spa-eng")),
    reason="Apertium with apertium-eng-spa is not installed (CI installs it)",
)


@pytest.fixture
def eng_spa():
    engine = ApertiumEngine("eng-spa")
    yield engine
    engine.close()


def test_translates_both_directions(eng_spa):
    spa_eng = ApertiumEngine("spa-eng")

    assert eng_spa.translate(["The cat is black.", "The dog is white."]) == [
        "El gato es negro.",
        "El perro es blanco.",
    ]
    assert spa_eng.translate(["El gato es negro."]) == ["The cat is black."]
    assert (eng_spa.name, eng_spa.model_id) == ("apertium", "apertium-eng-spa")
    spa_eng.close()


def test_protected_text_and_reserved_characters_come_back_unchanged(eng_spa):
    translator = Translator(eng_spa)

    [protected, reserved] = translator.translate(
        ["The cat is black 😀 #sale $20", "The [cat] is <black> / ^ $ ~"]
    )

    assert protected == Translation("El gato es negro 😀 #sale $20", "apertium", "apertium-eng-spa")
    assert reserved.text == "El [gato] es <negro> / ^ $ ~"


def test_one_process_for_many_messages_restarted_when_it_dies(eng_spa):
    eng_spa.translate(["The cat is black."])
    first = eng_spa.pid

    eng_spa.translate(["The dog is white."])
    same = eng_spa.pid
    os.killpg(first, signal.SIGKILL)
    after_restart = eng_spa.translate(["The dog is white."])

    assert same == first
    assert after_restart == ["El perro es blanco."]
    assert eng_spa.pid not in (None, first)


def test_concurrent_callers_get_their_own_answers(eng_spa):
    texts = ["The cat is black.", "The dog is white.", "Hello!", "The house is big."] * 4
    expected = eng_spa.translate(texts)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda t: eng_spa.translate([t])[0], texts))

    assert results == expected
